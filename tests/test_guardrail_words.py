"""The guardrails' words, limits and percent parsing, exactly as the page and the CLI show them.

Written against the mutation benchmark's survivors in simulations/policy/guardrails.py: each
assertion pins a behaviour a user reads (the exact label, the exact limit, where a typed
percent is refused or read as a share).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from simulations.policy.guardrails import (
    Guardrails,
    check,
    exact_percent,
    label,
    limit,
    parse_percent,
)


@pytest.mark.parametrize(("name", "words"), [
    ("min_precision", "precision"), ("precision", "precision"),
    ("min_recall", "recall"), ("recall", "recall"),
    ("min_pass_rate", "'approve' rate"), ("pass_rate", "'approve' rate"),
    ("max_review_per_week", "review demand"), ("review_demand", "review demand")])
def test_each_guardrail_is_named_in_the_users_words(name, words):
    assert label(name, "'approve' rate") == words


def test_limits_read_as_a_ceiling_a_week_or_an_exact_floor():
    assert limit("max_review_per_week", 350) == "≤ 350 a week"
    assert limit("review_demand", 1234.5) == "≤ 1,234.5 a week"
    assert limit("min_precision", 0.993) == "≥ 99.3%"
    assert limit("recall", 0.35) == "≥ 35%"


@pytest.mark.parametrize(("share", "text"), [(0.35, "35%"), (0.5, "50%"), (0.993, "99.3%"),
                                             (0.9925, "99.25%"), (1.0, "100%"), (0.0, "0%")])
def test_exact_percent_keeps_every_decimal_and_no_trailing_zero(share, text):
    assert exact_percent(share) == text


@pytest.mark.parametrize(("typed", "share", "noted"), [
    ("99,3", 0.993, False),   # a decimal comma
    ("100", 1.0, False),      # the top of the range is allowed
    ("0", 0.0, False),        # and so is the bottom
    ("1.0", 1.0, True),       # at most 1 with a decimal point: a share, said so
    ("1.5", 0.015, False),    # above 1: a percent
    ("12.3456789012345", 0.123456789012, False),  # twelve decimals of a share
])
def test_a_typed_percent_is_read_as_the_user_meant(typed, share, noted):
    value, note = parse_percent(typed, "Recall floor")
    assert value == share
    assert bool(note) is noted


@pytest.mark.parametrize("typed", ["100.5", "-1", "101"])
def test_a_percent_outside_0_to_100_is_refused_with_the_exact_message(typed):
    with pytest.raises(ValueError) as err:
        parse_percent(typed, "Recall floor")
    assert str(err.value) == (f"Recall floor: {typed!r} is not a percent between 0 and 100; "
                              "type 99 or 99.3%.")


def test_a_word_is_refused_with_the_exact_message():
    with pytest.raises(ValueError) as err:
        parse_percent("high", "Recall floor")
    assert str(err.value) == ("Recall floor: 'high' is not a number; type a percent such as 99 "
                              "or 99.3%.")


def test_an_undefined_ratio_never_meets_a_floor_however_low():
    weekly = pd.DataFrame({"week": [1, 2], "events": [10, 10], "positives": [2, 2],
                           "tp": [0, 1], "fp": [0, 0], "tn": [8, 8], "fn": [2, 1],
                           "flagged": [0, 1], "passed": [10, 9], "review_demand": [0, 0],
                           "reviewed": [0, 0], "review_overflow": [0, 0],
                           "precision": [np.nan, 1.0], "recall": [0.0, 0.5],
                           "pass_rate": [1.0, 0.9], "cost_total": [0.0, 0.0]})
    _, by_week = check(weekly, Guardrails(min_precision=-1.5))  # below any stand-in value
    assert by_week["precision"].tolist() == [False, True]


def test_without_a_domain_word_the_pass_rate_is_called_pass_rate():
    assert label("min_pass_rate") == "pass rate" and label("pass_rate") == "pass rate"


def test_items_lists_only_the_guardrails_set_in_the_checks_column_names():
    g = Guardrails(min_recall=0.5, max_review_per_week=10)
    assert g.items() == [("recall", 0.5), ("review_demand", 10)]
    assert Guardrails().items() == []
