"""HotStatement: a Core statement run by psycopg itself answers as SQLAlchemy would, in the
session's transaction, and fails as SQLAlchemy would when the connection is lost."""

from __future__ import annotations

import pytest
from sqlalchemy import BigInteger, Boolean, String, bindparam, literal, select, text
from sqlalchemy.dialects.postgresql import ARRAY, psycopg
from sqlalchemy.exc import OperationalError, ProgrammingError

from service.accounts.models import User
from service.db import HotStatement, db
from service.errors import DATABASE_UNAVAILABLE


def _users_named():
    return (select(User.id, User.email, literal(None, String).label("nothing"),
                   bindparam("flag", type_=Boolean).label("flag"))
            .where(User.organisation_id == bindparam("org", type_=BigInteger))
            .order_by(User.id))


def test_it_answers_what_the_session_answers_in_its_transaction(session, world):
    school = world.school.id
    hot = HotStatement(_users_named)
    # Rows the test wrote and has not committed: the same transaction sees them.
    expected = session.execute(_users_named(), {"org": school, "flag": True}).all()
    got = hot.rows(session, {"org": school, "flag": True})
    assert expected and [tuple(row) for row in got] == [tuple(row) for row in expected]
    assert got[0].email == expected[0].email and got[0].nothing is None and got[0].flag is True
    assert hot.first(session, {"org": -1, "flag": False}) is None


def test_a_missing_parameter_is_an_error_not_a_null(session, world):
    with pytest.raises(ProgrammingError):
        HotStatement(_users_named).rows(session, {"flag": True})


def test_a_lost_connection_is_the_database_unavailable_and_replaced(app):
    hot = HotStatement(lambda: select(literal(1).label("one")))
    with app.app_context():
        connection = db.session.connection()
        pid = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
        with db.engine.connect() as other:
            other.execute(text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid})
            other.commit()
        with pytest.raises(DATABASE_UNAVAILABLE) as caught:
            hot.first(db.session, {})
        assert isinstance(caught.value, OperationalError)
        assert caught.value.connection_invalidated
        db.session.rollback()
        assert hot.first(db.session, {}).one == 1  # a fresh connection from the pool
        db.session.remove()


def test_a_statement_whose_columns_need_converting_is_refused():
    hot = HotStatement(lambda: select(bindparam("a", type_=ARRAY(BigInteger)).label("a")))
    with pytest.raises(TypeError):
        hot._compile(psycopg.dialect())
