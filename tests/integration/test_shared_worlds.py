"""A world built once per module: what a test writes, itself or through a request, is rolled
back before the next test, and the world itself stays."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from service.catalogue.models import EquipmentCategory

from ..worlds import rolled_back


def categories(session) -> int:
    return session.scalar(select(func.count()).select_from(EquipmentCategory))


@pytest.fixture(scope="module")
def shared_world(shared_make):
    """The world, built once for this module."""
    return shared_make.world()


def test_a_request_that_commits_is_rolled_back_after_its_test(shared_client, shared_session,
                                                               shared_world):
    before = categories(shared_session)
    created = shared_client.post("/api/v1/equipment-categories", json={
        "code": "lasers", "name": "Lasers"}, headers=shared_world.headers("operator"))
    assert created.status_code == 201, created.get_json()
    assert categories(shared_session) == before + 1
    with rolled_back(shared_session):
        assert categories(shared_session) == before + 1


def test_the_next_test_meets_the_world_as_built(shared_client, shared_session, shared_world):
    assert categories(shared_session) == 1
    again = shared_client.post("/api/v1/equipment-categories", json={
        "code": "lasers", "name": "Lasers"}, headers=shared_world.headers("operator"))
    assert again.status_code == 201, again.get_json()


def test_a_savepoint_forgets_the_tests_own_writes(shared_client, shared_make, shared_session,
                                                  shared_world):
    with rolled_back(shared_session):
        shared_make.category()
        shared_session.commit()
        assert categories(shared_session) == 2
    assert categories(shared_session) == 1
    me = shared_client.get("/api/v1/me", headers=shared_world.headers("admin"))
    assert me.status_code == 200 and me.get_json()["id"] == shared_world.users["admin"].id
