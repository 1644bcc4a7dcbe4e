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

**The rules.** Slot k of a working day (k = 0, 1, ...) starts at open + k / rate; each slot
reviews the oldest waiting item that has arrived by its start, or idles. Slots past the day's
regular ones are overtime (up to ``overtime_hours`` more, worked only while items wait, at the
same rate). At each midnight, first the items that have waited ``max_wait_hours`` expire (they
take ``default_action``); then each waiting item gives up with chance ``abandon_per_day`` (its
own uniform draw fixes how many midnights it will wait through: a geometric number).
Expiries and give-ups are counted in the week of that midnight, reviews in the week they are
done, so every week, exactly,

    backlog(t) = backlog(t-1) + review_demand(t) - reviewed(t) - review_expired(t)
                 - review_abandoned(t).

**How it is computed** (no loop over items, no work per waiting item per day):

- *Removal day.* Whether and when an unreviewed item leaves does not depend on the others: it
  leaves at the first midnight at which it has waited the maximum or run out of patience,
  day r_j (``removal_days``), whichever comes first (expiry wins a tie, as it is checked
  first). An item is reviewed iff the reviewers reach it on a day <= r_j.
- *One pointer.* Oldest first means the items reviewed or gone always form a prefix of the
  arrivals, apart from the waiting ones: at the end of day d everything before a pointer p_d
  is reviewed or gone, and the items from p_d on that have arrived wait unless r_j < d. So
  the queue's whole state is p_d and the number c_d of items waiting into day d.
- *A day.* The c_d carried items all arrived before the day opens and take slots 0..c_d - 1.
  Day d's own arrivals, alone, would take slots q_i = i + max_{i' <= i}(e_i' - i') (e_i the
  first slot starting at or after arrival i: one cumulative maximum over every item of the
  run at once, of e_i - i plus the item's day times a lift larger than any slot, which keeps
  the days apart); behind the carried ones arrival i takes max(c_d + i, q_i). q_i plus the
  day's lift rises strictly over the whole run, so each day's arrivals and #{q_i < K} are
  binary searches. So a day with capacity K reviews min(c_d, K) carried items and, if
  c_d < K, min(K - c_d, #{q_i < K}) of its own: a few integer operations per day; only on a
  day whose carried items fill it is the K-th living one looked up among them. At midnight
  c drops by the items with r_j = d not yet reached (one binary search among the items
  sorted once by removal day, then arrival).
- *Afterwards, at once.* Item j is reached on the first day whose pointer passes it; it is
  reviewed there if r_j >= that day, its slot is its rank among that day's reviews (its own
  q_j if it arrived that day and that is later), its wait is the slot's end minus its
  arrival; otherwise it is gone at r_j, or still waiting when the run ends.

``play`` answers a whole run in one pass (what a band move re-plays); ``ReviewQueue`` plays the
same thing a week at a time for the weekly loop, carrying the waiting items over, and gives
exactly the same answer. ``tests/test_queue.py`` checks both against a slot-by-slot loop.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy as np

from ..policy.metrics import safe_ratio

HOURS_A_WEEK = 168.0
WAITING, REVIEWED, EXPIRED, ABANDONED = 0, 1, 2, 3
NOT_YET = 2**30  # the decision week of an item still waiting when the run ends
FAR = 2**40  # a removal day later than any run's last
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


def removal_days(setup: QueueSetup, t, mids) -> tuple[np.ndarray, np.ndarray]:
    """Per item (arrival hours ``t``, patience ``mids`` in midnights): the day (0 = the run's
    first) at whose midnight it leaves if nobody has reviewed it by then, and whether it leaves
    by expiry (else it gives up). Expiry is checked first, so it wins a tie."""
    t = np.asarray(t, dtype=float)
    day_of = np.floor(t / 24.0)
    limit = setup.max_wait_hours - 1e-9
    # the first midnight (d + 1) * 24 with (d + 1) * 24 - t >= limit: a close guess, then the
    # very comparison the rule makes, one day either way (it is monotone in d)
    with np.errstate(invalid="ignore"):
        expiry = np.clip(np.ceil((t + limit) / 24.0) - 1.0, day_of, FAR)
    for _ in range(2):
        expiry = np.where((expiry + 1.0) * 24.0 - t >= limit, expiry, expiry + 1.0)
    for _ in range(2):
        back = np.maximum(expiry - 1.0, day_of)
        expiry = np.where((back + 1.0) * 24.0 - t >= limit, back, expiry)
    # gives up at the first midnight d with mids <= (d + 1) - its arrival day
    m = np.nan_to_num(np.asarray(mids, dtype=float), nan=np.inf, posinf=np.inf)
    give_up = np.clip(day_of + np.ceil(m) - 1.0, day_of, FAR)
    return np.minimum(expiry, give_up).astype(np.int64), expiry <= give_up


@dataclass
class _Played:
    """What ``_play`` decided: the reviewed items (positions, day, slot on that day, overtime;
    ``wait`` once ``with_waits`` has their arrival hours) and the items gone unreviewed
    (positions, day)."""

    served: np.ndarray
    served_day: np.ndarray
    slot: np.ndarray
    overtime: np.ndarray
    gone: np.ndarray
    gone_day: np.ndarray
    first_day: int
    done_a_day: np.ndarray  # reviews on each day played
    wait: np.ndarray | None = None

    def with_waits(self, setup: QueueSetup, t_served) -> _Played:
        """Add each reviewed item's wait (its slot's end minus its arrival ``t_served``; the
        same sums, in the same order, as the rule's)."""
        if len(self.served):
            days = len(self.done_a_day)
            day_open = np.arange(self.first_day, self.first_day + days) * 24.0 + setup.open_hour
            self.wait = (np.repeat(day_open, self.done_a_day)  # served_day's, in day order
                         + (self.slot + 1) / setup.rate - t_served)
        else:
            self.wait = np.empty(0)
        return self


@lru_cache(maxsize=64)
def _day_capacity(setup: QueueSetup, first_day: int, days: int) -> tuple[np.ndarray, np.ndarray]:
    """Regular reviews and all reviews (regular + overtime) on each of the days ``first_day``
    .. ``first_day + days - 1`` (kept: every band move of a run asks for the same; read-only)."""
    regular, slots = np.zeros(7, dtype=np.int64), np.zeros(7, dtype=np.int64)
    if setup.rate > 0:
        regular[:len(setup.per_day)] = setup.per_day
        slots[:len(setup.per_day)] = regular[:len(setup.per_day)] + setup.overtime
    week_day = np.arange(first_day, first_day + days) % 7
    regular, slots = regular[week_day], slots[week_day]
    regular.flags.writeable = slots.flags.writeable = False
    return regular, slots


def earliest_slots(setup: QueueSetup, t, day_of) -> np.ndarray:
    """Per item, the first slot of its arrival day starting at or after its arrival (slot k
    starts at open + k / rate; 0 for an item there before opening)."""
    opens = day_of * 24.0 + setup.open_hour
    return np.maximum(np.ceil((t - opens) * setup.rate - 1e-9), 0).astype(np.int64)


def lifted_slots(setup: QueueSetup, t, first_day: int, items: int) -> tuple[np.ndarray, int]:
    """(keys, lift): per item (arrival hours ``t``, in arrival order) its first slot plus its
    day (from ``first_day``) times ``lift``, a number above any slot or rank a day of up to
    ``items`` items can reach, so that each day's keys lie in [day * lift, (day + 1) * lift)
    (see ``_play``)."""
    t = np.asarray(t, dtype=float)
    day_of = np.floor(t / 24.0).astype(np.int64)
    earliest = (earliest_slots(setup, t, day_of) if setup.rate > 0 and len(t)
                else np.zeros(len(t), dtype=np.int64))
    lift = int(earliest.max(initial=0)) + items + 2
    return earliest + (day_of - first_day) * lift, lift


def _play(setup: QueueSetup, remove, first_day: int, days: int, carried: int, lifted,
          lift: int) -> _Played:
    """Play days ``first_day`` .. ``first_day + days - 1`` (see the module's "How it is
    computed"). ``remove`` (removal days) is of the ``carried`` items waiting into the first
    day (all arrived before it, none gone), followed by the items arriving in these days, in
    arrival order; ``lifted`` and ``lift`` are those new items' ``lifted_slots``."""
    s = setup
    n, fresh = len(remove), len(remove) - carried
    regular, slots = _day_capacity(s, first_day, days)
    # z = q + day * lift, q the slot each new item takes on its own day with nobody carried in:
    # q_i = i + max_{i' <= i} (e_i' - i') over the day's items, and the lift keeps the days'
    # maxima apart. z rises strictly (q does within a day, and q < lift), so each day's items,
    # and those of them with q below the day's capacity, are found by binary search.
    day_lift = np.arange(days + 1, dtype=np.int64) * lift
    if s.rate > 0 and fresh:
        rank = np.arange(fresh)
        z = lifted - rank
        np.maximum.accumulate(z, out=z)
        z += rank
        starts = np.searchsorted(z, day_lift)
        fits = (np.searchsorted(z, day_lift[:-1] + np.minimum(slots, lift)) - starts[:-1]).tolist()
    else:
        z = lifted
        starts = np.searchsorted(z, day_lift)
        fits = [0] * days
    arrived = (carried + starts[1:]).tolist()
    # the items by removal day (then arrival), as keys day * n + position, so that "how many
    # of day d's leavers are at or past the pointer p" is one binary search for d * n + p
    when = np.minimum(remove - first_day, days)
    wide = np.int32 if (days + 1) * (n + 1) < 2**31 else np.int64
    by_removal = when.astype(wide) * n + np.arange(n, dtype=wide)
    by_removal.sort()
    bounds = np.searchsorted(by_removal, np.arange(days + 1, dtype=wide) * n)
    # each day's first and last leaver's key: a pointer at or before the first, or past the
    # last, needs no search
    firsts = by_removal[np.minimum(bounds[:-1], max(n - 1, 0))].tolist() if n else [0] * days
    lasts = by_removal[np.maximum(bounds[1:] - 1, 0)].tolist() if n else [0] * days
    bounds = bounds.tolist()
    # a search: in a list for a few items a day (cheaper than numpy's call), else in numpy
    # with a key of the array's own dtype (a Python int would make it cast the whole array)
    if n <= 64 * days:
        keys = by_removal.tolist()

        def unreached(key, b0, b1):
            return b1 - bisect_left(keys, key, b0, b1)
    else:
        def unreached(key, b0, b1):
            return b1 - int(by_removal.searchsorted(wide(key)))
    cap = slots.tolist()
    pointer, done = [0] * days, [0] * days  # the pointer after each day, its reviews
    p, waiting, lo = 0, carried, carried
    for d, (hi, k, fit, b0, b1, first, last) in enumerate(
            zip(arrived, cap, fits, bounds[:-1], bounds[1:], firsts, lasts, strict=True)):
        if k and waiting >= k:  # the carried items fill the day: past the k-th living one
            if lo - p == waiting:  # none of them has left: it is the k-th
                p += k
            else:
                p += int(np.flatnonzero(remove[p:lo] >= first_day + d)[k - 1]) + 1
            waiting += hi - lo - k
            done[d] = k
        elif k:  # every carried item is reviewed, then as many new ones as fit
            take = min(k - waiting, fit)
            done[d] = waiting + take
            p, waiting = lo + take, hi - lo - take
        else:
            waiting += hi - lo
        pointer[d] = p
        if b1 > b0:  # midnight: the unreached whose day it is leave
            key = d * n + p
            if key <= first:
                waiting -= b1 - b0
            elif key <= last:
                waiting -= unreached(key, b0, b1)
        lo = hi
    # the items the pointer passed (a prefix), with the day it passed each
    reach = np.repeat(np.arange(days, dtype=np.int32), np.diff([0, *pointer]))
    passed = len(reach)
    left = remove[:passed] - first_day if first_day else remove[:passed]
    reviewed = left >= reach
    served = np.flatnonzero(reviewed)
    # the reviewed items lie in arrival order, so their days rise: per-day values reach them
    # by repetition (the loop counted each day's reviews), not by a gather per item
    done_a_day = np.array(done, dtype=np.int64)
    sday = np.repeat(np.arange(days, dtype=np.int32), done_a_day)
    rank = np.arange(len(served)) - np.repeat(np.cumsum(done_a_day) - done_a_day, done_a_day)
    # its slot: its rank among the day's reviews, or its own q if it arrived that day and that
    # is later (z - day * lift is q on its own day, negative for an item of an earlier day)
    zc = z if not carried else np.concatenate([np.full(carried, -1, dtype=z.dtype), z])
    slot = (np.maximum(rank, zc[served] - np.repeat(day_lift[:-1], done_a_day)) if len(z)
            else rank)
    gone = np.concatenate([np.flatnonzero(~reviewed),
                           passed + np.flatnonzero(remove[passed:] < first_day + days)])
    return _Played(served, first_day + sday if first_day else sday, slot,
                   slot >= np.repeat(regular, done_a_day), gone, remove[gone], first_day,
                   done_a_day)


def _weekly_rows(setup: QueueSetup, got: _Played, gone_expired, first_week: int, weeks: int,
                 demand: np.ndarray, backlog0: int) -> dict[str, np.ndarray]:
    """The queue's weekly counts of weeks ``first_week`` .. ``first_week + weeks - 1``
    (``gone_expired``: of the items gone, those that expired; ``got`` has its waits)."""
    served_week = got.served_day // 7 - (first_week - 1)
    gone_week = got.gone_day // 7 - (first_week - 1)

    def count(week, keep=None):
        return np.bincount(week if keep is None else week[keep], minlength=weeks).astype(np.int64)

    reviewed = got.done_a_day.reshape(weeks, 7).sum(axis=1).astype(np.int64)
    expired, abandoned = count(gone_week, gone_expired), count(gone_week, ~gone_expired)
    return {
        "week": np.arange(first_week, first_week + weeks, dtype=np.int64),
        "review_demand": np.asarray(demand, dtype=np.int64),
        "reviewed": reviewed,
        "overtime_reviews": count(served_week, got.overtime),
        "review_expired": expired,
        "review_abandoned": abandoned,
        "backlog": backlog0 + np.cumsum(demand - reviewed - expired - abandoned),
        "reviewed_on_time": count(served_week, got.wait <= setup.target_hours + 1e-9),
    }


@dataclass
class Resolved:
    """Items resolved in one week: global ids, status, and (reviewed items) wait in hours."""

    ids: np.ndarray
    status: np.ndarray
    wait: np.ndarray


class ReviewQueue:
    """The queue's state between weeks (the items waiting, oldest first, with their arrival
    hours and removal days); ``add_week`` plays one week's seven days."""

    def __init__(self, setup: QueueSetup):
        self.setup = setup
        self._ids = np.empty(0, dtype=np.int64)
        self._t = np.empty(0)
        self._remove = np.empty(0, dtype=np.int64)
        self._expires = np.empty(0, dtype=bool)
        self.weekly: list[dict[str, float]] = []

    def add_week(self, week: int, ids, t, mids) -> Resolved:
        """Add week ``week``'s review demand (global ids in arrival order, arrival hours,
        patience in midnights) and play its seven days. Returns the items resolved this week,
        of this and earlier weeks."""
        s = self.setup
        t = np.asarray(t, dtype=float)
        remove, expires = removal_days(s, t, mids)
        carried = len(self._ids)
        ids = np.concatenate([self._ids, np.asarray(ids, dtype=np.int64)])
        t = np.concatenate([self._t, t])
        remove = np.concatenate([self._remove, remove])
        expires = np.concatenate([self._expires, expires])
        lifted, lift = lifted_slots(s, t[carried:], (week - 1) * 7, len(t) - carried)
        got = _play(s, remove, (week - 1) * 7, 7, carried, lifted, lift)
        got.with_waits(s, t[got.served])
        row = _weekly_rows(s, got, expires[got.gone], week, 1, np.array([len(ids) - carried]),
                           carried)
        self.weekly.append({k: int(v[0]) for k, v in row.items()})
        keep = np.ones(len(ids), dtype=bool)
        keep[got.served] = keep[got.gone] = False
        self._ids, self._t = ids[keep], t[keep]
        self._remove, self._expires = remove[keep], expires[keep]
        done = np.concatenate([got.served, got.gone])
        status = np.concatenate([np.full(len(got.served), REVIEWED, dtype=np.int8),
                                 np.where(expires[got.gone], EXPIRED, ABANDONED).astype(np.int8)])
        wait = np.concatenate([got.wait, np.full(len(got.gone), np.nan)])
        return Resolved(ids[done], status, wait)


class QueueRun:
    """A whole run's queue: the band items (global ids, in arrival order), the weekly counts,
    and per item (built on first use: a band move reads only the weekly counts and the
    reviewed items) its status, the week it was resolved (``NOT_YET`` while waiting) and its
    wait (hours, reviewed items only)."""

    # when played for a band: its per-week cuts (a, b) of the run's table, and the reviewed
    # items' places in the table's order
    cuts = served_at = None

    def __init__(self, ids, lo: int, got: _Played, gone_expired, weekly, reviewed_ids=None):
        self.ids, self.weekly = ids, weekly
        self._lo, self._got, self._gone_expired = lo, got, gone_expired
        self._reviewed_ids = reviewed_ids

    @property
    def reviewed_ids(self) -> np.ndarray:
        """The global ids of the items reviewed, in arrival order."""
        if self._reviewed_ids is None:
            self._reviewed_ids = self.ids[self._lo + self._got.served]
        return self._reviewed_ids

    @cached_property
    def status(self) -> np.ndarray:
        got, lo = self._got, self._lo
        status = np.full(len(self.ids), WAITING, dtype=np.int8)
        status[lo + got.served] = REVIEWED
        status[lo + got.gone] = np.where(self._gone_expired, EXPIRED, ABANDONED)
        return status

    @cached_property
    def done_week(self) -> np.ndarray:
        got, lo = self._got, self._lo
        done_week = np.full(len(self.ids), NOT_YET, dtype=np.int32)
        done_week[lo + got.served] = got.served_day // 7 + 1
        done_week[lo + got.gone] = got.gone_day // 7 + 1
        return done_week

    @cached_property
    def wait(self) -> np.ndarray:
        wait = np.full(len(self.ids), np.nan)
        wait[self._lo + self._got.served] = self._got.wait
        return wait


def play(setup: QueueSetup, ids, t, mids, week_of, weeks: int) -> QueueRun:
    """Play the queue over ``weeks`` weeks for the band items given (in arrival order), all at
    once: the same answer as ``ReviewQueue.add_week`` week after week."""
    week_of = np.asarray(week_of)
    lo, hi = np.searchsorted(week_of, [1, weeks + 1])
    t = np.asarray(t, dtype=float)[lo:hi]
    remove, expires = removal_days(setup, t, np.asarray(mids)[lo:hi])
    lifted, lift = lifted_slots(setup, t, 0, len(t))
    got = _play(setup, remove, 0, 7 * weeks, 0, lifted, lift)
    got.with_waits(setup, t[got.served])
    demand = np.bincount(week_of[lo:hi] - 1, minlength=weeks)
    return queue_run(setup, np.asarray(ids, dtype=np.int64), int(lo), got, expires[got.gone],
                     weeks, demand)


def queue_run(setup: QueueSetup, ids, lo: int, got: _Played, gone_expired, weeks: int,
              demand, reviewed_ids=None) -> QueueRun:
    """The ``QueueRun`` of a whole run played from day 0 (``got``, with its waits) for the band
    items ``ids`` (those of weeks 1 .. ``weeks`` from position ``lo``; ``demand``: how many
    arrived each week; ``reviewed_ids``: ``ids`` of the reviewed ones, when known)."""
    weekly = weekly_counts(_weekly_rows(setup, got, gone_expired, 1, weeks, demand, 0))
    return QueueRun(ids, lo, got, gone_expired, weekly, reviewed_ids)


def weekly_counts(rows) -> dict[str, np.ndarray]:
    """The queue's weekly columns (from a list of weekly rows, or the columns themselves);
    ``within_target`` is the share of the week's reviews decided within the target (NaN in a
    week without reviews)."""
    if isinstance(rows, dict):
        cols = {k: np.asarray(v, dtype=np.int64) for k, v in rows.items()}
    else:
        cols = {k: np.array([r[k] for r in rows], dtype=np.int64) for k in rows[0]}
    cols["within_target"] = safe_ratio(cols.pop("reviewed_on_time"), cols["reviewed"])
    return cols


def band_items(table, cuts, order=None) -> np.ndarray:
    """Global indices of the events in the review band, in arrival order (sorted), from the
    table's per-week cuts ``(a, b)``: the events between them in ``order`` (the table's
    order, or a narrower copy of it), so no pass over all events."""
    order = table.order if order is None else order
    parts = [order[lo:hi] for lo, hi in zip(*cuts, strict=True)]
    ids = np.concatenate(parts) if parts else np.empty(0, order.dtype)
    ids.sort()
    return ids
