"""Random schedules of one item around the clock changes of five zones, and what the product spec
says they booked, used and offered: shared by the report tests (a plain module, no tests)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

from service.calendar import wallclock
from service.calendar.spans import Span, intersect, merge, subtract
from service.calendar.wallclock import END_OF_DAY, at_local, closed_spans, opening_windows
from service.offers.rules import Window, offer_spans

# Days around each zone's changes of the clocks in 2027.
ZONES = {
    "Europe/Berlin": ((date(2027, 3, 20), date(2027, 4, 4)),  # 03-28 02:00 -> 03:00
                      (date(2027, 10, 24), date(2027, 11, 7))),  # 10-31 03:00 -> 02:00
    "America/Havana": ((date(2027, 3, 8), date(2027, 3, 20)),  # 03-14 00:00 -> 01:00
                       (date(2027, 11, 1), date(2027, 11, 13))),  # 11-07 01:00 -> 00:00
    "America/Santiago": ((date(2027, 3, 29), date(2027, 4, 10)),  # 04-04 00:00 -> 04-03 23:00
                         (date(2027, 8, 30), date(2027, 9, 11))),  # 09-05 00:00 -> 01:00
    "Australia/Lord_Howe": ((date(2027, 3, 29), date(2027, 4, 10)),  # 04-04 02:00 -> 01:30
                            (date(2027, 9, 27), date(2027, 10, 9))),  # 10-03 02:00 -> 02:30
    "Asia/Shanghai": ((date(2027, 3, 8), date(2027, 3, 20)),  # never changes
                      (date(2027, 10, 25), date(2027, 11, 6))),
}

# The local days whose midnight or early hours the clocks change (first of each pair above).
CHANGES = {"Europe/Berlin": (date(2027, 3, 28), date(2027, 10, 31)),
           "America/Havana": (date(2027, 3, 14), date(2027, 11, 7)),
           "America/Santiago": (date(2027, 4, 4), date(2027, 9, 5)),
           "Australia/Lord_Howe": (date(2027, 4, 4), date(2027, 10, 3))}

QUARTERS = st.integers(0, 24 * 4 - 1).map(lambda q: time(q // 4, q % 4 * 15))
STATUSES = ("pending", "confirmed", "checked_in", "completed", "cancelled", "rejected",
            "no_show")
# The spec's booked statuses (PRODUCT.md: utilisation report), and those with a use.
BOOKED = ("confirmed", "checked_in", "completed", "no_show")
USED = ("checked_in", "completed")
COUNTED_AGAINST_BUDGET = ("pending", "confirmed", "checked_in", "completed", "no_show")
# Open 00:00-24:00 every day: most bookings then lie in the available hours, where the
# reports' edges (midnights, changes of the clocks, check-ins) decide what counts.
ALL_DAY = tuple((weekday, time(0), END_OF_DAY) for weekday in range(1, 8))
# Offers whose windows were open: to their end, or a withdrawn one until it was withdrawn.
OFFER_STATUSES = ("approved", "expired", "withdrawn")


def _wall(quarter: int) -> time:
    """A quarter of the day as a wall time; the 96th is 24:00 (END_OF_DAY)."""
    return END_OF_DAY if quarter == 96 else time(quarter // 4, quarter % 4 * 15)


@st.composite
def weekly_spans(draw, max_days: int = 7, *, min_days: int = 0, until_midnight: bool = False):
    """ISO weekday, opens, closes: up to two disjoint spans a day, early hours included, and
    with `until_midnight` spans closing at 24:00."""
    spans = []
    for weekday in draw(st.sets(st.integers(1, 7), min_size=min_days, max_size=max_days)):
        if until_midnight:
            points = sorted(draw(st.sets(st.integers(0, 96), min_size=2, max_size=4)))
            pairs = [(_wall(o), _wall(c)) for o, c in zip(points[::2], points[1::2],
                                                           strict=False)]
        else:
            points = sorted(draw(st.sets(QUARTERS, min_size=2, max_size=4)))
            pairs = list(zip(points[::2], points[1::2], strict=False))
        spans += [(weekday, opens, closes) for opens, closes in pairs]
    return spans


@dataclass(frozen=True)
class Booking:
    starts_at: datetime
    ends_at: datetime
    status: str
    checked_in_at: datetime | None = None
    checked_out_at: datetime | None = None


@dataclass(frozen=True)
class Schedule:
    """One item at one base over one local period, and everything that shapes its hours."""

    zone: str
    granularity: str
    start: date
    end: date  # the period's first day and the day after its last
    hours: tuple  # the base's weekly (weekday, opens, closes)
    bookings: tuple[Booking, ...]
    closures: tuple[tuple[date, date], ...] = ()
    blackouts: tuple[Span, ...] = ()
    enterprise: bool = False  # an enterprise's item, under one offer to the school
    windows: tuple[Window, ...] = ()
    offer_status: str = "approved"
    withdrawn_at: datetime | None = None
    edit: Edit | None = None  # a change of the approved offer's terms
    # The base's hours changed: from this local day on, this week (weekday, opens, closes).
    hours_change: tuple[date, tuple] | None = None

    @property
    def weekly(self) -> tuple:
        """The base's hours with the days each week is in force (wallclock.WeeklySpan)."""
        if self.hours_change is None:
            return self.hours
        day, week = self.hours_change
        return (*((*span, None, day) for span in self.hours),
                *((*span, day, None) for span in week))


@dataclass(frozen=True)
class Edit:
    """The enterprise changed the approved offer's windows at `at`, taking effect from the local
    day `effective_from`; the school approved them again at `approved_at` (None: not yet)."""

    at: datetime
    effective_from: date
    windows: tuple[Window, ...]
    approved_at: datetime | None = None


def windows_in_force(s: Schedule) -> tuple[Window, ...]:
    """The offer's windows as stored: without an edit its own; with one, those before the day
    it takes effect (cut to end the day before) and the edit's from that day on."""
    if s.edit is None:
        return s.windows
    day = s.edit.effective_from
    before = tuple(Window(w.starts_on, min(w.ends_on, day - timedelta(days=1)), w.spans)
                   for w in s.windows if w.starts_on < day)
    after = tuple(Window(max(w.starts_on, day), w.ends_on, w.spans)
                  for w in s.edit.windows if w.ends_on >= day)
    return before + after


@st.composite
def schedules(draw) -> Schedule:
    """Bookings on a 15-minute grid (every zone's offsets are whole half hours, so every figure
    is a whole number of quarter hours: the reports' rounding never blurs a difference) from a
    day before the period into it, across local midnights and changes of the clocks."""
    zone = draw(st.sampled_from(sorted(ZONES)))
    zone_days = st.one_of(*(st.dates(first, last) for first, last in ZONES[zone]))
    granularity = draw(st.sampled_from(["day", "week", "month"]))
    # one day in three a period ends (or starts) at a change of the clocks, or by one
    near_change = st.sampled_from(CHANGES.get(zone, ())).flatmap(
        lambda day: st.sampled_from([day - timedelta(days=1), day]))
    zone_days = st.one_of(zone_days, zone_days, near_change) if zone in CHANGES else zone_days
    start = wallclock.period_start(draw(zone_days), granularity)
    end = wallclock.period_end(start, granularity)
    origin = at_local(start, time(0), zone) - timedelta(hours=draw(st.integers(1, 30)))
    quarters = lambda low, high: st.integers(low, high).map(  # noqa: E731
        lambda n: timedelta(minutes=15 * n))
    bookings, cursor = [], origin
    for _ in range(draw(st.integers(0, 6))):
        cursor += draw(quarters(0, 40))
        # mostly short ones, which sit inside one local day near its edges
        length = draw(st.one_of(quarters(1, 8), quarters(1, 120)))
        status = draw(st.sampled_from(STATUSES))
        checked_in = checked_out = None
        if status in USED:
            checked_in = cursor + draw(quarters(-4, 4))  # early or late
            if status == "completed" and draw(st.booleans()):
                checked_out = checked_in + draw(quarters(0, 48))  # maybe past the end
        bookings.append(Booking(cursor, cursor + length, status, checked_in, checked_out))
        cursor += length
    closures = tuple((day, day + timedelta(days=draw(st.integers(0, 2))))
                     for day in draw(st.lists(zone_days, max_size=2)))
    blackouts = tuple((instant, instant + draw(quarters(1, 200)))
                      for instant in draw(st.lists(st.integers(-48, 24 * 30).map(
                          lambda h: origin + timedelta(hours=h)), max_size=2)))
    # most reports speak of enterprise items under offers: three in four are
    enterprise = draw(st.integers(0, 3)) > 0
    windows, offer_status, withdrawn_at, edit = (), "approved", None, None
    if enterprise:
        windows = tuple(
            Window(first, first + timedelta(days=draw(st.integers(0, 20))),
                   tuple(draw(st.one_of(st.just(ALL_DAY),
                                        weekly_spans(min_days=1, until_midnight=True)))))
            for first in draw(st.lists(zone_days, min_size=1, max_size=2)))
        offer_status = draw(st.sampled_from(OFFER_STATUSES))
        if offer_status == "withdrawn":
            withdrawn_at = origin + draw(quarters(-96, 4 * 24 * 10))
        elif offer_status == "approved" and draw(st.integers(0, 3)) == 0:
            # one approved offer in four had its windows changed, from a day in the period
            day = draw(zone_days)
            at = min(origin, at_local(day, time(0), zone)) - draw(quarters(0, 96))
            new = tuple(Window(first, first + timedelta(days=draw(st.integers(0, 20))),
                               tuple(draw(weekly_spans(min_days=1, until_midnight=True))))
                        for first in draw(st.lists(zone_days, min_size=1, max_size=2)))
            approved = draw(st.one_of(st.none(), quarters(0, 4 * 24 * 6).map(
                lambda q: at_local(day, time(0), zone) + q)))
            edit = Edit(at, day, new, approved)
            offer_status = "approved" if approved else "submitted"
    # one in three bases changes its hours on a day of the period (or the day after it)
    hours_change = None
    if draw(st.integers(0, 2)) == 0:
        hours_change = (draw(st.dates(start, end)),
                        tuple(draw(weekly_spans(until_midnight=True))))
    return Schedule(zone=zone, granularity=granularity, start=start, end=end,
                    hours_change=hours_change,
                    hours=tuple(draw(st.one_of(st.just(ALL_DAY),
                                               weekly_spans(until_midnight=True)))),
                    bookings=tuple(bookings), closures=closures, blackouts=blackouts,
                    enterprise=enterprise, windows=windows, offer_status=offer_status,
                    withdrawn_at=withdrawn_at, edit=edit)


# --- What the spec says, read literally with the booking engine's time rules -------------

def local_span(first_day: date, end_day: date, tz: str) -> Span:
    """Local days [first_day, end_day) as instants: a repeated midnight is its first pass, a
    skipped one is read with the offset before the change (`at_local`, fold=0)."""
    return at_local(first_day, time(0), tz), at_local(end_day, time(0), tz)


def available(s: Schedule, first: datetime, last: datetime) -> list[Span]:
    """Opening hours in force each day less closures and blackouts, for a school's item and
    an enterprise's alike (an enterprise's item is available to its own people outside its
    offers too)."""
    spans = opening_windows(s.weekly, s.zone, first, last)
    spans = subtract(spans, closed_spans(s.closures, s.zone))
    return subtract(spans, s.blackouts)


def offered(s: Schedule, first: datetime, last: datetime) -> list[Span]:
    """Of the available hours, those inside an enterprise item's offer while it was open
    (approved or expired: its windows; withdrawn: its windows until the withdrawal); a
    school's item offers none."""
    if not s.enterprise:
        return []
    spans = offer_spans(windows_in_force(s), s.zone, first, last)
    if s.withdrawn_at is not None:
        spans = subtract(spans, [(s.withdrawn_at, max(s.withdrawn_at, last))])
    if s.edit is not None:
        # The approval stood until the day the edit took effect; from then on the offer was
        # open again only once the school approved the new terms.
        stopped = at_local(s.edit.effective_from, time(0), s.zone)
        again = s.edit.approved_at or max(stopped, last)
        spans = subtract(spans, [(stopped, max(stopped, again))])
    return intersect(available(s, first, last), spans)


def booked(s: Schedule, first: datetime, last: datetime, within=available) -> list[Span]:
    """The union of the booked reservations' spans, within the available hours (impact: within
    what the offer offered, `within=offered`)."""
    return intersect(merge((b.starts_at, b.ends_at) for b in s.bookings if b.status in BOOKED),
                     within(s, first, last))


def counted(s: Schedule, first: datetime, last: datetime) -> list[Span]:
    """What an offer's weekly budget counts of the local ISO week [first, last): every booking
    under it that holds the machine or still may, whole, in the week it starts (not a union,
    nor cut to the week: docs/reports.md#what-an-offers-weekly-budget-counts)."""
    return [(b.starts_at, b.ends_at) for b in s.bookings
            if b.status in COUNTED_AGAINST_BUDGET and first <= b.starts_at < last]


def used(s: Schedule, first: datetime, last: datetime, within=available) -> list[Span]:
    """Check-in to check-out (or the booked end), cut to the booked span: an early check-in or
    a late check-out adds nothing; within the available hours (or `within`) like what was
    booked."""
    spans = []
    for b in s.bookings:
        if b.status in USED and b.checked_in_at is not None:
            until = max(b.checked_in_at, b.checked_out_at or b.ends_at)
            spans += intersect([(b.checked_in_at, until)], [(b.starts_at, b.ends_at)])
    return intersect(merge(spans), within(s, first, last))


def hours(spans: list[Span]) -> Decimal:
    """Exact hours of the spans (seconds / 3600)."""
    return Decimal(sum(int((e - s).total_seconds()) for s, e in spans)) / 3600


def rounded(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def wall_hours(spans: list[Span], tz: str) -> dict[tuple[int, int], Decimal]:
    """Hours per (local ISO weekday, local hour): each quarter hour under the wall hour it is
    read at, so a repeated hour counts twice under its wall hour and a skipped one is empty."""
    cells: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    zone, quarter = ZoneInfo(tz), timedelta(minutes=15)
    for start, end in spans:
        while start < end:
            wall = start.astimezone(zone)
            cells[wall.isoweekday(), wall.hour] += Decimal("0.25")
            start += quarter
    return dict(cells)
