"""The named sets of reservation and offer statuses, each defined once with why its members.

Python code uses the tuples; SQL text renders them with `sql.listed`. A test pins each set.
"""

from __future__ import annotations

# Reservation statuses -------------------------------------------------------------------

# Not finished: awaiting approval, booked, or under way. A holder's count of open bookings
# (the quota) and what a cancellation, a withdrawal or a revocation can still reach.
ACTIVE = ("pending", "confirmed", "checked_in")

# What holds the item's span against another booking (the exclusion constraint): the active
# ones, and completed ones, whose check-out moved blocked_until to the real end plus buffer.
BLOCKING = (*ACTIVE, "completed")

# What took the item's time in every figure (utilisation, heat map, impact, contribution):
# bookings that were confirmed, whether used (checked in, completed) or not (a no-show's time
# was held and lost to everyone else). A pending request never held confirmed time.
BOOKED = ("confirmed", "checked_in", "completed", "no_show")

# What uses up an offer's weekly budget: every booking that held the item or still may (a
# pending request may yet be approved; a no-show held the enterprise's machine all the same).
COUNTED_AGAINST_BUDGET = (*ACTIVE, "completed", "no_show")

# What counts toward a holder's weekly hours: what they hold or may still hold, and what they
# used this week (a no-show is handled by the no-show rules, not by the weekly hours).
COUNTED_AGAINST_QUOTA = (*ACTIVE, "completed")

# Whose check-in started a use: time used runs from check-in (see sql.used_span).
USED = ("checked_in", "completed")

# Finished, one way or another: used to its end, called off by someone, refused by the owner,
# not turned up to, or LAPSED: a request (pending) the item's owner did not decide by its
# deadline or its start. A lapse is nobody's cancellation (the holder asked and waited; the
# owner let it run out), so it is in none of the sets above or below: it never held the item
# (not BLOCKING, not BOOKED), it no longer takes an offer's budget or the holder's quota once
# it has lapsed, nothing was used, and nothing can reach it any more (not ACTIVE). Reports
# count it per item as `lapses`, against the owner's responsiveness (docs/reports.md).
FINISHED = ("completed", "cancelled", "rejected", "no_show", "lapsed")

# Not yet under way: what a holder may still call off themselves, what a withdrawn offer, a
# cancelled series or a revoked qualification puts at risk (a checked-in session already
# passed its checks at the machine and runs to its end).
NOT_UNDER_WAY = ("pending", "confirmed")

# Offer statuses ---------------------------------------------------------------------------

# Offers whose windows were open to the school: approved ones, those that expired after
# approval (open to their end), and withdrawn ones until the moment they were withdrawn
# (the past is never rewritten; `sql.offered_until` cuts a withdrawn offer there).
OFFERED = ("approved", "withdrawn", "expired")
