"""How the audit history writes values down: JSON-safe, and never a secret."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal

from service.audit import rules


def test_instants_days_times_and_amounts_become_text():
    assert rules.plain(datetime(2027, 3, 28, 1, 30, tzinfo=UTC)) == "2027-03-28T01:30:00+00:00"
    assert rules.plain(date(2027, 3, 28)) == "2027-03-28"
    assert rules.plain(time(9, 30)) == "09:30:00"
    assert rules.plain(Decimal("12.50")) == "12.50"
    assert rules.plain([1, 3, 5]) == [1, 3, 5]
    assert rules.plain(True) is True and rules.plain(None) is None


def test_hashes_are_masked_but_a_missing_one_stays_null():
    assert rules.change("password_hash", "$argon2id$old", "$argon2id$new") == ["***", "***"]
    assert rules.change("token_hash", None, "abc") == [None, "***"]
    assert rules.change("name", "Lathe", "Big lathe") == ["Lathe", "Big lathe"]


def test_a_creation_lists_the_given_values_without_bookkeeping():
    assert rules.creation({"id": 7, "version": 1, "created_at": datetime.now(UTC),
                           "updated_at": datetime.now(UTC), "name": "Lathe",
                           "description": "", "expires_at": None}) == {
        "name": [None, "Lathe"], "description": [None, ""]}


def test_a_deletion_lists_what_the_row_held():
    assert rules.deletion({"id": 7, "reason": "Works", "starts_on": date(2027, 5, 1),
                           "password_hash": "x"}) == {
        "reason": ["Works", None], "starts_on": ["2027-05-01", None],
        "password_hash": ["***", None]}


def test_a_close_at_the_end_of_the_day_is_recorded_as_24_00():
    assert rules.change("closes", time(18), time(0)) == ["18:00:00", "24:00:00"]
    assert rules.change("opens", time(0), time(8)) == ["00:00:00", "08:00:00"]
