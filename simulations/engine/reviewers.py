"""Reviewers as the source of labels: how often a reviewer gets a case right, the cases
reviewed twice, their weekly agreement beside the true accuracy, and the rare-class paradox.

**Hard cases.** Human label noise is not uniform: cases near the decision boundary are got
wrong more often than clear ones. With ``review.hard_cases`` = h (0 to 1) a case's chance of
being decided correctly is

    acc_i = 1 - (1 - reviewer_accuracy) (1 + h (2 d_i - 1)),   d_i = 4 s_i (1 - s_i),

clipped to [0.5, 1], where s_i is the model's score: d_i is 1 for a case the model puts at
0.5 and 0 for one it is sure of, so ``reviewer_accuracy`` is the accuracy on a case of
middling difficulty (d = 1/2), a hard case errs up to (1 + h) times as often and a clear one
(1 - h) times. h = 0 (the default) is every case alike, exactly as before: today's runs are
unchanged.

**Double reviews.** A share ``review.double_share`` of the reviewed cases (10% by default) is
reviewed a second time by an independent reviewer of the same skill; the first verdict stands
(the second only measures agreement). Each week's pairs give Cohen's kappa (scikit-learn's
``cohen_kappa_score``; undefined where the week has no pair, or both reviewers gave one
verdict only), read with Landis and Koch's words, beside the reviewers' true accuracy, which
only a simulator knows.

**The paradox.** Two reviewers each right with probability a on either class, base rate pi:
m = pi a + (1 - pi)(1 - a) is the share either calls positive, agreement p_o = a^2 + (1 - a)^2,
chance agreement p_e = m^2 + (1 - m)^2 and kappa = (p_o - p_e) / (1 - p_e): at a = 90%, 0.64
when pi = 0.5 but 0.07 when pi = 0.01. Low kappa on rare positives need not mean bad reviewers.
"""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.metrics import cohen_kappa_score

from ..policy.metrics import safe_ratio

# Landis and Koch (1977): upper bounds of each band of agreement
LANDIS_KOCH = ((0.0, "poor"), (0.20, "slight"), (0.40, "fair"), (0.60, "moderate"),
               (0.80, "substantial"), (1.0, "almost perfect"))


def agreement_word(kappa: float) -> str:
    """Landis and Koch's word for a kappa ("undefined" for NaN)."""
    if not np.isfinite(kappa):
        return "undefined"
    if kappa < 0:
        return "poor"
    for upper, word in LANDIS_KOCH[1:]:
        if kappa <= upper:
            return word
    return LANDIS_KOCH[-1][1]


def case_accuracy(score, accuracy: float, hard_cases: float) -> np.ndarray:
    """Each case's chance of a correct verdict (see the module's formula)."""
    s = np.asarray(score, dtype=float)
    difficulty = 4.0 * s * (1.0 - s)
    error = (1.0 - accuracy) * (1.0 + hard_cases * (2.0 * difficulty - 1.0))
    return np.clip(1.0 - error, 0.5, 1.0)


def correct(scenario, domain, u_review, score, label) -> np.ndarray:
    """Per case, whether a reviewer's verdict equals the truth (the domain's rule when every
    case is alike)."""
    review = scenario.review
    if review.hard_cases == 0 or not domain.review_decides:
        return domain.reviewer_correct(u_review, review.reviewer_accuracy, label)
    return np.asarray(u_review) < case_accuracy(score, review.reviewer_accuracy,
                                                review.hard_cases)


def expected_kappa(base_rate: float, accuracy: float) -> float:
    """Kappa two independent reviewers of this accuracy are expected to reach."""
    m = base_rate * accuracy + (1 - base_rate) * (1 - accuracy)
    p_o = accuracy ** 2 + (1 - accuracy) ** 2
    p_e = m ** 2 + (1 - m) ** 2
    return float((p_o - p_e) / (1 - p_e)) if p_e < 1 else float("nan")


def kappa(first, second) -> float:
    """Cohen's kappa of two verdict arrays; NaN with no pair or when it is 0 / 0."""
    first, second = np.asarray(first), np.asarray(second)
    if len(first) == 0 or (np.all(first == first[0]) and np.all(second == first[0])):
        return float("nan")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return float(cohen_kappa_score(first, second))


def agreement_sentence(weekly, reviewed_positive_share: float) -> str:
    """The run's agreement in words: the median weekly kappa with Landis and Koch's word,
    beside the true accuracy, and what two reviewers that accurate would reach on this
    share of positives and on a balanced one (the rare-class paradox)."""
    kappas = np.asarray(weekly["review_kappa"], dtype=float)
    pairs = int(np.sum(weekly["review_pairs"]))
    reviewed = np.asarray(weekly["reviewed"], dtype=float)
    right = np.nansum(np.asarray(weekly["reviewer_true_accuracy"], dtype=float) * reviewed)
    accuracy = float(safe_ratio(right, reviewed.sum()))
    if pairs == 0 or not np.isfinite(kappas).any():
        return ("No case was reviewed twice (or the pairs held one verdict only): agreement "
                "is undefined.")
    median = float(np.nanmedian(kappas))
    here = expected_kappa(reviewed_positive_share, accuracy)
    balanced = expected_kappa(0.5, accuracy)
    return (f"Reviewers agree with a median weekly kappa of {median:.2f} "
            f"({agreement_word(median)}, in Landis and Koch's words) over {pairs:,} cases "
            f"reviewed twice; in truth they were right {accuracy:.1%} of the time, which only "
            f"a simulator knows. Two reviewers that accurate reach a kappa of about {here:.2f} "
            f"when {reviewed_positive_share:.1%} of the reviewed cases are positive, but "
            f"{balanced:.2f} on a balanced set: a low kappa on rare positives need not mean "
            "careless reviewers.")


def weekly_agreement(weeks, review_week, label, correct_first, correct_second,
                     paired) -> dict[str, np.ndarray]:
    """Per week (``weeks``) of review: ``review_kappa`` over the week's double-reviewed pairs,
    ``review_pairs`` and ``reviewer_true_accuracy`` (share of the week's reviews right)."""
    weeks = np.asarray(weeks)
    review_week = np.asarray(review_week)
    label = np.asarray(label).astype(bool)
    c1 = np.asarray(correct_first, dtype=bool)
    c2 = np.asarray(correct_second, dtype=bool)
    paired = np.asarray(paired, dtype=bool)
    v1, v2 = np.where(c1, label, ~label), np.where(c2, label, ~label)
    slot = np.searchsorted(weeks, review_week)
    kappas, pairs, right, done = [], [], [], []
    for i in range(len(weeks)):
        mine = slot == i
        both = mine & paired
        kappas.append(kappa(v1[both], v2[both]))
        pairs.append(int(both.sum()))
        right.append(int((mine & c1).sum()))
        done.append(int(mine.sum()))
    return {"review_kappa": np.array(kappas), "review_pairs": np.array(pairs),
            "reviewer_true_accuracy": safe_ratio(right, done)}
