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
from dataclasses import dataclass

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
        weeks = np.unique(week)
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
        return cls(weeks, tuple(tables), tuple(members), tuple(rows), tuple(positions))

    def cuts(self, bands, capacity: int) -> list[tuple[np.ndarray, ...] | None]:
        """Per segment, its per-week (a, r, b) boundaries (see ``BandTable.cuts``) when the
        review capacity is shared riskiest-first across segments; None for an empty segment."""
        n_weeks = len(self.weeks)
        raw = []
        demand = np.zeros(n_weeks, dtype=np.int64)
        for t, rows, (lo, hi) in zip(self.tables, self.week_rows, bands, strict=True):
            if t is None:
                raw.append(None)
                continue
            a, _, b = t.cuts(lo, hi, 0)
            raw.append((a, b))
            demand[rows] += b - a
        capacity = int(capacity)
        over = demand > capacity
        if not over.any():
            return [None if ab is None else (ab[0], ab[0], ab[1]) for ab in raw]
        # per segment, its table row of each run week (-1: no events that week)
        inverse = []
        for rows in self.week_rows:
            inv = np.full(n_weeks, -1, dtype=np.int64)
            inv[rows] = np.arange(len(rows))
            inverse.append(inv)
        cut_at = np.zeros(n_weeks, dtype=np.int64)  # queue positions >= this are reviewed
        for w in np.flatnonzero(over):
            if capacity <= 0:
                cut_at[w] = np.iinfo(np.int64).max
                continue
            queued = np.concatenate([pos[ab[0][inv[w]]:ab[1][inv[w]]]
                                     for pos, inv, ab in zip(self.queue_pos, inverse, raw,
                                                             strict=True)
                                     if ab is not None and inv[w] >= 0])
            k = len(queued) - capacity
            cut_at[w] = np.partition(queued, k)[k]
        out = []
        for pos, rows, ab in zip(self.queue_pos, self.week_rows, raw, strict=True):
            if ab is None:
                out.append(None)
                continue
            a, b = ab
            r = a.copy()
            for i in np.flatnonzero(over[rows]):
                r[i] = a[i] + np.searchsorted(pos[a[i]:b[i]], cut_at[rows[i]], side="left")
            out.append((a, r, b))
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
