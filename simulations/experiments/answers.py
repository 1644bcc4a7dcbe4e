"""What an ensemble says: weekly ranges across worlds, and two bands compared world by world.

``weekly_bands`` gives, per week and metric, the median and the 90 % range (5th-95th
percentile) across worlds; undefined values (NaN) are left out, not counted as zero.

``paired`` compares bands A and B on the same worlds (common random numbers: in each world
both bands meet the same events), so the per-world difference B - A is the bands' effect in
that world. It reports the distribution of B - A for cost, recall, pass rate and reviews, a
paired 90 % interval of the mean difference (Student's t over the worlds) and a verdict in
plain words.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..policy.metrics import safe_ratio
from ..reporting.money import short_money
from .worlds import Band, EnsembleResult

BAND_METRICS = ("precision", "recall", "pass_rate", "cost_total", "review_demand",
                "review_overflow", "auc", "score_psi")
PAIRED = ("cost_total", "recall", "pass_rate", "reviewed")
LEVEL = 0.90
_SUMS = ("cost_total", "tp", "positives", "passed", "events", "reviewed")


def weekly_bands(result: EnsembleResult, band: Band,
                 metrics: Sequence[str] = BAND_METRICS) -> pd.DataFrame:
    """Long table: week, metric, median, low (5th percentile), high (95th), worlds (defined)."""
    stacks = result.stack(band, metrics)
    weeks = result.worlds[0].table.weeks
    q = [nan_percentiles(stacks[m], (5, 50, 95)) for m in metrics]
    return pd.DataFrame({
        "week": np.tile(weeks, len(metrics)),
        "metric": pd.Categorical.from_codes(np.repeat(np.arange(len(metrics)), len(weeks)),
                                            list(metrics)),
        "median": np.concatenate([x[1] for x in q]),
        "low": np.concatenate([x[0] for x in q]),
        "high": np.concatenate([x[2] for x in q]),
        "worlds": np.concatenate([np.isfinite(stacks[m]).sum(axis=0) for m in metrics]),
    })


def nan_percentiles(values: np.ndarray, qs) -> np.ndarray:
    """Percentiles down each column, NaN left out (``np.nanpercentile``'s linear method), NaN
    for an all-NaN column; vectorised (nanpercentile loops over columns when NaN is present)."""
    values = np.asarray(values, dtype=float)
    if not np.isnan(values).any():
        return np.percentile(values, qs, axis=0)
    ordered = np.sort(values, axis=0)  # NaN sorts last
    n = np.isfinite(values).sum(axis=0)
    cols = np.arange(values.shape[1])
    out = np.full((len(qs), values.shape[1]), np.nan)
    ok = n > 0
    for k, q in enumerate(qs):
        pos = (n - 1) * (q / 100.0)
        lo = np.floor(pos).astype(np.int64)
        hi = np.minimum(lo + 1, np.maximum(n - 1, 0))
        frac = pos - lo
        a = ordered[np.clip(lo, 0, None), cols]
        b = ordered[hi, cols]
        with np.errstate(invalid="ignore"):
            value = np.where(frac > 0, a + (b - a) * frac, a)
        out[k, ok] = value[ok]
    return out


def world_totals(result: EnsembleResult, band: Band) -> dict[str, np.ndarray]:
    """Per world, the horizon's cost, recall, pass rate and reviews of ``band``."""
    s = result.stack(band, _SUMS)
    t = {k: v.sum(axis=1) for k, v in s.items()}
    return {"cost_total": t["cost_total"], "recall": safe_ratio(t["tp"], t["positives"]),
            "pass_rate": safe_ratio(t["passed"], t["events"]), "reviewed": t["reviewed"]}


def paired_interval(diff: np.ndarray, level: float = LEVEL) -> tuple[float, float, float]:
    """(mean, low, high): the mean of the defined differences and its Student-t interval."""
    from scipy.stats import t as student_t

    d = np.asarray(diff, dtype=float)
    d = d[np.isfinite(d)]
    if len(d) < 2:
        return (float(d.mean()) if len(d) else math.nan), math.nan, math.nan
    mean = float(d.mean())
    half = float(student_t.ppf(0.5 + level / 2, len(d) - 1) * d.std(ddof=1) / math.sqrt(len(d)))
    return mean, mean - half, mean + half


@dataclass(frozen=True)
class PairedWorlds:
    """Bands A and B over the same worlds: per world values and B - A, a summary, a verdict."""

    a: Band
    b: Band
    per_world: pd.DataFrame  # world, then <metric>_a, <metric>_b, <metric>_diff
    summary: pd.DataFrame  # metric, mean_diff, low, high, median_diff, b_lower, b_higher, worlds
    verdict: str


def paired(result: EnsembleResult, a: Band, b: Band, unit: str | None = None) -> PairedWorlds:
    """B - A world by world for cost, recall, pass rate and reviews, and what it means."""
    ta, tb = world_totals(result, a), world_totals(result, b)
    columns: dict[str, np.ndarray | list] = {"world": [w.index for w in result.at(a)]}
    rows = []
    for m in PAIRED:
        diff = tb[m] - ta[m]
        columns[f"{m}_a"], columns[f"{m}_b"], columns[f"{m}_diff"] = ta[m], tb[m], diff
        mean, low, high = paired_interval(diff)
        defined = diff[np.isfinite(diff)]
        rows.append({"metric": m, "mean_diff": mean, "low": low, "high": high,
                     "median_diff": float(np.median(defined)) if len(defined) else math.nan,
                     "b_lower": int((defined < 0).sum()), "b_higher": int((defined > 0).sum()),
                     "worlds": len(defined)})
    per_world = pd.DataFrame(columns, copy=False)
    summary = pd.DataFrame({k: [r[k] for r in rows] for k in rows[0]})
    summary["metric"] = pd.Categorical(summary["metric"], list(PAIRED))
    cost = summary.iloc[0]
    text = verdict(cost["mean_diff"], cost["low"], cost["high"], int(cost["b_lower"]),
                   int(cost["b_higher"]), int(cost["worlds"]),
                   result.unit if unit is None else unit)
    return PairedWorlds(tuple(a), tuple(b), per_world, summary, text)


CHANCE = "the difference is within what chance alone gives"


def verdict(mean: float, low: float, high: float, cheaper: int, dearer: int, worlds: int,
            unit: str) -> str:
    """The paired cost comparison in plain words; "within chance" when the interval holds 0."""
    if worlds == 0:
        return "There is no world to compare the two bands in."
    if cheaper == 0 and dearer == 0:
        return (f"{CHANCE[0].upper()}{CHANCE[1:]}: A and B cost the same in every one of the "
                f"{worlds} worlds.")
    interval = (f"90% interval {_signed(low, unit)} to {_signed(high, unit)}"
                if math.isfinite(low) else "too few worlds for an interval")
    if not math.isfinite(low) or low <= 0 <= high:
        side = "cheaper" if mean < 0 else "dearer"
        return (f"{CHANCE[0].upper()}{CHANCE[1:]}: B is cheaper in {cheaper} of {worlds} "
                f"worlds; on average {short_money(abs(mean), unit)} {side}, {interval}.")
    if high < 0:
        return (f"B is cheaper in {cheaper} of {worlds} worlds; on average "
                f"{short_money(-mean, unit)} cheaper, 90% interval {short_money(-high, unit)}-"
                f"{short_money(-low, unit)}.")
    return (f"B costs more in {dearer} of {worlds} worlds; on average {short_money(mean, unit)} more, "
            f"90% interval {short_money(low, unit)}-{short_money(high, unit)}.")


def _signed(x: float, unit: str) -> str:
    return short_money(x, unit) if x < 0 else "+" + short_money(x, unit)
