"""Demo data: loaded from seeds/, complete, and idempotent."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select

from service.accounts.models import User
from service.catalogue.models import Equipment, EquipmentCategory, TrainingBase
from service.config import PROJECT_ROOT
from service.seeding import load_demo

SEEDS = PROJECT_ROOT / "seeds"
DEMO_ACCOUNTS = {
    "admin@school.example": "admin",
    "teacher@school.example": "instructor",
    **{f"student{n}@school.example": "student" for n in range(1, 6)},
    "staff@enterprise1.example": "enterprise_staff",
    "staff@enterprise2.example": "enterprise_staff",
}


def test_demo_data_is_complete(session):
    load_demo(session, SEEDS)
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


def test_loading_twice_creates_no_duplicates(session):
    first = load_demo(session, SEEDS)
    counts = {model: session.scalar(select(func.count()).select_from(model))
              for model in (User, TrainingBase, EquipmentCategory, Equipment)}
    second = load_demo(session, SEEDS)
    assert sum(first.values()) > 0
    assert set(second.values()) == {0}
    assert counts == {model: session.scalar(select(func.count()).select_from(model))
                      for model in counts}


def test_every_demo_account_signs_in(client, session):
    load_demo(session, SEEDS)
    for email, role in DEMO_ACCOUNTS.items():
        response = client.post("/api/v1/auth/token",
                               json={"email": email, "password": "benchshare-demo"})
        assert response.status_code == 200, email
        me = client.get("/api/v1/me", headers={
            "Authorization": f"Bearer {response.get_json()['access_token']}"}).get_json()
        assert me["role"] == role


def test_the_demo_exchange_has_two_approved_offers_a_submitted_one_and_past_outcomes(session):
    from service.offers.models import Offer
    from service.outcomes.models import Outcome
    from service.reservations.models import Reservation

    added = load_demo(session, SEEDS)
    assert (added["offers"], added["sessions"], added["outcomes"]) == (3, 6, 5)
    offers = session.scalars(select(Offer).order_by(Offer.id)).all()
    assert [(o.enterprise.name, o.school.name, o.status) for o in offers] == [
        ("Huaxin Precision Machining Co.", "Riverside Vocational College", "approved"),
        ("Greenvolt EV Systems Ltd.", "Riverside Vocational College", "approved"),
        ("Huaxin Precision Machining Co.", "Lakeside Technical School", "submitted")]
    sessions = session.scalars(select(Reservation).where(
        Reservation.offer_id.is_not(None))).all()
    assert {r.status for r in sessions} == {"completed"}
    assert session.scalar(select(func.count()).select_from(Outcome)) == 5
    # Each past session lies inside its offer's windows, so the impact figures count it.
    from service.offers.rules import offer_spans, windows_of
    from service.reservations.rules import covers

    for r in sessions:
        offer = session.get(Offer, r.offer_id)
        spans = offer_spans(windows_of(offer), r.equipment.base.timezone, r.starts_at,
                            r.ends_at)
        assert covers(spans, r.starts_at, r.ends_at), (r.equipment.asset_tag, r.starts_at)
