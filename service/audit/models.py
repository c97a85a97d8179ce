"""One recorded change of one thing: who made it, when, and the fields it changed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, DateTime, ForeignKey, Index, String, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from ..db import IdMixin, db, one_of

ACTIONS = ("created", "updated", "deleted")


class AuditEntry(IdMixin, db.Model):
    """A write to an audited thing (equipment, a training base, its hours or closures, a
    qualification, a user, a quota, ...), readable by the admins of the organisation it
    belongs to. `changes` maps each changed field to its [before, after] (before is null on
    a creation, after on a deletion). Entries are only ever added."""

    __tablename__ = "audit_entries"
    __table_args__ = (
        CheckConstraint(one_of("action", ACTIONS), name="action"),
        Index("ix_audit_entries_organisation_id_at", "organisation_id", "at"),
        Index("ix_audit_entries_entity", "entity", "entity_id", "at"),
    )

    # The organisation whose admins may read the entry (None: the platform's own things).
    organisation_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("organisations.id", ondelete="CASCADE"))
    # Who made the change (None: the scheduler, a command, or a user since removed).
    actor_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="SET NULL"))
    entity: Mapped[str] = mapped_column(String(40))  # e.g. "equipment", "training_base"
    entity_id: Mapped[int] = mapped_column(BigInteger)
    action: Mapped[str] = mapped_column(String(10))
    changes: Mapped[dict] = mapped_column(JSONB, default=dict)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
