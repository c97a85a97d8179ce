"""What a CSV looks like to a spreadsheet: one number format per column, headers in Chinese for
every column any endpoint writes."""

from __future__ import annotations

from decimal import Decimal

import pytest

from service.csv_export import CHINESE, _cell, decimals_of
from service.impact.csv_export import CONTRIBUTION_COLUMNS, IMPACT_COLUMNS
from service.practice.routes import COLUMNS as PRACTICE_COLUMNS
from service.reports.routes import COLUMNS as UTILISATION_COLUMNS
from service.reports.routes import HEATMAP_COLUMNS, PARTNER_COLUMNS

EVERY_CSV = (UTILISATION_COLUMNS, HEATMAP_COLUMNS, *PRACTICE_COLUMNS.values(), IMPACT_COLUMNS,
             CONTRIBUTION_COLUMNS, PARTNER_COLUMNS)


@pytest.mark.parametrize("columns", EVERY_CSV)
def test_every_column_of_every_csv_has_a_chinese_header(columns):
    assert [c for c in columns if c not in CHINESE] == []


@pytest.mark.parametrize("value", [0, 0.0, Decimal("0"), Decimal("0.00"), 2, 2.5, Decimal("2.5")])
def test_hours_and_money_always_have_two_decimals(value):
    assert decimals_of("hours_booked") == decimals_of("valued_hours_used") == 2
    assert _cell(value, 2) == f"{float(value):.2f}"


def test_ratios_have_four_decimals_and_counts_and_missing_values_stay_as_they_are():
    assert decimals_of("utilisation") == decimals_of("usage") == 4
    assert _cell(0.2, 4) == "0.2000"
    assert decimals_of("no_shows") is None and _cell(3, None) == "3"
    assert _cell(None, 2) == "" and _cell(True, None) == "True"


def test_a_name_that_reads_as_a_formula_is_defused():
    assert _cell("=SUM(A1)", None) == "'=SUM(A1)"
