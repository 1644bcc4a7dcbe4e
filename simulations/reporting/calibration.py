"""Is a score a probability? The reliability diagram, per week or over the run, and what a
miscalibrated score does to the thresholds.

``reliability`` bins the scores into equal-width bins with scikit-learn's
``calibration_curve`` (``strategy="uniform"``: the same bins and the same points) and adds how
many events each bin holds. ``threshold_note`` reads the diagram at the band's two thresholds
and says in words what a threshold means when the score over- or under-states the real rate.
The weekly expected calibration error is a column of the weekly table (``calibration_error``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.calibration import calibration_curve


def reliability(label, score, n_bins: int = 10) -> pd.DataFrame:
    """One row per non-empty bin: lower, upper, count, mean_predicted, fraction_positive."""
    label = np.asarray(label).astype(int)
    score = np.asarray(score, dtype=float)
    columns = ["lower", "upper", "count", "mean_predicted", "fraction_positive"]
    if not len(score):
        return pd.DataFrame(columns=columns)
    prob_true, prob_pred = calibration_curve(label, score, n_bins=n_bins, strategy="uniform")
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    binids = np.searchsorted(edges[1:-1], score)  # calibration_curve's own bin rule
    counts = np.bincount(binids, minlength=n_bins)
    used = np.flatnonzero(counts)
    return pd.DataFrame({"lower": edges[used], "upper": edges[used + 1],
                         "count": counts[used], "mean_predicted": prob_pred,
                         "fraction_positive": prob_true})[columns]


def _bin_at(table: pd.DataFrame, t: float):
    """The row of the bin holding threshold ``t`` (None when that bin is empty)."""
    inside = table[(table["lower"] <= t) & ((t < table["upper"]) | (table["upper"] >= 1.0))]
    return None if inside.empty else inside.iloc[0]


def threshold_note(table: pd.DataFrame, t_low: float, t_high: float, words: dict) -> str:
    """What the diagram says about the band's thresholds, in plain words."""
    parts = []
    for t, side in ((t_high, words["flag"]), (t_low, words["pass"])):
        row = _bin_at(table, t)
        if row is None:
            parts.append(f"no event scored near {t:.3f}, so the diagram cannot say what a "
                         f"score there means")
            continue
        said, real = row["mean_predicted"], row["fraction_positive"]
        if abs(real - said) < 0.02:
            parts.append(f"near {t:.3f} ('{side}') the scores are about right: events scored "
                         f"{said:.0%} on average are positive {real:.0%} of the time")
        else:
            way = "over-states" if said > real else "under-states"
            parts.append(f"near {t:.3f} ('{side}') the model {way} the risk: events scored "
                         f"{said:.0%} on average are positive {real:.0%} of the time")
    text = "; ".join(parts)
    return (text[0].upper() + text[1:] + ". A threshold is a real probability only on a "
            "calibrated model: read it as a cut in the ranking, choose it by the money and "
            "the errors it yields, and expect drift or a retraining to move what the same "
            "number means (the weekly calibration error shows when).")


def run_reliability(result, week: int | None = None, n_bins: int = 10) -> pd.DataFrame:
    """``reliability`` of a run's scores: every week (None) or one week."""
    a = result.arrays
    rows = slice(None) if week is None else a["week"] == week
    return reliability(a["label"][rows], a["score"][rows], n_bins)
