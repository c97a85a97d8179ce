"""Tables of classes and their members."""

from __future__ import annotations

from sqlalchemy import BigInteger, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import IdMixin, VersionedMixin, db


class SchoolClass(IdMixin, VersionedMixin, db.Model):
    """A class of one school ("CNC 2026 A"); its name is unique in the school, whatever
    its case."""

    __tablename__ = "classes"
    __table_args__ = (
        Index("uq_classes_organisation_id_name", "organisation_id", text("lower(name)"),
              unique=True),
    )

    organisation_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))

    members: Mapped[list[ClassMember]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="ClassMember.user_id")


class ClassMember(db.Model):
    """A student in a class (a student may be in several: a class and an elective group)."""

    __tablename__ = "class_members"

    class_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("classes.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
