"""Vectorised decision metrics: any review band, any week, from one sort and cumulative sums.

The central object is ``BandTable``: it sorts the scores of every week once and keeps
cumulative sums of positives, negatives and costs in that order. A policy (t_low, t_high)
then cuts each week's sorted scores into four contiguous runs, found with ``searchsorted``::

    [ pass: score < t_low | overflow | reviewed | flag: score >= t_high ]

The review band [t_low, t_high) is served highest score first (the riskiest cases reach a
reviewer first; equal scores in order of arrival), so the ``capacity`` events with the highest
scores in the band are reviewed and the rest overflow to the default action. Every count and
cost is then a difference of two cumulative sums: answering a policy for all weeks costs
O(weeks), not O(events).

``horizon_totals`` sums a weekly table over the horizon and recomputes its ratios from the
sums (what the KPI row, the guardrails and comparisons read).

Conventions follow scikit-learn: ``y_true`` is 0/1, ``y_score`` the probability of class 1,
a ratio whose denominator is zero is NaN (never 0 or 1).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

PASS, REVIEW, FLAG = 0, 1, 2


def safe_ratio(num, den):
    """num / den elementwise, NaN where den == 0."""
    num = np.asarray(num, dtype=float)
    den = np.asarray(den, dtype=float)
    out = np.full(np.broadcast(num, den).shape, np.nan)
    np.divide(num, den, out=out, where=den != 0)
    return out if out.ndim else float(out)


def event_costs(value, label, costs) -> tuple[np.ndarray, np.ndarray]:
    """Per-event cost if a positive is missed, and if a negative is flagged.

    cost_fn_i = fn_fixed + fn_per_value * value_i, charged only to positives;
    cost_fp_i = fp_fixed + fp_per_value * value_i, charged only to negatives.
    """
    value = np.asarray(value, dtype=float)
    label = np.asarray(label)
    fn = np.where(label == 1, costs.fn_fixed + costs.fn_per_value * value, 0.0)
    fp = np.where(label == 0, costs.fp_fixed + costs.fp_per_value * value, 0.0)
    return fn, fp


def _cum(x: np.ndarray) -> np.ndarray:
    out = np.empty(len(x) + 1)
    out[0] = 0.0
    np.cumsum(x, out=out[1:])
    return out


def _week_score_order(week: np.ndarray, score: np.ndarray) -> np.ndarray:
    """Event indices by week, then ascending score; among equal scores the earlier event
    sorts last, so it is nearer the top of the review queue (riskiest first, then first come).

    The key (week, score, -index) has no ties, so the order is unique. A simulated run's
    events come week after week, and then each week is sorted on its own: a stable sort of
    the week's scores taken back to front puts equal scores latest first, which is that same
    order at a fraction of a three-key ``lexsort`` over the whole run."""
    n = len(score)
    if n < 2 or not np.all(week[1:] >= week[:-1]):
        return np.lexsort((-np.arange(n), score, week))
    bounds = np.flatnonzero(np.diff(week)) + 1
    parts = []
    for lo, hi in zip(np.r_[0, bounds], np.r_[bounds, n], strict=True):
        back = np.argsort(score[lo:hi][::-1], kind="stable")
        parts.append(hi - 1 - back)
    return np.concatenate(parts)


def week_orders(orders: list[np.ndarray]) -> np.ndarray:
    """The order ``BandTable.build`` gives the events of several weeks stored one after the
    other, from each week's own table's ``order`` (shifted by the events before it): the
    same sort, without sorting again."""
    parts, offset = [], 0
    for order in orders:
        parts.append(order + offset)
        offset += len(order)
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


@dataclass(frozen=True)
class BandTable:
    """Sorted scores of one or more weeks, ready to answer any review band in O(weeks).

    Build it with ``BandTable.build``; ``query`` returns the weekly metric set and
    ``decisions`` the per-event actions, both for a given policy and review setup.
    """

    order: np.ndarray  # event indices sorted by week, then score, then latest arrival first
    sorted_score: np.ndarray
    starts: np.ndarray  # (weeks + 1,) offsets of each week in sorted order
    weeks: np.ndarray  # week numbers, one per table row
    positives: np.ndarray
    negatives: np.ndarray
    fn_cost_all: np.ndarray
    cum_pos: np.ndarray
    cum_pos_correct: np.ndarray
    cum_neg_wrong: np.ndarray
    cum_fn_cost: np.ndarray
    cum_fn_cost_correct: np.ndarray
    cum_fp_cost: np.ndarray
    cum_fp_cost_wrong: np.ndarray

    @classmethod
    def build(cls, week, score, label, fn_cost, fp_cost, reviewer_correct,
              order: np.ndarray | None = None) -> BandTable:
        """Sort once. ``reviewer_correct`` says, per event, whether a reviewer would get it right.

        ``order``: the events' order by week and score when already known (the weekly loop
        sorted each week's scores as it went: ``week_orders`` joins those sorts), else sorted
        here."""
        week = np.asarray(week)
        score = np.asarray(score, dtype=float)
        label = np.asarray(label).astype(bool)
        correct = np.asarray(reviewer_correct).astype(bool)
        if order is None:
            order = _week_score_order(week, score)
        w_sorted = week[order]
        week_numbers, counts = np.unique(w_sorted, return_counts=True)
        starts = np.concatenate([[0], np.cumsum(counts)])
        return cls.from_sorted(order, score[order], starts, week_numbers, label[order],
                               correct[order], np.asarray(fn_cost, dtype=float)[order],
                               np.asarray(fp_cost, dtype=float)[order])

    @classmethod
    def from_sorted(cls, order, sorted_score, starts, weeks, pos, cor, fn_c, fp_c,
                    **extra) -> BandTable:
        """The table of events already in table order: ``starts`` and ``weeks`` as ``build``
        finds them, then per event its score, label (``pos``), whether a reviewer gets it
        right (``cor``) and its two costs; ``extra``: a subclass's own fields. ``build`` sorts
        and comes here, so a table rebuilt from the same sorted events is the same bit for
        bit."""
        cum_pos = _cum(pos)
        positives = cum_pos[starts[1:]] - cum_pos[starts[:-1]]
        cum_fn = _cum(fn_c)
        return cls(
            order=order,
            sorted_score=sorted_score,
            starts=starts,
            weeks=weeks,
            positives=positives,
            negatives=np.diff(starts) - positives,
            fn_cost_all=cum_fn[starts[1:]] - cum_fn[starts[:-1]],
            cum_pos=cum_pos,
            cum_pos_correct=_cum(pos & cor),
            cum_neg_wrong=_cum(~pos & ~cor),
            cum_fn_cost=cum_fn,
            cum_fn_cost_correct=_cum(fn_c * (pos & cor)),
            cum_fp_cost=_cum(fp_c),
            cum_fp_cost_wrong=_cum(fp_c * (~pos & ~cor)),
            **extra,
        )

    def cuts(self, t_low: float, t_high: float, capacity: int):
        """Per-week boundaries (a, r, b): pass [start, a), overflow [a, r), reviewed [r, b), flag [b, end)."""
        s = self.sorted_score
        keys = np.array([t_low, t_high], dtype=s.dtype)  # the array's dtype: no cast of it
        starts = self.starts.tolist()
        ab = np.empty((len(self.weeks), 2), dtype=np.int64)
        for i in range(len(self.weeks)):  # one binary search per week and edge, not per event
            ab[i] = s[starts[i]:starts[i + 1]].searchsorted(keys, side="left")
        ab += self.starts[:-1, None]
        a, b = ab[:, 0].copy(), ab[:, 1].copy()
        r = np.maximum(a, b - capacity)
        return a, r, b

    def query(self, t_low: float, t_high: float, capacity: int, overflow_action: str,
              review_cost: float) -> dict[str, np.ndarray]:
        """The weekly metric set for one policy, as arrays indexed like ``weeks``."""
        a, r, b = self.cuts(t_low, t_high, capacity)
        return self.query_cuts(a, r, b, overflow_action, review_cost)

    def query_cuts(self, a, r, b, overflow_action: str,
                   review_cost: float) -> dict[str, np.ndarray]:
        """``query`` for per-week boundaries already found (see ``cuts``)."""
        end = self.starts[1:]
        overflow_flags = overflow_action == "flag"

        def run(c, lo, hi):
            return c[hi] - c[lo]

        n = end - self.starts[:-1]
        flag_pos = run(self.cum_pos, b, end)
        flag_n = end - b
        tp = flag_pos + run(self.cum_pos_correct, r, b)
        fp = (flag_n - flag_pos) + run(self.cum_neg_wrong, r, b)
        caught_fn_cost = run(self.cum_fn_cost, b, end) + run(self.cum_fn_cost_correct, r, b)
        cost_fp = run(self.cum_fp_cost, b, end) + run(self.cum_fp_cost_wrong, r, b)
        if overflow_flags:
            over_pos = run(self.cum_pos, a, r)
            tp = tp + over_pos
            fp = fp + (r - a) - over_pos
            caught_fn_cost = caught_fn_cost + run(self.cum_fn_cost, a, r)
            cost_fp = cost_fp + run(self.cum_fp_cost, a, r)
        tp = tp.astype(np.int64)
        fp = fp.astype(np.int64)
        fn = self.positives.astype(np.int64) - tp
        tn = self.negatives.astype(np.int64) - fp
        flagged = tp + fp
        reviewed = b - r
        cost_fn = self.fn_cost_all - caught_fn_cost
        cost_review = reviewed * float(review_cost)
        return {
            "week": self.weeks,
            "events": n,
            "positives": self.positives.astype(np.int64),
            "flagged": flagged,
            "passed": n - flagged,
            "auto_flagged": flag_n,
            "auto_passed": a - self.starts[:-1],
            "review_demand": b - a,
            "reviewed": reviewed,
            "review_overflow": r - a,
            "tp": tp,
            "fp": fp,
            "tn": tn,
            "fn": fn,
            "precision": safe_ratio(tp, flagged),
            "recall": safe_ratio(tp, self.positives),
            "pass_rate": safe_ratio(n - flagged, n),
            "cost_fn": cost_fn,
            "cost_fp": cost_fp,
            "cost_review": cost_review,
            "cost_total": cost_fn + cost_fp + cost_review,
        }

    def decisions(self, t_low: float, t_high: float, capacity: int, overflow_action: str,
                  label, reviewer_correct) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per-event (action, reviewed, final) in the original event order.

        action: 0 pass, 1 review, 2 flag (the policy's first decision); reviewed: the event
        reached a reviewer; final: 1 if the event ends flagged (after review or overflow).
        """
        a, r, b = self.cuts(t_low, t_high, capacity)
        return self.decisions_cuts(a, r, b, overflow_action, label, reviewer_correct)

    def decisions_cuts(self, a, r, b, overflow_action: str, label,
                       reviewer_correct) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``decisions`` for per-week boundaries already found (see ``cuts``)."""
        pos = np.arange(len(self.order))
        week_of = np.repeat(np.arange(len(self.weeks)), np.diff(self.starts))
        action_sorted = np.where(pos < a[week_of], PASS, np.where(pos < b[week_of], REVIEW, FLAG))
        reviewed_sorted = (pos >= r[week_of]) & (pos < b[week_of])
        action = np.empty(len(pos), dtype=np.int8)
        action[self.order] = action_sorted
        reviewed = np.empty(len(pos), dtype=bool)
        reviewed[self.order] = reviewed_sorted
        label = np.asarray(label).astype(bool)
        verdict = np.where(np.asarray(reviewer_correct, dtype=bool), label, ~label)
        overflow_final = overflow_action == "flag"
        final = np.where(
            action == FLAG,
            True,
            np.where(action == PASS, False, np.where(reviewed, verdict, overflow_final)),
        )
        return action, reviewed, final.astype(np.int8)


# -- totals over a horizon ----------------------------------------------------------------


TOTAL_COUNTS = ("events", "positives", "tp", "fp", "tn", "fn", "flagged", "passed",
                "review_demand", "reviewed", "review_overflow", "cost_fn", "cost_fp",
                "cost_review", "cost_retrain", "cost_total")


def horizon_totals(weekly) -> dict[str, float]:
    """Sums over all weeks, ratios recomputed from the sums, weekly review demand averaged.

    ``weekly`` is a weekly table, or a mapping of its columns as arrays (what
    ``Outcome.totals`` passes: the same sums, bit for bit, without building a frame)."""
    names = [k for k in TOTAL_COUNTS if k in weekly]
    if isinstance(weekly, Mapping):
        s = {k: float(np.nansum(np.asarray(weekly[k], dtype=float))) for k in names}
        rows = len(weekly["review_overflow"])
    else:
        # one block read, one contiguous column each: the same sums as Series.sum (NaN
        # skipped), without pandas' per-column overhead
        block = np.asfortranarray(np.asarray(weekly[names], dtype=float)) if names else None
        s = {k: float(np.nansum(block[:, j])) for j, k in enumerate(names)}
        rows = len(weekly)
    weeks = max(rows, 1)
    s.update(
        precision=safe_ratio(s["tp"], s["flagged"]),
        recall=safe_ratio(s["tp"], s["positives"]),
        pass_rate=safe_ratio(s["passed"], s["events"]),
        flag_rate=safe_ratio(s["flagged"], s["events"]),
        false_positive_rate=safe_ratio(s["fp"], s["fp"] + s["tn"]),
        review_demand_per_week=s["review_demand"] / weeks,
        reviewed_per_week=s["reviewed"] / weeks,
        overflow_weeks=float((np.asarray(weekly["review_overflow"]) > 0).sum()),
        weeks=float(rows),
    )
    return s


# -- plain metrics on one set of labels and scores ----------------------------------------


def confusion_counts(y_true, y_pred) -> dict[str, int]:
    """tp, fp, tn, fn for 0/1 predictions."""
    y_true = np.asarray(y_true).astype(bool)
    y_pred = np.asarray(y_pred).astype(bool)
    tp = int(np.count_nonzero(y_true & y_pred))
    fp = int(np.count_nonzero(~y_true & y_pred))
    fn = int(np.count_nonzero(y_true & ~y_pred))
    return {"tp": tp, "fp": fp, "tn": len(y_true) - tp - fp - fn, "fn": fn}


def threshold_curve(y_true, y_score) -> dict[str, np.ndarray]:
    """Counts for every distinct threshold, from one descending sort and cumulative sums.

    At index i, ``thresholds[i]`` is the i-th largest distinct score and ``tp[i]``/``fp[i]``
    are the numbers of positives/negatives with score >= thresholds[i] (the events a policy
    with that threshold flags). ``precision`` is NaN where nothing is flagged.

    >>> c = threshold_curve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    >>> c["thresholds"].tolist(), c["tp"].tolist(), c["fp"].tolist()
    ([0.8, 0.4, 0.35, 0.1], [1, 1, 2, 2], [0, 1, 1, 2])
    """
    y_true = np.asarray(y_true).astype(bool)
    y_score = np.asarray(y_score, dtype=float)
    order = np.argsort(-y_score, kind="stable")
    s = y_score[order]
    t = y_true[order]
    last = np.r_[np.flatnonzero(np.diff(s)), len(s) - 1]
    tp = np.cumsum(t)[last]
    fp = (last + 1) - tp
    pos = int(t.sum())
    neg = len(t) - pos
    return {
        "thresholds": s[last],
        "tp": tp,
        "fp": fp,
        "precision": safe_ratio(tp, tp + fp),
        "recall": safe_ratio(tp, pos),
        "fpr": safe_ratio(fp, neg),
        "flag_rate": (last + 1) / max(len(s), 1),
    }


def roc_auc(y_true, y_score) -> float:
    """Area under the ROC curve: P(score of a random positive > a random negative), ties half.

    AUC = (sum of the positives' ranks - n1 (n1 + 1) / 2) / (n1 n0), with average ranks for
    tied scores (the Mann-Whitney U statistic). NaN when only one class is present.
    """
    y_true = np.asarray(y_true).astype(bool)
    y_score = np.asarray(y_score, dtype=float)
    if y_true.all() or not y_true.any():
        return float("nan")
    order = np.argsort(y_score, kind="stable")
    return roc_auc_sorted(y_score[order], y_true[order])


def roc_auc_sorted(sorted_score, sorted_true) -> float:
    """``roc_auc`` of scores already sorted ascending, with the labels in the same order.

    Tied scores share their average rank, so the order within a tie does not matter: any
    ascending sort (a ``BandTable``'s, say) gives the same value, bit for bit."""
    s = np.asarray(sorted_score, dtype=float)
    y_true = np.asarray(sorted_true).astype(bool)
    n1 = int(y_true.sum())
    n0 = len(y_true) - n1
    if n1 == 0 or n0 == 0:
        return float("nan")
    # average rank of each tie group (1-based)
    boundaries = np.r_[0, np.flatnonzero(np.diff(s)) + 1, len(s)]
    sizes = np.diff(boundaries)
    avg_rank = boundaries[:-1] + (sizes + 1) / 2.0
    ranks = np.repeat(avg_rank, sizes)
    rank_sum = ranks[y_true].sum()
    return float((rank_sum - n1 * (n1 + 1) / 2.0) / (n1 * n0))


def brier_score(y_true, y_prob) -> float:
    """mean((p - y)^2); NaN for no events."""
    y_true = np.asarray(y_true, dtype=float)
    y_prob = np.asarray(y_prob, dtype=float)
    return float(np.mean((y_prob - y_true) ** 2)) if len(y_true) else float("nan")


def log_loss(y_true, y_prob) -> float:
    """-mean(y ln p + (1 - y) ln(1 - p)), p clipped to [eps, 1 - eps] with float64's eps
    (as scikit-learn does); NaN for no events."""
    y_true = np.asarray(y_true, dtype=float)
    if not len(y_true):
        return float("nan")
    eps = np.finfo(float).eps
    p = np.clip(np.asarray(y_prob, dtype=float), eps, 1 - eps)
    return float(-np.mean(y_true * np.log(p) + (1 - y_true) * np.log1p(-p)))


def reliability_bins(y_true, y_prob, n_bins: int = 10) -> dict[str, np.ndarray]:
    """Equal-width probability bins: count, mean predicted probability and observed positive
    rate per bin (NaN for empty bins) — the points of a reliability diagram."""
    y_true = np.asarray(y_true, dtype=float)
    y_prob = np.asarray(y_prob, dtype=float)
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    idx = np.clip(np.searchsorted(edges, y_prob, side="right") - 1, 0, n_bins - 1)
    count = np.bincount(idx, minlength=n_bins)
    return {
        "lower": edges[:-1],
        "upper": edges[1:],
        "count": count,
        "mean_predicted": safe_ratio(np.bincount(idx, y_prob, n_bins), count),
        "fraction_positive": safe_ratio(np.bincount(idx, y_true, n_bins), count),
    }


def expected_calibration_error(y_true, y_prob, n_bins: int = 10) -> float:
    """ECE = sum over bins of (n_b / N) |mean predicted_b - positive rate_b| (equal-width bins)."""
    bins = reliability_bins(y_true, y_prob, n_bins)
    total = bins["count"].sum()
    if total == 0:
        return float("nan")
    gap = np.abs(np.nan_to_num(bins["mean_predicted"] - bins["fraction_positive"]))
    return float((bins["count"] * gap).sum() / total)
