"""The audit history records every write to the audited things, from the session itself."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from service.accounts import services as accounts
from service.audit.models import AuditEntry
from service.catalogue import bases, equipment, qualifications
from service.catalogue.models import OpeningHours
from service.offers.jobs import expire_offers
from service.qualifications.services import revoke_qualification
from service.reservations.quotas import put_quota

from ..factories import PASSWORD


def entries(session, entity: str, entity_id: int | None = None) -> list[AuditEntry]:
    """The entries of one kind of thing (one row of it), oldest first."""
    stmt = select(AuditEntry).where(AuditEntry.entity == entity)
    if entity_id is not None:
        stmt = stmt.where(AuditEntry.entity_id == entity_id)
    return list(session.scalars(stmt.order_by(AuditEntry.id)))


def test_a_change_of_equipment_records_exactly_the_changed_fields(session, world):
    item = world.equipment
    old_name = item.name
    before = len(entries(session, "equipment", item.id))
    equipment.update_equipment(session, world.users["admin"], item.id, changes={
        "name": "Big lathe", "max_duration_minutes": 120, "description": item.description})

    [entry] = entries(session, "equipment", item.id)[before:]
    assert (entry.action, entry.organisation_id) == ("updated", world.school.id)
    # The description was sent unchanged: it is not listed.
    assert entry.changes == {"name": [old_name, "Big lathe"], "max_duration_minutes": [240, 120]}
    # A use case called outside a request (a command, the scheduler) has no actor.
    assert entry.actor_id is None


def test_a_new_item_is_recorded_with_its_id_and_values(session, world):
    created = equipment.create_equipment(
        session, world.users["admin"], name="Drill press", asset_tag="AUD-1",
        base_id=world.base.id, category_id=world.category.id)

    [entry] = entries(session, "equipment", created.id)
    assert entry.action == "created"
    assert entry.entity_id == created.id
    assert entry.organisation_id == world.school.id
    assert entry.changes["name"] == [None, "Drill press"]
    assert entry.changes["asset_tag"] == [None, "AUD-1"]
    assert entry.changes["base_id"] == [None, world.base.id]
    assert "id" not in entry.changes and "version" not in entry.changes


def test_a_closure_added_and_removed_leaves_both_entries_under_the_base_organisation(
        session, world):
    closure = bases.add_closure(session, world.users["admin"], world.base.id,
                                starts_on=date(2027, 5, 1), ends_on=date(2027, 5, 3),
                                reason="Works")
    closure_id = closure.id
    bases.remove_closure(session, world.users["admin"], world.base.id, closure_id)

    created, deleted = entries(session, "closure", closure_id)
    assert created.action == "created" and deleted.action == "deleted"
    assert {created.organisation_id, deleted.organisation_id} == {world.school.id}
    assert created.changes["starts_on"] == [None, "2027-05-01"]
    assert created.changes["ends_on"] == [None, "2027-05-03"]
    assert created.changes["base_id"] == [None, world.base.id]
    assert deleted.changes["reason"] == ["Works", None]
    assert deleted.changes["starts_on"] == ["2027-05-01", None]


def test_a_grant_and_a_revoke_of_a_qualification_are_recorded_for_the_holders_school(
        session, world):
    student, instructor = world.users["student"], world.users["instructor"]
    granted = qualifications.grant_qualification(session, instructor, user_id=student.id,
                                                 category_id=world.category.id, note="Safety")
    revoke_qualification(session, world.users["admin"], granted.id)

    grant, revoke = entries(session, "qualification", granted.id)
    assert grant.action == "created" and grant.organisation_id == world.school.id
    assert grant.changes["user_id"] == [None, student.id]
    assert grant.changes["granted_by_id"] == [None, instructor.id]
    assert grant.changes["note"] == [None, "Safety"]
    assert revoke.action == "updated"
    assert set(revoke.changes) == {"revoked_at", "revoked_by_id"}
    assert revoke.changes["revoked_by_id"] == [None, world.users["admin"].id]
    assert revoke.changes["revoked_at"][0] is None
    assert datetime.fromisoformat(revoke.changes["revoked_at"][1]).tzinfo is not None


def test_a_password_change_records_that_it_changed_but_no_hash(session, world):
    student = world.users["student"]
    old_hash = student.password_hash
    accounts.change_own_password(session, student, current_password=PASSWORD,
                                 new_password="another long passphrase")

    [entry] = [e for e in entries(session, "user", student.id) if e.action == "updated"]
    assert entry.changes == {"password_hash": ["***", "***"]}
    assert old_hash not in str(entry.changes) and student.password_hash not in str(entry.changes)
    [created] = [e for e in entries(session, "user", student.id) if e.action == "created"]
    assert created.changes["password_hash"] == [None, "***"]
    assert created.changes["email"] == [None, student.email]


def test_replaced_opening_hours_are_recorded_under_the_base_organisation(session, world):
    base = world.base
    old_ids = {h.id for h in base.opening_hours}
    bases.update_base(session, world.users["admin"], base.id, changes={
        "opening_hours": [{"weekday": 6, "opens": datetime(2027, 1, 1, 9).time(),
                           "closes": datetime(2027, 1, 1, 12).time()}],
        "opening_hours_from": date(2027, 1, 4)})

    [new_id] = session.scalars(select(OpeningHours.id).where(
        OpeningHours.base_id == base.id, OpeningHours.id.not_in(old_ids))).all()
    [created] = entries(session, "opening_hours", new_id)
    assert created.action == "created" and created.organisation_id == world.school.id
    assert created.changes == {"base_id": [None, base.id], "weekday": [None, 6],
                               "opens": [None, "09:00:00"], "closes": [None, "12:00:00"],
                               "in_force": [None, "[2027-01-04,)"]}
    # The old week is not removed but ends the day before: its days stay as they were.
    cut = [e for e in entries(session, "opening_hours") if e.entity_id in old_ids
           and e.action != "created"]
    assert len(cut) == len(old_ids)
    assert {e.action for e in cut} == {"updated"}
    assert {e.changes["in_force"][1] for e in cut} == {"(,2027-01-04)"}
    assert {e.organisation_id for e in cut} == {world.school.id}


def test_a_quota_is_recorded_under_its_school_with_its_role(session, world):
    put_quota(session, organisation_id=world.school.id, role="student", weekly_hours=4,
              active_reservations=None)
    session.commit()
    put_quota(session, organisation_id=world.school.id, role="student", weekly_hours=6,
              active_reservations=2)
    session.commit()

    created, updated = entries(session, "booking_quota", world.school.id)
    assert created.organisation_id == world.school.id
    assert created.changes == {"organisation_id": [None, world.school.id],
                               "role": [None, "student"], "weekly_hours": [None, 4]}
    assert updated.changes == {"weekly_hours": [4, 6], "active_reservations": [None, 2],
                               "role": ["student", "student"]}


def test_a_deleted_organisation_is_recorded_for_the_platform(session, make):
    organisation = make.organisation("school")
    session.commit()
    organisation_id = organisation.id
    session.delete(organisation)
    session.commit()

    [deleted] = [e for e in entries(session, "organisation", organisation_id)
                 if e.action == "deleted"]
    # Its own entries went with it; the record of its removal stays, for the operators.
    assert deleted.organisation_id is None
    assert deleted.changes["name"] == [organisation.name, None]


def test_a_change_rolled_back_leaves_no_entry(session, world):
    before = len(entries(session, "equipment", world.equipment.id))
    world.equipment.name = "Never saved"
    session.flush()
    assert len(entries(session, "equipment", world.equipment.id)) == before + 1
    session.rollback()
    assert len(entries(session, "equipment", world.equipment.id)) == before


def test_the_scheduler_expiring_an_offer_is_recorded_without_an_actor(session, make, world):
    today = datetime.now(UTC).date()
    offer = make.offer(world.enterprise, world.school, [world.enterprise_equipment],
                       created_by=world.users["manager"], windows=[{
                           "starts_on": today - timedelta(days=30),
                           "ends_on": today - timedelta(days=10),
                           "spans": [(1, datetime(2027, 1, 1, 8).time(),
                                      datetime(2027, 1, 1, 12).time())]}])
    session.commit()
    assert expire_offers(session) >= 1

    [expired] = [e for e in entries(session, "offer", offer.id) if e.action == "updated"]
    assert expired.changes == {"status": ["approved", "expired"]}
    assert expired.actor_id is None
    assert expired.organisation_id == world.enterprise.id


def test_a_row_deleted_after_it_expired_is_recorded_whole(session, world):
    closure = bases.add_closure(session, world.users["admin"], world.base.id,
                                starts_on=date(2027, 6, 1), ends_on=date(2027, 6, 1),
                                reason="Inspection")
    session.expire(closure)
    session.delete(closure)
    session.commit()

    deleted = entries(session, "closure", closure.id)[-1]
    assert deleted.action == "deleted"
    assert deleted.changes["reason"] == ["Inspection", None]
    assert deleted.changes["base_id"] == [world.base.id, None]
