"""The data-quality audit of one training set, and how it did against the truth.

* **Duplicates**: rows whose features and label are exactly those of an earlier row.
* **Suspected mislabelled rows**, by confident learning (Northcutt, Jiang and Chuang, JAIR
  2021): with out-of-fold predicted probabilities p (scikit-learn's ``cross_val_predict``, so
  no row is scored by a model that saw it), each class j gets the threshold
  t_j = mean of p_j over the rows labelled j (its mean self-confidence); a row labelled y is
  suspected when p_y < t_y while some other class k has p_k >= t_k.
* **Sampling bias**: each segment's share of the training rows against its share of the
  production traffic the window served; flagged when the ratio is below ``bias_ratio``.

The simulator knows which labels are wrong (the given label against the true one: planted
flips and reviewers' mistakes alike), which rows are planted copies and which segment was
under-sampled, so an ``Audit`` reports its precision and recall, which a team never sees.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.model_selection import StratifiedKFold, cross_val_predict

from ..policy.metrics import safe_ratio

FOLDS = 5  # out-of-fold probabilities, as confident learning's authors use


def duplicate_rows(features: np.ndarray, label: np.ndarray) -> np.ndarray:
    """Per row, whether its features and label repeat an earlier row's exactly."""
    frame = pd.DataFrame(np.column_stack([features, label]))
    return frame.duplicated(keep="first").to_numpy()


def out_of_fold(estimator, features: np.ndarray, label: np.ndarray, seed: int) -> np.ndarray:
    """P(label = 1) of each row from a model fitted on the other folds."""
    folds = min(FOLDS, int(np.bincount(label.astype(np.int64), minlength=2).min()))
    if folds < 2:  # a class too rare to split: nothing can be said out of fold
        return np.full(len(label), np.nan)
    cv = StratifiedKFold(folds, shuffle=True, random_state=seed)
    return cross_val_predict(estimator, features, label, cv=cv, method="predict_proba")[:, 1]


def confident_learning_issues(label, probabilities) -> np.ndarray:
    """Confident learning's rule (see the module): per row, whether its label is suspect.

    ``probabilities`` is an (n, K) matrix of out-of-fold class probabilities, or for two
    classes an array of P(class 1). A class with no rows has no threshold and suspects none.
    """
    probs = np.asarray(probabilities, dtype=float)
    if probs.ndim == 1:
        probs = np.column_stack([1.0 - probs, probs])
    label = np.asarray(label).astype(np.int64)
    n, k = probs.shape
    onehot = np.zeros((n, k), dtype=bool)
    onehot[np.arange(n), label] = True
    counts = onehot.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        thresholds = (probs * onehot).sum(axis=0) / counts  # NaN for a class with no rows
    above = probs >= thresholds  # NaN compares False
    given = probs[np.arange(n), label]
    return (given < thresholds[label]) & (above & ~onehot).any(axis=1)


def sampling_bias(train_segment, production_segment, segments: tuple[str, ...],
                  bias_ratio: float) -> pd.DataFrame:
    """Per segment: its share of training rows and of production traffic, their ratio (NaN
    where the segment had no traffic) and whether it is flagged as under-represented."""
    k = len(segments)
    train = np.bincount(np.asarray(train_segment, dtype=np.int64), minlength=k)
    prod = np.bincount(np.asarray(production_segment, dtype=np.int64), minlength=k)
    train_share = safe_ratio(train, train.sum())
    prod_share = safe_ratio(prod, prod.sum())
    ratio = safe_ratio(train_share, prod_share)
    return pd.DataFrame({"segment": list(segments), "train_share": train_share,
                         "production_share": prod_share, "ratio": ratio,
                         "flagged": np.nan_to_num(ratio, nan=np.inf) < bias_ratio})


@dataclass(frozen=True)
class Audit:
    """What the audit of one retraining's training set found, beside the truth."""

    version: int  # the model trained on the set
    week: int
    rows: int  # as gathered, faults included
    duplicates_planted: int
    duplicates_found: int
    duplicates_found_planted: int  # found rows that are planted copies
    wrong_labels: int  # of the deduplicated rows, how many carry a wrong label (truth)
    flagged: int  # suspected mislabelled rows
    flagged_wrong: int  # of them, how many really are wrong
    segments: pd.DataFrame  # sampling_bias's table
    undersampled: str  # the planted segment ("" for none)
    cleaned_rows: int  # rows dropped before fitting (0 without cleaning)
    clean_cost: float
    label_error_before: float  # share of wrong labels among the rows as gathered
    label_error_after: float  # ... among the rows the model learnt from

    @property
    def precision(self) -> float:
        return float(safe_ratio(self.flagged_wrong, self.flagged))

    @property
    def recall(self) -> float:
        return float(safe_ratio(self.flagged_wrong, self.wrong_labels))

    @property
    def bias_flagged(self) -> tuple[str, ...]:
        return tuple(self.segments.loc[self.segments["flagged"], "segment"])


AUDIT_COLUMNS = ("version", "week", "rows", "duplicates_planted", "duplicates_found",
                 "wrong_labels", "flagged", "flagged_wrong", "precision", "recall",
                 "chance_precision", "under_represented", "undersampled", "cleaned_rows",
                 "clean_cost", "label_error_before", "label_error_after")


def audit_table(audits: list[Audit]) -> pd.DataFrame:
    """One row per audited retraining; ``chance_precision`` is what flagging the same number
    of rows at random would reach (the share of wrong labels)."""
    rows = [{
        "version": a.version, "week": a.week, "rows": a.rows,
        "duplicates_planted": a.duplicates_planted, "duplicates_found": a.duplicates_found,
        "wrong_labels": a.wrong_labels, "flagged": a.flagged, "flagged_wrong": a.flagged_wrong,
        "precision": a.precision, "recall": a.recall,
        "chance_precision": float(safe_ratio(a.wrong_labels,
                                             a.rows - a.duplicates_found)),
        "under_represented": ", ".join(a.bias_flagged), "undersampled": a.undersampled,
        "cleaned_rows": a.cleaned_rows, "clean_cost": a.clean_cost,
        "label_error_before": a.label_error_before, "label_error_after": a.label_error_after,
    } for a in audits]
    return pd.DataFrame(rows, columns=list(AUDIT_COLUMNS))
