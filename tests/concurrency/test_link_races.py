"""Clients racing with one e-mailed link on separate connections with real commits: the link
sets a password exactly once."""

from __future__ import annotations

import re
import threading

import pytest
from sqlalchemy import func, select

from service.accounts.invitations import LinkSettings, invite_people
from service.accounts.models import AccessToken
from service.accounts.services import register_organisation, register_user
from service.db import db
from service.notifications.models import Notification

from .races import CLIENTS, app_on_own_database


@pytest.fixture(scope="module")
def live(fresh_database):
    """An app on its own database where every request commits for real."""
    app = app_on_own_database(fresh_database("benchshare_link_race"))
    yield app
    with app.app_context():
        db.engine.dispose()


def test_twenty_clients_racing_with_one_link_set_a_password_exactly_once(live):
    with live.app_context():
        school = register_organisation(db.session, name="Link Race School", kind="school")
        person = register_user(db.session, organisation=school, email="invited@race.example",
                               full_name="Invited", role="student", password=None)
        invite_people(db.session, [person], None, settings=LinkSettings())
        db.session.commit()
        body = db.session.scalar(select(Notification.body))
        token = re.search(r"#token=(\S+)", body).group(1)
        person_id = person.id

    barrier = threading.Barrier(CLIENTS)
    answers = [None] * CLIENTS

    def run(index):
        client = live.test_client()
        barrier.wait()
        answers[index] = client.post("/api/v1/auth/password", json={
            "token": token, "password": f"password-of-client-{index}"})

    threads = [threading.Thread(target=run, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(a.status_code for a in answers) == [200] + [422] * (CLIENTS - 1)
    assert {a.get_json()["code"] for a in answers if a.status_code == 422} == {"link_used"}
    with live.app_context():
        assert db.session.scalar(select(func.count()).select_from(AccessToken).where(
            AccessToken.user_id == person_id)) == 1
