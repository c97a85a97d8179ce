"""The read side of outcomes against PostgreSQL: who sees which outcome, the filters, the
skill vocabulary."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from service.outcomes import queries, services

from .lessons import START, completed_lesson, record


@pytest.fixture
def lesson(make, world, session):
    """A completed lesson on E1's item under its offer to school A, committed."""
    done = completed_lesson(make, world)
    session.commit()
    return done


def test_lists_show_each_actor_only_what_they_may_see(make, session, lesson):
    world = lesson.world
    outcome = record(session, lesson)
    on_e2 = make.reservation(world.other_enterprise_equipment, world.users["student"], START,
                             START + timedelta(hours=1))
    session.commit()
    other = services.record_outcome(session, world.users["student"], reservation_id=on_e2.id,
                                    skills=["welding"], trainee_count=1, hours=Decimal("1"),
                                    result="Welds")
    both = sorted([outcome.id, other.id])
    expected = {"student": both, "instructor": both, "admin": both, "classmate": [],
                "enterprise_staff": [outcome.id], "manager": [outcome.id],
                "other_staff": [other.id], "other_student": [], "other_admin": [],
                "other_instructor": [], "operator": []}
    for actor, ids in expected.items():
        page = queries.list_outcomes(session, lesson.user(actor), page=1, page_size=20,
                                     sort="id")
        assert [o.id for o in page["items"]] == ids, actor
        assert page["total"] == len(ids)
    admin = world.users["admin"]

    def ids(**filters):
        page = queries.list_outcomes(session, admin, page=1, page_size=20, sort="-id",
                                     **filters)
        return [o.id for o in page["items"]]

    assert ids(offer_id=lesson.offer.id) == [outcome.id]
    assert ids(equipment_id=world.other_enterprise_equipment.id) == [other.id]
    assert ids(reservation_id=lesson.reservation.id) == [outcome.id]
    assert ids(from_=START + timedelta(hours=1, minutes=30)) == [outcome.id]
    assert ids(to=START + timedelta(hours=1)) == sorted(both, reverse=True)
    assert ids(to=START) == []


def test_the_vocabulary_is_seeded_by_the_migration(session):
    page = queries.list_skills(session, page=1, page_size=100, sort="tag")
    assert page["total"] == 19
    first = page["items"][0]
    assert (first.tag, first.label_en, first.label_zh) == (
        "additive-manufacturing", "Additive manufacturing (3D printing)", "增材制造（3D 打印）")
