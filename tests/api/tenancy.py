"""The tenancy matrices' vocabulary: the actors, the answer expected of each, the usual refusals."""

from __future__ import annotations

ACTORS = ("anonymous", "student", "instructor", "admin", "other_student", "other_admin",
          "enterprise_staff", "manager", "other_staff", "other_manager", "operator")


def expect(default, **per_role):
    """Expected (status, code) per actor: `default` for the signed-in ones not named."""
    table = {role: default for role in ACTORS}
    table["anonymous"] = (401, "not_authenticated")
    table.update({role: (v, None) if isinstance(v, int) else v for role, v in per_role.items()})
    return {role: (v, None) if isinstance(v, int) else v for role, v in table.items()}


ROLE = (403, "role_not_allowed")
NOT_ORG = (403, "not_your_organisation")
NOT_BASE = (403, "not_your_base")
NOT_ITEM = (403, "not_your_equipment")
HIDDEN = (404, "not_found")
MEMBER = {"school": ("student", "instructor", "admin"),
          "other_school": ("other_student", "other_admin"),
          "enterprise": ("enterprise_staff", "manager"),
          "other_enterprise": ("other_staff", "other_manager")}
