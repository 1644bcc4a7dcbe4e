"""Per-segment bands with one weekly review capacity shared across segments.

Each segment has its own band ``[t_low_s, t_high_s)``. Every week the review queue holds the
events of all segments that fall in their segment's band, and reviewers take the riskiest
first across segments (the highest scores; equal scores in order of arrival, as in
``BandTable``), up to the capacity; the rest overflow to the default action.

``SegmentBandTable`` sorts each segment's events once (a ``BandTable`` per segment) and keeps,
for every sorted position, the event's position in the week's overall queue order. A query
then cuts each segment's sorted scores at its band (two binary searches per segment and week)
and, only in weeks whose demand exceeds the capacity, finds the queue position where the
capacity runs out: the ``capacity``-th highest queue position among the events in review,
read from the segments' review runs (which are already in queue order). Counts and costs are
differences of cumulative sums per segment, summed over segments, with the ratios recomputed
from the sums: a band move costs O(weeks x segments) plus the overflowing weeks' review runs,
never a loop over events.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field

import numpy as np

from .metrics import BandTable, event_costs, safe_ratio

_COUNTS = ("events", "positives", "flagged", "passed", "auto_flagged", "auto_passed",
           "review_demand", "reviewed", "review_overflow", "tp", "fp", "tn", "fn")
_COSTS = ("cost_fn", "cost_fp", "cost_review")


@dataclass(frozen=True)
class SegmentBandTable:
    """One ``BandTable`` per segment, aligned on the weeks of the whole run."""

    weeks: np.ndarray  # week numbers of the whole run
    tables: tuple[BandTable | None, ...]  # per segment (None: the segment has no events)
    members: tuple[np.ndarray, ...]  # per segment, its event indices (original order)
    week_rows: tuple[np.ndarray, ...]  # per segment, the run's week row of each table row
    queue_pos: tuple[np.ndarray, ...]  # per segment, queue position of each sorted event
    week_start: np.ndarray  # (weeks + 1,) first queue position of each week
    _memo: dict = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def build(cls, week, score, label, fn_cost, fp_cost, reviewer_correct, segment,
              n_segments: int) -> SegmentBandTable:
        week = np.asarray(week)
        score = np.asarray(score, dtype=float)
        segment = np.asarray(segment).astype(np.int64)
        # the queue order of the whole run: BandTable's (week, score, latest arrival first)
        order = np.lexsort((-np.arange(len(score)), score, week))
        queue = np.empty(len(order), dtype=np.int64)
        queue[order] = np.arange(len(order))
        weeks, counts = np.unique(week, return_counts=True)
        tables, members, rows, positions = [], [], [], []
        for s in range(n_segments):
            idx = np.flatnonzero(segment == s)
            members.append(idx)
            if not len(idx):
                tables.append(None)
                rows.append(np.empty(0, dtype=np.int64))
                positions.append(np.empty(0, dtype=np.int64))
                continue
            t = BandTable.build(week[idx], score[idx], np.asarray(label)[idx],
                                np.asarray(fn_cost)[idx], np.asarray(fp_cost)[idx],
                                np.asarray(reviewer_correct)[idx])
            tables.append(t)
            rows.append(np.searchsorted(weeks, t.weeks))
            # a subset keeps the relative order of its events, so each segment-week's sorted
            # run is increasing in queue position
            positions.append(queue[idx[t.order]])
        week_start = np.concatenate([[0], np.cumsum(counts)])
        return cls(weeks, tuple(tables), tuple(members), tuple(rows), tuple(positions),
                   week_start)

    def _at(self, segment: int, t: float) -> np.ndarray:
        """Per week of segment ``segment``'s table, the first sorted index with score >= t
        (remembered: a move of one segment's band searches only that segment again)."""
        key = (segment, float(t))
        hit = self._memo.get(key)
        if hit is None:
            table = self.tables[segment]
            s, starts = table.sorted_score, table.starts
            hit = np.array([lo + np.searchsorted(s[lo:hi], t, side="left")
                            for lo, hi in zip(starts[:-1], starts[1:], strict=True)],
                           dtype=np.int64)
            if len(self._memo) > 4096:
                self._memo.clear()
            self._memo[key] = hit
        return hit

    def cuts(self, bands, capacity: int) -> list[tuple[np.ndarray, ...] | None]:
        """Per segment, its per-week (a, r, b) boundaries (see ``BandTable.cuts``) when the
        review capacity is shared riskiest-first across segments; None for an empty segment."""
        n_weeks = len(self.weeks)
        raw = []
        demand = np.zeros(n_weeks, dtype=np.int64)
        for k, (t, rows, (lo, hi)) in enumerate(zip(self.tables, self.week_rows, bands,
                                                     strict=True)):
            if t is None:
                raw.append(None)
                continue
            a, b = self._at(k, lo), self._at(k, hi)
            raw.append((a, b))
            demand[rows] += b - a
        capacity = int(capacity)
        over = np.flatnonzero(demand > capacity)
        if not len(over):
            return [None if ab is None else (ab[0], ab[0], ab[1]) for ab in raw]
        # In each overflowing week, reviewers take the events in review whose queue position
        # is >= G, where G is the capacity-th highest position among them. Positions are
        # distinct and each segment's sorted positions increase, so the number in review at
        # or above G is a sum of binary searches: bisect G for all those weeks at once.
        per_seg = []
        for pos, rows, ab in zip(self.queue_pos, self.week_rows, raw, strict=True):
            if ab is None:
                continue
            inv = np.full(n_weeks, -1, dtype=np.int64)
            inv[rows] = np.arange(len(rows))
            i = inv[over]
            has = i >= 0
            a = np.where(has, ab[0][np.maximum(i, 0)], 0)
            b = np.where(has, ab[1][np.maximum(i, 0)], 0)
            per_seg.append((pos, a, b))

        def at_or_above(g):
            n = np.zeros(len(over), dtype=np.int64)
            for pos, a, b in per_seg:
                n += np.maximum(b - np.maximum(a, np.searchsorted(pos, g, side="left")), 0)
            return n

        lo = self.week_start[over].copy()  # at_or_above(lo) = demand > capacity
        hi = self.week_start[over + 1].copy()  # at_or_above(hi) = 0
        if capacity <= 0:
            lo = hi
        while (hi - lo > 1).any():  # invariant: at_or_above(lo) >= capacity > at_or_above(hi)
            mid = (lo + hi) // 2
            enough = at_or_above(mid) >= capacity
            lo = np.where(enough, mid, lo)
            hi = np.where(enough, hi, mid)
        cut_at = np.zeros(n_weeks, dtype=np.int64)
        cut_at[over] = lo
        overflowing = np.zeros(n_weeks, dtype=bool)
        overflowing[over] = True
        out = []
        for pos, rows, ab in zip(self.queue_pos, self.week_rows, raw, strict=True):
            if ab is None:
                out.append(None)
                continue
            a, b = ab
            found = np.clip(np.searchsorted(pos, cut_at[rows], side="left"), a, b)
            out.append((a, np.where(overflowing[rows], found, a), b))
        return out

    def query(self, bands, capacity: int, overflow_action: str,
              review_cost: float) -> dict[str, np.ndarray]:
        """The weekly metric set (``BandTable.query``'s keys) of per-segment ``bands``."""
        total = {k: np.zeros(len(self.weeks), dtype=np.int64) for k in _COUNTS}
        total.update({k: np.zeros(len(self.weeks)) for k in _COSTS})
        for t, rows, c in zip(self.tables, self.week_rows, self.cuts(bands, capacity),
                              strict=True):
            if t is None:
                continue
            part = t.query_cuts(*c, overflow_action, review_cost)
            for k in (*_COUNTS, *_COSTS):
                np.add.at(total[k], rows, part[k])
        return _with_ratios(self.weeks, total)

    def per_segment(self, bands, capacity: int, overflow_action: str,
                    review_cost: float) -> list[dict[str, np.ndarray] | None]:
        """``query`` for each segment alone (its weekly counts under the shared queue)."""
        out = []
        for t, rows, c in zip(self.tables, self.week_rows, self.cuts(bands, capacity),
                              strict=True):
            if t is None:
                out.append(None)
                continue
            part = t.query_cuts(*c, overflow_action, review_cost)
            full = {k: np.zeros(len(self.weeks), dtype=np.asarray(part[k]).dtype)
                    for k in (*_COUNTS, *_COSTS)}
            for k in full:
                full[k][rows] = part[k]
            out.append(_with_ratios(self.weeks, full))
        return out

    def decisions(self, bands, capacity: int, overflow_action: str, label,
                  reviewer_correct) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per-event (action, reviewed, final) in the original order (``BandTable.decisions``)."""
        n = sum(len(m) for m in self.members)
        action = np.zeros(n, dtype=np.int8)
        reviewed = np.zeros(n, dtype=bool)
        final = np.zeros(n, dtype=np.int8)
        label = np.asarray(label)
        correct = np.asarray(reviewer_correct)
        for t, idx, c in zip(self.tables, self.members, self.cuts(bands, capacity), strict=True):
            if t is None:
                continue
            act, rev, fin = t.decisions_cuts(*c, overflow_action, label[idx], correct[idx])
            action[idx], reviewed[idx], final[idx] = act, rev, fin
        return action, reviewed, final


def _with_ratios(weeks, total: dict) -> dict[str, np.ndarray]:
    """Summed counts and costs with their ratios recomputed, in ``BandTable.query``'s order."""
    out = {"week": weeks, **{k: total[k] for k in _COUNTS}}
    out["precision"] = safe_ratio(total["tp"], total["flagged"])
    out["recall"] = safe_ratio(total["tp"], total["positives"])
    out["pass_rate"] = safe_ratio(total["passed"], total["events"])
    out.update({k: total[k] for k in _COSTS})
    out["cost_total"] = total["cost_fn"] + total["cost_fp"] + total["cost_review"]
    return out


# -- the table of a run's events, built once per run ---------------------------------------

_BUILT: dict[int, SegmentBandTable] = {}


def segment_table_of(table: BandTable, scenario, domain, arrays: dict) -> SegmentBandTable:
    """The ``SegmentBandTable`` of the events behind ``table`` (built once per ``table``:
    a run's band moves then pay only for the query)."""
    key = id(table)
    built = _BUILT.get(key)
    if built is None:
        fn_cost, fp_cost = event_costs(arrays["value"], arrays["label"], scenario.costs)
        correct = domain.reviewer_correct(arrays["u_review"], scenario.review.reviewer_accuracy,
                                          arrays["label"])
        built = SegmentBandTable.build(arrays["week"], arrays["score"], arrays["label"],
                                       fn_cost, fp_cost, correct, arrays["segment"],
                                       len(domain.segments))
        _BUILT[key] = built
        weakref.finalize(table, _BUILT.pop, key, None)
    return built
