"""Demo data: loaded from seeds/, complete, and idempotent.

The demo is loaded once for the module (its load takes many seconds of PostgreSQL's time) and
each test reads it in a savepoint rolled back after it (tests/worlds.py); a load from other
seeds is in test_seeds_midnight.py, on a connection of its own."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from service.accounts.models import User
from service.catalogue.models import Equipment, EquipmentCategory, TrainingBase
from service.config import PROJECT_ROOT
from service.seeding import load_demo

from ..worlds import rolled_back

pytestmark = pytest.mark.slow

SEEDS = PROJECT_ROOT / "seeds"
DEMO_ACCOUNTS = {
    "admin@school.example": "admin",
    "teacher@school.example": "instructor",
    **{f"student{n}@school.example": "student" for n in range(1, 6)},
    "staff@enterprise1.example": "enterprise_staff",
    "staff@enterprise2.example": "enterprise_staff",
}


@pytest.fixture(scope="module")
def demo(shared_session) -> dict:
    """What loading the demo added, loaded once in the module's session (rolled back after
    the module)."""
    return load_demo(shared_session, SEEDS)


@pytest.fixture
def session(shared_session, demo):
    """The module's loaded demo; what a test writes is rolled back after it."""
    with rolled_back(shared_session):
        yield shared_session


def test_demo_data_is_complete(session):
    users = dict(session.execute(select(User.email, User.role)).all())
    assert DEMO_ACCOUNTS.items() <= users.items()
    bases = session.scalars(select(TrainingBase)).all()
    assert len(bases) >= 3
    assert {b.kind for b in bases} == {"campus", "enterprise", "co_built"}
    assert {b.timezone for b in bases} == {"Asia/Shanghai"}
    assert session.scalar(select(func.count()).select_from(Equipment)) >= 30
    used = session.scalars(select(Equipment.category_id).distinct()).all()
    assert len(used) >= 6
    owners = Counter(e.owner.kind for e in session.scalars(select(Equipment)))
    assert owners["school"] > 0 and owners["enterprise"] > 0


def test_loading_twice_creates_no_duplicates(session, demo):
    first = demo
    counts = {model: session.scalar(select(func.count()).select_from(model))
              for model in (User, TrainingBase, EquipmentCategory, Equipment)}
    second = load_demo(session, SEEDS)
    assert sum(first.values()) > 0
    assert set(second.values()) == {0}
    assert counts == {model: session.scalar(select(func.count()).select_from(model))
                      for model in counts}


def test_every_demo_account_signs_in(client, session):
    for email, role in DEMO_ACCOUNTS.items():
        response = client.post("/api/v1/auth/token",
                               json={"email": email, "password": "benchshare-demo"})
        assert response.status_code == 200, email
        me = client.get("/api/v1/me", headers={
            "Authorization": f"Bearer {response.get_json()['access_token']}"}).get_json()
        assert me["role"] == role


def test_the_demo_exchange_has_two_approved_offers_a_submitted_one_and_past_outcomes(session,
                                                                                     demo):
    from service.offers.models import Offer
    from service.outcomes.models import Outcome
    from service.reservations.models import Reservation

    added = demo
    assert (added["offers"], added["sessions"], added["outcomes"]) == (3, 6, 5)
    offers = session.scalars(select(Offer).order_by(Offer.id)).all()
    assert [(o.enterprise.name, o.school.name, o.status) for o in offers] == [
        ("Huaxin Precision Machining Co.", "Riverside Vocational College", "approved"),
        ("Greenvolt EV Systems Ltd.", "Riverside Vocational College", "approved"),
        ("Huaxin Precision Machining Co.", "Lakeside Technical School", "submitted")]
    sessions = session.scalars(select(Reservation).where(
        Reservation.offer_id.is_not(None), Reservation.purpose != "Demo history")).all()
    assert {r.status for r in sessions} == {"completed"}
    assert session.scalar(select(func.count()).select_from(Outcome)) == 5
    # Each past session lies inside its offer's windows, so the impact figures count it.
    from service.calendar.spans import covers
    from service.offers.rules import offer_spans, windows_of

    for r in sessions:
        offer = session.get(Offer, r.offer_id)
        spans = offer_spans(windows_of(offer), r.equipment.base.timezone, r.starts_at,
                            r.ends_at)
        assert covers(spans, r.starts_at, r.ends_at), (r.equipment.asset_tag, r.starts_at)


def _weekly_items(session):
    """Per demo item, its utilisation in each past week that the reports built."""
    from service.reports.models import ReportRun
    from service.reports.queries import utilisation

    operator = session.scalar(select(User).where(User.role == "operator"))
    runs = session.scalars(select(ReportRun.period_start).where(
        ReportRun.granularity == "week", ReportRun.status == "succeeded")).all()
    first, last = min(runs), max(runs)
    return runs, utilisation(session, operator, granularity="week", from_=first,
                             to=last + timedelta(days=7), group_by="item", max_days=366)


def test_the_demo_holds_weeks_of_past_use_with_busy_and_idle_items(session, demo):
    from service.reservations.models import Reservation, ReservationAttendee, ReservationEvent

    added = demo
    assert added["history"] > 300 and added["report_periods"] >= 12
    assert added["idle_items"] >= 5  # judged at the load: the dashboard's idle list is not empty
    today = datetime.now(UTC)
    past = session.scalars(select(Reservation).where(Reservation.ends_at < today)).all()
    weeks = {r.starts_at.date() - timedelta(days=r.starts_at.weekday()) for r in past}
    assert len(weeks) >= 8
    statuses = Counter(r.status for r in past)
    assert statuses["completed"] > 200 and statuses["no_show"] > 5
    assert statuses["cancelled"] > 10
    late = [r for r in past if r.status == "cancelled" and any(
        e.to_status == "cancelled" and e.at > r.starts_at - timedelta(hours=24)
        for e in session.scalars(select(ReservationEvent).where(
            ReservationEvent.reservation_id == r.id)))]
    assert 0 < len(late) < statuses["cancelled"]
    assert all(r.checked_in_at and r.checked_out_at for r in past if r.status == "completed")
    checked_in = session.scalars(select(ReservationAttendee).where(
        ReservationAttendee.checked_in_at.is_not(None))).all()
    assert len({a.reservation_id for a in checked_in}) >= 2
    # The items were in service before their history began (so they can be judged idle).
    first = min(r.starts_at for r in past)
    assert all(e.created_at < first for e in session.scalars(select(Equipment)))

    runs, report = _weekly_items(session)
    assert len(runs) >= 8  # the closed weeks are built, not only computed on demand
    assert all(row["stored"] for row in report["rows"])
    by_item: dict[int, list] = {}
    for row in report["rows"]:
        if row["utilisation"] is not None:
            by_item.setdefault(row["group_id"], []).append(row["utilisation"])
    mean = {session.get(Equipment, i): sum(u) / len(u) for i, u in by_item.items()}
    busy = [e for e, m in mean.items() if e.owner.kind == "school" and m > 0.4]
    idle = [i for i, u in by_item.items() if len(u) >= 4 and max(u[-4:]) < 0.15]
    assert len(busy) >= 3 and len(idle) >= 5
    # Enterprise items are used too: by the school inside their offer windows, and by their
    # own enterprise (internal reservations), of all their base's opening hours.
    assert any(m > 0.25 for e, m in mean.items() if e.owner.kind == "enterprise")


def test_the_demo_history_lies_in_opening_hours_and_offer_windows(session):
    from service.calendar.spans import covers
    from service.calendar.wallclock import opening_windows
    from service.offers.models import Offer
    from service.offers.rules import offer_spans, windows_of
    from service.reservations.models import Reservation

    history = session.scalars(select(Reservation).where(
        Reservation.purpose == "Demo history")).all()
    for r in history:
        tz = r.equipment.base.timezone
        opening = [(h.weekday, h.opens, h.closes) for h in r.equipment.base.opening_hours]
        assert covers(opening_windows(opening, tz, r.starts_at, r.ends_at), r.starts_at,
                      r.ends_at), (r.equipment.asset_tag, r.starts_at)
        internal = r.holder.organisation_id == r.equipment.owner_organisation_id
        if r.equipment.owner.kind == "enterprise" and internal:
            assert r.offer_id is None, r.equipment.asset_tag  # its own use: under no offer
        elif r.equipment.owner.kind == "enterprise":
            assert r.offer_id is not None, r.equipment.asset_tag
            spans = offer_spans(windows_of(session.get(Offer, r.offer_id)),
                                r.equipment.base.timezone, r.starts_at, r.ends_at)
            assert covers(spans, r.starts_at, r.ends_at), (r.equipment.asset_tag, r.starts_at)
        assert r.ends_at - r.starts_at <= timedelta(minutes=r.equipment.max_duration_minutes)


def _notices(client, email: str) -> list[dict]:
    token = client.post("/api/v1/auth/token", json={
        "email": email, "password": "benchshare-demo"}).get_json()["access_token"]
    response = client.get("/api/v1/me/notifications?page_size=100",
                          headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    return response.get_json()["items"]


def test_a_fresh_demo_asks_no_admin_to_decide_an_offer_the_seeds_approved(client, session):
    from service.offers.models import Offer

    riverside = [n for n in _notices(client, "admin@school.example")
                 if n["kind"] == "offer_submitted"]
    assert riverside == []
    # The offer still waiting for Lakeside's decision keeps its notice.
    lakeside = [n for n in _notices(client, "admin@school2.example")
                if n["kind"] == "offer_submitted"]
    assert len(lakeside) == 1
    assert lakeside[0]["subject"].startswith("Offer awaiting your decision")
    assert session.get(Offer, lakeside[0]["data"]["offer_id"]).status == "submitted"
    # The enterprises still hear that their offers were approved.
    approved = [n for n in _notices(client, "manager@enterprise1.example")
                if n["kind"] == "offer_approved"]
    assert len(approved) == 1


def _demo_user(session, email: str) -> User:
    return session.scalar(select(User).where(User.email == email))


def test_huaxins_never_offered_machines_are_in_its_utilisation_and_idle_list(session):
    """The enterprise's whole fleet: DMU50 #2 and #3, never offered, have their base's opening
    hours available, are named idle with the "offer it to a school" suggestion; robot cell #2,
    never offered but kept busy by Huaxin itself, is reported and not idle."""
    from service.config import from_env
    from service.idle.queries import idle_equipment
    from service.reports.queries import utilisation

    staff = _demo_user(session, "staff@enterprise1.example")
    tags = {e.asset_tag: e.id for e in session.scalars(select(Equipment))}
    runs, _ = _weekly_items(session)
    last_week = max(runs)
    report = utilisation(session, staff, granularity="week", from_=last_week - timedelta(21),
                         to=last_week + timedelta(7), group_by="item", max_days=366)
    rows = {}
    for row in report["rows"]:
        rows.setdefault(row["group_id"], []).append(row)
    for tag in ("HX-CNC-002", "HX-CNC-003"):
        weeks = rows[tags[tag]]
        assert len(weeks) == 4 and all(r["available_hours"] > 0 for r in weeks), tag
        assert all(r["booked_hours"] == 0 and r["offered_hours"] == 0 for r in weeks), tag
    assert all(r["utilisation"] > 0.4 for r in rows[tags["HX-RBT-002"]])
    assert any(r["offered_hours"] > 0 for r in rows[tags["HX-CNC-001"]])
    config = from_env({})
    idle = idle_equipment(session, staff, weeks=config["IDLE_WEEKS"],
                          threshold=config["IDLE_THRESHOLD"])
    named = {i["equipment_id"]: i["suggestion"] for i in idle["items"]}
    assert named[tags["HX-CNC-002"]] == named[tags["HX-CNC-003"]] == "offer_to_schools"
    assert tags["HX-RBT-002"] not in named, "used by the enterprise itself"


def test_the_school_admins_last_30_days_show_partner_equipment_hours(session):
    from service.reports.partner import partner_equipment

    admin = _demo_user(session, "admin@school.example")
    today = datetime.now(UTC).date()
    report = partner_equipment(session, admin, from_=today - timedelta(days=30), to=today,
                               group_by="enterprise", max_days=366)
    totals = report["totals"]
    assert totals["hours_offered"] > 0 and totals["hours_booked"] > 0
    assert totals["hours_used"] > 0 and totals["sessions"] > 0
    assert {r["group_name"] for r in report["rows"]} == {
        "Huaxin Precision Machining Co.", "Greenvolt EV Systems Ltd."}
