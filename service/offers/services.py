"""Use cases that write an offer's terms: create a draft, edit it (an approved offer goes back
for approval)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..accounts.models import Organisation, User
from ..accounts.permissions import OFFERING_ROLES, require_role
from ..catalogue.errors import NotYourEquipment
from ..catalogue.models import Equipment
from ..db import utcnow
from ..errors import Forbidden
from . import bookings as offered_bookings
from . import rules, terms
from .errors import (
    BookingsAffected,
    DuplicateItem,
    InvalidWindows,
    NotASchool,
    OfferEnded,
    OfferExists,
    RetiredEquipment,
    SupervisorContactRequired,
    UnknownEquipment,
)
from .lifecycle import has_ended
from .models import LIVE, ONE_LIVE_PER_SCHOOL, Offer, OfferItem, OfferWindow, OfferWindowSpan
from .permissions import may_manage
from .queries import get_visible_offer
from .transitions import notify_other_side, record, transition_error

# The conditions a PATCH may change besides items and windows.
CONDITIONS = ("weekly_hours_budget", "requires_approval", "approval_hours",
              "supervisor_on_site", "supervisor_contact", "allowed_uses",
              "withdrawal_notice_days", "asks_back")
EDITABLE = ("draft", "submitted", "approved")


def _new_items(session: Session, offer: Offer, items: list[dict]) -> list[OfferItem]:
    """The offer's items as given (rows not yet added): each the enterprise's own, each once."""
    ids = [item["equipment_id"] for item in items]
    if len(set(ids)) != len(ids):
        raise DuplicateItem(errors={"items": ["Each equipment_id at most once."]})
    rows = {row.id: row for row in session.scalars(
        select(Equipment).where(Equipment.id.in_(ids)))}
    if missing := [i for i in ids if i not in rows]:
        raise UnknownEquipment(errors={"items": [f"No equipment {i}." for i in missing]})
    if foreign := [i for i in ids if rows[i].owner_organisation_id != offer.enterprise_id]:
        raise NotYourEquipment(f"Equipment {foreign[0]} is not the offering enterprise's.")
    if retired := [i for i in ids if rows[i].status == "retired"]:
        raise RetiredEquipment(errors={"items": [f"Equipment {i} is retired." for i in retired]})
    # Each new row gets its equipment (not only the id): the same edit reads its base's
    # time zone before anything is flushed (has_ended, the bookings it no longer holds).
    return [OfferItem(equipment_id=given["equipment_id"], equipment=rows[given["equipment_id"]],
                      value_per_hour=terms.value(given.get("value_per_hour")))
            for given in items]


def _replace_items(offer: Offer, items: list[OfferItem]) -> None:
    """Replace the items of an offer that has no past (never approved)."""
    kept = {item.equipment_id: item for item in offer.items}
    offer.items = []
    for new in items:
        item = kept.get(new.equipment_id) or new
        item.value_per_hour = new.value_per_hour
        offer.items.append(item)


def _parse_windows(windows: list[dict], *, max_window_days: int) -> list[rules.Window]:
    """The windows given, once the rules find them sound."""
    parsed = [rules.Window(w["starts_on"], w["ends_on"],
                           tuple((s["weekday"], s["opens"], s["closes"]) for s in w["spans"]))
              for w in windows]
    if errors := rules.windows_errors(parsed, max_days=max_window_days):
        raise InvalidWindows(errors=errors)
    return parsed


def _replace_windows(offer: Offer, windows: list[rules.Window]) -> None:
    offer.windows = [
        OfferWindow(starts_on=w.starts_on, ends_on=w.ends_on, spans=[
            OfferWindowSpan(weekday=d, opens=o, closes=c) for d, o, c in w.spans])
        for w in windows]


def _check_conditions(offer: Offer) -> None:
    if offer.supervisor_on_site and not offer.supervisor_contact.strip():
        raise SupervisorContactRequired(errors={"supervisor_contact": ["Required."]})


def _no_other_live_offer(session: Session, offer: Offer) -> None:
    """A friendlier answer than the unique index that keeps one live offer per school."""
    other = session.scalar(select(Offer.id).where(
        Offer.enterprise_id == offer.enterprise_id, Offer.school_id == offer.school_id,
        Offer.status.in_(LIVE)))
    if other is not None:
        raise OfferExists(f"Offer {other} to this school is still live; edit or withdraw it.",
                          offer_id=other)


def create_offer(session: Session, actor: User, *, school_id: int, items: list[dict],
                 windows: list[dict], max_window_days: int = 366, **conditions) -> Offer:
    """An enterprise's staff draft an offer of their items to one school."""
    require_role(actor, *OFFERING_ROLES)
    school = session.get(Organisation, school_id)
    if school is None or school.kind != "school":
        raise NotASchool(errors={"school_id": ["Not a school."]})
    unknown = set(conditions) - set(CONDITIONS)
    if unknown:
        raise TypeError(f"unexpected conditions: {sorted(unknown)}")
    offer = Offer(enterprise_id=actor.organisation_id, school_id=school.id,
                  created_by_id=actor.id, status="draft", **conditions)
    _no_other_live_offer(session, offer)
    new_items = _new_items(session, offer, items)
    parsed = _parse_windows(windows, max_window_days=max_window_days)
    terms.require_on_grid(parsed, [item.equipment for item in new_items])
    _replace_items(offer, new_items)
    _replace_windows(offer, parsed)
    _check_conditions(offer)
    session.add(offer)
    try:
        session.commit()
    except IntegrityError as exc:
        # Another request made the live offer between our check and our commit.
        if getattr(exc.orig.diag, "constraint_name", None) != ONE_LIVE_PER_SCHOOL:
            raise
        session.rollback()
        raise OfferExists("The enterprise made a live offer to this school meanwhile.") from exc
    return offer


def _unfit_bookings(session: Session, offer: Offer, now, confirm: bool,
                    day: date | None) -> list[dict]:
    """Bookings made under the offer from the local day `day` on (None: all) that its new
    items, windows or budget no longer hold: listed in a 409 until the enterprise confirms;
    then those after the notice period are cancelled (holders told why) and sooner ones
    kept."""
    unfit = offered_bookings.unfit_bookings(
        session, offer, now=now, windows=rules.windows_of(offer),
        item_ids={item.equipment_id for item in offer.items}, budget=offer.weekly_hours_budget,
        from_day=day)
    if unfit and not confirm:
        session.rollback()
        raise BookingsAffected(
            f"{len(unfit)} booking(s) no longer fit the new terms; send the change again "
            "with confirm=true to cancel those after the notice period (sooner ones stay).",
            affected_reservations=offered_bookings.public(unfit))
    return unfit


def _change_terms(session: Session, offer: Offer, changes: dict, *, max_window_days: int,
                  now) -> date | None:
    """Apply the changed items, windows and budget: from their effective day on for an offer
    the school ever approved (the days before keep the terms they had), in place for one
    never approved. The effective day, None for the latter."""
    new_items = _new_items(session, offer, changes["items"]) if "items" in changes else None
    zones = {i.equipment.base.timezone for i in (*offer.items, *(new_items or ()))}
    day = terms.effective_from(changes.get("effective_from"), zones, now)
    if not terms.was_approved(session, offer):
        day = None
    items_after = [i.equipment for i in new_items] if new_items is not None \
        else [i.equipment for i in offer.items]
    if "windows" in changes:
        windows_after = _parse_windows(changes["windows"], max_window_days=max_window_days)
    else:
        windows_after = rules.windows_of(offer)
    if day is not None and "windows" in changes and offer.status != "draft" \
            and all(w.ends_on < day for w in windows_after):
        # Nothing offered from the change on: ending a live offer is a withdrawal.
        raise OfferEnded("These windows are all over by the day the change takes effect; "
                         "withdraw the offer instead.")
    # Only what is offered from the change on must sit on the grid (the past stays as it was).
    terms.require_on_grid(windows_after, items_after, day)
    if day is None:
        if new_items is not None:
            _replace_items(offer, new_items)
        if "windows" in changes:
            _replace_windows(offer, windows_after)
        if "weekly_hours_budget" in changes:
            offer.weekly_hours_budget = changes["weekly_hours_budget"]
        return None
    if new_items is not None:
        terms.clip_items(session, offer, new_items, day)
    if "windows" in changes:
        terms.clip_windows(session, offer, windows_after, day)
    if "weekly_hours_budget" in changes:
        terms.change_budget(session, offer, changes["weekly_hours_budget"], day)
    return day


def update_offer(session: Session, actor: User, offer_id: int, *, changes: dict,
                 max_window_days: int = 366, confirm: bool = False, now=None,
                 expected_versions: list[int] | None = None) -> Offer:
    """Edit an offer's terms. For an offer the school ever approved, items, windows and the
    weekly budget change from `effective_from` (default: the next local day) and the days
    before keep theirs; an approved offer goes back to the school for approval (recorded,
    with that day, and the school's admins told) and from that day on offers nothing until
    approved again (docs/offers.md#changing-the-terms). A draft (or an offer never approved)
    is edited in place. Bookings the new terms no longer hold are never cancelled silently:
    see `_unfit_bookings`."""
    now = now or utcnow()
    offer = get_visible_offer(session, actor, offer_id, lock=True,
                              expected_versions=expected_versions)
    if not may_manage(actor, offer):
        raise Forbidden("Only the offering enterprise's staff edit its offer.")
    if offer.status not in EDITABLE:
        raise transition_error(offer, "edited")
    if not set(changes) - {"effective_from"}:
        return offer  # nothing to change: no new version, no trip back for approval
    day = _change_terms(session, offer, changes, max_window_days=max_window_days, now=now)
    if "windows" in changes:
        session.flush()
        session.expire(offer, ["windows"])
        # Ending a live offer early is a withdrawal: with a reason, and (later) its notice.
        if offer.status != "draft" and has_ended(offer, now):
            raise OfferEnded("These windows are all over; withdraw the offer instead.")
    for name in CONDITIONS:
        if name in changes and name != "weekly_hours_budget":
            setattr(offer, name, changes[name])
    _check_conditions(offer)
    unfit = _unfit_bookings(session, offer, now, confirm, day) \
        if offer.status != "draft" else []
    offered_bookings.cancel_bookings(session, unfit, actor,
                                     "The enterprise changed the offer's terms.")
    # Items and windows are rows of their own: touch the offer so its version (the ETag)
    # moves with every edit.
    offer.updated_at = utcnow()
    if offer.status == "approved":
        record(session, offer, "submitted", actor, "terms changed; back for approval",
               effective_from=day)
        notify_other_side(session, offer, reason="The enterprise changed the terms.")
    elif offer.status == "submitted":
        record(session, offer, "submitted", actor, "terms changed", effective_from=day)
        notify_other_side(session, offer, reason="The enterprise changed the terms.")
    session.commit()
    offer.affected_reservations = offered_bookings.listed(unfit)
    return offer
