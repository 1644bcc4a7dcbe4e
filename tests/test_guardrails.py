"""Guardrails: which floors and ceilings a policy meets, over the horizon and week by week,
worked out by hand on a small weekly table; an undefined ratio meets no floor."""

from __future__ import annotations

import pandas as pd
import pytest

from simulations.policy.guardrails import Guardrails, check

# three weeks; week 3 flags nothing (precision undefined there)
WEEKLY = pd.DataFrame({
    "week": [1, 2, 3],
    "events": [100, 100, 100],
    "positives": [10, 10, 10],
    "flagged": [10, 20, 0],
    "passed": [90, 80, 100],
    "review_demand": [30, 50, 10],
    "reviewed": [30, 40, 10],
    "review_overflow": [0, 10, 0],
    "tp": [8, 9, 0],
    "fp": [2, 11, 0],
    "tn": [88, 79, 90],
    "fn": [2, 1, 10],
    "cost_fn": [0.0, 0.0, 0.0], "cost_fp": [0.0, 0.0, 0.0], "cost_review": [0.0, 0.0, 0.0],
    "cost_total": [0.0, 0.0, 0.0],
})
WEEKLY["precision"] = [0.8, 0.45, float("nan")]
WEEKLY["recall"] = [0.8, 0.9, 0.0]
WEEKLY["pass_rate"] = [0.9, 0.8, 1.0]
# horizon: tp 17, flagged 30 -> precision 17/30 = 0.5667; recall 17/30 = 0.5667;
# pass rate 270/300 = 0.9; review demand (30 + 50 + 10) / 3 = 30 a week


def test_no_guardrail_is_met_trivially_and_says_nothing():
    met, by_week = check(WEEKLY, Guardrails())
    assert met == {}
    assert list(by_week.columns) == ["week"] and by_week["week"].tolist() == [1, 2, 3]
    assert Guardrails().describe() == []


@pytest.mark.parametrize(("g", "horizon", "weekly"), [
    (Guardrails(min_precision=0.5), True, [True, False, False]),  # NaN meets no floor
    (Guardrails(min_precision=17 / 30), True, [True, False, False]),  # exactly at the floor
    (Guardrails(min_precision=0.6), False, [True, False, False]),
    (Guardrails(min_precision=0.0), True, [True, True, False]),
    (Guardrails(min_recall=17 / 30), True, [True, True, False]),
    (Guardrails(min_recall=0.85), False, [False, True, False]),
    (Guardrails(min_recall=0.0), True, [True, True, True]),
    (Guardrails(min_pass_rate=0.9), True, [True, False, True]),
    (Guardrails(min_pass_rate=0.95), False, [False, False, True]),
    (Guardrails(max_review_per_week=30), True, [True, False, True]),  # exactly at the ceiling
    (Guardrails(max_review_per_week=29.9), False, [False, False, True]),
    (Guardrails(max_review_per_week=50), True, [True, True, True]),
])
def test_each_guardrail_over_the_horizon_and_by_week(g, horizon, weekly):
    met, by_week = check(WEEKLY, g)
    (name,) = met
    assert met[name] is horizon
    assert by_week[name].tolist() == weekly
    assert list(by_week.columns) == ["week", name]


def test_several_guardrails_are_checked_each_on_its_own():
    g = Guardrails(min_precision=0.5, min_recall=0.6, min_pass_rate=0.85, max_review_per_week=40)
    met, by_week = check(WEEKLY, g)
    assert met == {"precision": True, "recall": False, "pass_rate": True, "review_demand": True}
    assert list(by_week.columns) == ["week", "precision", "recall", "pass_rate", "review_demand"]
    assert by_week["review_demand"].tolist() == [True, False, True]


def test_an_undefined_horizon_ratio_meets_no_floor():
    nothing = WEEKLY.assign(flagged=0, tp=0, fp=0, passed=100, precision=float("nan"))
    met, _ = check(nothing, Guardrails(min_precision=0.0))
    assert met == {"precision": False}
    no_positives = WEEKLY.assign(positives=0, tp=0, recall=float("nan"))
    met, by_week = check(no_positives, Guardrails(min_recall=0.0))
    assert met == {"recall": False} and not by_week["recall"].any()
    empty = WEEKLY.assign(events=0, passed=0, pass_rate=float("nan"))
    met, _ = check(empty, Guardrails(min_pass_rate=0.0))
    assert met == {"pass_rate": False}


def test_describe_reads_like_the_page():
    g = Guardrails(min_precision=0.88, min_recall=0.955, min_pass_rate=0.995,
                   max_review_per_week=1234.4)
    # exact, as set: a 95.5% floor must not read as 96% (nor 99.5% as 100%)
    assert g.describe() == ["precision ≥ 88%", "recall ≥ 95.5%", "pass rate ≥ 99.5%",
                            "review demand ≤ 1,234.4 a week"]
    assert Guardrails(max_review_per_week=0).describe() == ["review demand ≤ 0 a week"]
