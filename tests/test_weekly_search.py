"""The weekly search: the cheapest band meeting every guardrail in every week, checked against a
slow loop over every band on a small grid (each band answered by the engine's own weekly table
and guardrails.check)."""

from __future__ import annotations

import numpy as np
import pytest

from simulations import run
from simulations.policy.guardrails import Guardrails, check
from simulations.policy.metrics import horizon_totals
from simulations.policy.weekly import weekly_search_run
from tests.conftest import small

GRID = np.round(np.linspace(0.0, 1.0, 16), 3)


def brute_force(result, g: Guardrails):
    best = None
    for i, lo in enumerate(GRID):
        for hi in GRID[i:]:
            weekly = result.at_policy(float(lo), float(hi)).core
            _, by_week = check(weekly, g)
            if not by_week.drop(columns="week").to_numpy().all():
                continue
            t = horizon_totals(weekly)
            key = (round(t["cost_total"], 6), t["review_demand"], lo, hi)
            if best is None or key < best[0]:
                best = (key, (float(lo), float(hi)))
    return None if best is None else best[1]


@pytest.fixture(scope="module")
def fraud_run():
    return run(small("fraud", weeks=6, events=3000))


@pytest.mark.parametrize("g", [
    Guardrails(max_review_per_week=40),
    Guardrails(min_recall=0.3, max_review_per_week=60),
    Guardrails(min_pass_rate=0.995, min_precision=0.2),
    Guardrails(),
])
def test_weekly_search_matches_a_loop_over_every_band(fraud_run, g):
    answer = weekly_search_run(fraud_run, GRID, g)
    assert answer.policy == brute_force(fraud_run, g)
    if answer.policy is not None:
        weekly = fraud_run.at_policy(*answer.policy).weekly
        assert answer.cost_total == pytest.approx(horizon_totals(weekly)["cost_total"])


def test_weekly_search_says_when_nothing_holds_every_week(fraud_run):
    answer = weekly_search_run(fraud_run, GRID, Guardrails(min_precision=0.99, min_recall=0.99))
    assert answer.policy is None and answer.feasible_bands == 0
