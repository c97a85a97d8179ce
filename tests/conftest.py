"""Shared fixtures: one real PostgreSQL per test run, a migrated schema, isolated tests."""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid

import psycopg
import pytest
from sqlalchemy import make_url

from service import create_app, schema
from service.config import PROJECT_ROOT, sqlalchemy_url
from service.db import db

from .factories import Factory
from .mail_sink import _mail_server, mail_sink  # noqa: F401 - access: a real SMTP sink for every test package
from .worlds import isolated_session, rolled_back

# Helper modules that assert (imported later, by the tests): pytest explains their failures
# as it does the tests' own.
pytest.register_assert_rewrite("tests.api.problems", "tests.api.openapi_document")

MIGRATIONS_DIR = str(PROJECT_ROOT / "migrations")
TEST_CONFIG = {
    "TESTING": True,
    # Cheap hashes: tests check behaviour, not the cost of Argon2.
    "ARGON2_TIME_COST": 1,
    "ARGON2_MEMORY_KIB": 64,
    "LOG_LEVEL": "WARNING",
    "SCHEDULER_ENABLED": False,
}


def _admin_uri(url: str) -> str:
    """A libpq URI to the server's `postgres` database, for CREATE/DROP DATABASE."""
    return make_url(url).set(drivername="postgresql", database="postgres").render_as_string(
        hide_password=False)


def _throwaway(url: str) -> None:
    """The embedded test server keeps nothing past the run: it need not wait for the disk at
    each commit (the tests' many real commits), so fsync and synchronous commits are off. The
    service's own servers (and the e2e tests' `serve`) keep theirs on."""
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"),
                         autocommit=True) as conn:
        for setting in ("fsync", "synchronous_commit", "full_page_writes"):
            conn.execute(f"ALTER SYSTEM SET {setting} = off")
        conn.execute("SELECT pg_reload_conf()")


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """A URL to the test server: TEST_DATABASE_URL when given, else an embedded PostgreSQL."""
    given = os.environ.get("TEST_DATABASE_URL")
    if given:
        yield sqlalchemy_url(given)
        return
    from service import embedded

    # Not under pytest's own temp root: a second pytest run resets that root to mode 0700,
    # which would lock the embedded server's unprivileged user out of its data directory.
    data_dir = tempfile.mkdtemp(prefix="benchshare-test-pg-")
    url = embedded.start(data_dir, database="postgres")
    _throwaway(url)
    yield url
    embedded.stop(data_dir)
    shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def fresh_database(postgres_url):
    """Create an empty database on the test server; returns a factory of URLs."""
    created = []

    def make(prefix: str = "benchshare_test") -> str:
        name = f"{prefix}_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(_admin_uri(postgres_url), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        created.append(name)
        return make_url(postgres_url).set(database=name).render_as_string(hide_password=False)

    yield make
    with psycopg.connect(_admin_uri(postgres_url), autocommit=True) as conn:
        for name in created:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def database_url(fresh_database) -> str:
    """The suite's database, built by the migrations (never by create_all)."""
    url = fresh_database()
    schema.upgrade(MIGRATIONS_DIR, url)
    return url


@pytest.fixture(scope="session")
def app(database_url):
    """The app under test, on the suite's database."""
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": database_url})
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def session(app):
    """A session whose commits land in a savepoint, rolled back after the test."""
    with app.app_context(), isolated_session() as session:
        yield session


@pytest.fixture
def client(app, session):
    """A test client whose requests share the test's rolled-back transaction."""
    return app.test_client()


@pytest.fixture
def make(session):
    """Factory of domain objects and tokens."""
    return Factory(session)


@pytest.fixture
def world(make):
    """A school with one user per role, two enterprises, a base, a category and an item."""
    return make.world()


# ---------------------------------------------------------------- a world built once per module

@pytest.fixture(scope="module")
def shared_session(app):
    """A session for a world built once per module, rolled back after the module; each test
    runs in a savepoint of its own (`shared_client`). See tests/worlds.py."""
    with app.app_context(), isolated_session() as session:
        yield session


@pytest.fixture(scope="module")
def shared_make(shared_session):
    """Factory of the module's shared world."""
    return Factory(shared_session)


@pytest.fixture
def shared_client(app, shared_session):
    """A test client whose requests, and the test's own writes, are rolled back after it."""
    with rolled_back(shared_session):
        yield app.test_client()
