"""Monte Carlo over seeds: per week and metric, the mean and a 90 % interval across runs.

``monte_carlo`` repeats a scenario over consecutive seeds and reports, per week and metric,
the mean and a 90 % interval (the 5th and 95th percentiles across seeds).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import replace

import numpy as np
import pandas as pd

from ..engine import run
from ..scenario import Scenario

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
