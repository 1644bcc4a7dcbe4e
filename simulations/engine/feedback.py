"""Which labels a team holds after its decisions, from which week, and what they suggest.

Each event's label has its own delay in whole weeks, drawn from the scenario's
``LabelDelay`` (a fixed number of weeks, or a spread such as chargebacks trickling in over
weeks); ``NEVER`` marks a label that would come after the distribution's cut-off and so never
arrives. Whether an event's true outcome ever arrives depends on the feedback mode: under
``full`` feedback always, after its delay; under ``selective`` feedback only if the final
decision reveals it (the domain's ``reveal`` table gives the probability per final decision and
true label: a declined payment never shows whether it was fraud, a patient sent home shows it
only if they come back), after its delay.

**A reviewed event's label is the reviewer's verdict until its outcome shows otherwise.** Under
both modes, an event a reviewer decided (``domain.review_decides``) is labelled with the
verdict, right or wrong, from the week it was decided (its own week, or a review queue's
decision week); its true outcome replaces the verdict from the week the outcome arrives, if it
ever does (under selective feedback, per ``reveal`` for the reviewer's decision: a payment the
analyst declined never reveals, so its verdict stays for good; one the analyst approved shows
its truth by chargeback). Unreviewed events are labelled with their true outcome when it
arrives; an exploration slot (a review route that shows the item, ``review_decides`` False)
shows its true outcome (at once under selective feedback, after the delay under full).

So a label is a function of the week it is read at: ``reveal_labels`` gives per event the first
label (``seen``, ``seen_label``, ``label_week``) and ``truth_week``, the week its true outcome
arrives (``NO_WEEK``: never), and ``held_labels`` reads the labels as the team holds them at the
end of any week (``np.where(truth_week <= W, label, seen_label)``). Retraining, the realised
metrics and the label maturity all read labels that way. That selection (and the errors of the
verdicts that stand) is what makes monitored metrics look better than the truth, and what
biases a model retrained on seen labels.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..policy.metrics import safe_ratio
from ..scenario import LabelDelay

NEVER = -1  # the delay of a label that never arrives
NO_WEEK = 2**30  # the arrival week of a true outcome that never arrives


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
    """Per event: (seen, seen_label, label_week, truth_week).

    ``seen``: some label ever arrives; ``seen_label``: the first label to arrive (a reviewer's
    verdict, or the true outcome); ``label_week``: the week it arrives; ``truth_week``: the week
    the true outcome arrives and replaces a verdict (``NO_WEEK`` when it never does; equal to
    ``label_week`` when the first label is the outcome). ``decided_week`` (a review queue's):
    the week each event's decision was taken, when that can be later than its own week. No
    label arrives before its decision; a reviewed event's verdict arrives the week it was
    decided.
    """
    if decided_week is not None:
        seen, seen_label, label_week, truth_week = reveal_labels(
            domain, feedback, week, label, reviewed, final, reviewer_correct, u_reveal, delay)
        # a reviewed event's verdict comes in its own week, never before its decision week:
        # the later of the two is the decision week, as it should be; so for outcomes
        decided = np.asarray(decided_week, dtype=np.int32)
        later = np.maximum(label_week, decided).astype(np.int32)
        truth = np.where(truth_week == NO_WEEK, NO_WEEK, np.maximum(truth_week, decided))
        return seen, seen_label, later, truth.astype(np.int32)
    week = np.asarray(week)
    label = np.asarray(label).astype(np.int8)
    delay = np.asarray(delay)
    arrives = delay != NEVER
    outcome_week = (week + delay).astype(np.int32)
    reviewed = np.asarray(reviewed, dtype=bool)
    if feedback.mode == "full":
        outcome_seen = arrives
    else:
        reveal = np.asarray(domain.reveal, dtype=float)
        outcome_seen = arrives & (np.asarray(u_reveal)
                                  < reveal[np.asarray(final, dtype=np.int64), label])
    if not domain.review_decides:  # an explored item is shown and its true outcome observed
        if feedback.mode == "full":  # ... after its delay, like every other outcome
            truth_week = np.where(arrives, outcome_week, NO_WEEK).astype(np.int32)
            return arrives, label, outcome_week, truth_week
        seen = outcome_seen | reviewed
        label_week = np.where(reviewed, week, outcome_week).astype(np.int32)
        truth_week = np.where(seen, label_week, NO_WEEK).astype(np.int32)
        return seen, label, label_week, truth_week
    verdict = np.where(np.asarray(reviewer_correct, dtype=bool), label, 1 - label)
    seen = outcome_seen | reviewed
    seen_label = np.where(reviewed, verdict, label).astype(np.int8)
    label_week = np.where(reviewed, week, outcome_week).astype(np.int32)
    truth_week = np.where(outcome_seen, outcome_week, NO_WEEK).astype(np.int32)
    return seen, seen_label, label_week, truth_week


def held_labels(seen, seen_label, label_week, truth_week, label, as_of):
    """(held, held_label) per event: whether the team holds a label at the end of week
    ``as_of`` (one week, or one per event), and which: the true outcome once it has arrived,
    the first label (a verdict) before. ``held_label`` is meaningful only where ``held``."""
    as_of = np.asarray(as_of)
    held = np.asarray(seen, dtype=bool) & (np.asarray(label_week) <= as_of)
    value = np.where(np.asarray(truth_week) <= as_of, np.asarray(label),
                     np.asarray(seen_label)).astype(np.int8)
    return held, value


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


def weekly_observed(weeks, seen, seen_label, label_week, truth_week, label,
                    final) -> dict[str, np.ndarray]:
    """Per simulated week: labels that arrived that week (from whichever earlier weeks their
    delays bring them; an outcome that later replaces a verdict is not a new label) and the
    precision/recall they show, each label as the team holds it at that week's end."""
    weeks = np.asarray(weeks)
    first = int(weeks[0])
    n_weeks = len(weeks)
    label_week = np.asarray(label_week)
    arrived = np.asarray(seen, dtype=bool) & (label_week <= weeks[-1])
    idx = (label_week[arrived] - first).astype(np.int64)
    _, held = held_labels(seen, seen_label, label_week, truth_week, label, label_week)
    lab = held[arrived].astype(bool)
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


def realised_by_week(weeks, seen, seen_label, label_week, truth_week, label, final,
                     lag: int) -> dict:
    """Per event week: precision and recall as the team computes them ``lag`` weeks after that
    week ends, on the labels of that week's events held by then, as held then (NaN when
    undefined)."""
    weeks = np.asarray(weeks)
    first = int(weeks[0])
    n_weeks = int(weeks[-1]) - first + 1
    got, held = held_labels(seen, seen_label, label_week, truth_week, label, weeks + lag)
    idx = (weeks - first)[got]
    lab = held[got].astype(bool)
    fin = np.asarray(final)[got].astype(bool)
    tp = np.bincount(idx, lab & fin, minlength=n_weeks)
    return {"labels": np.bincount(idx, minlength=n_weeks),
            "precision": safe_ratio(tp, np.bincount(idx, fin, minlength=n_weeks)),
            "recall": safe_ratio(tp, np.bincount(idx, lab, minlength=n_weeks))}


def label_maturity(weeks, label, seen, seen_label, label_week, truth_week, final, week: int,
                   last_week: int) -> pd.DataFrame:
    """For the events of ``week``: by the end of each week from ``week`` to ``last_week``, the
    share of their labels that has arrived and the precision/recall the team would have
    computed then (on the labels as held then: a verdict until its outcome replaces it),
    beside the true values (all labels).

    Columns: as_of_week, weeks_later, labels_arrived, share_arrived (of the week's events),
    precision, recall, true_precision, true_recall.
    """
    mine = np.asarray(weeks) == week
    lw = np.asarray(label_week)[mine]
    tw = np.asarray(truth_week)[mine]
    got = np.asarray(seen, dtype=bool)[mine]
    lab = np.asarray(seen_label)[mine].astype(np.int64)
    fin = np.asarray(final)[mine].astype(bool)
    truth = np.asarray(label)[mine].astype(bool)
    horizon = np.arange(week, last_week + 1)
    size = len(horizon)
    # each label counts from the week it arrives; where an outcome replaces a verdict that
    # differs, the difference counts from the outcome's week (or the verdict's, when both come
    # in one week). No label arrives before its own week; read only where kept.
    keep = got & (lw <= last_week)
    tw = np.maximum(tw, lw)
    fixes = keep & (tw <= last_week) & (truth != lab.astype(bool))
    change = truth.astype(np.int64) - lab

    def cum(slot, mask, weights):
        return np.cumsum(np.bincount(slot[mask], weights[mask], minlength=size)[:size])

    def held(weights_first, weights_fix):
        return (cum(lw - week, keep, weights_first.astype(float))
                + cum(tw - week, fixes, weights_fix.astype(float)))

    ones = np.ones(len(lw))
    tp = held(lab * fin, change * fin)
    positives = held(lab, change)
    flagged = cum(lw - week, keep, fin.astype(float))
    arrived = cum(lw - week, keep, ones)
    n = int(mine.sum())
    return pd.DataFrame({
        "as_of_week": horizon,
        "weeks_later": horizon - week,
        "labels_arrived": arrived.astype(np.int64),
        "share_arrived": arrived / n if n else np.nan,
        "precision": safe_ratio(tp, flagged),
        "recall": safe_ratio(tp, positives),
        "true_precision": safe_ratio(np.count_nonzero(truth & fin), np.count_nonzero(fin)),
        "true_recall": safe_ratio(np.count_nonzero(truth & fin), np.count_nonzero(truth)),
    })
