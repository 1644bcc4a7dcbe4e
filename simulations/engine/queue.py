"""A review queue that carries over: band events no reviewer reaches today wait for the next
working day, instead of taking the default action at once (``review.overflow_action = "queue"``).

Time is counted in hours from the start of week 1. The n events of a week arrive evenly over
its 168 hours in the order they were generated (event i at (i + 0.5) * 168 / n): no random
draw, so the traffic of every run stays what it was. The team works the first
``working_days`` days of each week, from ``open_hour`` for ``hours_per_day`` hours; the week's
capacity is split over those days (whole reviews, adding up to the week's capacity) and worked
at a steady rate (the day's reviews / hours_per_day reviews an hour).

**Order: oldest first** (first come, first served). A held payment or a waiting patient is owed
an answer within a promised time; serving the riskiest first would leave low-score items at the
back for as long as riskier ones keep arriving, so under load the longest waits (and the
expiries) would grow without limit while the mean looked fine. Oldest first bounds the longest
wait, makes "share decided within the target" the service level a team promises, and is the
order Erlang C assumes (``engine.staffing``). (The ``pass`` and ``flag`` choices, which have no
time inside a week, keep reviewing the riskiest first, as before.)

A working day, for the items waiting plus those arriving that day, in arrival order: slot k of
the day (k = 0, 1, ...) starts at open + k / rate; an item takes the first free slot that
starts at or after its arrival, k_j = max(m_j, k_{j-1} + 1) = j + max_{i <= j}(m_i - i)
with m_j its earliest slot (one cumulative maximum, no loop over items). Slots past the day's
regular ones are overtime (up to ``overtime_hours`` more, worked only while items wait, at the
same rate). Items not reached wait. At each midnight, first the items that have waited
``max_wait_hours`` expire (they take ``default_action``); then each waiting item gives up with
chance ``abandon_per_day`` (its own uniform draw fixes how many midnights it will wait
through: a geometric number). Expiries and give-ups are counted in the week of that midnight,
reviews in the week they are done, so every week, exactly,

    backlog(t) = backlog(t-1) + review_demand(t) - reviewed(t) - review_expired(t)
                 - review_abandoned(t).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..policy.metrics import safe_ratio

HOURS_A_WEEK = 168.0
WAITING, REVIEWED, EXPIRED, ABANDONED = 0, 1, 2, 3
NOT_YET = 2**30  # the decision week of an item still waiting when the run ends


@dataclass(frozen=True)
class QueueSetup:
    """The queue's clock and people, from a scenario's ``Review``."""

    per_day: tuple[int, ...]  # regular reviews on each working day of a week
    rate: float  # reviews an hour while the team works
    overtime: int  # overtime reviews a day at most
    open_hour: float
    target_hours: float
    max_wait_hours: float
    abandon_per_day: float

    @classmethod
    def from_review(cls, review) -> QueueSetup:
        days, hours = review.working_days, review.hours_per_day
        cap = int(review.capacity)
        per_day = tuple((k + 1) * cap // days - k * cap // days for k in range(days))
        rate = cap / days / hours
        overtime = int(math.floor(rate * review.overtime_hours + 1e-9))
        span = hours + review.overtime_hours
        open_hour = 8.0 if span <= 16 else 24.0 - span
        return cls(per_day, rate, overtime, open_hour, review.target_hours,
                   review.max_wait_hours, review.abandon_per_day)


def arrival_hours(ids: np.ndarray, events_per_week: int) -> np.ndarray:
    """Hours from the start of week 1 at which the events with these global indices arrive
    (index = (week - 1) * events_per_week + position in the week)."""
    ids = np.asarray(ids, dtype=np.int64)
    week0, pos = np.divmod(ids, events_per_week)
    return week0 * HOURS_A_WEEK + (pos + 0.5) * (HOURS_A_WEEK / events_per_week)


def patience(u: np.ndarray, abandon_per_day: float) -> np.ndarray:
    """How many midnights each item waits through before giving up (inf: never): geometric,
    P(M = m) = p (1 - p)^(m - 1), from one uniform draw each (M = floor(ln u / ln(1 - p)) + 1)."""
    u = np.asarray(u, dtype=float)
    if abandon_per_day <= 0:
        return np.full(len(u), np.inf)
    with np.errstate(divide="ignore"):
        return np.floor(np.log(u) / math.log1p(-abandon_per_day)) + 1.0


@dataclass
class Resolved:
    """Items resolved in one week: global ids, status, and (reviewed items) wait in hours."""

    ids: np.ndarray
    status: np.ndarray
    wait: np.ndarray


class ReviewQueue:
    """The queue's state between weeks; ``add_week`` plays one week's seven days."""

    def __init__(self, setup: QueueSetup):
        self.setup = setup
        self._ids = np.empty(0, dtype=np.int64)  # waiting, oldest first
        self._t = np.empty(0)
        self._mids = np.empty(0)
        self.weekly: list[dict[str, float]] = []

    def add_week(self, week: int, ids, t, mids) -> Resolved:
        """Add week ``week``'s review demand (global ids in arrival order, arrival hours,
        patience in midnights) and play its seven days. Returns the items resolved this week,
        of this and earlier weeks."""
        s = self.setup
        ids, t, mids = np.asarray(ids, dtype=np.int64), np.asarray(t, float), np.asarray(mids)
        day_of = np.floor(t / 24.0).astype(np.int64)
        first_day = (week - 1) * 7
        cuts = np.searchsorted(day_of, first_day + np.arange(8))
        out_ids, out_status, out_wait = [], [], []
        reviewed = overtime = expired = abandoned = on_time = 0
        for k in range(7):
            day = first_day + k
            lo, hi = cuts[k], cuts[k + 1]
            if hi > lo:
                self._ids = np.concatenate([self._ids, ids[lo:hi]])
                self._t = np.concatenate([self._t, t[lo:hi]])
                self._mids = np.concatenate([self._mids, mids[lo:hi]])
            if k < len(s.per_day) and s.rate > 0 and len(self._ids):
                regular = s.per_day[k]
                opens = day * 24.0 + s.open_hour
                earliest = np.maximum(np.ceil((self._t - opens) * s.rate - 1e-9), 0)
                j = np.arange(len(self._ids))
                slot = j + np.maximum.accumulate(earliest - j)
                done = int(np.searchsorted(slot, regular + s.overtime))
                if done:
                    finish = opens + (slot[:done] + 1) / s.rate
                    wait = finish - self._t[:done]
                    out_ids.append(self._ids[:done])
                    out_status.append(np.full(done, REVIEWED, dtype=np.int8))
                    out_wait.append(wait)
                    reviewed += done
                    overtime += int(np.count_nonzero(slot[:done] >= regular))
                    on_time += int(np.count_nonzero(wait <= s.target_hours + 1e-9))
                    self._ids, self._t, self._mids = (self._ids[done:], self._t[done:],
                                                      self._mids[done:])
            if len(self._ids):  # midnight: expiries first, then give-ups
                midnight = (day + 1) * 24.0
                gone_expired = midnight - self._t >= s.max_wait_hours - 1e-9
                waited = (day + 1) - np.floor(self._t / 24.0)
                gone_abandoned = ~gone_expired & (self._mids <= waited)
                gone = gone_expired | gone_abandoned
                if gone.any():
                    out_ids.append(self._ids[gone])
                    out_status.append(np.where(gone_expired[gone], EXPIRED,
                                               ABANDONED).astype(np.int8))
                    out_wait.append(np.full(int(gone.sum()), np.nan))
                    expired += int(gone_expired.sum())
                    abandoned += int(gone_abandoned.sum())
                    keep = ~gone
                    self._ids, self._t, self._mids = (self._ids[keep], self._t[keep],
                                                      self._mids[keep])
        self.weekly.append({"week": week, "review_demand": len(ids), "reviewed": reviewed,
                            "overtime_reviews": overtime, "review_expired": expired,
                            "review_abandoned": abandoned, "backlog": len(self._ids),
                            "reviewed_on_time": on_time})
        if not out_ids:
            return Resolved(np.empty(0, np.int64), np.empty(0, np.int8), np.empty(0))
        return Resolved(np.concatenate(out_ids), np.concatenate(out_status),
                        np.concatenate(out_wait))


@dataclass
class QueueRun:
    """A whole run's queue: per band item (global id, in arrival order) its status, the week it
    was resolved (``NOT_YET`` while waiting) and its wait (hours, reviewed items only), and the
    weekly counts."""

    ids: np.ndarray
    status: np.ndarray
    done_week: np.ndarray
    wait: np.ndarray
    weekly: dict[str, np.ndarray]


def play(setup: QueueSetup, ids, t, mids, week_of, weeks: int) -> QueueRun:
    """Play the queue over ``weeks`` weeks for the band items given (in arrival order)."""
    ids = np.asarray(ids, dtype=np.int64)
    queue = ReviewQueue(setup)
    cuts = np.searchsorted(np.asarray(week_of), np.arange(1, weeks + 2))
    status = np.full(len(ids), WAITING, dtype=np.int8)
    done_week = np.full(len(ids), NOT_YET, dtype=np.int32)
    wait = np.full(len(ids), np.nan)
    for w in range(1, weeks + 1):
        sl = slice(cuts[w - 1], cuts[w])
        got = queue.add_week(w, ids[sl], t[sl], mids[sl])
        where = np.searchsorted(ids, got.ids)
        status[where], done_week[where], wait[where] = got.status, w, got.wait
    return QueueRun(ids, status, done_week, wait, weekly_counts(queue.weekly))


def weekly_counts(rows: list[dict[str, float]]) -> dict[str, np.ndarray]:
    """The queue's weekly columns; ``within_target`` is the share of the week's reviews decided
    within the target (NaN in a week without reviews)."""
    cols = {k: np.array([r[k] for r in rows], dtype=np.int64) for k in rows[0]}
    cols["within_target"] = safe_ratio(cols.pop("reviewed_on_time"), cols["reviewed"])
    return cols


def band_items(table, t_low: float, t_high: float) -> np.ndarray:
    """Global indices of the events in the review band, in arrival order (sorted), from the
    table's per-week cuts (no pass over all events)."""
    a, _, b = table.cuts(t_low, t_high, 0)
    parts = [table.order[lo:hi] for lo, hi in zip(a, b, strict=True)]
    ids = np.concatenate(parts) if parts else np.empty(0, np.int64)
    return np.sort(ids)
