"""Pure rules of an import: the columns a sheet may have (English or Chinese headers), how a
cell's text reads as a value, and the report's shape."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..http import unstorable_text
from ..i18n import gettext
from .errors import MissingColumns

# column -> the headers that name it (compared folded: case, spaces, "-" and "_" ignored)
PEOPLE_COLUMNS = {
    "email": ("email", "e-mail", "mail", "邮箱", "电子邮箱", "电子邮件"),
    "full_name": ("full_name", "name", "姓名"),
    "role": ("role", "角色"),
    "class": ("class", "班级"),
    "student_number": ("student_number", "学号"),
    "language": ("language", "语言"),
}
PEOPLE_REQUIRED = ("email", "full_name", "role")

RULE_COLUMNS = ("slot_minutes", "min_duration_minutes", "max_duration_minutes",
                "setup_buffer_minutes", "booking_horizon_days", "max_attendees")
FLAG_COLUMNS = ("requires_approval", "requires_qualification")
EQUIPMENT_COLUMNS = {
    "name": ("name", "名称", "设备名称"),
    "asset_tag": ("asset_tag", "资产编号", "资产标签"),
    "category": ("category", "类别", "设备类别"),
    "base": ("base", "基地", "实训基地"),
    "status": ("status", "状态"),
    "description": ("description", "说明", "描述"),
    "slot_minutes": ("slot_minutes", "时段分钟"),
    "min_duration_minutes": ("min_duration_minutes", "最短分钟"),
    "max_duration_minutes": ("max_duration_minutes", "最长分钟"),
    "setup_buffer_minutes": ("setup_buffer_minutes", "准备分钟"),
    "booking_horizon_days": ("booking_horizon_days", "可提前预约天数"),
    "requires_approval": ("requires_approval", "需要审批"),
    "requires_qualification": ("requires_qualification", "需要资格"),
    "max_attendees": ("max_attendees", "最多人数"),
}
EQUIPMENT_REQUIRED = ("name", "asset_tag", "category", "base")
# The ranges of POST /equipment's booking rules (catalogue.schemas.BookingRulesMixin).
RULE_RANGES = {"slot_minutes": (5, 1440), "min_duration_minutes": (5, 10080),
               "max_duration_minutes": (5, 10080), "setup_buffer_minutes": (0, 1440),
               "booking_horizon_days": (1, 730), "max_attendees": (1, 500)}

ROLE_WORDS = {"student": "student", "学生": "student", "instructor": "instructor",
              "teacher": "instructor", "教师": "instructor", "老师": "instructor",
              "admin": "admin", "管理员": "admin", "enterprise_staff": "enterprise_staff",
              "staff": "enterprise_staff", "员工": "enterprise_staff"}
LANGUAGE_WORDS = {"en": "en", "english": "en", "英文": "en", "英语": "en",
                  "zh-hans": "zh-Hans", "zh": "zh-Hans", "zh-cn": "zh-Hans", "中文": "zh-Hans",
                  "简体中文": "zh-Hans", "chinese": "zh-Hans"}
FLAG_WORDS = {"true": True, "yes": True, "1": True, "是": True, "y": True,
              "false": False, "no": False, "0": False, "否": False, "n": False}
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
ASSET_TAG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$")
CLASS_SEPARATOR = re.compile(r"[;；]")


def _fold(header: str) -> str:
    return re.sub(r"[\s_\-]", "", header.strip().lstrip("\ufeff").lower())


def column_positions(header: list[str], columns: dict[str, tuple[str, ...]],
                     required: tuple[str, ...]) -> dict[str, int]:
    """Where each known column is in the header row; 422 missing_columns when a required one
    is not there (unknown columns are ignored: a school's sheet has more)."""
    names = {_fold(alias): column for column, aliases in columns.items() for alias in aliases}
    positions: dict[str, int] = {}
    for index, text in enumerate(header):
        column = names.get(_fold(text or ""))
        if column and column not in positions:
            positions[column] = index
    missing = [column for column in required if column not in positions]
    if missing:
        raise MissingColumns(
            gettext("The header row lacks: %(columns)s.", columns=", ".join(missing)),
            errors={"file": [gettext("Missing columns: %(columns)s.",
                                     columns=", ".join(missing))]}, missing=missing)
    return positions


def cells_of(cells: list[str], positions: dict[str, int]) -> dict[str, str]:
    """A row's cells by column, trimmed ('' where the row is short)."""
    return {column: (cells[index].strip() if index < len(cells) else "")
            for column, index in positions.items()}


@dataclass
class Report:
    """What an import found and did (ImportReportSchema)."""

    kind: str
    organisation_id: int
    format: str
    encoding: str | None
    rows: int = 0
    committed: bool = False
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    disabled: int = 0
    problems: list[dict] = field(default_factory=list)
    changes: list[dict] = field(default_factory=list)
    missing: list[dict] = field(default_factory=list)

    def problem(self, row: int, column: str, code: str, message: str) -> None:
        self.problems.append({"row": row, "column": column, "code": code, "message": message})

    def change(self, row: int, action: str, key: str, fields: list[str]) -> None:
        self.changes.append({"row": row, "action": action, "key": key, "fields": fields})
        if action == "create":
            self.created += 1
        elif action == "update":
            self.updated += 1
        else:
            self.unchanged += 1

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def text_problem(value: str, most: int) -> tuple[str, str] | None:
    """(code, message) when a cell's text cannot be stored or is longer than `most`."""
    if unstorable_text(value) or any(ord(c) < 32 and c not in "\t\n" for c in value):
        return "invalid_text", gettext("Holds characters that cannot be stored.")
    if len(value) > most:
        return "too_long", gettext("At most %(most)s characters.", most=most)
    return None


def required_problem() -> tuple[str, str]:
    return "required", gettext("Required.")


def read_int(value: str, low: int, high: int) -> tuple[int | None, tuple[str, str] | None]:
    try:
        number = int(float(value)) if re.fullmatch(r"\d+(\.0+)?", value) else None
    except ValueError:
        number = None
    if number is None:
        return None, ("not_a_number", gettext("A whole number."))
    if not low <= number <= high:
        return None, ("out_of_range", gettext("Between %(low)s and %(high)s.", low=low,
                                              high=high))
    return number, None


def read_flag(value: str) -> tuple[bool | None, tuple[str, str] | None]:
    flag = FLAG_WORDS.get(value.lower())
    if flag is None:
        return None, ("not_a_flag", gettext("Yes or no (true/false)."))
    return flag, None


def class_names(value: str) -> list[str]:
    """The classes a cell names ("CNC 2026 A; Welding club"), each once whatever its case."""
    seen, names = set(), []
    for name in (part.strip() for part in CLASS_SEPARATOR.split(value)):
        if name and name.lower() not in seen:
            seen.add(name.lower())
            names.append(name)
    return names
