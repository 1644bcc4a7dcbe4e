"""What matters most: how far each uncertain assumption moves the decision, for a tornado chart.

For each range of an ensemble, the assumption is set to its low end and to its high end while
every other assumption sits at the middle of its range (a triangular range: its peak). Both
ends are simulated on the same world seeds (the first ``worlds`` worlds of the ensemble), so
the difference between the ends is the assumption's effect, not noise: an assumption that
changes nothing moves nothing, exactly. The swing is reported for the cost difference of two
bands (B - A) and for the cost of one band (the suggested one), averaged over the worlds,
biggest first.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from .ensemble import Ensemble
from .worlds import Band, ProgressFn, World, map_worlds

COLUMNS = ["assumption", "low", "high", "diff_at_low", "diff_at_high", "diff_swing",
           "cost_at_low", "cost_at_high", "cost_swing"]


def _centre(ensemble: Ensemble):
    scenario = ensemble.base
    for r in ensemble.ranges:
        value = round(r.peak) if ensemble.integer(r.field) else r.peak
        scenario = ensemble.with_assumption(scenario, r.field, value)
    return scenario


def tornado(ensemble: Ensemble, band: Band, compare: tuple[Band, Band] | None = None, *,
            worlds: int = 10, workers: int = 1, scheduler: str | None = None,
            progress: ProgressFn | None = None) -> pd.DataFrame:
    """One row per assumption: its ends, the mean cost difference B - A and the mean cost of
    ``band`` at each end, and their swings (absolute high-end minus low-end). Sorted by the
    swing of the cost difference when ``compare`` is given, else by the cost swing."""
    if not ensemble.ranges:
        return pd.DataFrame(columns=COLUMNS)
    centre = _centre(ensemble)
    seeds = [ensemble.world(k)[0].seed for k in range(min(worlds, ensemble.worlds))]

    def norm(b) -> Band:
        return float(b[0]), float(b[1])

    main = norm(band)
    pair = (norm(compare[0]), norm(compare[1])) if compare else None
    bands = list(dict.fromkeys([main, *(pair or ())]))
    per_band = centre.policy_changes_labels
    jobs, keys = [], []
    for r in ensemble.ranges:
        for end, value in (("low", r.low), ("high", r.high)):
            at_end = ensemble.with_assumption(centre, r.field, value)
            for seed in seeds:
                for b in (bands if per_band else [None]):
                    s = replace(at_end, seed=seed)
                    jobs.append((len(jobs), s.with_policy(*b) if b else s, {r.field: value}))
                    keys.append((r.field, end, seed, b))
    done = map_worlds(jobs, workers=workers, scheduler=scheduler, progress=progress)
    found: dict[tuple, World] = dict(zip(keys, done, strict=True))

    def cost(field: str, end: str, b: Band) -> float:
        totals = [float(found[(field, end, seed, b if per_band else None)].weekly(b)
                        ["cost_total"].sum()) for seed in seeds]
        return float(np.mean(totals))

    rows = []
    for r in ensemble.ranges:
        row = {"assumption": r.field, "low": r.low, "high": r.high}
        for end in ("low", "high"):
            row[f"cost_at_{end}"] = cost(r.field, end, main)
            row[f"diff_at_{end}"] = (cost(r.field, end, pair[1]) - cost(r.field, end, pair[0])
                                     if pair else np.nan)
        row["diff_swing"] = abs(row["diff_at_high"] - row["diff_at_low"])
        row["cost_swing"] = abs(row["cost_at_high"] - row["cost_at_low"])
        rows.append(row)
    out = pd.DataFrame(rows, columns=COLUMNS)
    key = "diff_swing" if compare else "cost_swing"
    return out.sort_values(key, ascending=False, kind="stable").reset_index(drop=True)
