"""The data plan: a zero budget is the baseline model for every strategy, the budget buys
what it says, label errors follow the reviewers' arithmetic, confident learning flags rows
as a slow loop of its rule does, and the plan is the same whatever the number of workers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from simulations import default_scenario
from simulations.experiments.data_plan import (
    PLAN_COLUMNS,
    STRATEGIES,
    DataPlan,
    baseline_world,
    confident_flags,
    plan_world,
    run_plan,
    verdict,
)
from simulations.scenario import ScenarioError


def tiny(accuracy=0.8, hard=0.0, domain="fraud", events=1000, base_rate=0.05):
    return default_scenario(domain).with_changes(
        population={"events_per_week": events, "reference_weeks": 2, "base_rate": base_rate},
        review={"reviewer_accuracy": accuracy, "hard_cases": hard})


def _fields(budgets):
    return {"strategies": STRATEGIES, "budgets": tuple(float(b) for b in budgets)}


@pytest.mark.parametrize("hard", [0.0, 0.6])
def test_a_zero_budget_is_the_baseline_model_for_every_strategy(hard):
    scenario = tiny(hard=hard)
    rows = plan_world(0, scenario, _fields([0.0, 900.0]))
    base = baseline_world(scenario)
    zero = rows[rows["budget"] == 0]
    assert list(zero["strategy"]) == list(STRATEGIES)
    for _, row in zero.iterrows():
        assert row["labels"] == 0
        for key in ("label_error", "auc", "cost_total"):
            assert row[key] == base[key], (row["strategy"], key)
    spent = rows[rows["budget"] > 0]  # and a budget does change the model
    assert (spent["cost_total"] != base["cost_total"]).any()


def test_the_budget_buys_what_it_says():
    scenario = tiny()
    cost = scenario.costs.review
    budget = 301 * cost + cost / 2  # 301 reviews and half of one
    rows = plan_world(0, scenario, _fields([budget])).set_index("strategy")
    assert rows.loc["more_labels", "labels"] == 301
    assert rows.loc["uncertainty", "labels"] == 301
    # two reviews an event, a third where they disagree: never more than bought, at most
    # two short of it (the next event would not have fitted)
    assert 299 <= rows.loc["double_labels", "labels"] <= 301
    assert 0 < rows.loc["clean", "labels"] <= 301


def test_label_errors_follow_the_reviewers_arithmetic():
    a, n = 0.8, 2000  # training rows: events a week x reference weeks
    scenario = tiny(accuracy=a)
    cost = scenario.costs.review
    m = 4000
    rows = plan_world(0, scenario, _fields([0.0, m * cost])).set_index(["strategy", "budget"])
    err = rows["label_error"]
    sd = np.sqrt(a * (1 - a) / n)
    assert abs(err[("more_labels", 0.0)] - (1 - a)) < 4 * sd
    # single labels: every label wrong with 1 - a
    assert abs(err[("more_labels", m * cost)] - (1 - a)) < 4 * np.sqrt(a * (1 - a) / (n + m))
    # double labels, a third review where they disagree: wrong with (1 - a)^2 (1 + 2a)
    bought = int(rows.loc[("double_labels", m * cost), "labels"])
    per_event = 2 + 2 * a * (1 - a)  # expected reviews an event
    events = bought / per_event
    double = (1 - a) ** 2 * (1 + 2 * a)
    expected = (n * (1 - a) + events * double) / (n + events)
    assert abs(err[("double_labels", m * cost)] - expected) < 0.02
    # cleaning the flagged rows lowers the training set's error
    assert err[("clean", m * cost)] < err[("clean", 0.0)] - 0.02


def test_perfect_reviewers_leave_no_label_error():
    rows = plan_world(0, tiny(accuracy=1.0), _fields([0.0, 600.0]))
    assert (rows["label_error"] == 0).all()


def _flags_slowly(p, label):
    """Confident learning's rule, one row at a time."""
    prob = [[1 - x, x] for x in p]
    t = []
    for j in (0, 1):
        mine = [prob[i][j] for i in range(len(p)) if label[i] == j]
        t.append(sum(mine) / len(mine))
    out = []
    for i in range(len(p)):
        confident = [j for j in (0, 1) if prob[i][j] >= t[j]]
        if not confident:
            out.append(False)
            continue
        best = max(confident, key=lambda j: prob[i][j])
        out.append(best != label[i])
    return np.array(out)


def test_confident_learning_flags_as_its_rule_says_and_finds_planted_errors():
    rng = np.random.default_rng(4)
    n = 3000
    truth = rng.random(n) < 0.3
    p = np.clip(np.where(truth, rng.beta(6, 2, n), rng.beta(2, 6, n)), 0, 1)
    wrong = rng.random(n) < 0.1
    label = np.where(wrong, ~truth, truth).astype(int)
    flagged, margin = confident_flags(p, label)
    assert (flagged == _flags_slowly(p, label)).all()
    recall = flagged[wrong].mean()
    precision = wrong[flagged].mean()
    assert recall > 0.6 and precision > 3 * wrong.mean()  # well above chance
    # ranked most confidently wrong first: the margin is the wrong class's lead
    assert np.allclose(margin, np.where(label == 1, 1 - 2 * p, 2 * p - 1))


def test_a_row_confident_of_both_classes_goes_to_the_likelier():
    rng = np.random.default_rng(5)
    n = 2000
    truth = rng.random(n) < 0.5
    p = np.where(truth, rng.beta(6, 2, n), rng.beta(2, 6, n))
    label = np.where(rng.random(n) < 0.7, ~truth, truth).astype(int)  # labels mostly wrong
    t1, t0 = p[label == 1].mean(), (1 - p[label == 0]).mean()
    both = (p >= t1) & (1 - p >= t0)
    assert both.sum() > 50  # thresholds low enough that many rows clear both
    assert (confident_flags(p, label)[0] == _flags_slowly(p, label)).all()


def test_same_seed_same_plan_whatever_the_workers():
    plan = DataPlan(tiny(events=600), budget=300.0, steps=2, worlds=3)
    one, per_one = run_plan(plan, workers=1)
    two, per_two = run_plan(plan, workers=2)
    assert list(one.columns) == list(PLAN_COLUMNS)
    pd.testing.assert_frame_equal(one, two)
    pd.testing.assert_frame_equal(per_one, per_two)
    assert len(one) == len(STRATEGIES) * 2
    # the range is the worlds' 5th-95th percentile of the cost, written out here
    got = one[(one["strategy"] == "more_labels") & (one["budget"] == 300.0)].iloc[0]
    costs = np.sort(per_one[(per_one["strategy"] == "more_labels")
                            & (per_one["budget"] == 300.0)]["cost_total"].to_numpy())
    assert got["cost_low"] == pytest.approx(costs[0] + 0.1 * (costs[1] - costs[0]))
    assert got["cost_high"] == pytest.approx(costs[1] + 0.9 * (costs[2] - costs[1]))
    assert got["cost_total"] == pytest.approx(costs[1])


@pytest.mark.parametrize("changes, message", [
    ({"budget": -1.0}, "at least 0"),
    ({"strategies": ("more_labels", "relabel")}, "unknown strategy 'relabel'"),
    ({"strategies": ()}, "unknown strategy"),
    ({"steps": 1}, "2 to 50"),
    ({"worlds": 0}, "1 to 1000"),
    ({"budget": 1e9}, "give a budget of at most"),
])
def test_an_impossible_plan_says_what_to_fix(changes, message):
    with pytest.raises(ScenarioError, match=message.replace("(", r"\(")):
        DataPlan(**{"scenario": tiny(), "budget": 100.0, **changes})


def _summary(rows):
    return pd.DataFrame(rows, columns=PLAN_COLUMNS)


def test_the_verdict_names_the_cheapest_and_whether_the_ranges_overlap():
    rows = [("more_labels", 100.0, 33, 0.2, 0.8, 500.0, 450.0, 560.0),
            ("clean", 100.0, 20, 0.1, 0.8, 520.0, 540.0, 600.0),
            ("uncertainty", 100.0, 33, 0.2, 0.8, 700.0, 650.0, 760.0),
            ("more_labels", 0.0, 0, 0.2, 0.8, 900.0, 850.0, 950.0)]
    text = verdict(_summary(rows), 90.0, "$")
    assert text.startswith("At a budget of $100, more single labels gives the cheapest")
    assert "overlaps that of the next best, cleaning the flagged rows ($520)" in text
    rows[1] = ("clean", 100.0, 20, 0.1, 0.8, 520.0, 561.0, 600.0)
    assert "stays clear of the next best, cleaning" in verdict(_summary(rows), 100.0, "$")


@pytest.mark.parametrize("domain", ["triage", "recommendation", "assistant"])
def test_every_world_plans_and_starts_from_its_baseline(domain):
    scenario = default_scenario(domain).with_changes(
        population={"events_per_week": 500, "reference_weeks": 2})
    rows = plan_world(0, scenario, _fields([0.0, 100 * scenario.costs.review]))
    base = baseline_world(scenario)
    zero = rows[rows["budget"] == 0]
    assert (zero["cost_total"] == base["cost_total"]).all()
    assert np.isfinite(rows["auc"]).all() and np.isfinite(rows["cost_total"]).all()
    if domain == "recommendation":  # an exploration slot observes the outcome: no judge errs
        assert (rows["label_error"] == 0).all()
    else:
        assert (rows["label_error"] > 0).all()
