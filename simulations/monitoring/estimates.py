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

from dataclasses import dataclass

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
    """A fitted map from a model's score to the probability of a positive."""

    method: str
    model: IsotonicRegression | LogisticRegression
    reference_events: int
    reference_positives: int

    def __call__(self, scores: np.ndarray) -> np.ndarray:
        scores = np.asarray(scores, dtype=float)
        if self.method == "isotonic":
            return self.model.predict(scores)
        return self.model.predict_proba(_logit(scores)[:, None])[:, 1]


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
    if method == "isotonic":
        model = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(scores, labels)
    else:
        model = LogisticRegression(C=1e6).fit(_logit(scores)[:, None], labels)
    return Calibration(method, model, len(labels), positives)


def calibrated_probabilities(scores, model_version, calibrations) -> np.ndarray:
    """Each event's calibrated probability, by the calibration of the model that scored it
    (NaN where that model has no calibration)."""
    scores = np.asarray(scores, dtype=float)
    version = np.asarray(model_version)
    p = np.full(len(scores), np.nan)
    for v, cal in enumerate(calibrations):
        mine = version == v
        if cal is not None and mine.any():
            p[mine] = cal(scores[mine])
    return p


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
                    z: float = Z90) -> pd.DataFrame:
    """Per week, estimated precision, recall, cost and review-queue precision with intervals.

    ``p``: each event's probability of a positive (``posterior_given_verdict``); ``final``: 1 if
    finally flagged; ``fn_cost``/``fp_cost``: what a missed positive / a false flag of that
    event would cost (label-free: ``label_free_costs``). Columns ``est_<metric>`` and
    ``est_<metric>_low``/``_high`` (the ``z``-sigma normal interval), plus ``est_tp`` and
    ``est_fn``. NaN where undefined (no flagged events for precision, no expected positives for
    recall, an event without calibration in the week).
    """
    weeks = np.asarray(weeks)
    first = int(weeks[0])
    n_weeks = int(weeks[-1]) - first + 1
    idx = weeks - first
    p = np.asarray(p, dtype=float)
    flag = np.asarray(final).astype(bool)
    rev = np.asarray(reviewed, dtype=bool)
    var_i = p * (1 - p)

    def total(weights):
        return np.bincount(idx, weights, minlength=n_weeks)

    flagged = total(flag.astype(float))
    tp, fn = total(np.where(flag, p, 0.0)), total(np.where(flag, 0.0, p))
    var_tp, var_fn = total(np.where(flag, var_i, 0.0)), total(np.where(flag, 0.0, var_i))
    cost = (total(np.where(flag, (1 - p) * fp_cost, p * fn_cost))
            + review_cost * total(rev.astype(float)))
    var_cost = total(var_i * np.where(flag, fp_cost, fn_cost) ** 2)
    n_rev = total(rev.astype(float))
    rev_pos, var_rev = total(np.where(rev, p, 0.0)), total(np.where(rev, var_i, 0.0))

    precision = safe_ratio(tp, flagged)
    sd_precision = np.sqrt(safe_ratio(var_tp, flagged ** 2))
    recall = safe_ratio(tp, tp + fn)
    sd_recall = np.sqrt(safe_ratio(fn ** 2 * var_tp + tp ** 2 * var_fn, (tp + fn) ** 4))
    review_precision = safe_ratio(rev_pos, n_rev)
    sd_review = np.sqrt(safe_ratio(var_rev, n_rev ** 2))
    out = {"week": np.arange(first, first + n_weeks), "est_tp": tp, "est_fn": fn}
    for name, value, sd, lo, hi in (
            ("precision", precision, sd_precision, 0.0, 1.0),
            ("recall", recall, sd_recall, 0.0, 1.0),
            ("cost", cost, np.sqrt(var_cost), 0.0, np.inf),
            ("review_precision", review_precision, sd_review, 0.0, 1.0)):
        out[f"est_{name}"] = value
        out[f"est_{name}_low"] = np.clip(value - z * sd, lo, hi)
        out[f"est_{name}_high"] = np.clip(value + z * sd, lo, hi)
    return pd.DataFrame(out)


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
