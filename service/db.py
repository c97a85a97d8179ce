"""The SQLAlchemy handle: declarative base with a naming convention, sessions in UTC."""

from __future__ import annotations

import functools
import logging
import select
from collections import namedtuple
from datetime import UTC, datetime

from flask import has_request_context, request
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.session import Session as FlaskSQLAlchemySession
from psycopg.pq import TransactionStatus
from sqlalchemy import (
    BigInteger,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    event,
    func,
    make_url,
)
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

from .library_internals import compiled_binds, prefetched_columns, raise_as_sqlalchemy

log = logging.getLogger(__name__)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class RequestSession(FlaskSQLAlchemySession):
    """Flask-SQLAlchemy's session, whose reads run in autocommit.

    A GET, HEAD or OPTIONS request writes nothing, and at READ COMMITTED (PostgreSQL's
    default, ours) each of its statements takes a snapshot of its own inside a transaction
    too: autocommit changes nothing it sees and saves the BEGIN and COMMIT round trips (and
    leaves nothing for a ROLLBACK to throw away). Writes keep their transactions.
    """

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        engine = super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)
        if bind is None and has_request_context() and request.method in SAFE_METHODS:
            return _autocommitting(engine)
        return engine


@functools.cache
def _autocommitting(engine):
    """The engine's autocommit variant: the same pool, the isolation level set per checkout
    on the client side (no statement sent) and reset when the connection goes back."""
    return engine.execution_options(isolation_level="AUTOCOMMIT")


# Objects stay readable after commit: a use case commits, then the view serialises them.
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False,
                                                   "class_": RequestSession})


# A row of a HotStatement: a named tuple whose fields are the statement's column labels.
HotRow = tuple


class HotStatement:
    """A hot Core statement, compiled once and run by psycopg itself on the session's
    connection (in its transaction, prepared by psycopg as any statement is), without the
    execution context, result objects and cache lookups SQLAlchemy spends on every call: about
    a tenth of a `GET /me`. Failures are SQLAlchemy's, as for any statement: a connection
    lost on the way is invalidated and answers as the database being unavailable.

    For statements whose columns need no conversion from what psycopg returns (checked when
    compiled) and without expanding IN lists; rows are named tuples. SQLAlchemy's cursor
    events (`before_cursor_execute`, echo) do not see these statements."""

    def __init__(self, build):
        self._build = build
        self._compiled = None  # (sql, constant parameters, bind processors, row factory)

    def _compile(self, dialect):
        statement = self._build()
        compiled = statement.compile(dialect=dialect)
        sql = str(compiled)
        columns = statement.selected_columns
        converted = [name for name, column in columns.items()
                     if column.type.dialect_impl(dialect).result_processor(dialect, None)]
        if "POSTCOMPILE" in sql or converted:
            raise TypeError(f"not a statement psycopg can run alone: {converted or sql}")
        processors, constants = {}, {}
        for bind, name in compiled_binds(compiled).items():
            process = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if process is not None:
                processors[name] = process
            if not bind.required:  # a value of the statement's own (a literal, a LIMIT)
                constants[name] = bind.effective_value
        # Columns an INSERT leaves to their Python-side default, which SQLAlchemy would compute
        # per execution: only constants are supported.
        for column in prefetched_columns(compiled):
            if column.default is None or not column.default.is_scalar:
                raise TypeError(f"not a statement psycopg can run alone: {column} default")
            constants[column.key] = column.default.arg
        row = namedtuple("Row", columns.keys(), rename=True)
        self._compiled = sql, constants, processors, lambda cursor: row._make
        return self._compiled

    def rows(self, session, params: dict) -> list[HotRow]:
        connection = session.connection()
        sql, constants, processors, rows = self._compiled or self._compile(connection.dialect)
        values = {**constants, **params}
        for name, process in processors.items():
            if name in values:
                values[name] = process(values[name])
        cursor = connection.connection.driver_connection.cursor(row_factory=rows)
        try:
            cursor.execute(sql, values)
            return cursor.fetchall()
        except connection.dialect.loaded_dbapi.Error as exc:
            raise_as_sqlalchemy(connection, exc, sql, values, cursor)
        finally:
            cursor.close()

    def first(self, session, params: dict) -> HotRow | None:
        found = self.rows(session, params)
        return found[0] if found else None


def one_of(column: str, values: tuple[str, ...]) -> str:
    """SQL for a CHECK that a text column holds one of `values`."""
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def utcnow() -> datetime:
    return datetime.now(UTC)


class IdMixin:
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)


class StatusEventMixin:
    """One change of a thing's status: when, who (None for the scheduler), from, to, why."""

    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    actor_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="RESTRICT"))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(String(500), default="", server_default="")


class VersionedMixin:
    """Row version for ETags; SQLAlchemy refuses an UPDATE whose version moved underneath it."""

    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=func.now()
    )
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=func.now(), onupdate=func.now()
    )

    @declared_attr.directive
    def __mapper_args__(cls) -> dict:
        return {"version_id_col": cls.__table__.c.version}


# A pooled connection lives at most this long (seconds), so one a firewall or a proxy cut
# silently is not kept for ever.
POOL_RECYCLE_SECONDS = 1800


def _end_request_transaction(exc: BaseException | None) -> None:
    # A read ends with COMMIT, never ROLLBACK: psycopg forgets every prepared statement of the
    # connection on ROLLBACK, so reads that rolled back planned their statements afresh on
    # every request. (Autocommit makes this a no-op; a session bound elsewhere, as the tests'
    # is, still has a transaction.) A write that did not commit is rolled back (below).
    if exc is None and request.method in SAFE_METHODS:
        _end_transaction(db.session.commit)


def _release_session(exc: BaseException | None) -> None:
    _end_transaction(db.session.rollback)


def _end_transaction(end) -> None:
    # Flask-SQLAlchemy's teardown then closes the session. Ending the transaction raises when
    # the database went away after the request's last statement: the answer already chosen
    # would become a bare 500. A failure here discards the connection instead.
    try:
        end()
    except Exception:  # noqa: BLE001 - the connection is gone; the pool replaces it
        log.warning("ending the transaction of a request failed", exc_info=True)
        try:
            db.session.rollback()
        except Exception:  # noqa: BLE001 - nothing more to do; the pool replaces it
            pass


def _still_connected(driver_connection) -> bool:
    """Whether an idle pooled connection may still be used, without a round trip.

    An idle connection has nothing to read: a server that ended it (a restart, a failover,
    pg_terminate_backend) left its goodbye or the end of the stream on the socket, so a
    readable socket means a dead connection. A non-blocking poll costs a system call, where
    pool_pre_ping's `SELECT 1` cost a round trip per request.
    """
    if driver_connection.closed or driver_connection.broken:
        return False
    pgconn = driver_connection.pgconn
    if pgconn.transaction_status != TransactionStatus.IDLE:
        return False
    poller = select.poll()
    poller.register(pgconn.socket, select.POLLIN | select.POLLERR | select.POLLHUP)
    return not poller.poll(0)


def _check_on_checkout(dbapi_connection, connection_record, connection_proxy) -> None:
    driver_connection = getattr(dbapi_connection, "driver_connection", dbapi_connection)
    try:
        alive = _still_connected(driver_connection)
    except Exception:  # noqa: BLE001 - a socket that cannot even be polled is dead too
        alive = False
    if not alive:
        # The pool discards this connection and checks out a fresh one.
        raise DisconnectionError("the server ended this pooled connection")


def init_app(app) -> None:
    """Bind the database to the app, with every connection's session in UTC."""
    options = app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {})
    # A dead connection is replaced at checkout (_check_on_checkout), so the first request
    # after the database restarts succeeds instead of failing on a socket the server closed.
    options.setdefault("pool_recycle", POOL_RECYCLE_SECONDS)
    # Both below the 30 s after which gunicorn kills a silent worker: an unreachable server or
    # an exhausted pool becomes a 503 the client can act on, not a dropped connection.
    options.setdefault("pool_timeout", 10)
    connect_args = {"options": "-c timezone=UTC"}
    if "connect_timeout" not in make_url(app.config["SQLALCHEMY_DATABASE_URI"]).query:
        connect_args["connect_timeout"] = 5
    options.setdefault("connect_args", connect_args)
    db.init_app(app)
    with app.app_context():
        event.listen(db.engine, "checkout", _check_on_checkout)
    # A request's teardown runs while its request is known, before the app context's; this
    # one is registered after Flask-SQLAlchemy's, so it runs before it (reverse order).
    app.teardown_request(_end_request_transaction)
    app.teardown_appcontext(_release_session)
