"""Use cases of the shared skill vocabulary: operators add skill tags and name them in English
and Chinese; outcomes are tagged with them (free tags are allowed beside them)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ..accounts.models import User
from ..catalogue.errors import NameTaken
from ..catalogue.permissions import require_vocabulary_keeper
from ..errors import NotFound
from ..versioning import check_version
from .models import SkillTag
from .schemas import SKILL_TAG


def get_skill(session: Session, tag: str, *, lock: bool = False) -> SkillTag:
    # A path that cannot be a tag (a NUL byte, kilobytes of text) is not looked up: the
    # database would refuse it as an invalid value, and it names nothing that exists.
    if not SKILL_TAG.regex.match(tag):
        raise NotFound("No such skill tag.")
    skill = session.get(SkillTag, tag, with_for_update=lock)
    if skill is None:
        raise NotFound(f"No skill tag {tag!r}.")
    return skill


def create_skill(session: Session, actor: User, *, tag: str, label_en: str,
                 label_zh: str) -> SkillTag:
    """A new tag of the vocabulary (operators); 409 name_taken when the tag exists."""
    require_vocabulary_keeper(actor)
    if session.get(SkillTag, tag) is not None:
        raise NameTaken(errors={"tag": ["Already in the vocabulary."]})
    skill = SkillTag(tag=tag, label_en=label_en, label_zh=label_zh)
    session.add(skill)
    session.commit()
    return skill


def update_skill(session: Session, actor: User, tag: str, *, changes: dict,
                 expected_versions: list[int] | None = None) -> SkillTag:
    """Rename a tag in either language (operators; If-Match honoured). The tag itself, which
    outcomes store, never changes."""
    require_vocabulary_keeper(actor)
    skill = get_skill(session, tag, lock=True)
    check_version(skill, expected_versions)
    for key, value in changes.items():
        setattr(skill, key, value)
    session.commit()
    return skill
