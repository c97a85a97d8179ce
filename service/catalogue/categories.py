"""Equipment categories: the shared vocabulary the operators keep."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..accounts.models import User
from ..errors import Invalid
from ..versioning import check_version
from .errors import NameTaken
from .models import EquipmentCategory
from .permissions import require_vocabulary_keeper
from .queries import get_category


def _check_category_unique(session: Session, changes: dict, category_id: int | None = None):
    for field in ("code", "name"):
        if field in changes:
            column = getattr(EquipmentCategory, field)
            taken = session.scalar(select(EquipmentCategory.id).where(column == changes[field]))
            if taken and taken != category_id:
                raise NameTaken(errors={field: ["Already used by another category."]})


def register_category(session: Session, *, code: str, name: str, name_zh: str = "",
                      description: str = "") -> EquipmentCategory:
    """A category from validated values, without a permission check: for the use case below,
    the seeds and the tests (the caller commits)."""
    _check_category_unique(session, {"code": code, "name": name})
    category = EquipmentCategory(code=code, name=name, name_zh=name_zh, description=description)
    session.add(category)
    session.flush()
    return category


def create_category(session: Session, actor: User, *, code: str, name: str,
                    name_zh: str = "", description: str = "") -> EquipmentCategory:
    """Operators keep the shared vocabulary of categories."""
    require_vocabulary_keeper(actor)
    category = register_category(session, code=code, name=name, name_zh=name_zh,
                                 description=description)
    session.commit()
    return category


def update_category(session: Session, actor: User, category_id: int, *, changes: dict,
                    expected_versions: list[int] | None = None) -> EquipmentCategory:
    require_vocabulary_keeper(actor)
    category = get_category(session, category_id)
    check_version(category, expected_versions)
    _check_category_unique(session, changes, category.id)
    for key, value in changes.items():
        setattr(category, key, value)
    session.commit()
    return category


def delete_category(session: Session, actor: User, category_id: int,
                    expected_versions: list[int] | None = None) -> None:
    """Remove a category no equipment or qualification uses (else 409 still_referenced)."""
    require_vocabulary_keeper(actor)
    category = get_category(session, category_id)
    check_version(category, expected_versions)
    session.delete(category)
    session.commit()


def existing_category(session: Session, category_id: int) -> EquipmentCategory:
    category = session.get(EquipmentCategory, category_id)
    if category is None:
        raise Invalid("No such category.", errors={"category_id": ["Does not exist."]})
    return category
