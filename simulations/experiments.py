"""Experiments built on single runs: two policies on identical traffic, and Monte Carlo over seeds.

``compare_policies`` uses common random numbers: both policies see the same events (same
seed), so their weekly difference is the effect of the policy, not noise. When the band cannot
change the model history, one simulation answers both policies from the cached scores.
``monte_carlo`` repeats a scenario over consecutive seeds and reports, per week and metric,
the mean and a 90 % interval (the 5th and 95th percentiles across seeds).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from .engine import run
from .report import horizon_totals
from .scenario import Policy, Scenario

PAIRED_METRICS = ("cost_total", "cost_fn", "cost_fp", "cost_review", "pass_rate", "precision",
                  "recall", "flagged", "reviewed", "review_overflow", "fn", "fp")


@dataclass(frozen=True)
class Comparison:
    """Weekly tables of policies A and B on the same traffic, and their paired differences."""

    a: pd.DataFrame
    b: pd.DataFrame
    difference: pd.DataFrame  # B - A per week, for PAIRED_METRICS
    totals: pd.DataFrame  # one row per metric: A, B, B - A over the horizon


def compare_policies(scenario: Scenario, policy_a: Policy, policy_b: Policy) -> Comparison:
    """Run ``scenario`` under two policies with the same seed and pair the weekly results."""
    if scenario.policy_changes_labels:
        weekly_a = run(replace(scenario, policy=policy_a)).weekly
        weekly_b = run(replace(scenario, policy=policy_b)).weekly
    else:
        result = run(replace(scenario, policy=policy_a))
        weekly_a = result.weekly
        weekly_b = result.at_policy(policy_b.t_low, policy_b.t_high).weekly
    diff = pd.DataFrame({"week": weekly_a["week"]})
    for m in PAIRED_METRICS:
        diff[m] = weekly_b[m].to_numpy(dtype=float) - weekly_a[m].to_numpy(dtype=float)
    return Comparison(weekly_a, weekly_b, diff, _totals(weekly_a, weekly_b))


def _totals(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    ta = {k: v for k, v in horizon_totals(a).items() if k in PAIRED_METRICS}
    tb = horizon_totals(b)
    return pd.DataFrame(
        {"metric": list(ta), "A": list(ta.values()), "B": [tb[k] for k in ta],
         "B - A": [tb[k] - ta[k] for k in ta]}
    )


MONTE_CARLO_METRICS = ("precision", "recall", "pass_rate", "cost_total", "review_demand",
                       "review_overflow", "auc", "score_psi")


def monte_carlo(scenario: Scenario, runs: int = 10,
                metrics: Sequence[str] = MONTE_CARLO_METRICS,
                progress: Callable[[int, int], None] | None = None) -> pd.DataFrame:
    """Mean and 90 % interval per week and metric over seeds seed, seed + 1, ... seed + runs - 1.

    Returns a long table: week, metric, mean, low (5th percentile), high (95th percentile),
    runs (how many seeds had a defined value). Undefined values (NaN) are left out of the
    statistics rather than counted as zero.
    """
    if runs < 2:
        raise ValueError("monte_carlo needs at least 2 runs to give an interval")
    stacks = {m: [] for m in metrics}
    for i in range(runs):
        weekly = run(replace(scenario, seed=scenario.seed + i)).weekly
        for m in metrics:
            stacks[m].append(weekly[m].to_numpy(dtype=float))
        if progress:
            progress(i + 1, runs)
    weeks = np.arange(1, scenario.population.weeks + 1)
    frames = []
    for m in metrics:
        values = np.vstack(stacks[m])  # (runs, weeks)
        defined = np.isfinite(values).sum(axis=0)
        with warnings.catch_warnings():  # all-NaN weeks give NaN, which is the honest answer
            warnings.simplefilter("ignore", RuntimeWarning)
            mean = np.nanmean(values, axis=0)
            low = np.nanpercentile(values, 5, axis=0)
            high = np.nanpercentile(values, 95, axis=0)
        frames.append(pd.DataFrame({"week": weeks, "metric": m, "mean": mean, "low": low,
                                    "high": high, "runs": defined}))
    return pd.concat(frames, ignore_index=True)


def contaminated_ab_test(result, contamination: float, outcome=None) -> pd.DataFrame:
    """Weekly true and measured lift of the model over popularity in an A/B test whose control
    is contaminated by the previous model (recommendation world only; see
    ``recommendation.ab_test_week``)."""
    from .domains import recommendation

    if result.domain.name != "recommendation":
        raise ValueError("the contaminated A/B test needs the recommendation world")
    if not 0 <= contamination <= 1:
        raise ValueError(f"contamination = {contamination!r} must be between 0 and 1")
    outcome = outcome or result.outcome
    a, table = result.arrays, result.table
    rows = []
    for i, week in enumerate(table.weeks):
        sl = slice(table.starts[i], table.starts[i + 1])
        true_lift, measured = recommendation.ab_test_week(
            a["label"][sl], outcome.final[sl].astype(bool), a["score"][sl],
            a["extra_popularity_order"][sl], contamination)
        rows.append((int(week), true_lift, measured))
    return pd.DataFrame(rows, columns=["week", "true_lift", "measured_lift"])
