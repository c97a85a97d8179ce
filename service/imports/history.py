"""Audit entries for an import's set-based writes, which no ORM flush (service.audit) sees."""

from __future__ import annotations

from sqlalchemy import ARRAY, BigInteger, String, all_, any_, bindparam, insert
from sqlalchemy.orm import Session

from ..accounts.models import User
from ..audit import rules
from ..audit.models import AuditEntry


def record(session: Session, entity: str, organisation_id: int, actor: User | None,
           entries: list[tuple[int, str, dict]]) -> None:
    """One entry per (id, action, {column: value or (before, after)}), in one statement."""
    rows = []
    for entity_id, action, changes in entries:
        if action == "created":
            listed = rules.creation(changes)
        else:
            listed = {k: rules.change(k, *v) for k, v in changes.items()}
        rows.append({"organisation_id": organisation_id, "actor_id": actor.id if actor else None,
                     "entity": entity, "entity_id": entity_id, "action": action,
                     "changes": listed})
    if rows:
        session.execute(insert(AuditEntry.__table__), rows)


def any_of(values: list, of=String):
    """`= ANY(array)`: one parameter however many values (an IN list has one each)."""
    return any_(bindparam(None, list(values), type_=ARRAY(of)))


def none_of(values: list, of=String):
    return all_(bindparam(None, list(values), type_=ARRAY(of)))


def ids(values: list[int]):
    return any_of(values, BigInteger)
