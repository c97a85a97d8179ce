"""A list of reservations costs the same few statements however many classes it holds: the
attendees' names come in one query for the page, not one per reservation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import event

from service.db import db


def _statements(app, client, path: str, headers: dict) -> tuple[int, dict]:
    count = 0

    def counted(*_args) -> None:
        nonlocal count
        count += 1

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", counted)
    try:
        response = client.get(path, headers=headers)
    finally:
        event.remove(engine, "before_cursor_execute", counted)
    assert response.status_code == 200, response.get_json()
    return count, response.get_json()


def _classes(make, world, session, how_many: int, first: datetime) -> None:
    for n in range(how_many):
        students = [make.user("student", world.school, full_name=f"Student {n}-{k}")
                    for k in range(2)]
        start = first + timedelta(hours=2 * n)
        make.reservation(world.equipment, world.users["instructor"], start,
                         start + timedelta(hours=1), status="confirmed", attendees=students)
    session.commit()


def test_listing_classes_does_not_query_once_per_reservation(app, client, make, world,
                                                             session):
    first = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=2)
    _classes(make, world, session, 2, first)
    path = f"/api/v1/reservations?equipment_id={world.equipment.id}&page_size=50"
    few, answer = _statements(app, client, path, world.headers("instructor"))
    assert len(answer["items"]) == 2
    _classes(make, world, session, 6, first + timedelta(days=1))
    many, answer = _statements(app, client, path, world.headers("instructor"))
    assert len(answer["items"]) == 8
    assert all(len(r["attendance"]) == 2 and all(a["name"] for a in r["attendance"])
               for r in answer["items"])
    assert many == few, (few, many)
