"""What the audit history records: each audited model, its entity name, and whose it is.

Reservations are not here: their own history (ReservationEvent) records every change, and
the rest of the booking side (attendees, series, waitlist) follows them. Neither are the
histories and logs themselves, nor rows the jobs derive (reports, findings, summaries), nor
access tokens (sessions, not things; sign-ins are in the access log).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..accounts.models import Organisation, User
from ..catalogue.models import (
    Closure,
    Equipment,
    EquipmentCategory,
    OpeningHours,
    Qualification,
    TrainingBase,
    TrainingBaseOwner,
)
from ..offers.models import Offer, OfferBudget, OfferItem, OfferWindow, OfferWindowSpan
from ..reservations.models import Blackout, BookingQuota
from ..signon.models import IdentityProvider

# value(column) reads the row being written; look(Model, id, column) reads another row.
Value = Callable[[str], object]
Look = Callable[[type, object, str], object]


@dataclass(frozen=True)
class Subject:
    entity: str
    # The organisation whose admins read the entry (None: the platform's operators only).
    organisation: Callable[[Value, Look], int | None]
    # The column that identifies the row in the entry; rows keyed by several columns name
    # their parent here and list the other key columns in `keys`.
    entity_id: str = "id"
    # Listed in every entry of the row, changed or not, so it can be told from its siblings.
    keys: tuple[str, ...] = ()


def _own(column: str):
    return lambda value, look: value(column)


def _of_base(value: Value, look: Look):
    return look(TrainingBase, value("base_id"), "organisation_id")


def _of_offer(value: Value, look: Look):
    return look(Offer, value("offer_id"), "enterprise_id")


SUBJECTS: dict[type, Subject] = {
    Organisation: Subject("organisation", _own("id")),
    User: Subject("user", _own("organisation_id")),
    TrainingBase: Subject("training_base", _own("organisation_id")),
    TrainingBaseOwner: Subject("training_base_owner", _of_base, entity_id="base_id",
                               keys=("organisation_id",)),
    OpeningHours: Subject("opening_hours", _of_base),
    Closure: Subject("closure", _of_base),
    EquipmentCategory: Subject("equipment_category", lambda value, look: None),
    Equipment: Subject("equipment", _own("owner_organisation_id")),
    Qualification: Subject("qualification", lambda value, look: look(
        User, value("user_id"), "organisation_id")),
    BookingQuota: Subject("booking_quota", _own("organisation_id"),
                          entity_id="organisation_id", keys=("role",)),
    Blackout: Subject("blackout", lambda value, look: look(
        Equipment, value("equipment_id"), "owner_organisation_id")),
    # An offer is its enterprise's: the addressed school sees it through the offer itself.
    Offer: Subject("offer", _own("enterprise_id")),
    OfferItem: Subject("offer_item", _of_offer, entity_id="offer_id", keys=("equipment_id",)),
    OfferBudget: Subject("offer_budget", _of_offer),
    OfferWindow: Subject("offer_window", _of_offer),
    OfferWindowSpan: Subject("offer_window_span", lambda value, look: look(
        Offer, look(OfferWindow, value("window_id"), "offer_id"), "enterprise_id"),
        entity_id="window_id", keys=("weekday", "opens")),
    # hostile: who pointed the organisation's sign-on at which issuer, or turned passwords
    # off, is as much the organisation's business as who edited an item.
    IdentityProvider: Subject("identity_provider", _own("organisation_id")),
}

ENTITIES = tuple(sorted(subject.entity for subject in SUBJECTS.values()))
