"""The policy optimizer: exact against brute force over every cut pair, guardrails respected,
infeasible guardrails explained with the closest achievable value."""

import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulations.policy.guardrails import Guardrails
from simulations.policy.optimize import PolicyGrid, optimize_policy, readable_thresholds


def _events(seed: int, n: int, weeks: int = 1, base_rate=None):
    """``weeks`` weeks of events, each its own draw and of its own size (from n to 2n), the
    scores rounded so that they tie. A busy week can overflow the weekly capacity while a
    quiet one has reviews to spare: the reference below decides week by week, so a capacity
    pooled over the weeks would not agree with it."""
    rng = np.random.default_rng(seed)
    sizes = [n] + [int(rng.integers(n, 2 * n + 1)) for _ in range(weeks - 1)]
    total = sum(sizes)
    score = np.round(rng.random(total), int(rng.integers(1, 3)))
    label = rng.random(total) < (rng.random() if base_rate is None else base_rate)
    fn, fp, correct = rng.random(total) * 10, rng.random(total) * 3, rng.random(total) < 0.8
    return {"score": score, "label": label, "fn": fn, "fp": fp, "correct": correct,
            "week": np.repeat(np.arange(weeks), sizes), "review_cost": float(rng.random())}


def _grid(seed: int, n: int, capacity=None, overflow="pass", weeks=1, base_rate=None):
    e = _events(seed, n, weeks, base_rate)
    return PolicyGrid(e["score"], e["label"], e["fn"], e["fp"], review_cost=e["review_cost"],
                      reviewer_correct=e["correct"], capacity=capacity,
                      overflow_action=overflow, week=e["week"]), e


def slow_policy(e, t_low, t_high, capacity, overflow):
    """The reference: week by week, event by event. Below t_low pass, from t_high up flag; the
    band is served highest score first (equal scores in arrival order) up to ``capacity`` a
    week, a reviewer's verdict is right where ``correct``, the rest of the band overflows."""
    tp = fp = demand = reviewed = 0
    cost_fn = cost_fp = 0.0
    for w in np.unique(e["week"]):
        idx = [k for k in np.flatnonzero(e["week"] == w)]
        band = sorted((k for k in idx if t_low <= e["score"][k] < t_high),
                      key=lambda k: (-e["score"][k], k))
        demand += len(band)
        for k in idx:
            y = bool(e["label"][k])
            if e["score"][k] >= t_high:
                flagged = True
            elif e["score"][k] < t_low:
                flagged = False
            elif capacity is None or band.index(k) < capacity:
                reviewed += 1
                flagged = y if e["correct"][k] else not y
            else:
                flagged = overflow == "flag"
            tp += flagged and y
            fp += flagged and not y
            cost_fn += e["fn"][k] if (y and not flagged) else 0.0
            cost_fp += e["fp"][k] if (flagged and not y) else 0.0
    n, positives = len(e["score"]), int(np.sum(e["label"]))
    weeks = len(np.unique(e["week"]))
    flagged = tp + fp
    return {"tp": tp, "fp": fp, "demand": demand, "reviewed": reviewed,
            "cost": cost_fn + cost_fp + reviewed * e["review_cost"],
            "precision": tp / flagged if flagged else float("nan"),
            "recall": tp / positives if positives else float("nan"),
            "pass_rate": (n - flagged) / n, "review_demand_per_week": demand / weeks}


def meets(m, g: Guardrails) -> bool:
    """Every guardrail, written out; an undefined ratio meets no floor."""
    def floor(value, limit):
        return limit is None or (np.isfinite(value) and value >= limit)
    return (floor(m["precision"], g.min_precision) and floor(m["recall"], g.min_recall)
            and floor(m["pass_rate"], g.min_pass_rate)
            and (g.max_review_per_week is None
                 or m["review_demand_per_week"] <= g.max_review_per_week))


def _all_policies(grid, e, capacity, overflow):
    t = grid.thresholds
    return [((t[i], t[j]), slow_policy(e, t[i], t[j], capacity, overflow))
            for i in range(len(t)) for j in range(i, len(t))]


def _brute_min(policies, g, weights):
    """The slow reference: every band on the grid decided event by event, the best feasible
    value of sum(weight * metric)."""
    values = [sum(w * m[k] for k, w in weights.items()) for _, m in policies if meets(m, g)]
    return min(values) if values else None


guardrail = st.one_of(st.none(), st.floats(0.0, 1.0))
# benchmarks/mutation_bench.py runs these once per mutant: it asks for fewer examples, drawn
# the same way every time (derandomized), so its counts repeat from one run to the next
MUTATION_EXAMPLES = os.environ.get("TRADEOFF_MUTATION_EXAMPLES")
settings_ = settings(max_examples=int(MUTATION_EXAMPLES or 150), deadline=None,
                     derandomize=MUTATION_EXAMPLES is not None,
                     suppress_health_check=[HealthCheck.too_slow])


@settings_
@given(seed=st.integers(0, 10_000), n=st.integers(1, 12),
       capacity=st.one_of(st.none(), st.integers(0, 4)), overflow=st.sampled_from(["pass", "flag"]),
       weeks=st.integers(1, 3), precision=guardrail, recall=guardrail, pass_rate=guardrail,
       review=st.one_of(st.none(), st.integers(0, 6)))
def test_optimizer_agrees_with_brute_force(seed, n, capacity, overflow, weeks, precision, recall,
                                           pass_rate, review):
    grid, e = _grid(seed, n, capacity, overflow, weeks)
    g = Guardrails(precision, recall, pass_rate, None if review is None else float(review))
    policies = _all_policies(grid, e, capacity, overflow)
    expected = _brute_min(policies, g, {"cost": 1.0})
    s = optimize_policy(grid, g, frontier_points=4)
    if expected is None:
        assert not s.feasible and s.blockers and s.frontier.empty
        return
    assert s.feasible
    assert s.metrics["cost_total"] == pytest.approx(expected, rel=1e-9, abs=1e-9)
    # the suggestion, decided again from scratch week by week, costs what it says and meets
    # every guardrail it claims to
    again = slow_policy(e, *s.policy, capacity, overflow)
    assert meets(again, g)
    assert again["cost"] == pytest.approx(s.metrics["cost_total"], rel=1e-9, abs=1e-9)
    for key in ("precision", "recall", "pass_rate", "review_demand_per_week"):
        np.testing.assert_allclose(s.metrics[key], again[key], rtol=1e-12, equal_nan=True)
    # among the cheapest policies, the one with the least review demand
    cheapest = [m["demand"] for _, m in policies
                if meets(m, g) and m["cost"] <= expected + 1e-9 * (1 + abs(expected))]
    assert again["demand"] == min(cheapest)


@settings_
@given(seed=st.integers(0, 10_000), n=st.integers(1, 12),
       capacity=st.one_of(st.none(), st.integers(0, 4)), overflow=st.sampled_from(["pass", "flag"]),
       weeks=st.integers(1, 2),
       weights=st.sampled_from([{"tp": -1.0}, {"demand": 1.0}, {"tp": 1.0, "fp": 1.0},
                                {"tp": -0.4, "fp": 0.6}]),
       precision=guardrail, recall=guardrail)
def test_search_minimises_any_linear_objective(seed, n, capacity, overflow, weeks, weights,
                                               precision, recall):
    grid, e = _grid(seed, n, capacity, overflow, weeks)
    g = Guardrails(min_precision=precision, min_recall=recall)
    expected = _brute_min(_all_policies(grid, e, capacity, overflow), g, weights)
    pair = grid.search(weights, g)
    if expected is None:
        assert pair is None
        return
    m = slow_policy(e, grid.thresholds[pair[0]], grid.thresholds[pair[1]], capacity, overflow)
    assert meets(m, g)
    assert sum(w * m[k] for k, w in weights.items()) == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize("capacity,overflow,weeks", [(None, "pass", 1), (3, "pass", 1),
                                                     (3, "flag", 1), (2, "pass", 4),
                                                     (2, "flag", 3), (0, "flag", 2)])
def test_every_cut_pair_agrees_with_deciding_event_by_event(capacity, overflow, weeks):
    grid, e = _grid(7, 16 if weeks > 1 else 40, capacity, overflow, weeks)
    t = grid.thresholds
    i, j = np.triu_indices(len(grid))
    got = grid.evaluate(i, j)
    for k in range(0, len(i), 3):
        want = slow_policy(e, t[i[k]], t[j[k]], capacity, overflow)
        assert (got["tp"][k], got["fp"][k], got["demand"][k], got["reviewed"][k]) == (
            want["tp"], want["fp"], want["demand"], want["reviewed"])
        assert got["cost"][k] == pytest.approx(want["cost"], abs=1e-9)


def test_thresholds_are_short_and_select_the_same_events():
    s = np.array([0.1, 0.123456, 0.1234567, 0.5, 0.99])
    t = readable_thresholds(s)
    assert t.tolist() == [0.0, 0.12, 0.1234567, 0.5, 0.9]
    for k in range(len(s)):
        assert (s >= t[k]).sum() == len(s) - k  # exactly the scores from s_k up


def test_unreachable_precision_says_how_close_any_policy_gets():
    grid, e = _grid(3, 40)
    best = np.nanmax([m["precision"] for _, m in _all_policies(grid, e, None, "pass")])
    s = optimize_policy(grid, Guardrails(min_precision=min(best + 0.01, 1.0)))
    assert not s.feasible
    (b,) = s.blockers
    assert b.guardrail == "min_precision" and b.held == ()
    assert b.closest == pytest.approx(best)
    assert "highest precision any policy reaches" in b.sentence()


def test_conflicting_guardrails_name_the_one_that_breaks_and_its_best_value():
    grid, e = _grid(11, 40, base_rate=0.4)
    best_recall = max(m["recall"] for _, m in _all_policies(grid, e, None, "pass")
                      if m["pass_rate"] >= 0.95)
    s = optimize_policy(grid, Guardrails(min_recall=best_recall + 0.05, min_pass_rate=0.95))
    assert not s.feasible
    (b,) = s.blockers
    assert (b.guardrail, b.held) == ("min_recall", (("min_pass_rate", 0.95),))
    assert b.closest == pytest.approx(best_recall)
    assert "any policy meeting pass rate ≥ 95.0% reaches" in s.message()


def test_frontier_buys_less_cost_with_more_review():
    grid, _ = _grid(5, 200, capacity=20, base_rate=0.3)
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


def test_a_weekly_capacity_over_many_distinct_scores_searches_a_thinned_grid_exactly():
    """Over several weeks with a binding capacity every pair is tried week by week, on at most
    601 thresholds at evenly spaced ranks: the suggestion is still what deciding event by
    event gives at its band."""
    rng = np.random.default_rng(4)
    n = 1500
    e = {"score": rng.random(n), "label": rng.random(n) < 0.3, "fn": rng.random(n) * 10,
         "fp": rng.random(n) * 3, "correct": rng.random(n) < 0.9,
         "week": np.repeat([0, 1, 2], [300, 500, 700]), "review_cost": 0.2}
    grid = PolicyGrid(e["score"], e["label"], e["fn"], e["fp"], review_cost=0.2,
                      reviewer_correct=e["correct"], capacity=40, week=e["week"])
    assert 500 < len(grid) <= 601
    s = optimize_policy(grid, Guardrails(min_recall=0.5), frontier_points=0)
    again = slow_policy(e, *s.policy, 40, "pass")
    assert again["recall"] >= 0.5
    assert again["cost"] == pytest.approx(s.metrics["cost_total"], rel=1e-12)
    for key in ("precision", "recall", "pass_rate", "review_demand_per_week"):
        assert s.metrics[key] == pytest.approx(again[key], rel=1e-12)
