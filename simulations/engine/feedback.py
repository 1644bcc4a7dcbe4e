"""Which true labels a team gets to see after its decisions, and what they suggest.

Under ``full`` feedback every label arrives ``label_delay`` weeks after its event. Under
``selective`` feedback a label arrives only if the final decision reveals it (the domain's
``reveal`` table gives the probability per final decision and true label: a declined payment
never shows whether it was fraud, a patient sent home shows it only if they come back), after
the same delay; reviewed events reveal the reviewer's verdict at once, right or wrong (or,
where the review route is an exploration slot, the true outcome at once). That
selection is what makes monitored metrics look better than the truth, and what biases a model
retrained on seen labels.
"""

from __future__ import annotations

import numpy as np

from ..policy.metrics import safe_ratio


def reveal_labels(domain, feedback, week, label, reviewed, final, reviewer_correct, u_reveal):
    """Per event: (seen, seen_label, label_week) — is a label ever seen, which, and from when."""
    week = np.asarray(week)
    label = np.asarray(label).astype(np.int8)
    if feedback.mode == "full":
        return (np.ones(len(label), dtype=bool), label,
                (week + feedback.label_delay).astype(np.int32))
    reveal = np.asarray(domain.reveal, dtype=float)
    revealed = np.asarray(u_reveal) < reveal[np.asarray(final, dtype=np.int64), label]
    reviewed = np.asarray(reviewed, dtype=bool)
    if domain.review_decides:
        verdict = np.where(np.asarray(reviewer_correct, dtype=bool), label, 1 - label)
    else:  # an explored item is shown and its true outcome observed
        verdict = label
    seen = revealed | reviewed
    seen_label = np.where(reviewed, verdict, label).astype(np.int8)
    label_week = np.where(reviewed, week, week + feedback.label_delay).astype(np.int32)
    return seen, seen_label, label_week


def observed_performance(seen_label, final) -> dict[str, float]:
    """Precision and recall as a team measures them on the labels it has seen.

    precision = share of seen flagged events whose seen label is positive;
    recall = share of seen positives that were flagged. NaN when undefined.
    """
    seen_label = np.asarray(seen_label).astype(bool)
    final = np.asarray(final).astype(bool)
    return {
        "precision": safe_ratio(np.count_nonzero(seen_label & final), np.count_nonzero(final)),
        "recall": safe_ratio(np.count_nonzero(seen_label & final), np.count_nonzero(seen_label)),
    }


def weekly_observed(weeks, seen, seen_label, label_week, final) -> dict[str, np.ndarray]:
    """Per simulated week: labels that arrived that week and the precision/recall they show."""
    weeks = np.asarray(weeks)
    first = int(weeks[0])
    n_weeks = len(weeks)
    arrived = np.asarray(seen, dtype=bool) & (label_week <= weeks[-1])
    idx = (np.asarray(label_week)[arrived] - first).astype(np.int64)
    lab = np.asarray(seen_label)[arrived].astype(bool)
    fin = np.asarray(final)[arrived].astype(bool)
    count = np.bincount(idx, minlength=n_weeks)
    tp = np.bincount(idx, lab & fin, minlength=n_weeks)
    flagged = np.bincount(idx, fin, minlength=n_weeks)
    positives = np.bincount(idx, lab, minlength=n_weeks)
    return {
        "labels_arrived": count,
        "observed_precision": safe_ratio(tp, flagged),
        "observed_recall": safe_ratio(tp, positives),
    }
