"""The optimizer over a multi-week run with a weekly review capacity: what the suggestion
reports is what the band really yields week by week.

The reference is the run itself answering the suggested band (``RunResult.at_policy``, the
engine's weekly decisions summed over the horizon), never the optimizer's own arithmetic. A
capacity pooled over the weeks would let a quiet week's spare reviews serve a busy one, and
the suggestion would report (and be chosen on) figures no week delivers.
"""

import numpy as np
import pytest

from simulations import run
from simulations.policy.guardrails import Guardrails
from simulations.policy.metrics import horizon_totals
from simulations.policy.optimize import PolicyGrid, optimize_policy
from simulations.scenario import DriftSpec, Population, Review, Scenario

GRID = np.round(np.arange(21) * 0.05, 2)  # 231 bands: few enough to try each through the run


@pytest.fixture(scope="module")
def busy_weeks():
    """Eight fraud weeks whose traffic grows (a prior drift), so the band's review demand
    exceeds the weekly capacity in some weeks and not in others."""
    scenario = Scenario(domain="fraud", seed=3,
                        population=Population(events_per_week=2000, weeks=8, base_rate=0.05),
                        drift=(DriftSpec(kind="prior", onset_week=4, strength=2.0),),
                        review=Review(capacity=250))
    result = run(scenario)
    assert not scenario.policy_changes_labels
    return result


def _truth(result, band) -> dict[str, float]:
    return horizon_totals(result.at_policy(*band).core)


def _every_band(result):
    return {(float(lo), float(hi)): _truth(result, (lo, hi))
            for k, lo in enumerate(GRID) for hi in GRID[k:]}


def _meets(m, g: Guardrails) -> bool:
    def floor(value, limit):
        return limit is None or (np.isfinite(value) and value >= limit)
    return (floor(m["precision"], g.min_precision) and floor(m["recall"], g.min_recall)
            and floor(m["pass_rate"], g.min_pass_rate)
            and (g.max_review_per_week is None
                 or m["review_demand_per_week"] <= g.max_review_per_week))


@pytest.mark.parametrize("guardrails", [Guardrails(), Guardrails(min_pass_rate=0.9),
                                        Guardrails(min_precision=0.3, max_review_per_week=150)])
def test_suggestion_reports_what_the_run_yields_and_is_the_cheapest(busy_weeks, guardrails):
    s = optimize_policy(PolicyGrid.from_run(busy_weeks, thresholds=GRID), guardrails,
                        frontier_points=4)
    bands = _every_band(busy_weeks)
    overflowing = [b for b, m in bands.items() if 0 < m["review_overflow"]
                   and m["overflow_weeks"] < m["weeks"]]
    assert overflowing, "the scenario must have bands that overflow in some weeks only"
    feasible = {b: m for b, m in bands.items() if _meets(m, guardrails)}
    assert s.feasible == bool(feasible)
    truth = _truth(busy_weeks, s.policy)
    weeks = truth["weeks"]
    for key, want in (("cost_total", truth["cost_total"]), ("precision", truth["precision"]),
                      ("recall", truth["recall"]), ("pass_rate", truth["pass_rate"]),
                      ("flagged", truth["flagged"]), ("tp", truth["tp"]), ("fp", truth["fp"]),
                      ("cost_fn", truth["cost_fn"]), ("cost_fp", truth["cost_fp"]),
                      ("cost_review", truth["cost_review"]),
                      ("review_demand_per_week", truth["review_demand_per_week"]),
                      ("reviewed_per_week", truth["reviewed_per_week"]),
                      ("overflow_per_week", truth["review_overflow"] / weeks)):
        assert s.metrics[key] == pytest.approx(want, rel=1e-9, abs=1e-6), key
    assert _meets(truth, guardrails)
    cheapest = min(m["cost_total"] for m in feasible.values())
    assert truth["cost_total"] == pytest.approx(cheapest, rel=1e-9)
    # every point of the frontier is a band that costs what it says
    for row in s.frontier.itertuples():
        again = _truth(busy_weeks, (row.t_low, row.t_high))
        assert row.cost_total == pytest.approx(again["cost_total"], rel=1e-9)
        assert row.overflow_per_week == pytest.approx(again["review_overflow"] / weeks)


def test_the_suggest_tab_shows_what_the_run_gives_at_the_suggested_band():
    """On the page: the Suggest tab's cards for a capacity that busy weeks exceed are the
    horizon totals of the run at the band it suggests."""
    from dataclasses import replace

    from simulations import default_scenario
    from tests.test_pages import SMALL, app, small_params

    at = app("fraud", **small_params("fraud", fraud_capacity="30"),
             fraud_tab="Suggest a policy")
    assert not at.exception
    cards = {m.label: m.value for m in at.metric}
    low, high = (float(x) for x in cards["Suggested band"].split(" – "))
    base = default_scenario("fraud")
    s = replace(base, population=replace(base.population, events_per_week=int(SMALL["events"]),
                                         weeks=int(SMALL["weeks"])),
                review=replace(base.review, capacity=30))
    result = run(s)
    truth = _truth(result, (low, high))
    assert truth["review_overflow"] > 0  # the weekly capacity binds at the suggestion
    cost = [m for m in at.metric if m.label == "Total cost"]  # the KPI row's, then the tab's
    shown_cost = float(cost[-1].value.replace("$", "").replace(",", ""))
    assert shown_cost == pytest.approx(truth["cost_total"], abs=0.5)
    for label, key in (("Precision", "precision"), ("Recall", "recall")):
        value = [m for m in at.metric if m.label == label][-1].value
        assert float(value.rstrip("%")) / 100 == pytest.approx(truth[key], abs=0.0005)
