"""A school's item exists only for its own school: another school's people (and an
enterprise's) cannot book it, book a series on it, preview one or wait for it, and the refusal
is the one an id that does not exist gets, so it does not even tell them the id is taken."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from service.reservations.models import Reservation, Series, WaitlistEntry

SHANGHAI = ZoneInfo("Asia/Shanghai")
MISSING = 2**62


@pytest.fixture
def lathe(make, world, session):
    """School A's item at a base open every day 06:00-22:00, booked by A's student at 10:00 in
    three days (so a waitlist has something to wait for)."""
    item = make.equipment(make.open_base(world.school), world.category, world.school)
    session.commit()
    return item


def _start() -> datetime:
    return (datetime.now(SHANGHAI) + timedelta(days=3)).replace(hour=10, minute=0, second=0,
                                                                microsecond=0)


def _requests(equipment_id: int) -> dict[str, tuple[str, dict]]:
    start = _start()
    span = {"equipment_id": equipment_id, "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=1)).isoformat()}
    series = {"equipment_id": equipment_id, "weekdays": [start.isoweekday()],
              "start_time": "14:00", "duration_minutes": 60,
              "starts_on": start.date().isoformat(), "count": 2}
    return {"reserve": ("/api/v1/reservations", span),
            "wait": ("/api/v1/waitlist", span),
            "series": ("/api/v1/series", series),
            "preview": ("/api/v1/series/preview", series)}


def _counts(session) -> tuple[int, int, int]:
    session.expire_all()
    return tuple(session.scalar(select(func.count()).select_from(model))
                 for model in (Reservation, Series, WaitlistEntry))


@pytest.mark.parametrize("role, action", [
    ("other_student", "reserve"), ("other_student", "wait"),
    ("other_admin", "reserve"), ("other_admin", "wait"), ("other_admin", "series"),
    ("other_admin", "preview"), ("other_instructor", "series"),
    ("other_instructor", "preview"), ("manager", "reserve")])
def test_another_organisations_people_meet_a_schools_item_as_one_that_does_not_exist(
        client, world, session, lathe, role, action):
    booked = client.post("/api/v1/reservations", headers=world.headers("student"),
                         json=_requests(lathe.id)["reserve"][1])
    assert booked.status_code == 201, booked.get_json()
    before = _counts(session)
    path, body = _requests(lathe.id)[action]
    refused = client.post(path, headers=world.headers(role), json=body)
    _, missing_body = _requests(MISSING)[action]
    missing = client.post(path, headers=world.headers(role), json=missing_body)
    assert refused.status_code == missing.status_code == 422, refused.get_json()
    answer = refused.get_json()
    assert (answer["code"], answer["errors"]) == (
        "validation_error", {"equipment_id": ["Does not exist."]})
    assert {k: v for k, v in answer.items() if k != "instance"} == \
        {k: v for k, v in missing.get_json().items() if k != "instance"}
    assert _counts(session) == before


def test_the_schools_own_people_still_book_wait_and_plan_on_it(client, world, session, lathe):
    requests = _requests(lathe.id)
    assert client.post(requests["reserve"][0], headers=world.headers("student"),
                       json=requests["reserve"][1]).status_code == 201
    waited = client.post(requests["wait"][0], headers=world.headers("instructor"),
                         json=requests["wait"][1])
    assert waited.status_code == 201, waited.get_json()
    preview = client.post(requests["preview"][0], headers=world.headers("instructor"),
                          json=requests["preview"][1])
    assert preview.status_code == 200 and preview.get_json()["bookable"] == 2
