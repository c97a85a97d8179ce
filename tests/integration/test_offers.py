"""The offer lifecycle against PostgreSQL: every transition, its guards and its records."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import select

from service.catalogue.errors import NotYourEquipment
from service.errors import DomainError, Forbidden, NotFound, PreconditionFailed
from service.notifications.models import Notification
from service.offers import jobs, lifecycle, queries, services
from service.offers.errors import (
    DuplicateItem,
    InvalidTransition,
    InvalidWindows,
    NotASchool,
    OfferEnded,
    OfferExists,
    ReasonRequired,
    RetiredEquipment,
    SupervisorContactRequired,
)
from service.offers.models import Offer, OfferEvent

SPRING = {"starts_on": date(2027, 3, 1), "ends_on": date(2027, 4, 30),
          "spans": [{"weekday": 2, "opens": time(9), "closes": time(12)}]}


def terms(world, **overrides) -> dict:
    return {"school_id": world.school.id,
            "items": [{"equipment_id": world.enterprise_equipment.id, "value_per_hour": "80"}],
            "windows": [SPRING], "weekly_hours_budget": 6, "requires_approval": True,
            "approval_hours": 24, "supervisor_on_site": True,
            "supervisor_contact": "Mr. Wang, +86 21 5555 0100", "allowed_uses": "CNC course",
            "withdrawal_notice_days": 14, "asks_back": "outcome_per_session", **overrides}


def draft(session, world, actor="enterprise_staff", **overrides) -> Offer:
    return services.create_offer(session, world.users[actor], **terms(world, **overrides))


def submitted(session, world) -> Offer:
    offer = draft(session, world)
    return lifecycle.submit_offer(session, world.users["enterprise_staff"], offer.id)


def approved(session, world) -> Offer:
    offer = submitted(session, world)
    return lifecycle.approve_offer(session, world.users["admin"], offer.id)


def moves(session, offer) -> list[tuple]:
    return [(e.from_status, e.to_status, e.actor_id, e.reason) for e in session.scalars(
        select(OfferEvent).where(OfferEvent.offer_id == offer.id).order_by(OfferEvent.id))]


def notices(session, kind) -> list[tuple]:
    return [(n.user_id, n.data["offer_id"]) for n in session.scalars(
        select(Notification).where(Notification.kind == kind).order_by(Notification.id))]


def test_enterprise_staff_draft_an_offer_of_their_own_items(session, world):
    offer = draft(session, world)
    assert (offer.status, offer.enterprise_id, offer.school_id, offer.version) == (
        "draft", world.enterprise.id, world.school.id, 1)
    assert [(i.equipment_id, str(i.value_per_hour)) for i in offer.items] == [
        (world.enterprise_equipment.id, "80.00")]
    [window] = offer.windows
    assert (window.starts_on, window.ends_on, [(s.weekday, s.opens, s.closes)
                                               for s in window.spans]) == (
        date(2027, 3, 1), date(2027, 4, 30), [(2, time(9), time(12))])
    assert moves(session, offer) == []


@pytest.mark.parametrize("role", ["student", "instructor", "admin", "operator"])
def test_only_enterprise_staff_make_offers(session, world, role):
    with pytest.raises(Forbidden) as refused:
        draft(session, world, actor=role)
    assert refused.value.code == "role_not_allowed"


def test_an_offer_holds_only_the_enterprises_own_items_each_once(session, world):
    with pytest.raises(NotYourEquipment):
        draft(session, world, items=[{"equipment_id": world.other_enterprise_equipment.id}])
    with pytest.raises(NotYourEquipment):
        draft(session, world, items=[{"equipment_id": world.equipment.id}])
    same = {"equipment_id": world.enterprise_equipment.id}
    with pytest.raises(DuplicateItem):
        draft(session, world, items=[same, same])
    with pytest.raises(DomainError) as unknown:
        draft(session, world, items=[{"equipment_id": 10**12}])
    assert unknown.value.code == "unknown_equipment"


def test_an_offer_is_addressed_to_a_school(session, world):
    with pytest.raises(NotASchool):
        draft(session, world, school_id=world.other_enterprise.id)


def test_windows_and_conditions_are_checked(session, world):
    backwards = {**SPRING, "starts_on": date(2027, 5, 1)}
    with pytest.raises(InvalidWindows) as refused:
        draft(session, world, windows=[backwards])
    assert refused.value.errors == {"windows.0": ["ends_on must not be before starts_on."]}
    with pytest.raises(SupervisorContactRequired):
        draft(session, world, supervisor_contact="  ")


def test_one_live_offer_per_enterprise_and_school(session, world):
    first = draft(session, world)
    with pytest.raises(OfferExists) as refused:
        draft(session, world, actor="manager")
    assert refused.value.extra["offer_id"] == first.id
    assert draft(session, world, school_id=world.other_school.id).status == "draft"


def test_submit_then_approve_records_both_and_tells_the_other_side(session, world):
    offer = submitted(session, world)
    assert offer.status == "submitted"
    assert notices(session, "offer_submitted") == [(world.users["admin"].id, offer.id)]
    lifecycle.approve_offer(session, world.users["admin"], offer.id, reason="Welcome")
    staff = sorted([world.users["enterprise_staff"].id, world.users["manager"].id])
    assert sorted(u for u, _ in notices(session, "offer_approved")) == staff
    assert moves(session, offer) == [
        ("draft", "submitted", world.users["enterprise_staff"].id, ""),
        ("submitted", "approved", world.users["admin"].id, "Welcome")]


def test_reject_needs_a_reason_and_a_submitted_offer(session, world):
    offer = submitted(session, world)
    with pytest.raises(ReasonRequired):
        lifecycle.reject_offer(session, world.users["admin"], offer.id, reason=" ")
    lifecycle.reject_offer(session, world.users["admin"], offer.id, reason="No course fits")
    assert moves(session, offer)[-1] == ("submitted", "rejected", world.users["admin"].id,
                                         "No course fits")
    with pytest.raises(InvalidTransition) as again:
        lifecycle.reject_offer(session, world.users["admin"], offer.id, reason="Twice")
    assert again.value.extra == {"current_status": "rejected"}
    # A rejected offer is no longer live: the enterprise may make a new one.
    assert draft(session, world).status == "draft"


def test_withdraw_with_a_reason_from_any_live_state(session, world):
    offer = approved(session, world)
    with pytest.raises(ReasonRequired):
        lifecycle.withdraw_offer(session, world.users["manager"], offer.id, reason=None)
    lifecycle.withdraw_offer(session, world.users["manager"], offer.id, reason="Machine sold")
    assert offer.status == "withdrawn"
    assert notices(session, "offer_withdrawn") == [(world.users["admin"].id, offer.id)]
    with pytest.raises(InvalidTransition):
        lifecycle.withdraw_offer(session, world.users["manager"], offer.id, reason="Again")
    # A stale draft is withdrawn too (it would hold the one live offer per school), quietly:
    # the school never saw it.
    drafted = draft(session, world)
    lifecycle.withdraw_offer(session, world.users["manager"], drafted.id, reason="Draft")
    assert drafted.status == "withdrawn"
    assert notices(session, "offer_withdrawn") == [(world.users["admin"].id, offer.id)]


def test_a_live_offer_cannot_be_ended_early_by_an_edit(session, world):
    """Found by our review: windows moved into the past ended an approved offer without a
    reason or notice; that is a withdrawal."""
    offer = approved(session, world)
    past = {"starts_on": date(2020, 1, 1), "ends_on": date(2020, 1, 31),
            "spans": [{"weekday": 2, "opens": time(9), "closes": time(12)}]}
    with pytest.raises(OfferEnded):
        services.update_offer(session, world.users["manager"], offer.id,
                              changes={"windows": [past]})
    session.refresh(offer)
    assert offer.status == "approved" and [w.starts_on for w in offer.windows] == [
        SPRING["starts_on"]]


def test_retired_equipment_is_not_offered(session, world):
    world.enterprise_equipment.status = "retired"
    session.commit()
    with pytest.raises(RetiredEquipment) as refused:
        draft(session, world)
    assert refused.value.errors == {
        "items": [f"Equipment {world.enterprise_equipment.id} is retired."]}


@pytest.mark.parametrize("step", ["submit", "approve", "edit"])
def test_wrong_states_are_409(session, world, step):
    offer = approved(session, world)
    lifecycle.withdraw_offer(session, world.users["manager"], offer.id, reason="Sold")
    with pytest.raises(InvalidTransition):
        if step == "submit":
            lifecycle.submit_offer(session, world.users["enterprise_staff"], offer.id)
        elif step == "approve":
            lifecycle.approve_offer(session, world.users["admin"], offer.id)
        else:
            services.update_offer(session, world.users["enterprise_staff"], offer.id,
                                  changes={"weekly_hours_budget": 2})


def test_the_school_sees_no_drafts_and_the_enterprise_decides_nothing(session, world):
    offer = draft(session, world)
    with pytest.raises(NotFound):
        lifecycle.approve_offer(session, world.users["admin"], offer.id)
    lifecycle.submit_offer(session, world.users["manager"], offer.id)
    with pytest.raises(Forbidden):
        lifecycle.approve_offer(session, world.users["enterprise_staff"], offer.id)
    with pytest.raises(Forbidden):
        lifecycle.withdraw_offer(session, world.users["admin"], offer.id, reason="Not ours")
    for stranger in ("other_admin", "other_staff", "student", "instructor", "operator"):
        with pytest.raises(NotFound):
            lifecycle.approve_offer(session, world.users[stranger], offer.id)
        with pytest.raises(NotFound):
            queries.history(session, world.users[stranger], offer.id)


def test_a_stale_version_is_412(session, world):
    offer = draft(session, world)
    with pytest.raises(PreconditionFailed):
        lifecycle.submit_offer(session, world.users["enterprise_staff"], offer.id,
                               expected_versions=[offer.version + 1])
    lifecycle.submit_offer(session, world.users["enterprise_staff"], offer.id,
                           expected_versions=[offer.version])
    assert offer.version == 2


def test_editing_a_draft_or_submitted_offer_keeps_its_status(session, world):
    offer = draft(session, world)
    services.update_offer(session, world.users["manager"], offer.id,
                          changes={"items": [{"equipment_id": world.enterprise_equipment.id}]})
    assert (offer.status, offer.version, offer.items[0].value_per_hour) == ("draft", 2, None)
    lifecycle.submit_offer(session, world.users["manager"], offer.id)
    services.update_offer(session, world.users["manager"], offer.id,
                          changes={"allowed_uses": "Welding only"})
    assert offer.status == "submitted"
    assert moves(session, offer)[-1][1:2] == ("submitted",)


def test_an_empty_edit_changes_nothing(session, world):
    offer = approved(session, world)
    services.update_offer(session, world.users["manager"], offer.id, changes={})
    assert (offer.status, offer.version) == ("approved", 3)


def test_editing_an_approved_offer_sends_it_back_for_approval(session, world):
    offer = approved(session, world)
    autumn = {"starts_on": date(2027, 9, 1), "ends_on": date(2027, 10, 31),
              "spans": [{"weekday": 4, "opens": time(13), "closes": time(17)}]}
    services.update_offer(session, world.users["enterprise_staff"], offer.id,
                          changes={"windows": [autumn], "weekly_hours_budget": 4},
                          expected_versions=[offer.version])
    assert (offer.status, offer.weekly_hours_budget) == ("submitted", 4)
    assert [(w.starts_on, w.ends_on) for w in offer.windows] == [
        (date(2027, 9, 1), date(2027, 10, 31))]
    assert moves(session, offer)[-1] == ("approved", "submitted",
                                         world.users["enterprise_staff"].id,
                                         "terms changed; back for approval")
    assert len(notices(session, "offer_submitted")) == 2
    lifecycle.approve_offer(session, world.users["admin"], offer.id)
    assert offer.status == "approved"


def test_an_ended_offer_cannot_be_submitted_or_approved(session, world):
    offer = draft(session, world)
    after = datetime(2027, 5, 1, tzinfo=UTC)
    with pytest.raises(OfferEnded):
        lifecycle.submit_offer(session, world.users["enterprise_staff"], offer.id, now=after)
    lifecycle.submit_offer(session, world.users["enterprise_staff"], offer.id)
    with pytest.raises(OfferEnded):
        lifecycle.approve_offer(session, world.users["admin"], offer.id, now=after)


def test_offers_expire_after_their_last_window_once(session, world):
    offer = approved(session, world)
    other = services.create_offer(session, world.users["enterprise_staff"],
                                  **terms(world, school_id=world.other_school.id))
    # The window's last day is 30 April in Shanghai (+08:00): it ends at 16:00 UTC.
    assert jobs.expire_offers(session, now=datetime(2027, 4, 30, 15, 59, tzinfo=UTC)) == 0
    assert jobs.expire_offers(session, now=datetime(2027, 4, 30, 16, tzinfo=UTC)) == 1
    assert jobs.expire_offers(session, now=datetime(2027, 5, 2, tzinfo=UTC)) == 0
    assert (offer.status, other.status) == ("expired", "draft")
    assert moves(session, offer)[-1] == ("approved", "expired", None,
                                         "its last window has ended")
    assert len(notices(session, "offer_expired")) == 3  # the school's admin, E1's two staff


def test_lists_show_each_side_its_own(session, world):
    mine = submitted(session, world)
    services.create_offer(session, world.users["manager"],
                          **terms(world, school_id=world.other_school.id))
    page = {"page": 1, "page_size": 20, "sort": "id"}
    assert queries.list_offers(session, world.users["enterprise_staff"], **page)["total"] == 2
    assert [o.id for o in queries.list_offers(session, world.users["admin"], **page)[
        "items"]] == [mine.id]
    assert queries.list_offers(session, world.users["other_admin"], **page)["total"] == 0
    assert queries.list_offers(session, world.users["other_staff"], **page)["total"] == 0
    assert queries.list_offers(session, world.users["enterprise_staff"], status=["draft"],
                               **page)["total"] == 1
