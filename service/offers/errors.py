"""Refusals of the offers domain; each has its own stable code."""

from ..errors import Conflict, Invalid


class InvalidTransition(Conflict):
    code, title = "invalid_transition", "The offer cannot make this change now"


class OfferEnded(Conflict):
    code, title = "offer_ended", "The offer's last window is over"


class OfferItemRetired(Conflict):
    code, title = "offer_item_retired", "An item of the offer has been retired"


class OfferExists(Conflict):
    code, title = "offer_exists", "The enterprise already has a live offer for this school"


class InvalidWindows(Invalid):
    code, title = "invalid_offer_windows", "The offer's windows are not valid"


class NotASchool(Invalid):
    code, title = "not_a_school", "An offer is addressed to a school"


class UnknownEquipment(Invalid):
    code, title = "unknown_equipment", "No such equipment"


class DuplicateItem(Invalid):
    code, title = "duplicate_item", "An item is offered once per offer"


class SupervisorContactRequired(Invalid):
    code, title = "supervisor_contact_required", "Say how to reach the supervisor on site"


class ReasonRequired(Invalid):
    code, title = "reason_required", "Give a reason"


class RetiredEquipment(Invalid):
    code, title = "equipment_retired", "Retired equipment cannot be offered"


class BookingsAffected(Conflict):
    code, title = "bookings_affected", "Bookings under the offer no longer fit these terms"


class OfferSpanOffGrid(Invalid):
    code, title = "offer_span_off_grid", "An offer's span is off an item's slot grid"


class OffersOffNewGrid(Conflict):
    code, title = "offers_off_new_grid", "Live offers' spans would fall off the item's new grid"
