"""Answers as CSV, for every package that offers them: a header line, a line a row, a file name.

Written for spreadsheets first: UTF-8 with a byte-order mark (without it Excel on a Chinese
Windows reads the file in the local code page and shows Chinese names as mojibake; `?bom=false`
leaves it out for programs), one number format per column (hours and money always with two
decimals, ratios with four), and the header line in the reader's language (Accept-Language:
Simplified Chinese for `zh`, `zh-CN`, `zh-Hans`, `zh-SG`; English otherwise, as the JSON
members are named).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

import marshmallow as ma
from flask import Response, request

from .http import BaseSchema

CSV = "text/csv"
BOM = "\ufeff"
# A spreadsheet runs a cell that starts like a formula; names are free text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Columns of shares (0..1, or above 1 when overbooked): four decimals, as the JSON rounds them.
RATIOS = ("utilisation", "usage", "occupancy")
# The header of each column any CSV writes, in Simplified Chinese (tests/unit/test_csv_export.py
# holds every CSV's columns to this list).
CHINESE = {
    "period_start": "期间开始", "group_by": "分组方式", "group_id": "分组编号",
    "group_name": "分组名称", "available_hours": "可用小时", "booked_hours": "预约小时",
    "used_hours": "使用小时", "utilisation": "预约率", "usage": "使用率", "no_shows": "爽约次数",
    "cancellations": "取消次数", "late_cancellations": "迟取消次数", "lapses": "逾期未审次数",
    "stored": "已存档", "weekday": "星期", "hour": "小时",
    "open_hours": "开放小时", "occupancy": "占用率", "student_id": "学生编号",
    "student_name": "学生姓名", "category": "设备类别", "hours": "小时", "sessions": "次数",
    "from": "起始日", "to": "截止日", "offer_id": "开放协议编号", "offer_status": "开放协议状态",
    "school_id": "学校编号", "school_name": "学校名称", "equipment_id": "设备编号",
    "equipment_name": "设备名称", "timezone": "时区", "value_per_hour": "每小时价值",
    "hours_offered": "开放小时", "hours_booked": "预约小时", "hours_used": "使用小时",
    "students_trained": "受训学生数", "outcomes_received": "收到的成果数",
    "top_skills": "主要技能", "valued_hours_booked": "预约小时价值",
    "valued_hours_used": "使用小时价值", "month": "月份", "status": "状态",
    "confirmed_by_name": "确认人", "confirmed_at": "确认时间", "offered_hours": "开放小时",
    "enterprise_id": "企业编号", "students": "学生数",
}
# Traditional Chinese readers get English: the Simplified headers are not theirs.
_TRADITIONAL = ("tw", "hk", "mo", "hant")


class CsvArgsSchema(BaseSchema):
    """The query parameter every endpoint that answers CSV takes (JSON answers ignore it)."""

    bom = ma.fields.Boolean(truthy={"true"}, falsy={"false"}, load_default=True, metadata={
        "description": "CSV only: start the file with a UTF-8 byte-order mark (the default, "
                       "for spreadsheets); `false` for programs. Anything but true or false "
                       "is a 422. The CSV's header line follows Accept-Language: Simplified "
                       "Chinese for zh, zh-CN, zh-Hans, zh-SG, else English (the JSON names)."})


def wants_csv() -> bool:
    """Whether the client prefers CSV to JSON (JSON when it does not say)."""
    return request.accept_mimetypes.best_match(["application/json", CSV]) == CSV


def header_language() -> str:
    """'zh-Hans' when the reader's first language we can write is Simplified Chinese, else
    'en' (the languages in the order of Accept-Language's qualities)."""
    for tag, quality in request.accept_languages:
        parts = tag.lower().replace("_", "-").split("-")
        if quality <= 0:
            continue
        if parts[0] == "zh":
            return "en" if any(p in _TRADITIONAL for p in parts[1:]) else "zh-Hans"
        if parts[0] == "en":
            return "en"
    return "en"


def decimals_of(column: str) -> int | None:
    """How many decimals a column's numbers get: 2 for hours and money, 4 for ratios."""
    if column in RATIOS:
        return 4
    if "hours" in column or column == "value_per_hour":
        return 2
    return None


def _cell(value, decimals: int | None) -> str:
    if value is None:
        return ""
    if decimals is not None and isinstance(value, int | float | Decimal) \
            and not isinstance(value, bool):
        return f"{value:.{decimals}f}"
    text = str(value)
    if isinstance(value, str) and text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def csv_response(columns: Sequence[str], rows: Iterable[Sequence], filename: str, *,
                 bom: bool = True) -> Response:
    """The rows under a header line in the reader's language, each number in its column's
    format; a byte-order mark first unless `bom` is false."""
    language = header_language()
    buffer = io.StringIO()
    if bom:
        buffer.write(BOM)
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([CHINESE.get(c, c) for c in columns] if language == "zh-Hans" else columns)
    decimals = [decimals_of(c) for c in columns]
    writer.writerows([_cell(v, d) for v, d in zip(row, decimals, strict=True)] for row in rows)
    return Response(buffer.getvalue(), mimetype=CSV, headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Content-Language": language, "Vary": "Accept, Accept-Language"})
