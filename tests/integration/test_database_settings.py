"""The database settings as the container passes them: DATABASE_HOST, DATABASE_PORT,
DATABASE_USER, DATABASE_PASSWORD and DATABASE_NAME, escaped by the settings code itself, so a
password holding @ : / % # reaches PostgreSQL as it was written."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.exc import OperationalError

from service.config import from_env
from tests.checked_passwords import role_with_checked_password

ODD_PASSWORD = "p@ss:w/o%rd#1"


def test_a_password_with_url_characters_connects_through_the_separate_variables(database_url):
    server = make_url(database_url)
    # The test server listens on a local socket (as libpq, a host starting with "/").
    host = server.host or server.query["host"]
    with role_with_checked_password(database_url, ODD_PASSWORD) as role:
        config = from_env({"DATABASE_HOST": host, "DATABASE_PORT": str(server.port or 5432),
                           "DATABASE_USER": role, "DATABASE_PASSWORD": ODD_PASSWORD,
                           "DATABASE_NAME": server.database})
        url = make_url(config["SQLALCHEMY_DATABASE_URI"])
        assert (url.username, url.password, url.database) == (
            role, ODD_PASSWORD, server.database)
        engine = create_engine(url)
        with engine.connect() as connection:
            assert connection.execute(text("SELECT current_user")).scalar() == role
        engine.dispose()
        # The server checks the password: one character off is refused.
        wrong = create_engine(url.set(password=ODD_PASSWORD[:-1]))
        with pytest.raises(OperationalError, match="password authentication failed"):
            wrong.connect()
        wrong.dispose()


def test_database_url_wins_and_nothing_set_means_the_embedded_server():
    given = from_env({"DATABASE_URL": "postgres://u:p@h/d", "DATABASE_HOST": "other"})
    assert given["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@h/d"
    assert from_env({})["SQLALCHEMY_DATABASE_URI"] is None


def test_a_network_host_keeps_every_part_as_written():
    config = from_env({"DATABASE_HOST": "db", "DATABASE_USER": "benchshare",
                       "DATABASE_PASSWORD": ODD_PASSWORD, "DATABASE_NAME": "benchshare"})
    url = make_url(config["SQLALCHEMY_DATABASE_URI"])
    assert (url.host, url.port, url.username, url.password, url.database) == (
        "db", 5432, "benchshare", ODD_PASSWORD, "benchshare")
