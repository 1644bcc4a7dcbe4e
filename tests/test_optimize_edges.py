"""The optimizer at its edges: the thresholds it offers, what it refuses and says, its defaults,
the frontier's span of budgets, undefined ratios, guardrails met exactly, and the fallback when
its search gives up. References: events decided one by one (``tests.test_optimize``), or the
documented rule written out."""

from __future__ import annotations

import re

import numpy as np
import pytest

from simulations.policy import optimize
from simulations.policy.guardrails import Guardrails
from simulations.policy.optimize import (
    Blocker,
    PolicyGrid,
    frontier,
    optimize_policy,
    readable_thresholds,
)
from tests.test_optimize import _all_policies, meets, slow_policy

COLUMNS = ["review_budget", "t_low", "t_high", "cost_total", "precision", "recall",
           "pass_rate", "review_demand_per_week", "reviewed_per_week", "overflow_per_week"]


def _grid(e, capacity=None, overflow="pass", review_cost=None):
    rc = e["review_cost"] if review_cost is None else review_cost
    return PolicyGrid(e["score"], e["label"], e["fn"], e["fp"], review_cost=rc,
                      reviewer_correct=e["correct"], capacity=capacity, overflow_action=overflow,
                      week=e["week"])


def _events(seed, n, weeks=1, digits=2, review_cost=0.3):
    rng = np.random.default_rng(seed)
    label = rng.random(n) < 0.35
    score = np.round(np.clip(rng.normal(0.35 + 0.3 * label, 0.2), 0, 0.999), digits)
    return {"score": score, "label": label, "fn": rng.random(n) * 10, "fp": rng.random(n) * 3,
            "correct": rng.random(n) < 0.9, "week": np.sort(rng.integers(0, weeks, n)),
            "review_cost": review_cost}


# -- the thresholds on offer -----------------------------------------------------------------

def test_a_threshold_is_the_shortest_decimal_above_the_score_below():
    assert readable_thresholds(np.array([0.1, 0.13])).tolist() == [0.0, 0.13]
    # 0.29 * 100 rounds to 28.999...: two digits give 0.28, too low; three give 0.29 itself
    assert readable_thresholds(np.array([0.28, 0.29])).tolist() == [0.0, 0.29]
    # a first score below zero is written short too (nothing lies below it)
    assert readable_thresholds(np.array([-0.123456, 0.5])).tolist() == [-0.2, 0.5]
    assert readable_thresholds(np.array([])).tolist() == []


def test_probability_scores_get_one_as_the_threshold_that_flags_nothing():
    e = _events(1, 50)
    grid = _grid(e)
    assert grid.thresholds[0] == 0.0 and grid.thresholds[-1] == 1.0
    assert len(grid) == len(np.unique(e["score"])) + 1


def test_a_single_week_keeps_every_threshold_whatever_the_capacity():
    """Only a capacity that binds week by week thins the grid (pairs are then tried one by
    one); one week, or weeks none of which is bigger than the capacity, keep every score."""
    e = _events(2, 2000, digits=4)
    distinct = len(np.unique(e["score"]))
    assert distinct > 700
    assert len(_grid(e)) == distinct + 1
    assert len(_grid(e, capacity=40)) == distinct + 1
    e2 = _events(2, 2000, weeks=2, digits=4)
    biggest = int(np.bincount(e2["week"]).max())
    grid = _grid(e2, capacity=biggest)  # the biggest week exactly fills the capacity
    assert not grid.by_week and len(grid) == len(np.unique(e2["score"])) + 1


def test_a_thinned_grid_keeps_both_ends():
    e = _events(3, 2000, weeks=3, digits=4)
    grid = _grid(e, capacity=40)
    assert grid.by_week and len(grid) == 601
    assert grid.thresholds[0] == 0.0  # everything flagged or in the band
    assert grid.thresholds[-1] == 1.0  # nothing flagged


@pytest.mark.parametrize("kwargs, message", [
    (dict(score=[]), "no events to optimise over"),
    (dict(score=[0.2, np.nan]), "scores must be finite numbers"),
    (dict(overflow_action="review"), "overflow_action must be 'pass' or 'flag', not 'review'"),
    (dict(week=[0, 1, 1]), "week has 3 values for 2 events"),
])
def test_a_grid_that_cannot_be_built_says_why(kwargs, message):
    args = {"score": [0.2, 0.7], "label": [0, 1], "fn_cost": [1, 1], "fp_cost": [1, 1], **kwargs}
    n = len(args["score"])
    args["label"], args["fn_cost"], args["fp_cost"] = ([0] * n, [1] * n, [1] * n)
    with pytest.raises(ValueError, match="^" + re.escape(message) + "$"):
        PolicyGrid(**args)


def test_review_costs_nothing_unless_a_cost_is_given():
    e = _events(4, 30)
    grid = PolicyGrid(e["score"], e["label"], e["fn"], e["fp"], reviewer_correct=e["correct"])
    t = grid.thresholds
    i, j = 2, len(t) - 3
    again = slow_policy({**e, "review_cost": 0.0}, t[i], t[j], None, "pass")
    got = grid.summary(i, j)
    assert again["reviewed"] > 0 and got["cost_review"] == 0.0
    assert got["cost_total"] == pytest.approx(again["cost"])


# -- capacity over several weeks -------------------------------------------------------------

def test_weeks_within_capacity_review_their_whole_band_however_big_the_horizons():
    """Two weeks, neither bigger than the capacity: every band is reviewed whole, though the
    two weeks' bands together are more than one week's capacity."""
    e = _events(5, 60, weeks=2, review_cost=0.01)
    e["correct"] = np.ones(60, dtype=bool)
    capacity = int(np.bincount(e["week"]).max())
    grid = _grid(e, capacity=capacity)
    s = optimize_policy(grid, frontier_points=0)
    again = slow_policy(e, *s.policy, capacity, "pass")
    assert again["reviewed"] == again["demand"] > capacity
    assert s.metrics["cost_total"] == pytest.approx(again["cost"])
    assert min(m["cost"] for _, m in _all_policies(grid, e, capacity, "pass")) == pytest.approx(
        again["cost"])


# -- undefined ratios and guardrails met exactly ----------------------------------------------

def _flagging_is_dear(n=30):
    """Missing a positive costs 0.01, a false alarm 50, a review 5, and the riskiest event is a
    negative: flagging anything costs more than flagging nothing."""
    e = _events(6, n, review_cost=5.0)
    e["score"] = np.round(np.linspace(0.05, 0.95, n), 2)
    e["label"][-1] = False
    e["fn"], e["fp"] = np.full(n, 0.01), np.full(n, 50.0)
    return e


@pytest.mark.parametrize("floor", [0.0, -2.0])
def test_an_undefined_precision_meets_no_floor_not_even_zero_or_below(floor):
    e = _flagging_is_dear()
    grid = _grid(e)
    policies = _all_policies(grid, e, None, "pass")
    nothing = min(m["cost"] for _, m in policies if m["tp"] + m["fp"] == 0)
    g = Guardrails(min_precision=floor)
    want = min(m["cost"] for _, m in policies if meets(m, g))
    assert want > nothing  # the cheapest policy flags nothing: it is ruled out
    s = optimize_policy(grid, g, frontier_points=0)
    assert s.metrics["cost_total"] == pytest.approx(want)
    assert np.isfinite(s.metrics["precision"])


@pytest.mark.parametrize("floor", [0.0, -2.0])
def test_recall_without_positives_meets_no_floor_not_even_zero_or_below(floor):
    grid = PolicyGrid([0.1, 0.5, 0.9], [0, 0, 0], [1, 1, 1], [1, 1, 1])
    s = optimize_policy(grid, Guardrails(min_recall=floor))
    assert not s.feasible and s.guardrails == Guardrails(min_recall=floor)
    assert "no positive labels" in s.message()
    assert list(s.frontier.columns) == COLUMNS and s.frontier.empty


def test_a_precision_floor_met_exactly_is_met():
    e = _events(7, 24)
    grid = _grid(e)
    policies = _all_policies(grid, e, None, "pass")
    # a floor equal to a precision some band reaches exactly, where that band is cheaper than
    # every band above the floor
    for p in sorted({m["precision"] for _, m in policies if np.isfinite(m["precision"])},
                    reverse=True):
        at = min(m["cost"] for _, m in policies if meets(m, Guardrails(min_precision=p)))
        above = [m["cost"] for _, m in policies
                 if np.isfinite(m["precision"]) and m["precision"] > p]
        if above and at < min(above) - 1e-6:
            break
    else:
        pytest.fail("no floor that only a band meeting it exactly makes cheaper")
    s = optimize_policy(grid, Guardrails(min_precision=p), frontier_points=0)
    assert s.metrics["cost_total"] == pytest.approx(at)
    assert s.metrics["precision"] == p


# -- defaults, the frontier's budgets ----------------------------------------------------------

def _budgets(least, chosen, ceiling, capacity, per_week, points):
    top = min(max(2 * chosen, 1.5 * (ceiling or 0), 1.5 * (capacity or 0), 0.01 * per_week,
                  least), per_week)
    even = np.linspace(0.0, top, max(points, 2))
    return np.unique(np.r_[even[even >= least], least, [] if ceiling is None else [ceiling]])


def test_the_frontier_has_twelve_budgets_unless_asked_otherwise():
    e = _events(8, 60)
    grid = _grid(e)
    s = optimize_policy(grid)
    policies = _all_policies(grid, e, None, "pass")
    least = min(m["review_demand_per_week"] for _, m in policies)
    want = _budgets(least, s.metrics["review_demand_per_week"], None, None, 60, 12)
    np.testing.assert_allclose(s.frontier["review_budget"], want)
    t = list(grid.thresholds)
    chosen = (t.index(s.policy[0]), t.index(s.policy[1]))
    np.testing.assert_allclose(frontier(grid, Guardrails(), chosen)["review_budget"], want)


@pytest.mark.parametrize("points", [0, 1, 2])
def test_few_frontier_points(points):
    e = _events(9, 40)
    grid = _grid(e)
    s = optimize_policy(grid, frontier_points=points)
    assert list(s.frontier.columns) == COLUMNS
    if points == 0:
        assert s.frontier.empty
        return
    least = min(m["review_demand_per_week"] for _, m in _all_policies(grid, e, None, "pass"))
    np.testing.assert_allclose(s.frontier["review_budget"], _budgets(
        least, s.metrics["review_demand_per_week"], None, None, 40, points))


@pytest.mark.parametrize("case", ["capacity", "one percent of a week", "a week's events"])
def test_the_frontiers_budgets_span_what_the_world_makes_relevant(case):
    if case == "capacity":  # 1.5 times the capacity tops twice the chosen demand
        e, capacity, weeks = _events(10, 40, review_cost=2.0), 20, 1
    elif case == "one percent of a week":  # nothing is worth reviewing: 1% of a week's events
        e, capacity, weeks = _events(11, 400, weeks=2, review_cost=100.0), None, 2
    else:  # every event needs review: twice the chosen demand is more than a week holds
        e, capacity, weeks = _events(12, 40, weeks=2, review_cost=0.0), None, 2
        e["score"] = np.full(40, 0.5)
        e["correct"] = np.ones(40, dtype=bool)
    grid = _grid(e, capacity=capacity)
    s = optimize_policy(grid, frontier_points=5)
    least = 0.0  # no floors: a single threshold reviews nothing
    chosen = s.metrics["review_demand_per_week"]
    per_week = 40 / weeks if case != "one percent of a week" else 400 / weeks
    if case == "capacity":
        assert 2 * chosen < 1.5 * capacity < per_week
    elif case == "one percent of a week":
        assert chosen == 0
    else:
        assert 2 * chosen > per_week
    np.testing.assert_allclose(s.frontier["review_budget"],
                               _budgets(least, chosen, None, capacity, per_week, 5))


def test_the_pass_rate_word_defaults_to_pass_rate():
    assert Blocker("min_pass_rate", 0.95, 0.9).sentence() == (
        "Pass rate ≥ 95.0% cannot be met: the highest pass rate any policy reaches is 90.00%.")


# -- when the search gives up -----------------------------------------------------------------

def _only_bands_meet():
    """Scores that overlap, reviewers who are always right: no single threshold reaches 95%
    precision and 95% recall together, a review band does."""
    e = _events(13, 40)
    e["correct"] = np.ones(40, dtype=bool)
    return e, Guardrails(min_precision=0.95, min_recall=0.95)


def test_when_the_search_gives_up_the_answer_is_still_the_cheapest(monkeypatch):
    monkeypatch.setattr(optimize, "_BUDGET", 0)  # give up at once
    e, g = _only_bands_meet()
    grid = _grid(e)
    policies = _all_policies(grid, e, None, "pass")
    assert not any(meets(m, g) for (lo, hi), m in policies if lo == hi)
    want = min(m["cost"] for _, m in policies if meets(m, g))
    s = optimize_policy(grid, g, frontier_points=0)
    assert s.feasible and s.guardrails == g
    again = slow_policy(e, *s.policy, None, "pass")
    assert meets(again, g) and again["cost"] == pytest.approx(want)
    # and with a guardrail no band meets, the refusal is the same as without giving up
    g2 = Guardrails(min_precision=0.95, min_recall=0.95, max_review_per_week=1.0)
    assert not any(meets(m, g2) for _, m in policies)
    assert optimize_policy(grid, g2).blockers[0].guardrail == "min_precision"


def test_the_closest_precision_can_need_a_review_band():
    """Every score ties, so the thresholds alone flag all or nothing (30% precision); reviewers
    right on all but one negative reach 75%. A 90% floor is refused with 75% as the closest,
    which only reviewing reaches (the search for it must not stop at flagging nothing)."""
    n = 10
    e = {"score": np.full(n, 0.5), "label": np.arange(n) < 3, "fn": np.ones(n), "fp": np.ones(n),
         "correct": np.arange(n) != 3, "week": np.zeros(n, dtype=int), "review_cost": 0.1}
    grid = _grid(e)
    policies = _all_policies(grid, e, None, "pass")
    best = max(m["precision"] for _, m in policies if np.isfinite(m["precision"]))
    assert [m["demand"] for _, m in policies if m["precision"] == best] == [n]
    s = optimize_policy(grid, Guardrails(min_precision=0.9))
    (b,) = s.blockers
    assert b.guardrail == "min_precision" and b.closest == pytest.approx(best)
