"""Summaries of a run that the dashboard and reports show: totals, segments, curves, histograms.

Every function reads a ``RunResult`` and an ``Outcome`` (a policy applied to the run's scores)
and returns plain numbers or small DataFrames; nothing here draws or imports Streamlit.
Undefined ratios are NaN.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..domains.base import format_share  # noqa: F401  (pages and reports import it from here)
from ..policy.metrics import safe_ratio, threshold_curve


def confusion_matrix(totals: dict[str, float], domain) -> pd.DataFrame:
    """2 x 2 counts over the horizon, labelled in the domain's words (rows: truth)."""
    values, rows, columns = confusion_parts(totals, domain)
    return pd.DataFrame(values, index=rows, columns=columns)


def confusion_parts(totals: dict[str, float], domain) -> tuple[np.ndarray, list, list]:
    """``confusion_matrix`` as (2 x 2 integer counts, row labels, column labels), without a
    frame (a band move draws it)."""
    flag, pass_ = domain.actions["flag"], domain.actions["pass"]
    values = np.array([[totals["tp"], totals["fn"]], [totals["fp"], totals["tn"]]],
                      dtype=float).astype(np.int64)
    return (values, [f"truly {domain.positive_word}", f"truly {domain.negative_word}"],
            [f"final: {flag}", f"final: {pass_}"])


def segment_table(result, outcome, by: str | None = None) -> pd.DataFrame:
    """Per segment over the horizon: events, positives, precision, recall, pass rate, reviews.

    ``by`` groups by one of the domain's categorical features instead of its segments (the
    assistant's topic, a payment's channel): any column a team would slice a model by.
    """
    codes, names = segmentation(result.domain, result.arrays, by)
    return segments_of(codes, names, result.arrays["label"], outcome.final, outcome.reviewed)


def segmentations(domain) -> tuple[str, ...]:
    """What a segment table can group by: "segment", then each categorical feature."""
    return ("segment", *(name for name, _ in domain.categorical_features))


def segmentation(domain, arrays, by: str | None) -> tuple[np.ndarray, tuple[str, ...]]:
    """Per-event codes and the names of the groups of ``by`` (None or "segment": segments)."""
    if by in (None, "segment"):
        return arrays["segment"], tuple(domain.segments)
    for j, (name, cats) in enumerate(domain.categorical_features):
        if name == by:
            return arrays["categorical"][:, j], tuple(cats)
    raise ValueError(f"cannot group by {by!r}: choose one of {', '.join(segmentations(domain))}")


def segments_of(segment, names, label, final, reviewed) -> pd.DataFrame:
    """The segment table from per-event segment codes, labels and final decisions."""
    seg = np.asarray(segment).astype(np.int64)
    k = len(names)
    label = np.asarray(label).astype(bool)
    final = np.asarray(final).astype(bool)
    events = np.bincount(seg, minlength=k)
    positives = np.bincount(seg, label, minlength=k)
    flagged = np.bincount(seg, final, minlength=k)
    tp = np.bincount(seg, final & label, minlength=k)
    reviewed = np.bincount(seg, np.asarray(reviewed, dtype=float), minlength=k)
    return pd.DataFrame({
        "segment": list(names),
        "events": events,
        "share_of_events": events / max(events.sum(), 1),
        "base_rate": safe_ratio(positives, events),
        "precision": safe_ratio(tp, flagged),
        "recall": safe_ratio(tp, positives),
        "pass_rate": safe_ratio(events - flagged, events),
        "reviewed": reviewed.astype(int),
    })


def score_histogram(result, bins: int = 50, log_scale: bool | None = None) -> pd.DataFrame:
    """Share of each class's events per score bin (so the rare class stays visible).

    With ``log_scale`` (default: when the base rate is under 5 %), bins are equal on a log10
    axis from 1e-4 to 1, since rare-event scores crowd near zero.
    """
    return histogram_of(result.arrays["score"], result.arrays["label"], bins, log_scale)


def histogram_of(score, label, bins: int = 50, log_scale: bool | None = None) -> pd.DataFrame:
    """``score_histogram`` for any scores and labels."""
    score = np.asarray(score, dtype=float)
    label = np.asarray(label).astype(bool)
    if log_scale is None:
        log_scale = label.mean() < 0.05
    if log_scale:
        edges = np.r_[0.0, np.logspace(-4, 0, bins)]
    else:
        edges = np.linspace(0.0, 1.0, bins + 1)
    idx = np.clip(np.searchsorted(edges, score, side="right") - 1, 0, len(edges) - 2)
    neg = np.bincount(idx[~label], minlength=len(edges) - 1)
    pos = np.bincount(idx[label], minlength=len(edges) - 1)
    return pd.DataFrame({
        "lower": edges[:-1],
        "upper": edges[1:],
        "negatives": neg,
        "positives": pos,
        "share_negatives": neg / max(neg.sum(), 1),
        "share_positives": pos / max(pos.sum(), 1),
    })


def _thin(curve: dict[str, np.ndarray], points: int) -> dict[str, np.ndarray]:
    """Keep the first threshold reaching each of ``points`` even steps of recall and of
    false positive rate, so both the PR and the ROC curve keep their shape."""
    n = len(curve["thresholds"])
    if n <= 2 * points:
        return curve
    levels = np.linspace(0.0, 1.0, points)
    keep = {0, n - 1}
    for column in ("recall", "fpr"):
        values = np.nan_to_num(curve[column], nan=0.0)  # non-decreasing along the curve
        keep.update(np.minimum(np.searchsorted(values, levels, side="left"), n - 1).tolist())
    index = np.array(sorted(keep))
    return {k: v[index] for k, v in curve.items()}


def tradeoff_curves(result, points: int = 300) -> pd.DataFrame:
    """PR and ROC points over all events, one row per threshold (thinned to at most about
    2 x ``points`` rows)."""
    return curves_of(result.arrays["label"], result.arrays["score"], points)


def curves_of(label, score, points: int = 300) -> pd.DataFrame:
    """``tradeoff_curves`` for any labels and scores."""
    curve = _thin(threshold_curve(label, score), points)
    return pd.DataFrame({k: curve[k] for k in ("thresholds", "precision", "recall", "fpr",
                                                "flag_rate")})


def cost_curve(result, points: int = 201) -> pd.DataFrame:
    """Total cost over the horizon for single-threshold policies (t_low = t_high = t, no
    review) on an even grid of t, from the cached sorted scores."""
    s = result.scenario
    return cost_curve_of(result.table, s.review.unreviewed_action, s.costs.review,
                         float(result.band_free["cost_retrain"].sum()), points)


def cost_curve_of(table, overflow_action: str, review_cost: float, fixed: float = 0.0,
                  points: int = 201) -> pd.DataFrame:
    """``cost_curve`` for any ``BandTable``, plus a fixed cost (retraining)."""
    grid = np.linspace(0.0, 1.0, points)
    rows = []
    for t in grid:  # one O(weeks) query per grid point
        q = table.query(t, t, 0, overflow_action, review_cost)
        rows.append((t, q["cost_fn"].sum(), q["cost_fp"].sum(), q["cost_total"].sum() + fixed))
    return pd.DataFrame(rows, columns=["threshold", "cost_fn", "cost_fp", "cost_total"])


def cheapest_threshold(curve: pd.DataFrame) -> tuple[float, float]:
    """(threshold, cost) of the cost curve's minimum (the lowest threshold among ties)."""
    i = int(np.argmin(curve["cost_total"].to_numpy()))
    return float(curve["threshold"].iloc[i]), float(curve["cost_total"].iloc[i])


def events_sample(outcome, rows: int = 500, seed: int = 0) -> pd.DataFrame:
    """A reproducible random sample of events, in event order."""
    n = len(outcome.final)
    if n <= rows:
        return outcome.events
    rng = np.random.default_rng(seed)
    return outcome.events_at(np.sort(rng.choice(n, rows, replace=False)))


def domain_highlights(domain, totals: dict[str, float], outcome) -> list[tuple[str, str, str]]:
    """(label, formatted value, plain-language help) of the figures a domain's team watches."""
    return domain.highlights(totals, outcome) if domain.highlights else []
