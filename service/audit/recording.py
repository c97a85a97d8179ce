"""Every write to an audited thing becomes an AuditEntry, from one session event.

The domains' code knows nothing of it: after each flush the new, changed and deleted
instances of the audited models (subjects.SUBJECTS) are read from the session, with the
before and after of each changed column, and their entries are inserted in the same
transaction, so they commit or roll back with the change itself. The event is read after the
flush rather than before it so that new rows have their ids and foreign keys; the session
still holds each instance's history then.
"""

from __future__ import annotations

from flask import g, has_request_context
from sqlalchemy import event, insert, inspect, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from ..accounts.models import Organisation, User
from . import rules
from .models import AuditEntry
from .subjects import SUBJECTS, Subject


def install() -> None:
    """Record the audited writes of every session (the app's, the tests', the commands').
    Idempotent: the app factory may run many times in one process."""
    if not event.contains(Session, "after_flush", _record):
        event.listen(Session, "after_flush", _record)


def current_actor_id() -> int | None:
    """The signed-in user of the request being served; None for the scheduler and commands."""
    if not has_request_context() or g.get("user") is None:
        return None
    return g.get("user_id")


def _columns(state) -> list[str]:
    return [attr.key for attr in state.mapper.column_attrs]


def _values(state) -> dict:
    """What the instance holds, without loading anything from the database."""
    return {key: state.dict[key] for key in _columns(state) if key in state.dict}


def _updates(state, subject: Subject) -> dict:
    changes = {}
    for key in _columns(state):
        if key in rules.UNLISTED:
            continue
        history = state.attrs[key].history
        if history.added or history.deleted:
            before = history.deleted[0] if history.deleted else None
            after = history.added[0] if history.added else None
            changes[key] = rules.change(key, before, after)
    if changes:
        for key in subject.keys:
            changes.setdefault(key, rules.change(key, state.dict.get(key), state.dict.get(key)))
    return changes


def _writes(session: Session, flush_context):
    """(state, subject, action, changes) of each audited instance this flush wrote. The flush
    itself says which rows it deleted: orphans removed by a cascade (a base's replaced
    opening hours) are never in session.deleted."""
    new = session.new
    for state, (is_delete, list_only) in list(flush_context.states.items()):
        subject = SUBJECTS.get(state.class_)
        if subject is None or list_only:
            continue
        if is_delete:
            action, changes = "deleted", rules.deletion(_values(state))
        elif state.obj() in new:
            action, changes = "created", rules.creation(_values(state))
        else:
            action, changes = "updated", _updates(state, subject)
            if not changes:
                continue  # only bookkeeping or relationships moved
        yield state, subject, action, changes


def _looker(session: Session):
    """look(Model, id, column): from the session's copy when it has one (rows deleted by this
    very flush are still there), else from the database (rows it just inserted are)."""
    connection = session.connection()

    def look(model: type, ident, column: str):
        if ident is None:
            return None
        obj = session.identity_map.get(identity_key(model, ident))
        if obj is not None and column in inspect(obj).dict:
            return inspect(obj).dict[column]
        return connection.scalar(select(getattr(model, column)).where(model.id == ident))

    return look


def _record(session: Session, flush_context) -> None:
    writes = list(_writes(session, flush_context))
    if not writes:
        return
    look = _looker(session)
    # An entry refers to its organisation and actor: those deleted by this flush are gone
    # (and an organisation's own entries go with it), so the entry names neither.
    gone: dict[type, set] = {}
    for state, (is_delete, _) in flush_context.states.items():
        if is_delete:
            gone.setdefault(state.class_, set()).add(state.dict.get("id"))
    actor_id = current_actor_id()
    if actor_id in gone.get(User, ()):
        actor_id = None
    rows = []
    for state, subject, action, changes in writes:
        organisation_id = subject.organisation(state.dict.get, look)
        if organisation_id in gone.get(Organisation, ()):
            organisation_id = None
        rows.append({"organisation_id": organisation_id, "actor_id": actor_id,
                     "entity": subject.entity, "entity_id": state.dict[subject.entity_id],
                     "action": action, "changes": changes})
    session.connection().execute(insert(AuditEntry.__table__), rows)
