"""The policy optimizer: exact against brute force over every cut pair, guardrails respected,
infeasible guardrails explained with the closest achievable value."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulations.policy.guardrails import Guardrails
from simulations.policy.metrics import BandTable
from simulations.policy.optimize import PolicyGrid, optimize_policy, readable_thresholds


def _grid(seed: int, n: int, capacity=None, overflow="pass", weeks=1, base_rate=None):
    rng = np.random.default_rng(seed)
    score = np.round(rng.random(n), int(rng.integers(1, 3)))  # ties on purpose
    label = rng.random(n) < (rng.random() if base_rate is None else base_rate)
    return PolicyGrid(score, label, rng.random(n) * 10, rng.random(n) * 3,
                      review_cost=float(rng.random()), reviewer_correct=rng.random(n) < 0.8,
                      capacity=capacity, overflow_action=overflow, weeks=weeks)


def _all_pairs(grid: PolicyGrid):
    i, j = np.triu_indices(len(grid))
    return i, j, grid.evaluate(i, j)


def _brute_min(grid, g, weights):
    """The slow reference: every cut pair evaluated, the best feasible value."""
    i, j, m = _all_pairs(grid)
    ok = grid.meets(m, g)
    values = sum(w * m[k] for k, w in weights.items())
    return values[ok].min() if ok.any() else None


guardrail = st.one_of(st.none(), st.floats(0.0, 1.0))
settings_ = settings(max_examples=150, deadline=None,
                     suppress_health_check=[HealthCheck.too_slow])


@settings_
@given(seed=st.integers(0, 10_000), n=st.integers(1, 35),
       capacity=st.one_of(st.none(), st.integers(0, 6)), overflow=st.sampled_from(["pass", "flag"]),
       weeks=st.integers(1, 3), precision=guardrail, recall=guardrail, pass_rate=guardrail,
       review=st.one_of(st.none(), st.integers(0, 8)))
def test_optimizer_agrees_with_brute_force(seed, n, capacity, overflow, weeks, precision, recall,
                                           pass_rate, review):
    grid = _grid(seed, n, capacity, overflow, weeks)
    g = Guardrails(precision, recall, pass_rate, None if review is None else float(review))
    expected = _brute_min(grid, g, {"cost": 1.0})
    s = optimize_policy(grid, g, frontier_points=4)
    if expected is None:
        assert not s.feasible and s.blockers and s.frontier.empty
        return
    assert s.feasible
    assert s.metrics["cost_total"] == pytest.approx(expected, rel=1e-9, abs=1e-9)
    # among the cheapest policies, the one with the least review demand
    i, j, m = _all_pairs(grid)
    cheapest = grid.meets(m, g) & (m["cost"] <= expected + 1e-9 * (1 + abs(expected)))
    assert s.metrics["review_demand_per_week"] * weeks == m["demand"][cheapest].min()
    # the reported policy, applied as thresholds, meets every guardrail
    if g.min_precision is not None:
        assert s.metrics["precision"] >= g.min_precision
    if g.min_recall is not None:
        assert s.metrics["recall"] >= g.min_recall
    if g.min_pass_rate is not None:
        assert s.metrics["pass_rate"] >= g.min_pass_rate
    if g.max_review_per_week is not None:
        assert s.metrics["review_demand_per_week"] <= g.max_review_per_week


@settings_
@given(seed=st.integers(0, 10_000), n=st.integers(1, 30),
       capacity=st.one_of(st.none(), st.integers(0, 5)), overflow=st.sampled_from(["pass", "flag"]),
       weights=st.sampled_from([{"tp": -1.0}, {"demand": 1.0}, {"tp": 1.0, "fp": 1.0},
                                {"tp": -0.4, "fp": 0.6}]),
       precision=guardrail, recall=guardrail)
def test_search_minimises_any_linear_objective(seed, n, capacity, overflow, weights, precision,
                                               recall):
    grid = _grid(seed, n, capacity, overflow)
    g = Guardrails(min_precision=precision, min_recall=recall)
    expected = _brute_min(grid, g, weights)
    pair = grid.search(weights, g)
    if expected is None:
        assert pair is None
        return
    m = grid.evaluate([pair[0]], [pair[1]])
    assert grid.meets(m, g)[0]
    assert sum(w * m[k][0] for k, w in weights.items()) == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize("capacity,overflow", [(None, "pass"), (3, "pass"), (3, "flag")])
def test_cut_pairs_agree_with_the_weekly_band_table(capacity, overflow):
    rng = np.random.default_rng(7)
    n = 60
    score, label = np.round(rng.random(n), 2), rng.random(n) < 0.3
    fn, fp, correct = rng.random(n) * 9, rng.random(n) * 2, rng.random(n) < 0.7
    grid = PolicyGrid(score, label, fn, fp, review_cost=0.5, reviewer_correct=correct,
                      capacity=capacity, overflow_action=overflow)
    table = BandTable.build(np.zeros(n), score, label, np.where(label, fn, 0),
                            np.where(label, 0, fp), correct)
    i, j, m = _all_pairs(grid)
    for k in range(0, len(i), 7):
        q = table.query(grid.thresholds[i[k]], grid.thresholds[j[k]], grid.pooled_capacity,
                        overflow, 0.5)
        assert (q["tp"][0], q["fp"][0], q["review_demand"][0], q["reviewed"][0]) == (
            m["tp"][k], m["fp"][k], m["demand"][k], m["reviewed"][k])
        assert q["cost_total"][0] == pytest.approx(m["cost"][k], abs=1e-9)


def test_thresholds_are_short_and_select_the_same_events():
    s = np.array([0.1, 0.123456, 0.1234567, 0.5, 0.99])
    t = readable_thresholds(s)
    assert t.tolist() == [0.0, 0.12, 0.1234567, 0.5, 0.9]
    for k in range(len(s)):
        assert (s >= t[k]).sum() == len(s) - k  # exactly the scores from s_k up


def test_unreachable_precision_says_how_close_any_policy_gets():
    grid = _grid(3, 40)
    i, j, m = _all_pairs(grid)
    best = np.nanmax(m["precision"])
    s = optimize_policy(grid, Guardrails(min_precision=min(best + 0.01, 1.0)))
    assert not s.feasible
    (b,) = s.blockers
    assert b.guardrail == "min_precision" and b.held == ()
    assert b.closest == pytest.approx(best)
    assert "highest precision any policy reaches" in b.sentence()


def test_conflicting_guardrails_name_the_one_that_breaks_and_its_best_value():
    grid = _grid(11, 40, base_rate=0.4)
    i, j, m = _all_pairs(grid)
    passing = m["pass_rate"] >= 0.95
    best_recall = m["recall"][passing].max()
    s = optimize_policy(grid, Guardrails(min_recall=best_recall + 0.05, min_pass_rate=0.95))
    assert not s.feasible
    (b,) = s.blockers
    assert (b.guardrail, b.held) == ("min_recall", (("min_pass_rate", 0.95),))
    assert b.closest == pytest.approx(best_recall)
    assert "any policy meeting pass rate ≥ 95.0% reaches" in s.message()


def test_frontier_buys_less_cost_with_more_review():
    grid = _grid(5, 200, capacity=20, base_rate=0.3)
    s = optimize_policy(grid, Guardrails(min_precision=0.5), frontier_points=8)
    f = s.frontier
    assert len(f) >= 3
    assert (np.diff(f["cost_total"]) <= 1e-9).all()  # a bigger budget never costs more
    assert (f["review_demand_per_week"] <= f["review_budget"] + 1e-9).all()
    assert (f["precision"] >= 0.5).all()
    assert f["cost_total"].min() == pytest.approx(s.metrics["cost_total"])


def test_recall_of_data_without_positives_is_reported_as_unmeasurable():
    grid = PolicyGrid([0.1, 0.5, 0.9], [0, 0, 0], [1, 1, 1], [1, 1, 1])
    s = optimize_policy(grid, Guardrails(min_recall=0.5))
    assert not s.feasible and "no positive labels" in s.message()
