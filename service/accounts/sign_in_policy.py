"""Whether an organisation's people may sign in with a password. The sign-on package, which
sits above accounts, answers it: the app factory installs its answer (without it, they may)."""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app
from sqlalchemy.orm import Session

from ..errors import Forbidden
from ..i18n import gettext

# app.extensions[ANSWER](session, organisation_id) -> bool
ANSWER = "benchshare.password_sign_in_allowed"
Answer = Callable[[Session, int], bool]


def check_password_sign_in(session: Session, organisation_id: int) -> None:
    """Refuse a password where the organisation signs its people on with its own accounts."""
    answer: Answer | None = current_app.extensions.get(ANSWER)
    if answer is not None and not answer(session, organisation_id):
        raise Forbidden(gettext("Your organisation signs you in with its own accounts: use "
                                "its sign-on button."), code="password_sign_in_disabled")
