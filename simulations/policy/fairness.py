"""Fairness strategies over per-segment bands, searched on the slider's grid and priced in money.

Strategies: ``single`` (the cheapest band shared by every segment), ``per_segment`` (the
cheapest band for each segment), and four equalities within a tolerance (an absolute gap
between the highest and the lowest segment, as a share: 0.02 = 2 percentage points):
``equal_pass_rate`` (demographic parity), ``equal_recall`` (equal opportunity), ``equal_fpr``
and ``equal_precision``. Thresholds are deterministic (no randomised mixing of two bands).

How the search works, and what it guarantees.

* ``single``: every band (t_low <= t_high) on the grid is evaluated exactly, week by week,
  with the review capacity and its overflow: exact.
* Per-segment strategies: without overflow, a segment's horizon totals depend only on its
  own band, and each is a term of the lower cut plus a term of the upper cut, read from
  cumulative sums, so every band of every segment is evaluated at once. ``per_segment`` takes
  each segment's cheapest band. An equality takes, for every window ``[v, v + tolerance]`` of
  the metric (v running over every value a segment reaches), each segment's cheapest band
  whose metric lies in the window (a range minimum over the bands sorted by the metric) and
  keeps the cheapest window: any feasible combination lies in the window starting at its
  lowest value, so this is the optimum. The review capacity is shared across segments, so the
  best few combinations are then evaluated exactly with the shared queue
  (``SegmentBandTable``) and the cheapest whose *exact* gap meets the tolerance (and the
  guardrails) is returned; when the winner overflows, more candidates come from the same
  search with each segment held to a share of the capacity (three ways of splitting it).
  Guarantee: when ``exact`` is True the answer is the optimum over the grid's combinations
  whose weekly review demand fits the capacity (for those the overflow-free totals are the
  exact ones). A combination that overflows can still be cheaper (the overflow's default
  action may cost less than a review) and is found only if it is among the candidates; the
  tests measure that distance to brute force on small inputs. Every figure reported is the
  exact one, as ``run --segment-band`` reports it.
* Infeasible requests say which segment cannot come closer and the smallest gap reachable.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .guardrails import Guardrails
from .metrics import BandTable, event_costs, safe_ratio
from .segment_bands import SegmentBandTable, segment_table_of

GRID_STEP = 0.005  # the band sliders' step: bands are searched on the same grid
STRATEGIES = ("single", "per_segment", "equal_pass_rate", "equal_recall", "equal_fpr",
              "equal_precision")
METRIC_OF = {"equal_pass_rate": "pass_rate", "equal_recall": "recall", "equal_fpr": "fpr",
             "equal_precision": "precision"}
WORDS = {"pass_rate": "pass rate", "recall": "recall", "fpr": "false positive rate",
         "precision": "precision"}
UNDEFINED_BECAUSE = {"recall": "it has no positives", "fpr": "it has no negatives",
                     "precision": "no band flags any of its events",
                     "pass_rate": "it has no events"}
DEFAULT_TOLERANCE = 0.02
_EPS = 1e-12  # a gap within tolerance + this counts as within (ratios are not exact decimals)
FOUR_FIFTHS_NOTE = (
    "The four-fifths ratio is the lowest segment's pass rate over the highest's. The "
    "four-fifths rule (29 CFR 1607.4(D)) reads a ratio below 0.8 as evidence of adverse "
    "impact in US employee selection; it is not a legal test for credit, fraud screening or "
    "clinical triage, so read it here as a screening signal only.")


def grid(step: float = GRID_STEP) -> np.ndarray:
    """Thresholds 0, step, ..., 1, rounded as the slider shows them."""
    k = int(round(1 / step))
    return np.round(np.arange(k + 1) * step, 10)


@dataclass
class FairResult:
    """One strategy's bands and their exact horizon figures."""

    strategy: str
    tolerance: float | None
    feasible: bool
    bands: dict[str, tuple[float, float]]
    cost_total: float
    price: dict[str, float]  # against the cheapest per-segment bands and the best single band
    gap: float  # the strategy's metric, highest segment minus lowest (NaN: undefined)
    metric: str | None
    segments: dict[str, dict[str, float]]
    four_fifths_ratio: float
    exact: bool  # the guarantee above holds for this answer
    message: str = ""
    four_fifths_note: str = FOUR_FIFTHS_NOTE

    def to_dict(self) -> dict:
        def num(x):
            return None if x is None or not np.isfinite(x) else float(x)

        return {
            "strategy": self.strategy, "tolerance": self.tolerance, "feasible": self.feasible,
            "bands": {k: [float(lo), float(hi)] for k, (lo, hi) in self.bands.items()},
            "cost_total": num(self.cost_total),
            "price": {k: num(v) for k, v in self.price.items()},
            "gap": num(self.gap), "metric": self.metric,
            "segments": {name: {k: num(v) for k, v in m.items()}
                         for name, m in self.segments.items()},
            "four_fifths_ratio": num(self.four_fifths_ratio),
            "four_fifths_note": self.four_fifths_note, "exact": self.exact,
            "message": self.message,
        }


class FairnessProblem:
    """Events of one or more weeks with their segments, costs and review setup.

    ``tables`` may pass the (whole ``BandTable``, ``SegmentBandTable``) already built from the
    same events (a run has them), so nothing is sorted twice."""

    def __init__(self, week, score, label, fn_cost, fp_cost, reviewer_correct, segment,
                 segments: tuple[str, ...], *, capacity: int, overflow_action: str,
                 review_cost: float, fixed_cost: float = 0.0, thresholds=None,
                 guardrails: Guardrails | None = None, tables=None):
        self.segments = tuple(segments)
        self.capacity = int(capacity)
        self.overflow_action = overflow_action
        self.review_cost = float(review_cost)
        self.fixed_cost = float(fixed_cost)
        self.guardrails = guardrails or Guardrails()
        self.grid = grid() if thresholds is None else np.asarray(thresholds, dtype=float)
        self.label = np.asarray(label).astype(bool)
        self.correct = np.asarray(reviewer_correct).astype(bool)
        self.segment = np.asarray(segment).astype(np.int64)
        if tables is not None:  # (whole BandTable, SegmentBandTable) already built from these
            self.whole, self.table = tables
        else:
            self.table = SegmentBandTable.build(week, score, label, fn_cost, fp_cost,
                                                reviewer_correct, segment, len(self.segments))
            self.whole = BandTable.build(week, score, label, fn_cost, fp_cost, reviewer_correct)
        i, j = np.triu_indices(len(self.grid))
        self.pair_lo, self.pair_hi = i, j  # every band t_low <= t_high on the grid
        self._parts = [self._pair_totals(k) for k in range(len(self.segments))]

    @classmethod
    def from_run(cls, result, guardrails: Guardrails | None = None,
                 thresholds=None) -> FairnessProblem:
        s, a = result.scenario, result.arrays
        if s.impact.enabled:
            raise ValueError("in this scenario the decisions change who arrives (delayed "
                             "impact), so each band set has its own traffic: a fairness "
                             "search needs fixed scores (turn impact off)")
        if s.policy_changes_labels:
            raise ValueError("this scenario learns from the labels its own decisions reveal, "
                             "so each band set has its own model history: a fairness search "
                             "needs fixed scores (never retrain, or use full feedback with a "
                             "label delay of 0 and retrain every K weeks or on drift)")
        fn_cost, fp_cost = event_costs(a["value"], a["label"], s.costs)
        correct = result.domain.reviewer_correct(a["u_review"], s.review.reviewer_accuracy,
                                                 a["label"])
        return cls(a["week"], a["score"], a["label"], fn_cost, fp_cost, correct, a["segment"],
                   result.domain.segments, capacity=s.review.capacity,
                   overflow_action=s.review.overflow_action, review_cost=s.costs.review,
                   fixed_cost=float(result.band_free["cost_retrain"].sum()),
                   thresholds=thresholds, guardrails=guardrails,
                   tables=(result.table, segment_table_of(result.table, s, result.domain, a)))

    # -- every band of one segment, without overflow --------------------------------------

    def _pair_totals(self, k: int) -> dict[str, np.ndarray] | None:
        t = self.table.tables[k]
        if t is None:
            return None
        starts = t.starts
        # cut[w, g]: first sorted index of week w with score >= grid[g]
        cut = np.stack([lo + np.searchsorted(t.sorted_score[lo:hi], self.grid, side="left")
                        for lo, hi in zip(starts[:-1], starts[1:], strict=True)])
        end = starts[1:, None]

        def high(c):  # summed over weeks: what lies from the cut to the week's end
            return (c[end] - c[cut]).sum(axis=0)

        def at(c):  # summed over weeks: the cumulative sum at the cut
            return c[cut].sum(axis=0)

        i, j = self.pair_lo, self.pair_hi
        flag_pos = high(t.cum_pos)
        flag_n = (end - cut).sum(axis=0)
        pos_correct, neg_wrong = at(t.cum_pos_correct), at(t.cum_neg_wrong)
        fn_correct, fp_wrong = at(t.cum_fn_cost_correct), at(t.cum_fp_cost_wrong)
        # in the band everything is reviewed (no overflow): a reviewer's verdict decides
        tp = flag_pos[j] + pos_correct[j] - pos_correct[i]
        fp = (flag_n - flag_pos)[j] + neg_wrong[j] - neg_wrong[i]
        caught = high(t.cum_fn_cost)[j] + fn_correct[j] - fn_correct[i]
        cost_fp = high(t.cum_fp_cost)[j] + fp_wrong[j] - fp_wrong[i]
        demand_w = cut[:, j] - cut[:, i]  # (weeks of the segment, pairs)
        positives = float(t.positives.sum())
        negatives = float(t.negatives.sum())
        events = positives + negatives
        flagged = tp + fp
        cost = (float(t.fn_cost_all.sum()) - caught) + cost_fp + self.review_cost * demand_w.sum(0)
        return {"tp": tp, "fp": fp, "flagged": flagged, "cost": cost,
                "demand_w": demand_w, "rows": self.table.week_rows[k],
                "recall": safe_ratio(tp, positives), "precision": safe_ratio(tp, flagged),
                "pass_rate": safe_ratio(events - flagged, events),
                "fpr": safe_ratio(fp, negatives)}

    # -- exact evaluation with the shared queue -------------------------------------------

    def evaluate(self, bands) -> dict:
        """Exact horizon figures of per-segment ``bands`` (one per segment, in order)."""
        bands = [tuple(map(float, b)) for b in bands]
        weekly = self.table.query(bands, self.capacity, self.overflow_action, self.review_cost)
        parts = self.table.per_segment(bands, self.capacity, self.overflow_action,
                                       self.review_cost)
        segments = {}
        for name, part in zip(self.segments, parts, strict=True):
            if part is None:
                segments[name] = {k: float("nan") for k in
                                  ("recall", "precision", "pass_rate", "fpr", "reviews")}
                continue
            tot = {k: float(np.sum(part[k])) for k in
                   ("tp", "fp", "tn", "positives", "flagged", "passed", "events", "reviewed")}
            segments[name] = {
                "recall": safe_ratio(tot["tp"], tot["positives"]),
                "precision": safe_ratio(tot["tp"], tot["flagged"]),
                "pass_rate": safe_ratio(tot["passed"], tot["events"]),
                "fpr": safe_ratio(tot["fp"], tot["fp"] + tot["tn"]),
                "reviews": safe_ratio(tot["reviewed"], tot["events"]),
                "events": tot["events"], "reviewed": tot["reviewed"],
                "cost_total": float(np.sum(part["cost_total"])),
            }
        totals = {k: float(np.sum(weekly[k])) for k in
                  ("tp", "flagged", "positives", "passed", "events", "review_demand")}
        return {"bands": bands, "cost_total": float(np.sum(weekly["cost_total"])) + self.fixed_cost,
                "segments": segments, "totals": totals, "weeks": len(self.table.weeks),
                "overflow": float(np.sum(weekly["review_overflow"]))}

    def _meets_guardrails(self, totals: dict, weeks: int) -> bool:
        g, t = self.guardrails, totals
        checks = [(g.min_precision, safe_ratio(t["tp"], t["flagged"])),
                  (g.min_recall, safe_ratio(t["tp"], t["positives"])),
                  (g.min_pass_rate, safe_ratio(t["passed"], t["events"]))]
        ok = True
        for floor, value in checks:
            if floor is not None:
                ok = ok & (np.nan_to_num(value, nan=-1.0) >= floor - _EPS)
        if g.max_review_per_week is not None:
            ok = ok & (np.asarray(t["review_demand"]) / max(weeks, 1)
                       <= g.max_review_per_week + _EPS)
        return ok

    def gap_of(self, ev: dict, metric: str) -> float:
        values = [m[metric] for m in ev["segments"].values()]
        if not values or not np.all(np.isfinite(values)):
            return float("nan")
        return float(max(values) - min(values))

    # -- strategies -------------------------------------------------------------------------

    def best_single(self) -> dict | None:
        """The cheapest band shared by every segment, exactly (the shared weekly capacity and
        its overflow included), among those meeting the guardrails; None if none does."""
        t = self.whole
        cut = np.stack([lo + np.searchsorted(t.sorted_score[lo:hi], self.grid, side="left")
                        for lo, hi in zip(t.starts[:-1], t.starts[1:], strict=True)])
        weeks = len(t.weeks)
        best, best_cost = None, np.inf
        for start in range(0, len(self.pair_lo), 4096):  # blocks of bands: bounded memory
            i = self.pair_lo[start:start + 4096]
            j = self.pair_hi[start:start + 4096]
            a, b = cut[:, i].T, cut[:, j].T  # (bands, weeks)
            r = np.maximum(a, b - self.capacity)
            q = t.query_cuts(a, r, b, self.overflow_action, self.review_cost)
            totals = {k: np.broadcast_to(q[k], a.shape).sum(axis=1) for k in
                      ("tp", "flagged", "positives", "passed", "events", "review_demand")}
            cost = np.where(self._meets_guardrails(totals, weeks), q["cost_total"].sum(axis=1),
                            np.inf)
            k = int(np.argmin(cost))
            if cost[k] < best_cost:
                best_cost, best = cost[k], (float(self.grid[i[k]]), float(self.grid[j[k]]))
        if best is None:
            return None
        return self.evaluate([best] * len(self.segments))

    def _cheapest_per_segment(self, masks=None) -> list[int]:
        return [0 if p is None else
                int(np.argmin(p["cost"] if masks is None else np.where(masks[k], p["cost"],
                                                                        np.inf)))
                for k, p in enumerate(self._parts)]

    def _single(self):
        if not hasattr(self, "_single_result"):
            self._single_result = self.best_single()
        return self._single_result

    def _bands_of(self, picks) -> list[tuple[float, float]]:
        return [(float(self.grid[self.pair_lo[k]]), float(self.grid[self.pair_hi[k]]))
                for k in picks]

    def _fits(self, picks) -> bool:
        demand = np.zeros(len(self.table.weeks), dtype=np.int64)
        for part, k in zip(self._parts, picks, strict=True):
            if part is not None:
                demand[part["rows"]] += part["demand_w"][:, k]
        return bool((demand <= self.capacity).all())

    def _pick(self, candidates, metric, tolerance):
        """The cheapest exactly evaluated candidate meeting the gap and the guardrails, and
        whether it is the first (the overflow-free optimum, when it fits the capacity)."""
        best, first_ok = None, False
        for n, picks in enumerate(candidates):
            ev = self.evaluate(self._bands_of(picks))
            if not self._meets_guardrails(ev["totals"], ev["weeks"]):
                continue
            if metric is not None and not self.gap_of(ev, metric) <= tolerance + _EPS:
                continue
            if best is None or ev["cost_total"] < best["cost_total"]:
                best = ev
                first_ok = n == 0 and self._fits(picks)
        return best, first_ok

    def _windows(self, metric: str, tolerance: float, masks=None, limit: int = 8):
        """Per window start v (every value a segment reaches), each segment's cheapest band
        with its metric in [v, v + tolerance]; the windows' combinations, cheapest first.
        ``masks`` (per segment) keeps only some bands."""
        sorted_parts = []
        for k, part in enumerate(self._parts):
            m = part[metric]
            ok = np.flatnonzero(np.isfinite(m) & (True if masks is None else masks[k]))
            order = ok[np.argsort(m[ok], kind="stable")]
            sorted_parts.append((m[order], part["cost"][order], order))
        starts = np.unique(np.concatenate([m for m, _, _ in sorted_parts]))
        if not len(starts):
            return []
        total = np.zeros(len(starts))
        picks = []
        for m, cost, order in sorted_parts:
            lo = np.searchsorted(m, starts, side="left")
            hi = np.searchsorted(m, starts + tolerance + _EPS, side="right")
            arg = _range_argmin(cost, lo, hi)
            total += np.where(arg >= 0, cost[np.maximum(arg, 0)], np.inf)
            picks.append(np.where(arg >= 0, order[np.maximum(arg, 0)], -1))
        picks = np.stack(picks, axis=1)
        feasible = np.isfinite(total)
        ranked = np.flatnonzero(feasible)[np.argsort(total[feasible], kind="stable")]
        seen, out = set(), []
        for w in ranked:
            key = tuple(picks[w])
            if key not in seen:
                seen.add(key)
                out.append(key)
            if len(out) >= limit:
                break
        return out

    def _capacity_masks(self, picks) -> list[list[np.ndarray]]:
        """Bands that keep each segment within a share of the weekly capacity, for a few
        ways of splitting it (as the overflow-free winner ``picks`` used it, by the segments'
        sizes, evenly): any combination of such bands fits the capacity."""
        n = len(self.segments)
        used = np.array([part["demand_w"][:, k].max() if part is not None else 0
                         for part, k in zip(self._parts, picks, strict=True)], dtype=float)
        sizes = np.array([len(m) for m in self.table.members], dtype=float)
        splits = [used / used.sum() if used.sum() else None, sizes / sizes.sum(),
                  np.full(n, 1.0 / n)]
        out = []
        for share in splits:
            if share is None:
                continue
            caps = np.floor(share * self.capacity)
            out.append([np.ones(len(self.pair_lo), bool) if part is None
                        else (part["demand_w"] <= caps[k]).all(axis=0)
                        for k, part in enumerate(self._parts)])
        return out

    def _closest(self, metric: str):
        """(smallest gap reachable, the segment holding it open, the combination reaching it)."""
        values = [part[metric][np.isfinite(part[metric])] for part in self._parts]
        starts = np.unique(np.concatenate(values))
        nearest = np.stack([np.where(np.searchsorted(np.sort(v), starts) < len(v),
                                     np.sort(v)[np.minimum(np.searchsorted(np.sort(v), starts),
                                                           len(v) - 1)], np.inf)
                            for v in values], axis=1)
        span = nearest.max(axis=1) - starts
        w = int(np.argmin(span))
        gap = float(span[w])
        holder = self.segments[int(np.argmax(nearest[w]))]
        picks = []
        for part in self._parts:
            m = part[metric]
            inside = np.isfinite(m) & (m >= starts[w] - _EPS) & (m <= starts[w] + gap + _EPS)
            cost = np.where(inside, part["cost"], np.inf)
            picks.append(int(np.argmin(cost)))
        return gap, holder, tuple(picks)

    def solve(self, strategy: str, tolerance: float = DEFAULT_TOLERANCE) -> FairResult:
        """One strategy's bands, exact figures and price (see the module's docstring)."""
        if strategy not in STRATEGIES:
            raise ValueError(f"unknown fairness strategy {strategy!r}; choose one of "
                             f"{', '.join(STRATEGIES)}")
        if not (np.isfinite(tolerance) and 0 <= tolerance <= 1):
            raise ValueError(f"tolerance = {tolerance!r} is invalid: give a share within "
                             "[0, 1] (0.02 = 2 percentage points)")
        single = self._single()
        cheapest_picks = self._cheapest_per_segment()
        masks = [] if self._fits(cheapest_picks) else self._capacity_masks(cheapest_picks)
        options = [cheapest_picks] + [self._cheapest_per_segment(m) for m in masks]
        cheapest, _ = self._pick(options, None, tolerance)
        if single is not None and (cheapest is None
                                   or single["cost_total"] < cheapest["cost_total"]):
            cheapest = single  # one band for all is a per-segment choice too
        metric = METRIC_OF.get(strategy)
        message, exact = "", True
        if strategy == "single":
            chosen = single
        elif strategy == "per_segment":
            chosen = cheapest
            exact = (chosen is not None and self._fits(cheapest_picks)
                     and chosen["bands"] == self._bands_of(cheapest_picks))
        else:
            missing = [name for name, part in zip(self.segments, self._parts, strict=True)
                       if part is None or not np.isfinite(part[metric]).any()]
            if missing:
                return self._infeasible(strategy, tolerance, metric, single, cheapest,
                                        f"segment {missing[0]!r} has no defined "
                                        f"{WORDS[metric]} at any band "
                                        f"({UNDEFINED_BECAUSE[metric]}), so equal "
                                        f"{WORDS[metric]} cannot be met", None)
            candidates = self._windows(metric, tolerance)
            if candidates and not self._fits(candidates[0]):
                for m in self._capacity_masks(candidates[0]):
                    candidates += self._windows(metric, tolerance, m)
            gap, holder, closest = self._closest(metric)
            chosen, exact = self._pick([*candidates, closest], metric, tolerance)
            if chosen is None:
                if gap > tolerance + _EPS:
                    why = (f"no bands on the slider's grid bring every segment's "
                           f"{WORDS[metric]} within {tolerance * 100:.1f} pp: segment "
                           f"{holder!r} cannot come closer; the smallest gap reachable is "
                           f"{gap * 100:.1f} pp")
                else:
                    why = (f"bands that bring every segment's {WORDS[metric]} within "
                           f"{tolerance * 100:.1f} pp exist on the grid, but none of the "
                           f"{len(candidates) + 1} tried keeps it there once the shared "
                           f"review capacity overflows, or meets the guardrails")
                return self._infeasible(strategy, tolerance, metric, single, cheapest, why,
                                        closest)
            if cheapest is None or chosen["cost_total"] < cheapest["cost_total"]:
                cheapest = chosen
        if chosen is None:
            return self._infeasible(strategy, tolerance, metric, single, cheapest,
                                    "no band on the slider's grid meets the guardrails", None)
        return self._result(strategy, tolerance if metric else None, True, chosen, single,
                            cheapest, metric, exact, message)

    def _infeasible(self, strategy, tolerance, metric, single, cheapest, why, picks):
        ev = self.evaluate(self._bands_of(picks)) if picks is not None else None
        if ev is None:
            ev = single or cheapest
        text = why[0].upper() + why[1:] + "."
        return self._result(strategy, tolerance, False, ev, single, cheapest, metric, False,
                            text)

    def _result(self, strategy, tolerance, feasible, ev, single, cheapest, metric, exact,
                message) -> FairResult:
        if ev is None:
            nan = float("nan")
            return FairResult(strategy, tolerance, False, {}, nan, {}, nan, metric, {}, nan,
                              False, message)
        segs = {name: {k: m[k] for k in ("recall", "precision", "pass_rate", "fpr", "reviews")}
                for name, m in ev["segments"].items()}
        rates = [m["pass_rate"] for m in segs.values()]
        four = (safe_ratio(min(rates), max(rates)) if rates and np.all(np.isfinite(rates))
                else float("nan"))
        price = {
            "vs_per_segment": (ev["cost_total"] - cheapest["cost_total"]
                               if cheapest else float("nan")),
            "vs_single": ev["cost_total"] - single["cost_total"] if single else float("nan"),
        }
        return FairResult(strategy, tolerance, feasible,
                          dict(zip(self.segments, ev["bands"], strict=True)), ev["cost_total"],
                          price, self.gap_of(ev, metric) if metric else float("nan"), metric,
                          segs, float(four), exact, message)


def _range_argmin(values: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """For each [lo, hi), the index of its smallest value (first on ties); -1 if empty.
    A sparse table: O(n log n) to build, O(1) per range."""
    n = len(values)
    out = np.full(len(lo), -1, dtype=np.int64)
    if n == 0:
        return out
    levels = [np.arange(n)]
    span = 1
    while 2 * span <= n:
        prev = levels[-1]
        left, right = prev[:-span], prev[span:]
        levels.append(np.where(values[right] < values[left], right, left))
        span *= 2
    ok = hi > lo
    length = np.where(ok, hi - lo, 1)
    k = np.floor(np.log2(length)).astype(np.int64)
    for level in np.unique(k[ok]):
        sel = ok & (k == level)
        table = levels[level]
        left = table[lo[sel]]
        right = table[hi[sel] - (1 << level)]
        out[sel] = np.where(values[right] < values[left], right, left)
    return out


def suggest_fair(result, strategy: str, tolerance: float = DEFAULT_TOLERANCE,
                 guardrails: Guardrails | None = None) -> FairResult:
    """``strategy`` over a simulated run's segments (see ``FairnessProblem.solve``)."""
    return FairnessProblem.from_run(result, guardrails).solve(strategy, tolerance)
