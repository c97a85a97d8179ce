"""An enterprise's staff racing to offer to the same school: PostgreSQL keeps one live offer."""

from __future__ import annotations

import threading
from datetime import time

from sqlalchemy import func, select

from service.accounts.services import issue_token, register_organisation, register_user
from service.catalogue.bases import build_base
from service.catalogue.categories import register_category
from service.catalogue.equipment import build_equipment
from service.db import db
from service.offers.models import Offer

from .races import app_on_own_database

CLIENTS = 10


def test_ten_staff_offering_to_one_school_at_once_make_one_offer(fresh_database):
    app = app_on_own_database(fresh_database("benchshare_offer_race"))
    with app.app_context():
        school = register_organisation(db.session, name="Offer Race School", kind="school")
        enterprise = register_organisation(db.session, name="Offer Race Works",
                                           kind="enterprise")
        base = build_base(db.session, name="Works floor", kind="enterprise",
                          organisation=enterprise, timezone="Asia/Shanghai", opening_hours=[
                              {"weekday": d, "opens": time(8), "closes": time(18)}
                              for d in range(1, 6)])
        category = register_category(db.session, code="offer-race", name="Offer race")
        item = build_equipment(db.session, name="Idle mill", asset_tag="OFR-1", base_id=base.id,
                               category_id=category.id, owner_organisation_id=enterprise.id)
        staff = [register_user(db.session, organisation=enterprise, role="enterprise_staff",
                               email=f"staff{n}@offer-race.example", full_name=f"Staff {n}",
                               password="x" * 12) for n in range(CLIENTS)]
        tokens = [issue_token(db.session, user=s, ttl_minutes=60).access_token for s in staff]
        db.session.commit()
        body = {"school_id": school.id, "items": [{"equipment_id": item.id}],
                "weekly_hours_budget": 4,
                "windows": [{"starts_on": "2027-03-01", "ends_on": "2027-06-30",
                             "spans": [{"weekday": 2, "opens": "09:00", "closes": "12:00"}]}]}

    barrier = threading.Barrier(CLIENTS)
    responses = [None] * CLIENTS

    def offer(index):
        client = app.test_client()
        barrier.wait()
        responses[index] = client.post("/api/v1/offers", json=body, headers={
            "Authorization": f"Bearer {tokens[index]}"})

    threads = [threading.Thread(target=offer, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(r.status_code for r in responses) == [201] + [409] * (CLIENTS - 1)
    assert {r.get_json()["code"] for r in responses if r.status_code == 409} == {"offer_exists"}
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Offer)) == 1
        db.engine.dispose()
