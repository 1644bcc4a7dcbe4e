"""The optimizer's frontier and its refusals, against brute force over every band decided
event by event (``tests.test_optimize.slow_policy``), never the optimizer's own numbers."""

from __future__ import annotations

import numpy as np
import pytest

from simulations.policy.guardrails import Guardrails
from simulations.policy.optimize import optimize_policy
from tests.test_optimize import _all_policies, _grid, meets

COLUMNS = ["review_budget", "t_low", "t_high", "cost_total", "precision", "recall",
           "pass_rate", "review_demand_per_week", "reviewed_per_week", "overflow_per_week"]
ORDER = ("max_review_per_week", "min_pass_rate", "min_recall", "min_precision")
METRIC = {"max_review_per_week": "review_demand_per_week", "min_pass_rate": "pass_rate",
          "min_recall": "recall", "min_precision": "precision"}


def _only(g: Guardrails, names) -> Guardrails:
    return Guardrails(**{k: (getattr(g, k) if k in names else None) for k in ORDER})


# The last two cases: a recall floor that binds at the low budgets (the cheapest band within
# a small budget would miss it), and a world large enough that twice the chosen demand is the
# top of the span (not a week's events, nor 1.5 times a ceiling or capacity).
@pytest.mark.parametrize("seed, capacity, weeks, ceiling, points, recall, n", [
    (1, None, 1, None, 6, 0.3, 10), (2, 3, 1, 4.0, 5, 0.3, 10), (3, 2, 3, 3.0, 4, 0.3, 10),
    (4, None, 2, 1.0, 8, 0.3, 10), (5, None, 1, None, 8, 0.9, 14),
    (6, None, 1, None, 7, 0.3, 40)])
def test_each_frontier_point_is_the_cheapest_band_within_its_review_budget(
        seed, capacity, weeks, ceiling, points, recall, n):
    grid, e = _grid(seed, n, capacity, "pass", weeks, base_rate=0.4)
    g = Guardrails(min_recall=recall, min_pass_rate=0.3, max_review_per_week=ceiling)
    floors = Guardrails(min_recall=recall, min_pass_rate=0.3)
    policies = _all_policies(grid, e, capacity, "pass")
    if not any(meets(m, g) for _, m in policies):
        pytest.skip("no feasible band for this draw")
    s = optimize_policy(grid, g, frontier_points=points)
    f = s.frontier
    assert list(f.columns) == COLUMNS
    per_week = len(e["score"]) / weeks
    least = min(m["review_demand_per_week"] for _, m in policies if meets(m, floors))
    chosen = s.metrics["review_demand_per_week"]
    # the budgets: from the least review the floors allow, evenly up to twice the chosen
    # demand, 1.5 times the ceiling and the capacity (at least 1% of a week's events, at
    # most all of them), with the least demand and the ceiling themselves
    top = min(max(2 * chosen, 1.5 * (ceiling or 0), 1.5 * (capacity or 0), 0.01 * per_week,
                  least), per_week)
    even = np.linspace(0.0, top, points)
    want = np.unique(np.r_[even[even >= least], least, [] if ceiling is None else [ceiling]])
    np.testing.assert_allclose(f["review_budget"], want)
    for row in f.itertuples():
        within = Guardrails(min_recall=recall, min_pass_rate=0.3,
                            max_review_per_week=row.review_budget)
        cheapest = min(m["cost"] for _, m in policies if meets(m, within))
        again = dict(policies)[(row.t_low, row.t_high)]
        assert meets(again, within)  # the floors hold, the ceiling is the row's budget
        assert again["cost"] == pytest.approx(cheapest, rel=1e-9, abs=1e-9)
        assert row.cost_total == pytest.approx(again["cost"], rel=1e-9, abs=1e-9)
        assert row.review_demand_per_week == pytest.approx(again["review_demand_per_week"])


def _expected_blocker(policies, g: Guardrails):
    """Add the guardrails in the optimizer's order; the first that no band meets together with
    those before it, with the best value any such band reaches (None when undefined)."""
    held = []
    for name in ORDER:
        required = getattr(g, name)
        if required is None:
            continue
        pool = [m for _, m in policies if meets(m, _only(g, [h for h, _ in held]))]
        values = [m[METRIC[name]] for m in pool if np.isfinite(m[METRIC[name]])]
        if name == "max_review_per_week":
            best = min(values)
            reached = best <= required
        else:
            best = max(values) if values else None
            reached = best is not None and best >= required
        if not reached:
            return name, required, best, tuple(held)
        held.append((name, required))
    return None


@pytest.mark.parametrize("seed", range(12))
def test_a_refusal_names_the_guardrail_that_breaks_and_the_best_any_band_reaches(seed):
    rng = np.random.default_rng(seed)
    capacity = [None, 2, 4][seed % 3]
    grid, e = _grid(seed, 8, capacity, ["pass", "flag"][seed % 2], 1 + seed % 2)
    g = Guardrails(min_precision=float(rng.uniform(0.3, 1.0)),
                   min_recall=float(rng.uniform(0.3, 1.0)),
                   min_pass_rate=float(rng.uniform(0.2, 0.9)),
                   max_review_per_week=float(rng.integers(0, 6)))
    policies = _all_policies(grid, e, capacity, ["pass", "flag"][seed % 2])
    want = _expected_blocker(policies, g)
    s = optimize_policy(grid, g, frontier_points=0)
    if want is None:
        assert s.feasible
        return
    assert not s.feasible and s.policy is None and s.frontier.empty
    (b,) = s.blockers
    name, required, best, held = want
    assert (b.guardrail, b.required, b.held) == (name, required, held)
    if best is None:
        assert b.closest is None
    else:
        assert b.closest == pytest.approx(best, rel=1e-12)


@pytest.mark.parametrize("equal", ["max_review_per_week", "min_recall"])
def test_a_guardrail_met_exactly_is_met_and_the_next_one_is_named(equal):
    grid, e = _grid(3, 30, None, "pass", 1, base_rate=0.3)
    policies = _all_policies(grid, e, None, "pass")
    # a ceiling of exactly the least demand (0), or recall of exactly its best (1.0), beside
    # a precision floor of 100%, which no band reaches once the other guardrail holds
    g = Guardrails(min_precision=1.0, **{equal: 0.0 if equal == "max_review_per_week" else 1.0})
    want = _expected_blocker(policies, g)
    assert want is not None and want[0] == "min_precision"
    (b,) = optimize_policy(grid, g, frontier_points=0).blockers
    assert (b.guardrail, b.held) == ("min_precision", want[3])
    assert b.closest == pytest.approx(want[2], rel=1e-12)
