"""The calendar is a floor of its own: it imports no domain package, it alone renders local
time in SQL, and each status set is defined there once with the members its reason names."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from service.calendar import statuses

SERVICE = Path(__file__).resolve().parents[2] / "service"
CALENDAR = SERVICE / "calendar"
# SQL's zone conversions, written as text or through SQLAlchemy's func.
ZONE_SQL = re.compile(r"AT\s+TIME\s+ZONE|func\s*\.\s*timezone\b|[\"'(\s]timezone\s*\(", re.I)
# Python's own conversions (astimezone, ZoneInfo) are wall-clock arithmetic in Python, which
# the calendar's Python modules hold too; the names below only read a zone's name.
ZONE_PYTHON_ALLOWED = re.compile(r"is_valid_timezone|_check_timezone|InvalidTimezone")


def _modules(root: Path):
    return sorted(path for path in root.rglob("*.py"))


def test_no_module_outside_the_calendar_renders_local_time_in_sql():
    offenders = []
    for path in _modules(SERVICE):
        if CALENDAR in path.parents:
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if ZONE_SQL.search(ZONE_PYTHON_ALLOWED.sub("", line)):
                offenders.append(f"{path.relative_to(SERVICE.parent)}:{number}: {line.strip()}")
    assert offenders == []


def test_the_check_sees_each_way_of_writing_a_zone_conversion():
    for line in ("x AT TIME ZONE tz", "func.timezone(tz, x)", "SELECT timezone('UTC', x)",
                 "lower(s) at  time zone c.tz"):
        assert ZONE_SQL.search(line), line
    assert not ZONE_SQL.search("instant.astimezone(zone)")


def test_the_calendar_imports_no_domain_package():
    domain = {path.name for path in SERVICE.iterdir()
              if path.is_dir() and (path / "__init__.py").exists()} - {"calendar"}
    for path in _modules(CALENDAR):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                target = (node.module or "").split(".")
                named = target[0] if node.level >= 2 else (
                    target[1] if node.level == 0 and target[0] == "service" else None)
                assert named not in domain, f"{path.name} imports {node.module}"
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    parts = alias.name.split(".")
                    assert not (parts[0] == "service" and len(parts) > 1
                                and parts[1] in domain), f"{path.name} imports {alias.name}"


def test_each_status_set_holds_what_its_reason_says():
    assert statuses.ACTIVE == ("pending", "confirmed", "checked_in")
    assert statuses.BLOCKING == (*statuses.ACTIVE, "completed")
    assert statuses.BOOKED == ("confirmed", "checked_in", "completed", "no_show")
    assert statuses.COUNTED_AGAINST_BUDGET == (*statuses.ACTIVE, "completed", "no_show")
    assert statuses.COUNTED_AGAINST_QUOTA == (*statuses.ACTIVE, "completed")
    assert statuses.USED == ("checked_in", "completed")
    assert statuses.NOT_UNDER_WAY == ("pending", "confirmed")
    assert statuses.OFFERED == ("approved", "withdrawn", "expired")
    # Used time is booked time; what is booked or may be holds the item.
    assert set(statuses.USED) <= set(statuses.BOOKED)
    assert set(statuses.NOT_UNDER_WAY) <= set(statuses.ACTIVE) <= set(statuses.BLOCKING)


def test_no_status_set_is_written_out_again_outside_the_calendar():
    sets = {name: value for name, value in vars(statuses).items()
            if name.isupper() and isinstance(value, tuple) and len(value) > 1}
    offenders = []
    for path in _modules(SERVICE):
        if CALENDAR in path.parents:
            continue
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Tuple | ast.List) and len(node.elts) > 1 and all(
                    isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts):
                members = tuple(e.value for e in node.elts)
                for name, value in sets.items():
                    if set(members) == set(value):
                        offenders.append(f"{path.relative_to(SERVICE.parent)}:{node.lineno}"
                                         f" writes out statuses.{name}")
    assert offenders == []
