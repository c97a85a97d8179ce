"""Tables of outcomes: one per completed reservation, its skills and trainees; the shared
vocabulary of skills."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    Numeric,
    String,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..db import IdMixin, VersionedMixin, db
from ..reservations.models import Reservation


class SkillTag(VersionedMixin, db.Model):
    """A skill of the shared vocabulary: a stable slug and its names in English and Chinese."""

    __tablename__ = "skill_tags"

    tag: Mapped[str] = mapped_column(String(60), primary_key=True)
    label_en: Mapped[str] = mapped_column(String(120))
    label_zh: Mapped[str] = mapped_column(String(120))


class Outcome(IdMixin, VersionedMixin, db.Model):
    """What one completed reservation taught: trainees, hours, skills, a short result."""

    __tablename__ = "outcomes"
    __table_args__ = (
        CheckConstraint("trainee_count >= 1", name="trainee_count"),
        CheckConstraint("hours > 0", name="hours"),
    )

    # One outcome per reservation: PostgreSQL keeps it one, whatever races.
    reservation_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("reservations.id", ondelete="CASCADE"), unique=True)
    author_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    trainee_count: Mapped[int] = mapped_column(Integer)
    hours: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    result: Mapped[str] = mapped_column(String(2000))
    links: Mapped[list[str]] = mapped_column(ARRAY(String(500)), default=list,
                                             server_default=text("'{}'"))

    author: Mapped[User] = relationship(lazy="joined", innerjoin=True)
    # Not eager: reads that need the session (and its holder's school) join it themselves.
    reservation: Mapped[Reservation] = relationship()
    skills: Mapped[list[OutcomeSkill]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="OutcomeSkill.tag")
    trainees: Mapped[list[OutcomeTrainee]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="OutcomeTrainee.user_id")


class OutcomeSkill(db.Model):
    """A skill practised: a vocabulary tag, or a free tag (in_vocabulary false)."""

    __tablename__ = "outcome_skills"

    outcome_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("outcomes.id", ondelete="CASCADE"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(60), primary_key=True)
    in_vocabulary: Mapped[bool] = mapped_column(Boolean)


class OutcomeTrainee(db.Model):
    """An attendee of the reservation who was trained in the session."""

    __tablename__ = "outcome_trainees"

    outcome_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("outcomes.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="RESTRICT"), primary_key=True, index=True)

    user: Mapped[User] = relationship(lazy="joined", innerjoin=True)
