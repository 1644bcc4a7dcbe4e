"""A retraining's training set as the data pipeline delivers it: faults planted on the
scenario's word (``data_quality``), then audited and, if asked, cleaned before fitting.

Faults are planted in this order, each from its own child stream (so switching one on moves
no other): an under-sampled segment (only ``undersample_keep`` of its rows survive), flipped
labels (exactly round(``label_noise`` x rows) of them, chosen at random), and exact copies
(round(``duplicate_share`` x rows) rows copied once more and appended: a copy carries its
row's label, flipped or not). Cleaning drops the duplicates the audit found and then the rows
confident learning suspects, and charges ``clean_cost`` per dropped row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..scenario import DataQuality
from .audit import Audit, confident_learning_issues, duplicate_rows, sampling_bias


@dataclass(frozen=True)
class Prepared:
    """The rows a model is fitted on, their true labels, and the audit (None unaudited)."""

    numeric: np.ndarray
    categorical: np.ndarray
    label: np.ndarray
    truth: np.ndarray
    audit: Audit | None

    @property
    def label_error(self) -> float:
        return float(np.mean(self.label != self.truth)) if len(self.label) else float("nan")


def _plant(dq: DataQuality, rng: np.random.Generator, segments: tuple[str, ...], numeric,
           categorical, label, truth, segment):
    under_rng, noise_rng, copy_rng = rng.spawn(3)
    keep = np.ones(len(label), dtype=bool)
    if dq.undersample_segment:
        mine = segment == segments.index(dq.undersample_segment)
        keep = ~mine | (under_rng.random(len(label)) < dq.undersample_keep)
    numeric, categorical = numeric[keep], categorical[keep]
    label, truth, segment = label[keep].copy(), truth[keep], segment[keep]
    n = len(label)
    flips = int(round(dq.label_noise * n))
    if flips:
        rows = noise_rng.choice(n, flips, replace=False)
        label[rows] = 1 - label[rows]
    copies = int(round(dq.duplicate_share * n))
    source = np.sort(copy_rng.choice(n, copies, replace=False)) if copies else np.arange(0)
    order = np.concatenate([np.arange(n), source])
    planted_copy = np.arange(len(order)) >= n
    return (numeric[order], categorical[order], label[order], truth[order], segment[order],
            planted_copy)


def prepare(dq: DataQuality, rng: np.random.Generator, segments: tuple[str, ...], numeric,
            categorical, label, truth, segment, production_segment,
            out_of_fold: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray],
            version: int, week: int) -> Prepared:
    """The training set after the scenario's faults, audited and cleaned as it says.

    ``label`` are the labels the team has for the rows, ``truth`` their true labels,
    ``production_segment`` the segment of every event the window served;
    ``out_of_fold(numeric, categorical, label)`` gives each row's out-of-fold P(label = 1).
    """
    label = np.asarray(label).astype(np.int8)
    truth = np.asarray(truth).astype(np.int8)
    numeric, categorical, label, truth, segment, planted_copy = _plant(
        dq, rng, segments, np.asarray(numeric), np.asarray(categorical), label, truth,
        np.asarray(segment))
    if not dq.audited:
        return Prepared(numeric, categorical, label, truth, None)
    features = np.hstack([numeric, categorical.astype(float)])
    duplicate = duplicate_rows(features, label)
    unique = np.flatnonzero(~duplicate)
    suspected = np.zeros(len(label), dtype=bool)
    p = out_of_fold(numeric[unique], categorical[unique], label[unique])
    if np.isfinite(p).all():
        suspected[unique] = confident_learning_issues(label[unique], p)
    wrong = label != truth
    keep = ~(duplicate | suspected) if dq.clean else np.ones(len(label), dtype=bool)
    cleaned = int((~keep).sum())
    audit = Audit(
        version=version, week=week, rows=len(label),
        duplicates_planted=int(planted_copy.sum()), duplicates_found=int(duplicate.sum()),
        duplicates_found_planted=int((duplicate & planted_copy).sum()),
        wrong_labels=int(wrong[unique].sum()), flagged=int(suspected.sum()),
        flagged_wrong=int((suspected & wrong).sum()),
        segments=sampling_bias(segment, production_segment, segments, dq.bias_ratio),
        undersampled=dq.undersample_segment, cleaned_rows=cleaned,
        clean_cost=cleaned * dq.clean_cost,
        label_error_before=float(np.mean(wrong)) if len(wrong) else float("nan"),
        label_error_after=float(np.mean(wrong[keep])) if keep.any() else float("nan"))
    return Prepared(numeric[keep], categorical[keep], label[keep], truth[keep], audit)
