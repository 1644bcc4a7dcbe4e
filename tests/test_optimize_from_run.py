"""The optimizer's grid of a simulated run: every band it evaluates costs and counts what the
run itself yields at that band (``RunResult.at_policy``, the engine's weekly decisions), with
the run's review cost, reviewers, weekly capacity, overflow choice and retraining cost."""

from __future__ import annotations

import numpy as np
import pytest

from simulations import run
from simulations.policy.metrics import horizon_totals
from simulations.policy.optimize import PolicyGrid
from tests.conftest import small

GRID = np.round(np.arange(11) * 0.1, 1)
KEYS = ("cost_total", "cost_fn", "cost_fp", "cost_review", "tp", "fp", "flagged", "precision",
        "recall", "pass_rate", "review_demand_per_week", "reviewed_per_week")


@pytest.mark.parametrize("capacity, overflow", [(25, "flag"), (25, "pass"), (None, "pass")])
def test_every_band_of_a_runs_grid_is_what_the_run_yields(capacity, overflow):
    review = {"reviewer_accuracy": 0.8, "overflow_action": overflow,
              "capacity": 10_000_000 if capacity is None else capacity}
    # outcomes within their week: the verdicts are replaced at once, so no band changes the
    # labels a retraining learns from (the grid answers every band from the run's scores)
    scenario = small("fraud", weeks=4, events=600).with_changes(
        review=review, feedback={"label_delay": 0},
        retrain={"trigger": "every", "every_weeks": 2, "min_labels": 50, "min_positives": 2})
    result = run(scenario)
    assert result.band_free["cost_retrain"].sum() > 0 and not scenario.policy_changes_labels
    grid = PolicyGrid.from_run(result, thresholds=GRID)
    t = grid.thresholds  # the grid's, one per distinct cut: no score lies between them
    assert set(t) <= set(GRID) and len(t) >= 6
    overflowed = False
    for i in range(len(t)):
        for j in range(i, len(t)):
            truth = horizon_totals(result.at_policy(t[i], t[j]).core)
            got = grid.summary(i, j)
            assert (got["t_low"], got["t_high"]) == (t[i], t[j])
            for key in KEYS:
                np.testing.assert_allclose(got[key], truth[key], rtol=1e-9, atol=1e-6,
                                           equal_nan=True, err_msg=f"{key} at {i}, {j}")
            assert got["overflow_per_week"] == pytest.approx(truth["review_overflow"] / 4)
            overflowed |= truth["review_overflow"] > 0
    assert overflowed == (capacity is not None)
