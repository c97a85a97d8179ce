"""The SQLAlchemy handle: declarative base with a naming convention, sessions in UTC."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import BigInteger, DateTime, ForeignKey, Integer, MetaData, String, func, make_url
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

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


# Objects stay readable after commit: a use case commits, then the view serialises them.
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})


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


def _release_session(exc: BaseException | None) -> None:
    # Flask-SQLAlchemy's teardown closes the session, and closing sends a ROLLBACK that raises
    # when the database went away after the request's last statement: the answer already
    # chosen would become a bare 500. A failed rollback here discards the connection instead.
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - the connection is gone; the pool replaces it
        log.warning("rollback at the end of a request failed", exc_info=True)


def init_app(app) -> None:
    """Bind the database to the app, with every connection's session in UTC."""
    options = app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {})
    # A dead connection is replaced at checkout, so the first request after the database
    # restarts succeeds instead of failing on a socket the server closed.
    options.setdefault("pool_pre_ping", True)
    # Both below the 30 s after which gunicorn kills a silent worker: an unreachable server or
    # an exhausted pool becomes a 503 the client can act on, not a dropped connection.
    options.setdefault("pool_timeout", 10)
    connect_args = {"options": "-c timezone=UTC"}
    if "connect_timeout" not in make_url(app.config["SQLALCHEMY_DATABASE_URI"]).query:
        connect_args["connect_timeout"] = 5
    options.setdefault("connect_args", connect_args)
    db.init_app(app)
    # Registered after Flask-SQLAlchemy's, so it runs before it (teardowns run in reverse).
    app.teardown_appcontext(_release_session)
