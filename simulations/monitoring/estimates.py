"""Label-free performance estimates: how the model is doing this week, before the labels are in.

Confidence-based performance estimation (the idea behind NannyML's CBPE): if the model's scores
are calibrated, an event with calibrated probability p_i is a positive with probability p_i, so
over the events a policy flags, E[TP] = sum p_i and E[FP] = sum (1 - p_i); over the events it
passes, E[FN] = sum p_i. The scores are calibrated on labelled reference data (the labelled
events a model was trained on) with scikit-learn's ``IsotonicRegression`` (or a sigmoid, Platt
scaling, fitted by ``LogisticRegression`` on the logit of the score).

A reviewed event's final decision is the reviewer's verdict, which tells something about its
label: with reviewer accuracy a, P(positive | verdict flag) = p a / (p a + (1 - p)(1 - a)) and
P(positive | verdict pass) = p (1 - a) / (p (1 - a) + (1 - p) a). Where the review route is an
action rather than a verdict (an exploration slot), p is used as it is.

The interval is the labels' sampling spread given the probabilities: each label is an
independent Bernoulli(q_i), so a count is Poisson-binomial with variance sum q_i (1 - q_i);
precision's variance is Var(TP) / flagged^2, recall's follows by the delta method for
A / (A + B) with A = TP and B = FN independent, and the cost's is the sum of q_i (1 - q_i)
times each event's cost squared. A normal approximation gives the 90 % interval. It covers the
truth only while the calibration holds: under concept drift (the same scores now mean a
different chance of a positive) the estimate is biased and the interval does not widen.

Everything is vectorised over weeks (one ``bincount`` per sum).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression

from ..policy.metrics import safe_ratio

CALIBRATION_METHODS = ("isotonic", "sigmoid")
Z90 = 1.6448536269514722  # the standard normal's 95th percentile: a two-sided 90 % interval
ESTIMATED = ("precision", "recall", "cost", "review_precision")


@dataclass(frozen=True)
class Calibration:
    """A fitted map from a model's score to the probability of a positive.

    It is applied only where it helps: like NannyML's CBPE, the fit is first tried on held-out
    parts of the reference (``calibration_helps``); when it does not lower the calibration
    error there, the model's own scores are taken as they are (``raw``). A fit on a reference
    with few positives can bend the rare tail more than the scores were ever off, so an
    already calibrated model (a logistic regression, as a rule) is then estimated better from
    its raw scores. The check runs on first use, so runs that never estimate never pay it."""

    method: str
    model: IsotonicRegression | LogisticRegression
    scores: np.ndarray  # the labelled reference it was fitted on
    labels: np.ndarray

    @property
    def reference_events(self) -> int:
        return len(self.labels)

    @property
    def reference_positives(self) -> int:
        return int(self.labels.sum())

    @cached_property
    def raw(self) -> bool:
        """True when the scores are used as they are (calibrating them did not help)."""
        return not calibration_helps(self.scores, self.labels, self.method)

    def __call__(self, scores: np.ndarray) -> np.ndarray:
        scores = np.asarray(scores, dtype=float)
        if self.raw:
            return np.clip(scores, 0.0, 1.0)
        return _predict(self.model, scores, self.method)


def _predict(model, scores: np.ndarray, method: str) -> np.ndarray:
    if method == "isotonic":
        return model.predict(scores)
    return model.predict_proba(_logit(scores)[:, None])[:, 1]


def expected_calibration_error(label: np.ndarray, p: np.ndarray, bins: int = 10) -> float:
    """Mean |mean p - share positive| over ``bins`` equal-count bins of sorted ``p``, each
    weighted by its share of the events (the last bin takes the remainder)."""
    order = np.argsort(p, kind="stable")
    p, label = np.asarray(p, float)[order], np.asarray(label, float)[order]
    n = len(p)
    width = n // bins
    edges = np.arange(0, n + 1, width)
    edges[-1] = n
    lo, hi = edges[:-1], edges[1:]
    cp, cl = np.concatenate([[0.0], np.cumsum(p)]), np.concatenate([[0.0], np.cumsum(label)])
    size = hi - lo
    return float(np.sum(size / n * np.abs((cp[hi] - cp[lo]) / size - (cl[hi] - cl[lo]) / size)))


def calibration_helps(scores, labels, method: str, splits: int = 10, bins: int = 10) -> bool:
    """Whether calibrating ``scores`` lowers the calibration error on held-out reference data.

    NannyML's rule (``nannyml.calibration.needs_calibration``): ``splits`` stratified 90/10
    splits of the reference (fixed seed); fit on the 90%, and compare the expected calibration
    error (``bins`` equal-count bins) of the raw and the calibrated scores over all the held-out
    parts together. Calibrate only if it is lower calibrated. Near-perfect ranking (AUC above
    0.999) is left raw, as NannyML does; a reference with fewer than ``splits`` events of a
    class is calibrated (too small to test). Isotonic fits share one sort of the reference
    (``_isotonic_fits``)."""
    from ..policy.metrics import roc_auc

    scores, labels = np.asarray(scores, dtype=float), np.asarray(labels).astype(int)
    positives = int(labels.sum())
    if min(positives, len(labels) - positives) < splits or len(labels) < 20 * bins:
        return True
    if roc_auc(labels, scores) > 0.999:
        return False
    parts = stratified_splits(labels, splits, 0.1, seed=42)
    if method == "isotonic":
        fitted = _isotonic_fits(scores, labels, parts)
    else:
        fitted = [_predict(_fit(scores[tr], labels[tr], method), scores[te], method)
                  for tr, te in parts]
    truth = np.concatenate([labels[te] for _, te in parts])
    raw = np.concatenate([scores[te] for _, te in parts])
    return (expected_calibration_error(truth, raw, bins)
            > expected_calibration_error(truth, np.concatenate(fitted), bins))


def _approximate_mode(counts: np.ndarray, draws: int, rng: np.random.RandomState) -> np.ndarray:
    """How many of ``draws`` to take from each class: floor of the proportional share, then
    one more to the largest remainders, ties broken at random (scikit-learn's rule)."""
    continuous = counts / counts.sum() * draws
    floored = np.floor(continuous)
    need = int(draws - floored.sum())
    if need > 0:
        remainder = continuous - floored
        for value in np.sort(np.unique(remainder))[::-1]:
            (inds,) = np.where(remainder == value)
            add = min(len(inds), need)
            floored[rng.choice(inds, size=add, replace=False)] += 1
            need -= add
            if need == 0:
                break
    return floored.astype(np.int64)


def stratified_splits(labels, splits: int, test_share: float, seed: int):
    """``splits`` (train, test) index pairs, each class split in proportion: the same pairs as
    scikit-learn's ``StratifiedShuffleSplit(splits, test_size=test_share, random_state=seed)``
    (tests/test_estimates.py checks it), which NannyML's check uses, drawn with arrays instead
    of a per-element Python loop."""
    labels = np.asarray(labels)
    n = len(labels)
    n_test = math.ceil(test_share * n)
    n_train = n - n_test
    classes, index, counts = np.unique(labels, return_inverse=True, return_counts=True)
    members = np.split(np.argsort(index, kind="stable"), np.cumsum(counts)[:-1])
    rng = np.random.RandomState(seed)
    out = []
    for _ in range(splits):
        n_i = _approximate_mode(counts, n_train, rng)
        t_i = _approximate_mode(counts - n_i, n_test, rng)
        train, test = [], []
        for k in range(len(classes)):
            picked = members[k].take(rng.permutation(counts[k]), mode="clip")
            train.append(picked[:n_i[k]])
            test.append(picked[n_i[k]:n_i[k] + t_i[k]])
        out.append((rng.permutation(np.concatenate(train)), rng.permutation(np.concatenate(test))))
    return out


def _isotonic_fits(scores, labels, parts) -> list[np.ndarray]:
    """For each (train, test) split, what ``IsotonicRegression(y_min=0, y_max=1,
    out_of_bounds="clip")`` fitted on train predicts for test, without sorting per split:
    the reference's distinct scores are found once; a split's training rows give each
    distinct score its weight and mean label (what the estimator does first), then the
    estimator's own pool-adjacent-violators step and linear interpolation, flat outside the
    training scores (tests/test_estimates.py checks it against the estimator)."""
    from sklearn.isotonic import isotonic_regression

    distinct, where = np.unique(scores, return_inverse=True)
    out = []
    for train, test in parts:
        weight = np.bincount(where[train], minlength=len(distinct)).astype(float)
        total = np.bincount(where[train], labels[train].astype(float), minlength=len(distinct))
        seen = weight > 0
        x, w = distinct[seen], weight[seen]
        y = isotonic_regression(total[seen] / w, sample_weight=w, y_min=0.0, y_max=1.0)
        out.append(np.interp(scores[test], x, y))
    return out


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


def fit_calibration(scores, labels, method: str = "isotonic") -> Calibration | None:
    """Calibrate ``scores`` on their true ``labels``; None when both classes are not present."""
    if method not in CALIBRATION_METHODS:
        raise ValueError(f"calibration method {method!r}: choose one of "
                         f"{', '.join(CALIBRATION_METHODS)}")
    scores = np.asarray(scores, dtype=float)
    labels = np.asarray(labels).astype(int)
    positives = int(labels.sum())
    if positives == 0 or positives == len(labels):
        return None
    return Calibration(method, _fit(scores, labels, method), scores, labels)


def _fit(scores, labels, method):
    if method == "isotonic":
        return IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(scores, labels)
    return LogisticRegression(C=1e6).fit(_logit(scores)[:, None], labels)


def calibration_spread(cal: Calibration, rng: np.random.Generator, resamples: int = 20,
                       grid: int = 200):
    """How much the calibrated probability of a score would move with another draw of the
    reference: the standard deviation over ``resamples`` bootstrap refits, on a grid of the
    reference's score quantiles. Returns a function score -> standard deviation. Kept also
    when the raw scores are used (``Calibration.raw``): it says how far a score's probability
    could be off with a reference of this size, whichever map is applied."""
    at = np.unique(np.quantile(cal.scores, np.linspace(0, 1, grid)))
    fitted = np.empty((resamples, len(at)))
    n = len(cal.labels)
    for b in range(resamples):
        pick = rng.integers(0, n, n)
        labels = cal.labels[pick]
        if labels.min() == labels.max():
            fitted[b] = np.nan
            continue
        fitted[b] = _predict(_fit(cal.scores[pick], labels, cal.method), at, cal.method)
    sd = np.nanstd(fitted, axis=0, ddof=1)
    return lambda scores: np.interp(np.asarray(scores, dtype=float), at, sd)


def calibrated_probabilities(scores, model_version, calibrations,
                             seed_sequence: np.random.SeedSequence | None = None):
    """Each event's calibrated probability by the calibration of the model that scored it
    (NaN where that model has none) and, with ``seed_sequence``, the spread of that probability
    over bootstrap refits of the calibration (model version v draws from its child v)."""
    scores = np.asarray(scores, dtype=float)
    version = np.asarray(model_version)
    p = np.full(len(scores), np.nan)
    spread = np.zeros(len(scores))
    children = seed_sequence.spawn(len(calibrations)) if seed_sequence is not None else None
    for v, cal in enumerate(calibrations):
        mine = version == v
        if cal is not None and mine.any():
            p[mine] = cal(scores[mine])
            if children is not None:
                spread[mine] = calibration_spread(cal, np.random.default_rng(children[v]))(
                    scores[mine])
    return p, spread


def posterior_given_verdict(p, reviewed, final, accuracy: float, review_decides: bool):
    """P(positive) per event after what the team knows at once: the reviewers' verdicts."""
    p = np.asarray(p, dtype=float)
    if not review_decides or accuracy == 0.5:
        return p
    reviewed = np.asarray(reviewed, dtype=bool)
    flag = np.asarray(final).astype(bool)
    a = np.where(flag, accuracy, 1 - accuracy)  # P(verdict | positive)
    with np.errstate(invalid="ignore", divide="ignore"):
        post = p * a / (p * a + (1 - p) * (1 - a))
    return np.where(reviewed, post, p)


def estimate_weekly(weeks, p, final, reviewed, fn_cost, fp_cost, review_cost: float,
                    spread=None, z: float = Z90, weight=None) -> pd.DataFrame:
    """Per week, estimated precision, recall, cost and review-queue precision with intervals.

    ``p``: each event's probability of a positive (``posterior_given_verdict``); ``final``: 1 if
    finally flagged; ``fn_cost``/``fp_cost``: what a missed positive / a false flag of that
    event would cost (label-free: ``label_free_costs``); ``spread``: each probability's
    calibration uncertainty (``calibrated_probabilities``), added to the interval as if the
    calibration errors of a week's events all went the same way (a conservative bound: the
    errors of nearby scores do move together); ``weight``: how many events each row stands
    for (default 1; a share when an event is split over the outcomes it may still have).
    Columns ``est_<metric>`` and ``est_<metric>_low``/``_high`` (the ``z``-sigma normal
    interval), plus ``est_tp``, ``est_fn`` and ``est_cost_spread`` (see ``_spread``). NaN
    where undefined (no flagged events for precision, no expected positives for recall, an
    event without calibration in the week).
    """
    weeks = np.asarray(weeks)
    first = int(weeks[0])
    n_weeks = int(weeks[-1]) - first + 1
    idx = weeks - first
    p = np.asarray(p, dtype=float)
    flag = np.asarray(final).astype(bool)
    rev = np.asarray(reviewed, dtype=bool)
    var_i = p * (1 - p)
    w = np.ones(len(p)) if weight is None else np.asarray(weight, dtype=float)

    def total(weights):
        return np.bincount(idx, weights * w, minlength=n_weeks)

    flagged = total(flag.astype(float))
    tp, fn = total(np.where(flag, p, 0.0)), total(np.where(flag, 0.0, p))
    var_tp, var_fn = total(np.where(flag, var_i, 0.0)), total(np.where(flag, 0.0, var_i))
    cost = (total(np.where(flag, (1 - p) * fp_cost, p * fn_cost))
            + review_cost * total(rev.astype(float)))
    var_cost = total(var_i * np.where(flag, fp_cost, fn_cost) ** 2)
    e = np.where(flag, (1 - p) * fp_cost, p * fn_cost)
    e_sq, n_all = total(e * e), total(np.ones(len(p)))
    n_rev = total(rev.astype(float))
    rev_pos, var_rev = total(np.where(rev, p, 0.0)), total(np.where(rev, var_i, 0.0))

    sigma = np.zeros(len(p)) if spread is None else np.asarray(spread, dtype=float)
    cal_tp, cal_fn = total(np.where(flag, sigma, 0.0)), total(np.where(flag, 0.0, sigma))
    cal_cost = total(sigma * np.where(flag, fp_cost, fn_cost))
    cal_rev = total(np.where(rev, sigma, 0.0))
    out = _assemble(np.arange(first, first + n_weeks), tp, fn, flagged, var_tp, var_fn,
                    cal_tp, cal_fn, cost, var_cost, cal_cost, rev_pos, n_rev, var_rev,
                    cal_rev, z)
    out["est_cost_spread"] = _spread(e_sq, cost - review_cost * n_rev, n_all)
    return pd.DataFrame(out)


def _spread(sum_sq, total, n):
    """sqrt(n * Var(e)) of a week's sum of per-event expected costs: how much the estimate
    itself moves between two draws of the same week's events (what a change detector must not
    take for a change)."""
    return np.sqrt(np.clip(sum_sq - safe_ratio(total ** 2, n), 0, None))


def label_free_costs(value, costs) -> tuple[np.ndarray, np.ndarray]:
    """Per event, the cost if it is a missed positive and if it is a false flag (no label)."""
    value = np.asarray(value, dtype=float)
    return (costs.fn_fixed + costs.fn_per_value * value,
            costs.fp_fixed + costs.fp_per_value * value)


def event_cost_spread(weeks, p, final, fn_cost, fp_cost) -> np.ndarray:
    """Per week, the standard deviation of the week's mean expected cost per event that the
    week-to-week sampling of events alone gives (what a change detector must not react to)."""
    weeks = np.asarray(weeks)
    first = int(weeks[0])
    n_weeks = int(weeks[-1]) - first + 1
    idx = weeks - first
    flag = np.asarray(final).astype(bool)
    e = np.where(flag, (1 - p) * fp_cost, p * fn_cost)
    n = np.bincount(idx, minlength=n_weeks).astype(float)
    mean = safe_ratio(np.bincount(idx, e, minlength=n_weeks), n)
    second = safe_ratio(np.bincount(idx, e * e, minlength=n_weeks), n)
    return np.sqrt(np.clip(second - mean ** 2, 0, None) / n)


class RangeSums:
    """Cumulative sums of per-event columns in a table's sorted order: the sum of any column
    over positions [lo, hi) of that order is ``at(hi) - at(lo)``, in O(1)."""

    def __init__(self, order: np.ndarray, columns: np.ndarray):
        self.cum = np.zeros((len(order) + 1, columns.shape[1]))
        np.cumsum(columns[order], axis=0, out=self.cum[1:])

    def sum(self, lo, hi) -> np.ndarray:
        """(weeks, columns): per week, the column sums over [lo[i], hi[i])."""
        return self.cum[hi] - self.cum[lo]


class EstimateTable:
    """Label-free estimates of any band in O(weeks), from a ``BandTable``'s sorted order.

    A band splits each week's sorted scores into pass [start, a), overflow [a, r), reviewed
    [r, b) and flag [b, end) (``BandTable.cuts``). Every per-event quantity an estimate sums is
    known before the band is (the calibrated probability, its spread, what the event would
    cost either way, and for a reviewed event the reviewer's verdict, which does not depend on
    the band either), so their cumulative sums in that order answer any band by differences:
    the same numbers ``estimate_weekly`` gives from the band's per-event decisions.
    """

    _MODEL = ("p", "var", "p_fn", "q_fp", "var_fn2", "var_fp2", "sd", "sd_fn", "sd_fp",
              "p_fn2", "q_fp2")
    _REVIEW = ("vf", "q_vf", "q_vp", "var_vf", "var_vp", "cost", "var_cost2", "sd_vf", "sd_vp",
               "sd_cost", "cost2")

    def __init__(self, table, p, spread, verdict_flag, q, fn_cost, fp_cost):
        p = np.asarray(p, dtype=float)
        sd = np.asarray(spread, dtype=float)
        vf = np.asarray(verdict_flag, dtype=float)
        q = np.asarray(q, dtype=float)
        var, var_q = p * (1 - p), q * (1 - q)
        review_cost_each = np.where(vf > 0, fp_cost, fn_cost)
        model = np.column_stack([p, var, p * fn_cost, (1 - p) * fp_cost, var * fn_cost ** 2,
                                 var * fp_cost ** 2, sd, sd * fn_cost, sd * fp_cost,
                                 (p * fn_cost) ** 2, ((1 - p) * fp_cost) ** 2])
        review_e = np.where(vf > 0, (1 - q) * fp_cost, q * fn_cost)
        review = np.column_stack([
            vf, q * vf, q * (1 - vf), var_q * vf, var_q * (1 - vf),
            review_e, var_q * review_cost_each ** 2,
            sd * vf, sd * (1 - vf), sd * review_cost_each, review_e ** 2])
        self.starts = table.starts
        self.weeks = table.weeks
        self._cuts = table.cuts
        self._model = RangeSums(table.order, model)
        self._review = RangeSums(table.order, review)

    def query(self, t_low: float, t_high: float, capacity: int, overflow_action: str,
              review_cost: float, z: float = Z90) -> dict[str, np.ndarray]:
        """The columns of ``estimate_weekly`` for one band (a dict of arrays: cheaper to
        extend than a frame)."""
        a, r, b = self._cuts(t_low, t_high, capacity)
        start, end = self.starts[:-1], self.starts[1:]
        m = dict(zip(self._MODEL, self._model.sum(start, a).T, strict=True))  # passed
        f = dict(zip(self._MODEL, self._model.sum(b, end).T, strict=True))  # flagged
        o = dict(zip(self._MODEL, self._model.sum(a, r).T, strict=True))  # overflow
        v = dict(zip(self._REVIEW, self._review.sum(r, b).T, strict=True))  # reviewed
        if overflow_action == "flag":
            f = {k: f[k] + o[k] for k in f}
            flagged = (end - b) + (r - a) + v["vf"]
        else:
            m = {k: m[k] + o[k] for k in m}
            flagged = (end - b) + v["vf"]
        tp, fn = f["p"] + v["q_vf"], m["p"] + v["q_vp"]
        var_tp, var_fn = f["var"] + v["var_vf"], m["var"] + v["var_vp"]
        cal_tp, cal_fn = f["sd"] + v["sd_vf"], m["sd"] + v["sd_vp"]
        n_rev = (b - r).astype(float)
        cost = m["p_fn"] + f["q_fp"] + v["cost"] + review_cost * n_rev
        var_cost = m["var_fn2"] + f["var_fp2"] + v["var_cost2"]
        cal_cost = m["sd_fn"] + f["sd_fp"] + v["sd_cost"]
        rev_pos, var_rev, cal_rev = (v["q_vf"] + v["q_vp"], v["var_vf"] + v["var_vp"],
                                     v["sd_vf"] + v["sd_vp"])
        out = _assemble(self.weeks, tp, fn, flagged, var_tp, var_fn, cal_tp, cal_fn, cost,
                        var_cost, cal_cost, rev_pos, n_rev, var_rev, cal_rev, z)
        out["est_cost_spread"] = _spread(m["p_fn2"] + f["q_fp2"] + v["cost2"],
                                         cost - review_cost * n_rev, end - start)
        return out


def _assemble(weeks, tp, fn, flagged, var_tp, var_fn, cal_tp, cal_fn, cost, var_cost,
              cal_cost, rev_pos, n_rev, var_rev, cal_rev, z) -> dict[str, np.ndarray]:
    precision = safe_ratio(tp, flagged)
    sd_precision = np.sqrt(safe_ratio(var_tp + cal_tp ** 2, flagged ** 2))
    recall = safe_ratio(tp, tp + fn)
    sd_recall = np.sqrt(safe_ratio(fn ** 2 * var_tp + tp ** 2 * var_fn
                                   + (fn * cal_tp + tp * cal_fn) ** 2, (tp + fn) ** 4))
    review_precision = safe_ratio(rev_pos, n_rev)
    sd_review = np.sqrt(safe_ratio(var_rev + cal_rev ** 2, n_rev ** 2))
    sd_cost = np.sqrt(var_cost + cal_cost ** 2)
    out = {"week": np.asarray(weeks), "est_tp": tp, "est_fn": fn}
    for name, value, sd, lo, hi in (
            ("precision", precision, sd_precision, 0.0, 1.0),
            ("recall", recall, sd_recall, 0.0, 1.0),
            ("cost", cost, sd_cost, 0.0, np.inf),
            ("review_precision", review_precision, sd_review, 0.0, 1.0)):
        out[f"est_{name}"] = value
        out[f"est_{name}_low"] = np.clip(value - z * sd, lo, hi)
        out[f"est_{name}_high"] = np.clip(value + z * sd, lo, hi)
    return out
