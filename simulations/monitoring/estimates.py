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
    its raw scores. The check and the fit itself (``model``) run on first use, so runs that
    never estimate never pay them, and raw scores never pay the fit (as in NannyML, which
    fits its calibrator only when the check says it is needed)."""

    method: str
    scores: np.ndarray  # the labelled reference it is fitted on
    labels: np.ndarray

    @cached_property
    def model(self) -> IsotonicRegression | LogisticRegression:
        """The calibration fitted on the whole reference (on first use)."""
        return _fit(self.scores, self.labels, self.method)

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
    order = _stable_order(np.asarray(p, float))
    return _ece_sorted(np.asarray(label, float)[order], np.asarray(p, float)[order], bins)


def calibration_helps(scores, labels, method: str, splits: int = 10, bins: int = 10) -> bool:
    """Whether calibrating ``scores`` lowers the calibration error on held-out reference data.

    NannyML's rule (``nannyml.calibration.needs_calibration``): ``splits`` stratified 90/10
    splits of the reference (fixed seed); fit on the 90%, and compare the expected calibration
    error (``bins`` equal-count bins) of the raw and the calibrated scores over all the held-out
    parts together. Calibrate only if it is lower calibrated. Near-perfect ranking (AUC above
    0.999) is left raw, as NannyML does; a reference with fewer than ``splits`` events of a
    class is calibrated (too small to test). One sort of the reference serves the AUC, every
    isotonic fit (``_isotonic_fits``) and the raw scores' calibration error."""
    scores, labels = np.asarray(scores, dtype=float), np.asarray(labels).astype(int)
    positives = int(labels.sum())
    if min(positives, len(labels) - positives) < splits or len(labels) < 20 * bins:
        return True
    distinct = _Distinct(scores, labels)
    if distinct.auc() > 0.999:
        return False
    parts = stratified_splits(labels, splits, 0.1, seed=42, train=method != "isotonic")
    tests = [te for _, te in parts]
    if method == "isotonic":
        fitted = _isotonic_fits(scores, labels, tests, distinct)
    else:
        fitted = [_predict(_fit(scores[tr], labels[tr], method), scores[te], method)
                  for tr, te in parts]
    held_out = np.concatenate(tests)
    truth = labels[held_out]
    # the raw scores sort as their ranks among the distinct scores do (ties in held-out order)
    raw_order = _rank_order(distinct.rank[held_out])
    return (_ece_sorted(truth[raw_order], scores[held_out][raw_order], bins)
            > expected_calibration_error(truth, np.concatenate(fitted), bins))


class _Distinct:
    """A reference's distinct scores, found with one sort: each row's rank among them, and per
    distinct score its rows and positives (what the AUC and the isotonic fits start from)."""

    def __init__(self, scores: np.ndarray, labels: np.ndarray):
        self.values, self.rank = np.unique(scores, return_inverse=True)
        size = len(self.values)
        self.rows = np.bincount(self.rank, minlength=size).astype(float)
        self.positives = np.bincount(self.rank, labels.astype(float), minlength=size)

    def auc(self) -> float:
        """``roc_auc`` from the tie groups: each distinct score's average rank (1-based) times
        its positives (sums of half-integers, so exact in any order)."""
        n1 = float(self.positives.sum())
        n0 = float(self.rows.sum()) - n1
        before = np.cumsum(self.rows) - self.rows
        rank_sum = float(np.sum((before + (self.rows + 1) / 2.0) * self.positives))
        return (rank_sum - n1 * (n1 + 1) / 2.0) / (n1 * n0)


def _ece_sorted(label: np.ndarray, p: np.ndarray, bins: int) -> float:
    """``expected_calibration_error`` of ``p`` already in its stable sorted order."""
    n = len(p)
    width = n // bins
    edges = np.arange(0, n + 1, width)
    edges[-1] = n
    lo, hi = edges[:-1], edges[1:]
    cp, cl = np.concatenate([[0.0], np.cumsum(p)]), np.concatenate([[0.0], np.cumsum(label)])
    size = hi - lo
    return float(np.sum(size / n * np.abs((cp[hi] - cp[lo]) / size - (cl[hi] - cl[lo]) / size)))


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


def stratified_splits(labels, splits: int, test_share: float, seed: int, train: bool = True):
    """``splits`` (train, test) index pairs, each class split in proportion: the same pairs as
    scikit-learn's ``StratifiedShuffleSplit(splits, test_size=test_share, random_state=seed)``
    (tests/test_estimates.py checks it), which NannyML's check uses, drawn with arrays instead
    of a per-element Python loop. Every row is in train or in test. With ``train=False`` the
    train parts are None: their shuffle still draws the same random numbers (it shuffles a
    scratch array of their length), so the test parts are the same."""
    labels = np.asarray(labels)
    n = len(labels)
    n_test = math.ceil(test_share * n)
    n_train = n - n_test
    classes, members = _class_members(labels)
    counts = np.array([len(m) for m in members])
    rng = np.random.RandomState(seed)
    scratch = None if train else np.arange(n_train)
    out = []
    for _ in range(splits):
        n_i = _approximate_mode(counts, n_train, rng)
        t_i = _approximate_mode(counts - n_i, n_test, rng)
        trains, tests = [], []
        for k in range(len(classes)):
            order = rng.permutation(counts[k])
            if train:
                trains.append(members[k].take(order[:n_i[k]]))
            tests.append(members[k].take(order[n_i[k]:n_i[k] + t_i[k]]))
        if train:
            kept = rng.permutation(np.concatenate(trains))
        else:  # the same draws as permuting the train part: a shuffle depends on length only
            rng.shuffle(scratch)
            kept = None
        out.append((kept, rng.permutation(np.concatenate(tests))))
    return out


def _class_members(labels: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
    """The sorted classes and, for each, the positions of its rows in ascending order (what
    ``np.unique`` and a stable argsort give; for small whole-number labels without a sort)."""
    if labels.dtype.kind in "biu" and len(labels) and 0 <= labels.min() and labels.max() < 64:
        classes = np.flatnonzero(np.bincount(labels))
        return classes, [np.flatnonzero(labels == c) for c in classes]
    classes, index, counts = np.unique(labels, return_inverse=True, return_counts=True)
    return classes, np.split(np.argsort(index, kind="stable"), np.cumsum(counts)[:-1])


def _stable_order(values: np.ndarray) -> np.ndarray:
    """``np.argsort(values, kind="stable")``, from two quicksorts (several times faster than
    one stable sort of floats): ties are put in position order by sorting the unique keys
    rank * n + position, where rank is the value's rank among the distinct values."""
    values = np.asarray(values)
    order = np.argsort(values)
    if values.dtype.kind == "f" and np.isnan(values[order[-1:]]).any():
        return np.argsort(values, kind="stable")  # NaNs are each unequal to themselves
    in_order = values[order]
    new = np.empty(len(values), dtype=bool)
    new[:1] = True
    np.not_equal(in_order[1:], in_order[:-1], out=new[1:])
    if new.all():  # no ties: any order is the stable one
        return order
    rank = np.empty(len(values), dtype=np.int64)
    rank[order] = np.cumsum(new) - 1
    return _rank_order(rank)


def _rank_order(rank: np.ndarray) -> np.ndarray:
    """The stable order of whole-number ranks in [0, n): one quicksort of unique keys."""
    n = len(rank)
    return np.argsort(rank.astype(np.int64) * n + np.arange(n))


def _isotonic_fits(scores, labels, tests, distinct: _Distinct | None = None
                   ) -> list[np.ndarray]:
    """For each held-out part in ``tests``, what ``IsotonicRegression(y_min=0, y_max=1,
    out_of_bounds="clip")`` fitted on all the other rows predicts for it, without sorting per
    split. The reference's distinct scores are found once (``distinct``, or here); the
    training rows' counts per distinct score are the reference's less the held-out rows'
    (whole numbers: exact), which gives each distinct score its weight and mean label (what
    the estimator does first); then the pool-adjacent-violators step the estimator calls
    (scipy's) and its linear interpolation, flat outside the training scores, through the
    ends of the fitted blocks only (inside a block the line is flat: the same numbers from
    a much shorter table). tests/test_estimates.py checks it against the estimator."""
    from scipy.optimize import isotonic_regression

    scores, labels = np.asarray(scores, dtype=float), np.asarray(labels)
    if distinct is None:
        distinct = _Distinct(scores, labels)
    size, rank = len(distinct.values), distinct.rank
    out = []
    for test in tests:
        weight = distinct.rows - np.bincount(rank[test], minlength=size)
        total = distinct.positives - np.bincount(rank[test], labels[test].astype(float),
                                                 minlength=size)
        seen = weight > 0
        x, w = distinct.values[seen], weight[seen]
        fit = isotonic_regression(total[seen] / w, weights=w)
        y = np.clip(fit.x, 0.0, 1.0)
        ends = np.union1d(fit.blocks[:-1], fit.blocks[1:] - 1)  # first and last of each block
        out.append(np.interp(scores[test], x[ends], y[ends]))
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
    return Calibration(method, scores, labels)


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
    w = None if weight is None else np.asarray(weight, dtype=float)
    # One bincount per quantity gives each week's flagged and passed sums together (key: week
    # and flag), summed in event order as a bincount of the masked quantity would (the masked
    # events add exact zeros there), so the numbers are the same bit for bit.
    by_flag = 2 * idx + flag

    def total(values=None, key=idx, groups=1):
        weights = w if values is None else values if w is None else values * w
        out = np.bincount(key, weights, minlength=n_weeks * groups).astype(float, copy=False)
        return out.reshape(n_weeks, groups).T if groups > 1 else out

    _, flagged = total(key=by_flag, groups=2)
    fn, tp = total(p, by_flag, 2)
    var_fn, var_tp = total(var_i, by_flag, 2)
    each = np.where(flag, fp_cost, fn_cost)  # what this event's error would cost
    e = np.where(flag, (1 - p) * fp_cost, p * fn_cost)
    e_sum, e_sq, n_all = total(e), total(e * e), total()
    var_cost = total(var_i * each ** 2)
    zero = np.zeros(n_weeks)
    if rev.any():  # the review queue's sums, keyed by week and reviewed
        by_rev = 2 * idx + rev
        n_rev, rev_pos, var_rev = (total(v, by_rev, 2)[1] for v in (None, p, var_i))
    else:
        n_rev, rev_pos, var_rev = zero, zero, zero
    cost = e_sum + review_cost * n_rev

    if spread is None:  # no calibration uncertainty: its sums are zeros
        cal_tp = cal_fn = cal_cost = cal_rev = zero
    else:
        sigma = np.asarray(spread, dtype=float)
        cal_fn, cal_tp = total(sigma, by_flag, 2)
        cal_cost = total(sigma * each)
        cal_rev = total(sigma, by_rev, 2)[1] if rev.any() else zero
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
