"""Which true labels a team gets to see after its decisions, and what they suggest.

Each event's label has its own delay in whole weeks, drawn from the scenario's
``LabelDelay`` (a fixed number of weeks, or a spread such as chargebacks trickling in over
weeks); ``NEVER`` marks a label that would come after the distribution's cut-off and so never
arrives. Under ``full`` feedback every label arrives after its delay. Under ``selective``
feedback a label arrives only if the final decision reveals it (the domain's ``reveal`` table
gives the probability per final decision and true label: a declined payment never shows whether
it was fraud, a patient sent home shows it only if they come back), after its delay; reviewed
events reveal the reviewer's verdict at once, right or wrong (or,
where the review route is an exploration slot, the true outcome at once). That
selection is what makes monitored metrics look better than the truth, and what biases a model
retrained on seen labels.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..policy.metrics import safe_ratio
from ..scenario import LabelDelay

NEVER = -1  # the delay of a label that never arrives


def draw_delays(delay: LabelDelay, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` delays in whole weeks (int16; ``NEVER`` past the cut-off), one uniform draw each."""
    cdf = np.cumsum(delay.shares_by_week())
    d = np.searchsorted(cdf, rng.random(n), side="right")
    return np.where(d < len(cdf), d, NEVER).astype(np.int16)


def week_delays(delay: LabelDelay, n: int, week_rng: np.random.Generator) -> np.ndarray:
    """The delays of one week's ``n`` events.

    A fixed delay draws nothing. A spread draws from a child stream spawned from the week's
    generator: spawning leaves the week's own stream untouched, so every other draw of the
    run (and so any run with a fixed delay) is exactly what it was before delays could vary.
    """
    if delay.fixed_weeks is not None:
        return np.full(n, delay.fixed_weeks, dtype=np.int16)
    return draw_delays(delay, n, week_rng.spawn(1)[0])


def reveal_labels(domain, feedback, week, label, reviewed, final, reviewer_correct, u_reveal,
                  delay, decided_week=None):
    """Per event: (seen, seen_label, label_week) — is a label ever seen, which, and from when.

    ``decided_week`` (a review queue's): the week each event's decision was taken, when that
    can be later than its own week. No label arrives before its decision; a reviewed event's
    verdict arrives the week it was reviewed.
    """
    if decided_week is not None:
        seen, seen_label, label_week = reveal_labels(domain, feedback, week, label, reviewed,
                                                     final, reviewer_correct, u_reveal, delay)
        # a selectively fed reviewed event's verdict comes in its own week, never after its
        # decision week: the later of the two is the decision week, as it should be
        later = np.maximum(label_week, np.asarray(decided_week, dtype=np.int32))
        return seen, seen_label, later.astype(np.int32)
    week = np.asarray(week)
    label = np.asarray(label).astype(np.int8)
    delay = np.asarray(delay)
    arrives = delay != NEVER
    if feedback.mode == "full":
        return arrives, label, (week + delay).astype(np.int32)
    reveal = np.asarray(domain.reveal, dtype=float)
    revealed = np.asarray(u_reveal) < reveal[np.asarray(final, dtype=np.int64), label]
    reviewed = np.asarray(reviewed, dtype=bool)
    if domain.review_decides:
        verdict = np.where(np.asarray(reviewer_correct, dtype=bool), label, 1 - label)
    else:  # an explored item is shown and its true outcome observed
        verdict = label
    seen = (revealed & arrives) | reviewed
    seen_label = np.where(reviewed, verdict, label).astype(np.int8)
    label_week = np.where(reviewed, week, week + delay).astype(np.int32)
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
    """Per simulated week: labels that arrived that week (from whichever earlier weeks their
    delays bring them) and the precision/recall they show."""
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


def arrived_by(weeks, seen, label_week, lag: int) -> np.ndarray:
    """Per event, whether its label has arrived ``lag`` weeks after the end of its own week."""
    return np.asarray(seen, dtype=bool) & (np.asarray(label_week) <= np.asarray(weeks) + lag)


def realised_by_week(weeks, seen, seen_label, label_week, final, lag: int) -> dict:
    """Per event week: precision and recall as the team computes them ``lag`` weeks after that
    week ends, on the labels of that week's events arrived by then (NaN when undefined)."""
    weeks = np.asarray(weeks)
    first = int(weeks[0])
    n_weeks = int(weeks[-1]) - first + 1
    got = arrived_by(weeks, seen, label_week, lag)
    idx = (weeks - first)[got]
    lab = np.asarray(seen_label)[got].astype(bool)
    fin = np.asarray(final)[got].astype(bool)
    tp = np.bincount(idx, lab & fin, minlength=n_weeks)
    return {"labels": np.bincount(idx, minlength=n_weeks),
            "precision": safe_ratio(tp, np.bincount(idx, fin, minlength=n_weeks)),
            "recall": safe_ratio(tp, np.bincount(idx, lab, minlength=n_weeks))}


def label_maturity(weeks, label, seen, seen_label, label_week, final, week: int,
                   last_week: int) -> pd.DataFrame:
    """For the events of ``week``: by the end of each week from ``week`` to ``last_week``, the
    share of their labels that has arrived and the precision/recall the team would have
    computed then, beside the true values (all labels).

    Columns: as_of_week, weeks_later, labels_arrived, share_arrived (of the week's events),
    precision, recall, true_precision, true_recall.
    """
    mine = np.asarray(weeks) == week
    lw = np.asarray(label_week)[mine]
    got = np.asarray(seen, dtype=bool)[mine]
    lab = np.asarray(seen_label)[mine].astype(bool)
    fin = np.asarray(final)[mine].astype(bool)
    truth = np.asarray(label)[mine].astype(bool)
    horizon = np.arange(week, last_week + 1)
    slot = lw - week  # no label arrives before its own week (read only where ``keep``)
    keep = got & (lw <= last_week)
    size = len(horizon)

    def cum(weights):
        return np.cumsum(np.bincount(slot[keep], weights[keep], minlength=size)[:size])

    ones = np.ones(len(lw))
    tp, flagged, positives = cum((lab & fin).astype(float)), cum(fin.astype(float)), cum(
        lab.astype(float))
    n = int(mine.sum())
    return pd.DataFrame({
        "as_of_week": horizon,
        "weeks_later": horizon - week,
        "labels_arrived": cum(ones).astype(np.int64),
        "share_arrived": cum(ones) / n if n else np.nan,
        "precision": safe_ratio(tp, flagged),
        "recall": safe_ratio(tp, positives),
        "true_precision": safe_ratio(np.count_nonzero(truth & fin), np.count_nonzero(fin)),
        "true_recall": safe_ratio(np.count_nonzero(truth & fin), np.count_nonzero(truth)),
    })
