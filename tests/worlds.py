"""Sessions whose work is rolled back: per test, or a world built once per module with each
test in a savepoint of its own.

A matrix module (many cases, each a request or two on the same world) builds its world once:

    @pytest.fixture(scope="module")
    def matrix_world(shared_make):
        ...build on shared_make.world()...

    def test_case(shared_client, matrix_world): ...

`shared_client` (conftest) runs each test in a savepoint of the module's connection, rolled
back after it, so every test meets the world as built and nothing one test writes leaks into
the next. Keep the world's objects to their loaded columns (ids, names): between tests they
are detached from any session. Use it where every test of the module takes the shared world:
its rows stay uncommitted until the module ends, so a test on another connection would wait
on them at a unique key.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import scoped_session, sessionmaker

from service.db import db


@contextmanager
def isolated_session() -> Iterator[scoped_session]:
    """Swap db.session (in the current app context) for one on a single connection inside an
    outer transaction rolled back at the end: the app's commits land in savepoints."""
    connection = db.engine.connect()
    outer = connection.begin()
    original = db.session
    db.session = scoped_session(sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False))
    try:
        yield db.session
    finally:
        db.session.remove()
        db.session = original
        outer.rollback()
        connection.close()


@contextmanager
def rolled_back(session: scoped_session) -> Iterator[None]:
    """Run the block in a savepoint of the session's connection, rolled back after it.

    The session is closed first and after (its objects stay loaded but detached): a session
    savepoint opened before ours would otherwise be rolled back over ours when it closes.
    """
    session.remove()
    savepoint = session.get_bind().begin_nested()
    try:
        yield
    finally:
        session.remove()
        savepoint.rollback()
