"""Pure rules of outcomes: free tags' normal form, vocabulary tags, the edit window, hours."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from service.config import ConfigurationError, from_env
from service.outcomes import rules

VOCABULARY = {"welding", "cnc-turning"}


@pytest.mark.parametrize("raw, tag", [
    ("  Chip   Breaking ", "chip breaking"),
    ("JIGS\tand\nFixtures", "jigs and fixtures"),
    ("Ölwechsel", "ölwechsel"),
    ("数控", "数控"),
])
def test_free_tags_are_trimmed_collapsed_and_lower_case(raw, tag):
    assert rules.normalise_tag(raw) == tag
    assert rules.tag_problem(tag) is None


@pytest.mark.parametrize("tag", ["", "x" * 61, "bell\x07", "zero\u200bwidth"])
def test_empty_long_or_unprintable_free_tags_are_refused(tag):
    assert rules.tag_problem(rules.normalise_tag(tag))


def test_sixty_characters_is_still_a_tag():
    assert rules.tag_problem("x" * 60) is None


def test_a_free_tag_of_the_vocabulary_counts_as_that_skill_once():
    tags = rules.split_tags(["welding", "welding"], ["Welding", " CNC-turning", "jigs", "Jigs"],
                            VOCABULARY)
    assert (tags.vocabulary, tags.free, tags.count) == (
        ["welding", "cnc-turning"], ["jigs"], 3)


def test_the_edit_window_ends_exactly_after_the_set_days():
    created = datetime(2027, 3, 27, 12, tzinfo=UTC)
    deadline = created + timedelta(days=14)
    assert rules.edit_deadline(created, 14) == deadline
    assert rules.editable(created, deadline - timedelta(microseconds=1), 14)
    assert not rules.editable(created, deadline, 14)
    assert not rules.editable(created, created, 0)


def test_booked_hours_are_exact():
    start = datetime(2027, 3, 1, 9, tzinfo=UTC)
    assert rules.booked_hours(start, start + timedelta(hours=2)) == Decimal(2)
    assert rules.booked_hours(start, start + timedelta(minutes=90)) == Decimal("1.5")
    assert rules.booked_hours(start, start + timedelta(minutes=20)) < Decimal("0.34")


def test_outcome_edit_days_is_a_setting():
    assert from_env({})["OUTCOME_EDIT_DAYS"] == 14
    assert from_env({"OUTCOME_EDIT_DAYS": "30"})["OUTCOME_EDIT_DAYS"] == 30
    with pytest.raises(ConfigurationError, match="OUTCOME_EDIT_DAYS"):
        from_env({"OUTCOME_EDIT_DAYS": "-1"})
