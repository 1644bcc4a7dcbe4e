"""What a policy with a review queue yields: the weekly counts and costs, the per-event
decisions, and the queue's columns for the other overflow choices.

Confusion counts and the costs of errors belong to the week an event arrived (as without a
queue); the reviews, their cost, the overtime, expiries and give-ups belong to the week they
happen. An event still waiting when the run ends is counted at the default action (and in the
last week's ``backlog``). Band events nobody reviewed (expired or gave up) take the default
action; ``review_overflow`` counts them. A give-up also costs ``review.abandon_cost``;
an overtime review costs ``overtime_premium`` times ``costs.review``.

What the queue needs of every event whatever the band (``QueueBasis``: arrival, removal day,
first slot, verdict, error cost) is built once per run and review setup and kept in the run's
``memo``, so a band move gathers its band's rows and re-plays only the queue.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..policy.metrics import REVIEW, event_costs, safe_ratio
from . import reviewers
from .feedback import reveal_labels
from .queue import (
    NOT_YET,
    REVIEWED,
    QueueRun,
    QueueSetup,
    ReviewQueue,
    _play,
    arrival_hours,
    band_items,
    lifted_slots,
    patience,
    queue_run,
    removal_days,
)

QUEUE_COLUMNS = ("backlog", "review_expired", "review_abandoned", "within_target",
                 "overtime_reviews", "cost_abandon")


def no_queue_columns(weeks: int) -> dict[str, np.ndarray]:
    """The queue's columns where nothing waits (``pass`` and ``flag``): no backlog, expiry,
    give-up or overtime; ``within_target`` is undefined, as those choices have no clock
    inside a week."""
    zeros = np.zeros(weeks, dtype=np.int64)
    return {"backlog": zeros, "review_expired": zeros, "review_abandoned": zeros,
            "within_target": np.full(weeks, np.nan), "overtime_reviews": zeros,
            "cost_abandon": np.zeros(weeks)}


@dataclass(frozen=True)
class QueueBasis:
    """What the queue needs of every event of a run whatever the band (so a band move only
    gathers the band's rows), each in the table's order (week, then score), where a band's
    events of a week lie side by side, so gathering them touches little memory: arrival
    hour, first slot lifted by the arrival day (``queue.lifted_slots``, with the lift for any
    band), removal day and whether it is an expiry, the cost of a wrong final decision, and
    its row in the weekly table times 3 plus what its review changes against the default
    action (``moved``: 0 nothing, 1 a positive, 2 a negative); with the table's order and
    its inverse (each event's place in it) in 32 bits."""

    t: np.ndarray
    lifted: np.ndarray
    lift: int
    remove: np.ndarray
    expires: np.ndarray
    error_cost: np.ndarray  # a missed positive's cost, or a flagged negative's
    week_moved: np.ndarray  # row in the weekly table x 3 + moved
    order: np.ndarray
    place: np.ndarray


def queue_basis(scenario, domain, table, arrays, memo: dict) -> QueueBasis:
    """The run's ``QueueBasis`` for ``scenario``'s review setup and costs, built once per run
    and setup (``memo`` is the run's)."""
    review = scenario.review
    setup = QueueSetup.from_review(review)
    key = ("queue_basis", setup, review.reviewer_accuracy, review.hard_cases,
           review.default_action, scenario.costs)
    if key not in memo:
        n = len(arrays["label"])
        t = arrival_hours(np.arange(n), scenario.population.events_per_week)
        remove, expires = removal_days(setup, t, patience(arrays["u_abandon"],
                                                          review.abandon_per_day))
        lifted, lift = lifted_slots(setup, t, 0, n)
        label = np.asarray(arrays["label"]).astype(bool)
        fn_cost, fp_cost = event_costs(np.asarray(arrays["value"]), label, scenario.costs)
        # a reviewed event's verdict against the default action: +1 now flagged, -1 now
        # passed, 0 as it was; only the events it moves enter the weekly sums
        delta = (_verdict_flags(scenario, domain, arrays, slice(None)).astype(np.int8)
                 - np.int8(review.default_action == "flag"))
        moved = np.where(delta == 0, 0, np.where(label, 1, 2)).astype(np.int8)
        row = np.searchsorted(table.weeks, np.asarray(arrays["week"])).astype(np.int32)
        order = table.order.astype(np.int32) if n < 2**31 else table.order
        place = np.empty(n, dtype=order.dtype)
        place[order] = np.arange(n, dtype=order.dtype)
        memo[key] = QueueBasis(
            t[order], lifted[order], lift,
            np.minimum(remove, 2**31 - 1).astype(np.int32)[order], expires[order],
            np.where(label, fn_cost, fp_cost)[order], (row * 3 + moved)[order], order, place)
    return memo[key]


def play_band(scenario, domain, table, arrays, memo: dict) -> QueueRun:
    """The queue over the whole run for ``scenario``'s band (its cuts, and the band's places
    in the table's order, kept on the answer for ``queued_query``)."""
    p = scenario.policy
    setup = QueueSetup.from_review(scenario.review)
    a, _, b = table.cuts(p.t_low, p.t_high, 0)
    basis = queue_basis(scenario, domain, table, arrays, memo)
    ids = band_items(table, (a, b), basis.order)
    at = basis.place[ids]  # each band event's place in the table's order, in arrival order
    weeks = len(table.weeks)
    got = _play(setup, basis.remove[at], 0, 7 * weeks, 0, basis.lifted[at], basis.lift)
    served_at = at[got.served]
    got.with_waits(setup, basis.t[served_at])
    queue = queue_run(setup, ids, 0, got, basis.expires[at[got.gone]], weeks, b - a,
                      ids[got.served])
    queue.cuts, queue.served_at = (a, b), served_at
    return queue


def _verdict_flags(scenario, domain, arrays, ids) -> np.ndarray:
    label = np.asarray(arrays["label"])[ids].astype(bool)
    correct = reviewers.correct(scenario, domain, arrays["u_review"][ids],
                                arrays["score"][ids], label)
    return np.where(np.asarray(correct, dtype=bool), label, ~label)


def queued_query(scenario, domain, table, arrays, queue: QueueRun,
                 memo: dict) -> dict[str, np.ndarray]:
    """The weekly metric set (``BandTable.query``'s keys plus ``QUEUE_COLUMNS``) with a queue:
    every band event at the default action, then each reviewed one moved to its verdict."""
    review, p, costs = scenario.review, scenario.policy, scenario.costs
    a, b = getattr(queue, "cuts", None) or table.cuts(p.t_low, p.t_high, 0)[::2]
    out = table.query_cuts(a, b, b, review.default_action, costs.review)
    basis = queue_basis(scenario, domain, table, arrays, memo)
    served = getattr(queue, "served_at", None)  # places in the table's order
    if served is None:
        served = basis.place[queue.reviewed_ids]
    size = len(table.weeks)
    # per week, the reviews that change a decision, positives and negatives apart: one count
    # and one sum over (week, moved) bins, in arrival order (so each week's cost sums add the
    # same nonzero terms in the same order as over every review)
    bins = basis.week_moved[served]
    counts = np.bincount(bins, minlength=3 * size).reshape(size, 3)
    sums = np.bincount(bins, basis.error_cost[served], minlength=3 * size).reshape(size, 3)
    d_tp, d_fp = counts[:, 1], counts[:, 2]
    caught, alarms = sums[:, 1], sums[:, 2]
    if review.default_action == "flag":  # a review can only pass what waited flagged
        d_tp, d_fp = -d_tp, -d_fp
        cost_fn, cost_fp = out["cost_fn"] + caught, out["cost_fp"] - alarms
    else:
        cost_fn, cost_fp = out["cost_fn"] - caught, out["cost_fp"] + alarms
    tp, fp = out["tp"] + d_tp, out["fp"] + d_fp
    fn, tn = out["fn"] - d_tp, out["tn"] - d_fp
    q = queue.weekly
    reviewed, overtime = q["reviewed"], q["overtime_reviews"]
    cost_review = (reviewed + overtime * (review.overtime_premium - 1.0)) * float(costs.review)
    cost_abandon = q["review_abandoned"] * float(review.abandon_cost)
    n, flagged = out["events"], tp + fp
    out.update(
        flagged=flagged, passed=n - flagged, reviewed=reviewed,
        review_overflow=q["review_expired"] + q["review_abandoned"],
        tp=tp, fp=fp, tn=tn, fn=fn,
        precision=safe_ratio(tp, flagged), recall=safe_ratio(tp, out["positives"]),
        pass_rate=safe_ratio(n - flagged, n),
        cost_fn=cost_fn, cost_fp=cost_fp, cost_review=cost_review,
        cost_total=cost_fn + cost_fp + cost_review + cost_abandon,
        **{k: q[k] for k in ("backlog", "review_expired", "review_abandoned", "within_target",
                             "overtime_reviews")},
        cost_abandon=cost_abandon,
    )
    return out


def queued_decisions(scenario, domain, table, arrays, queue: QueueRun):
    """(reviewer correct, action, reviewed, final, decided week) per event with a queue."""
    review, p = scenario.review, scenario.policy
    label = np.asarray(arrays["label"])
    correct = reviewers.correct(scenario, domain, arrays["u_review"], arrays["score"], label)
    action, reviewed, final = table.decisions(p.t_low, p.t_high, 0, review.default_action,
                                              label, correct)
    served = queue.reviewed_ids
    reviewed[served] = True
    final[served] = _verdict_flags(scenario, domain, arrays, served)
    decided = np.asarray(arrays["week"]).astype(np.int32)
    decided[queue.ids] = queue.done_week
    return correct, action, reviewed, final, decided


class LoopQueue:
    """The queue as the weekly loop plays it, one week at a time.

    ``week`` decides this week's events (those still waiting at the default action for now,
    with no label) and, for earlier weeks' items resolved this week, rewrites their recorded
    decision and labels in place, so that a retraining at the end of a week sees exactly the
    labels decided by then, and the run's final records equal ``queued_decisions``.
    """

    def __init__(self, scenario, domain):
        self.scenario, self.domain = scenario, domain
        self.n = scenario.population.events_per_week
        self.queue = ReviewQueue(QueueSetup.from_review(scenario.review))

    def week(self, w: int, table, week_arrays, batches, per_week):
        """(correct, reviewed, final, decided week) of week ``w``'s events."""
        s, n = self.scenario, self.n
        review, p = s.review, s.policy
        label = np.asarray(week_arrays["label"])
        correct = reviewers.correct(s, self.domain, week_arrays["u_review"],
                                    week_arrays["score"], label)
        action, reviewed, final = table.decisions(p.t_low, p.t_high, 0, review.default_action,
                                                  label, correct)
        local = np.flatnonzero(action == REVIEW)
        ids = (w - 1) * n + local
        got = self.queue.add_week(w, ids, arrival_hours(ids, n),
                                  patience(week_arrays["u_abandon"][local],
                                           review.abandon_per_day))
        decided = np.full(n, w, dtype=np.int32)
        decided[local] = NOT_YET
        week0, pos = np.divmod(got.ids, n)
        for wk in np.unique(week0):
            sel = week0 == wk
            idx, done = pos[sel], got.status[sel] == REVIEWED
            if wk == w - 1:
                reviewed[idx[done]] = True
                final[idx[done]] = np.where(correct[idx[done]], label[idx[done]],
                                            1 - label[idx[done]])
                decided[idx] = w
            else:
                self._rewrite(int(wk), idx, done, w, batches, per_week)
        return correct, reviewed, final, decided

    def _rewrite(self, wk: int, idx, done, w: int, batches, per_week) -> None:
        """Week ``wk``'s items ``idx`` were resolved in week ``w`` (``done``: reviewed)."""
        s = self.scenario
        label = batches[wk].label[idx]
        correct = reviewers.correct(s, self.domain, per_week["u_review"][wk][idx],
                                    per_week["score"][wk][idx], label)
        final = per_week["final"][wk]
        final[idx[done]] = np.where(correct[done], label[done], 1 - label[done])
        seen, seen_label, label_week, truth_week = reveal_labels(
            self.domain, s.feedback, np.full(len(idx), wk + 1), label, done, final[idx],
            correct, per_week["u_reveal"][wk][idx], per_week["delay"][wk][idx],
            np.full(len(idx), w, dtype=np.int32))
        per_week["seen"][wk][idx] = seen
        per_week["seen_label"][wk][idx] = seen_label
        per_week["label_week"][wk][idx] = label_week
        per_week["truth_week"][wk][idx] = truth_week
