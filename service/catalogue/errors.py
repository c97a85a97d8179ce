"""Refusals of the catalogue domain."""

from ..errors import Conflict, Forbidden, Invalid


class InvalidTimezone(Invalid):
    code, title = "invalid_timezone", "Not an IANA time zone"


class InvalidOpeningHours(Invalid):
    code, title = "invalid_opening_hours", "Opening hours are not usable"


class InvalidBookingRules(Invalid):
    code, title = "invalid_booking_rules", "Booking rules do not fit together"


class NameTaken(Conflict):
    code, title = "name_taken", "This name is already used"


class AssetTagTaken(Conflict):
    code, title = "asset_tag_taken", "This asset tag is already used"


class NotYourEquipment(Forbidden):
    code, title = "not_your_equipment", "This equipment belongs to another organisation"


class QualificationExists(Conflict):
    code, title = "qualification_exists", "The user already holds this qualification"


class QualificationRevoked(Conflict):
    code, title = "qualification_revoked", "The qualification is already revoked"


class EffectiveDateInPast(Invalid):
    code, title = "effective_date_in_past", "A schedule changes from today on, never before"


class ClosureInPast(Conflict):
    code, title = "closure_in_past", "The closure is over: the past stays as it was"


class EquipmentHasHistory(Conflict):
    code, title = "equipment_has_history", "The item's reservations tie it to its base"


class BaseHasHistory(Conflict):
    code, title = "base_has_history", "The base's reservations tie it to its time zone"


class EquipmentRetired(Conflict):
    code, title = "equipment_retired", "A retired item stays retired"
