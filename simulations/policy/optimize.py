"""The cheapest decision policy within a team's guardrails, exact over a grid of thresholds.

The problem. Sort the events by score and cut the order at two grid positions ``a <= b``:
events below ``a`` pass, events from ``b`` up are flagged, and the band ``[a, b)`` goes to
review. Reviewers take the riskiest band events first, up to the capacity; the rest of the band
overflows to the default action. Find the cut pair with the lowest expected cost (missed
positives + false alarms + reviews, overflow included) among those meeting every guardrail:
precision, recall and pass-rate floors and a ceiling on weekly review demand. Floors hold on
the horizon's totals and the ceiling on the average weekly demand; the capacity is weekly, as in
the simulator: a quiet week's spare reviews cannot serve a busy week.

Why it is exact and fast. For a fixed *regime* (the band fits the capacity, or it overflows)
every quantity involved — true flags, false flags, cost, review demand — is a function of the
lower cut plus a function of the upper cut, read from cumulative sums:
``X(a, b) = X_low(a) + X_high(b)``. So a block of cut pairs (a range of lower cuts times a range
of upper cuts) has an exact lower bound on its cost, ``min X_low + min X_high``, and a guardrail
written as ``E(b) - D(a) >= 0`` cannot hold anywhere in the block if ``max E < min D``. The
search is branch and bound on a quadtree of such blocks, one level at a time, each level a
handful of numpy operations over all surviving blocks: a block is dropped when its bound is
above the best feasible cost found so far or a guardrail fails everywhere in it; single pairs
that survive are evaluated exactly. The result equals trying every pair (the tests compare it
with brute force), without the n^2 pairs.

With several weeks and a capacity some week's band can exceed, a band's figures are a sum of
per-week figures, each with its own regime, and the halves no longer separate. Then every pair
of the thresholds is evaluated week by week (``_WEEKLY_THRESHOLDS`` at most, at evenly spaced
ranks of the distinct scores when there are more): exact over that grid, and a few numpy
operations for the slider's 201 thresholds.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .guardrails import Guardrails
from .metrics import BandTable, safe_ratio

_CHUNK = 16384  # blocks expanded at once; more wait on a stack, best bound first
_CANDIDATES = 512  # pairs tried per level to tighten the bound early
_WEEKLY_THRESHOLDS = 601  # thresholds tried pairwise when the capacity is weekly
_CELLS = 4_000_000  # (week, pair) cells evaluated at once


def readable_thresholds(sorted_unique: np.ndarray) -> np.ndarray:
    """For each distinct score s_k, the shortest decimal t with s_{k-1} < t <= s_k.

    ``score >= t`` then selects exactly the scores from s_k up, and the number reads well
    (0.4372 rather than 0.43718290153). The first threshold is 0 when the scores are >= 0.
    """
    s = np.asarray(sorted_unique, dtype=float)
    out = s.copy()
    prev = np.r_[-np.inf, s[:-1]]
    todo = np.ones(len(s), dtype=bool)
    if len(s) and s[0] >= 0:
        out[0], todo[0] = 0.0, False
    for digits in range(1, 16):
        scale = 10.0**digits
        t = np.floor(s * scale) / scale
        ok = todo & (t > prev) & (t <= s)
        out[ok] = t[ok]
        todo &= ~ok
        if not todo.any():
            break
    return out


class PolicyGrid:
    """Events sorted once, with the cumulative sums that answer any cut pair in O(1).

    ``score`` is the model's probability of the positive class; ``fn_cost`` / ``fp_cost`` are
    what missing a positive / flagging a negative costs, per event; ``reviewer_correct`` says
    whether a reviewer would decide the event right (default: always). ``week`` says which week
    (or period) each event falls in (default: all in one); ``capacity`` is reviews per week
    (None: unlimited), applied week by week. ``thresholds`` are the candidate
    thresholds (default: every distinct score, written as short decimals, plus 1.0 to flag
    nothing when every score is below 1). ``fixed_cost`` (retraining, say) is added to every
    policy's reported cost; it cannot change which policy is cheapest. ``table``, when given,
    is the weekly ``BandTable`` of exactly these events (a run's), so they are not sorted again.
    """

    def __init__(self, score, label, fn_cost, fp_cost, *, review_cost: float = 0.0,
                 reviewer_correct=None, capacity: int | None = None,
                 overflow_action: str = "pass", week=None, thresholds=None,
                 fixed_cost: float = 0.0, table: BandTable | None = None):
        score = np.asarray(score, dtype=float)
        n = len(score)
        if n == 0:
            raise ValueError("no events to optimise over")
        if not np.isfinite(score).all():
            raise ValueError("scores must be finite numbers")
        if overflow_action not in ("pass", "flag"):
            raise ValueError(f"overflow_action must be 'pass' or 'flag', not {overflow_action!r}")
        label = np.asarray(label).astype(bool)
        correct = (np.ones(n, dtype=bool) if reviewer_correct is None
                   else np.asarray(reviewer_correct).astype(bool))
        fn_cost = np.where(label, np.asarray(fn_cost, dtype=float), 0.0)
        fp_cost = np.where(label, 0.0, np.asarray(fp_cost, dtype=float))
        week = np.zeros(n, dtype=np.int64) if week is None else np.asarray(week)
        if len(week) != n:
            raise ValueError(f"week has {len(week):,} values for {n:,} events")
        sizes = np.unique(week, return_counts=True)[1]
        self.weeks = len(sizes)
        # with one week, or no week larger than the capacity, no band's review queue can
        # overflow in one week and not in another: the pooled arithmetic is then exact
        self.by_week = bool(capacity is not None and self.weeks > 1 and sizes.max() > capacity)
        if self.by_week:
            # week by week: the cumulative sums of the weekly BandTable (the run's, when
            # given); of the pooled sums below only the totals are then used
            table = table if table is not None else BandTable.build(
                week, score, label, fn_cost, fp_cost, correct)
            s = np.sort(score)
        else:
            # one period of the weekly BandTable: the same review-queue order (ascending
            # score, equal scores with the earliest event on top) and the same cumulative sums
            table = BandTable.build(np.zeros(n, dtype=np.int8), score, label, fn_cost, fp_cost,
                                    correct)
            s = table.sorted_score
        unique = np.unique(s)
        if thresholds is None:
            t = readable_thresholds(unique)
            if unique[-1] < 1.0:
                t = np.r_[t, 1.0]
        else:
            t = np.unique(np.asarray(thresholds, dtype=float))
        cuts = np.searchsorted(s, t, side="left")
        cuts, first = np.unique(cuts, return_index=True)  # one threshold per distinct cut
        if self.by_week and len(cuts) > _WEEKLY_THRESHOLDS:  # pairs grow as the square
            keep = np.unique(np.linspace(0, len(cuts) - 1, _WEEKLY_THRESHOLDS).round()
                             .astype(np.int64))
            cuts, first = cuts[keep], first[keep]
        self.thresholds = t[first]
        self.pos = cuts.astype(np.int64)
        self.n = n
        self.capacity = capacity
        self.pooled_capacity = (n + 1 if capacity is None or (self.weeks > 1 and not self.by_week)
                                else int(capacity))
        self._weekly_table = table if self.by_week else None
        self._pairs: dict[str, np.ndarray] | None = None
        if self.by_week:
            st, ss = table.starts, table.sorted_score
            self._week_cuts = np.vstack([st[w] + np.searchsorted(ss[st[w]:st[w + 1]],
                                                                 self.thresholds, side="left")
                                         for w in range(self.weeks)])  # (weeks, thresholds)
        self.flag_overflow = overflow_action == "flag"
        self.review_cost = float(review_cost)
        self.fixed_cost = float(fixed_cost)

        self.c_pos = table.cum_pos
        self.c_neg = np.arange(n + 1) - self.c_pos
        self.c_pos_right = table.cum_pos_correct  # reviewed positives a reviewer flags
        self.c_neg_wrong = table.cum_neg_wrong  # reviewed negatives a reviewer flags
        self.c_fn = table.cum_fn_cost
        self.c_fp = table.cum_fp_cost
        self.c_fn_wrong = table.cum_fn_cost - table.cum_fn_cost_correct  # positive passed
        self.c_fp_wrong = table.cum_fp_cost_wrong  # negative flagged by a reviewer
        # what the review band costs, event by event: the review and any wrong verdict
        self.c_review = self.review_cost * np.arange(n + 1) + self.c_fn_wrong + self.c_fp_wrong
        self.positives = float(self.c_pos[-1])
        self._parts: dict[str, tuple] | None = None
        self._cache: dict[tuple, dict] = {}

    @classmethod
    def from_run(cls, result, thresholds=None) -> PolicyGrid:
        """The grid of a simulated run's scores, costs, reviewers and capacity."""
        from .metrics import event_costs

        s, arrays = result.scenario, result.arrays
        fn_cost, fp_cost = event_costs(arrays["value"], arrays["label"], s.costs)
        return cls(arrays["score"], arrays["label"], fn_cost, fp_cost,
                   review_cost=s.costs.review,
                   reviewer_correct=result.reviews_correct(),
                   capacity=s.review.capacity, overflow_action=s.review.unreviewed_action,
                   week=arrays["week"], thresholds=thresholds,
                   fixed_cost=float(result.band_free["cost_retrain"].sum()), table=result.table)

    def __len__(self) -> int:
        return len(self.pos)

    # -- any set of cut pairs, exactly ---------------------------------------------------

    def evaluate(self, i, j) -> dict[str, np.ndarray]:
        """Counts, ratios and costs of the cut pairs (i, j), i <= j, as arrays."""
        if self.by_week:
            return self._evaluate_by_week(np.asarray(i), np.asarray(j))
        a, b = self.pos[np.asarray(i)], self.pos[np.asarray(j)]
        r = np.maximum(a, b - self.pooled_capacity)
        f = self.flag_overflow
        tp = (self.positives - self.c_pos[b]) + self.c_pos_right[b] - self.c_pos_right[r]
        fp = (self.c_neg[-1] - self.c_neg[b]) + self.c_neg_wrong[b] - self.c_neg_wrong[r]
        cost_fn = self.c_fn[a] + self.c_fn_wrong[b] - self.c_fn_wrong[r]
        cost_fp = self.c_fp[-1] - self.c_fp[b] + self.c_fp_wrong[b] - self.c_fp_wrong[r]
        if f:  # the overflow is flagged
            tp = tp + self.c_pos[r] - self.c_pos[a]
            fp = fp + self.c_neg[r] - self.c_neg[a]
            cost_fp = cost_fp + self.c_fp[r] - self.c_fp[a]
        else:
            cost_fn = cost_fn + self.c_fn[r] - self.c_fn[a]
        reviewed = b - r
        cost_review = self.review_cost * reviewed
        flagged = tp + fp
        return {"tp": tp, "fp": fp, "flagged": flagged, "demand": b - a, "reviewed": reviewed,
                "overflow": r - a, "cost": cost_fn + cost_fp + cost_review, "cost_fn": cost_fn,
                "cost_fp": cost_fp, "cost_review": cost_review,
                "precision": safe_ratio(tp, flagged), "recall": safe_ratio(tp, self.positives),
                "pass_rate": safe_ratio(self.n - flagged, self.n)}

    def _evaluate_by_week(self, i: np.ndarray, j: np.ndarray) -> dict[str, np.ndarray]:
        """``evaluate`` week by week, each week's review queue cut at the capacity, summed."""
        shape = np.shape(i)
        i, j = np.ravel(i), np.ravel(j)
        t = self._weekly_table
        keys = ("tp", "fp", "demand", "reviewed", "overflow", "cost_fn", "cost_fp")
        out = {k: np.zeros(len(i)) for k in keys}
        step = max(_CELLS // self.weeks, 1)
        end = t.starts[1:, None]
        start = t.starts[:-1, None]
        fn_wrong = t.cum_fn_cost - t.cum_fn_cost_correct

        for k in range(0, len(i), step):
            part = slice(k, k + step)
            a, b = self._week_cuts[:, i[part]], self._week_cuts[:, j[part]]  # (weeks, pairs)
            r = np.maximum(a, b - int(self.capacity))
            flag_pos = t.cum_pos[end] - t.cum_pos[b]
            tp = flag_pos + t.cum_pos_correct[b] - t.cum_pos_correct[r]
            fp = (end - b - flag_pos) + t.cum_neg_wrong[b] - t.cum_neg_wrong[r]
            cost_fn = t.cum_fn_cost[a] - t.cum_fn_cost[start] + fn_wrong[b] - fn_wrong[r]
            cost_fp = (t.cum_fp_cost[end] - t.cum_fp_cost[b] + t.cum_fp_cost_wrong[b]
                       - t.cum_fp_cost_wrong[r])
            if self.flag_overflow:
                over_pos = t.cum_pos[r] - t.cum_pos[a]
                tp, fp = tp + over_pos, fp + (r - a) - over_pos
                cost_fp = cost_fp + t.cum_fp_cost[r] - t.cum_fp_cost[a]
            else:
                cost_fn = cost_fn + t.cum_fn_cost[r] - t.cum_fn_cost[a]
            for key, value in (("tp", tp), ("fp", fp), ("demand", b - a), ("reviewed", b - r),
                               ("overflow", r - a), ("cost_fn", cost_fn), ("cost_fp", cost_fp)):
                out[key][part] = value.sum(axis=0)
        tp, fp = out["tp"], out["fp"]
        cost_review = self.review_cost * out["reviewed"]
        flagged = tp + fp
        m = {**out, "flagged": flagged, "cost_review": cost_review,
             "cost": out["cost_fn"] + out["cost_fp"] + cost_review,
             "precision": safe_ratio(tp, flagged), "recall": safe_ratio(tp, self.positives),
             "pass_rate": safe_ratio(self.n - flagged, self.n)}
        return {key: np.reshape(value, shape) for key, value in m.items()}

    def _every_pair(self) -> dict[str, np.ndarray]:
        """``evaluate`` of every cut pair i <= j, with ``i`` and ``j``; computed once."""
        if self._pairs is None:
            i, j = np.triu_indices(len(self.pos))
            self._pairs = {**self.evaluate(i, j), "i": i, "j": j}
        return self._pairs

    def meets(self, m: dict[str, np.ndarray], g: Guardrails) -> np.ndarray:
        """Which evaluated pairs meet every guardrail. An undefined ratio is NaN, and NaN
        compares False: it meets no floor, not even zero or a negative one."""
        ok = np.ones(np.shape(m["tp"]), dtype=bool)
        for key, floor in (("precision", g.min_precision), ("recall", g.min_recall),
                           ("pass_rate", g.min_pass_rate)):
            if floor is not None:
                ok &= m[key] >= floor
        if g.max_review_per_week is not None:
            ok &= m["demand"] / self.weeks <= g.max_review_per_week
        return ok

    def summary(self, i: int, j: int) -> dict[str, float]:
        """One policy's thresholds and pooled metrics, weekly figures as averages."""
        m = {k: float(np.ravel(v)[0]) for k, v in self.evaluate([i], [j]).items()}
        return {"t_low": float(self.thresholds[i]), "t_high": float(self.thresholds[j]),
                "cost_total": m["cost"] + self.fixed_cost, "cost_fn": m["cost_fn"],
                "cost_fp": m["cost_fp"], "cost_review": m["cost_review"],
                "precision": m["precision"],
                "recall": m["recall"], "pass_rate": m["pass_rate"], "flagged": m["flagged"],
                "tp": m["tp"], "fp": m["fp"], "review_demand_per_week": m["demand"] / self.weeks,
                "reviewed_per_week": m["reviewed"] / self.weeks,
                "overflow_per_week": m["overflow"] / self.weeks}

    # -- the separable halves ------------------------------------------------------------

    def _halves(self) -> dict[str, tuple]:
        """Per metric and regime, (low part over cuts, high part over cuts)."""
        if self._parts is not None:
            return self._parts
        a = b = self.pos
        r = np.maximum(b - self.pooled_capacity, 0)  # only used where the band overflows
        f = float(self.flag_overflow)
        P, N = self.positives, self.c_neg[-1]
        fp_total = self.c_fp[-1]
        parts = {
            "tp": ((-self.c_pos_right[a], P - self.c_pos[b] + self.c_pos_right[b]),
                   (-f * self.c_pos[a], P - self.c_pos[b] + self.c_pos_right[b]
                    - self.c_pos_right[r] + f * self.c_pos[r])),
            "fp": ((-self.c_neg_wrong[a], N - self.c_neg[b] + self.c_neg_wrong[b]),
                   (-f * self.c_neg[a], N - self.c_neg[b] + self.c_neg_wrong[b]
                    - self.c_neg_wrong[r] + f * self.c_neg[r])),
            "cost": ((self.c_fn[a] - self.c_review[a], self.c_review[b] + fp_total - self.c_fp[b]),
                     (f * (self.c_fn[a] - self.c_fp[a]),
                      self.c_review[b] - self.c_review[r] + fp_total - self.c_fp[b]
                      + (1 - f) * self.c_fn[r] + f * self.c_fp[r])),
            "demand": ((-a.astype(float), b.astype(float)),) * 2,
        }
        self._parts = parts
        return parts

    def _combine(self, weights: dict[str, float], const: float):
        """(low, high) per regime of sum(weight * metric) + const."""
        halves = self._halves()
        out = []
        for g in range(2):
            low = sum(w * halves[k][g][0] for k, w in weights.items())
            high = sum(w * halves[k][g][1] for k, w in weights.items()) + const
            out.append((np.broadcast_to(low, self.pos.shape).astype(float),
                        np.broadcast_to(high, self.pos.shape).astype(float)))
        return out

    def _pyramids(self, weights: dict[str, float], const: float, size: int, regimes,
                  objective: bool = False) -> dict:
        """Block minima of the halves of sum(weight * metric) + const, per regime, kept for
        the next search (the frontier asks for the same ones at every budget).

        For an objective: (low minima with positions, high minima with positions). For a
        guardrail low(i) + high(j) >= 0: (minima of -low, minima of -high)."""
        key = (tuple(sorted(weights.items())), const, objective)
        if key not in self._cache:
            if len(self._cache) >= 6:
                self._cache.pop(next(iter(self._cache)))
            halves = self._combine(weights, const)
            if objective:
                made = {rg: (_pyramid(halves[rg][0], np.inf, size, True),
                             _pyramid(halves[rg][1], np.inf, size, True)) for rg in regimes}
            else:
                made = {rg: (_pyramid(-halves[rg][0], np.inf, size),
                             _pyramid(-halves[rg][1], np.inf, size)) for rg in regimes}
            self._cache[key] = made
        return self._cache[key]

    def _linear_guardrails(self, g: Guardrails) -> list[tuple[dict[str, float], float]]:
        """Each floor as sum(weight * metric) + const >= 0."""
        out = []
        if g.min_precision is not None:
            p = g.min_precision
            out.append(({"tp": 1 - p, "fp": -p}, 0.0))
        if g.min_recall is not None:
            out.append(({"tp": 1.0}, -g.min_recall * self.positives))
        if g.min_pass_rate is not None:
            out.append(({"tp": -1.0, "fp": -1.0}, (1 - g.min_pass_rate) * self.n))
        return out

    # -- branch and bound ----------------------------------------------------------------

    def _tolerance(self, weights: dict[str, float]) -> float:
        """Rounding allowance of sum(weight * metric): 1e-9 of the largest size it can have.
        Values closer than this are ties."""
        return 1e-9 * (1.0 + sum(abs(w) for w in weights.values()) * (
            self.n + self.c_fn[-1] + self.c_fp[-1] + self.c_review[-1]))

    def search(self, weights: dict[str, float], g: Guardrails, seeds=(),
               budget: int | None = None, extra=()) -> tuple[int, int] | None:
        """The cut pair minimising sum(weight * metric) among those meeting ``g``; None if none.

        ``seeds`` are cut pairs to try first (a feasible one bounds the search from the start).
        ``extra`` holds more constraints sum(weight * metric) + const >= 0, as (weights, const).
        Without any feasible pair to bound it, proving that nothing is feasible can take long:
        after ``budget`` blocks with nothing feasible found, ``OutOfBudget`` is raised.
        Among pairs found equally good at once, the one with less review demand wins.
        """
        if self.by_week:
            return self._search_every_pair(weights, g, extra)
        K = len(self.pos)
        depth = max(int(np.ceil(np.log2(K))), 0)
        size = 1 << depth
        capacity = self.pooled_capacity
        max_demand = (np.inf if g.max_review_per_week is None
                      else g.max_review_per_week * self.weeks)
        regimes = [0] if capacity > self.n else [0, 1]
        tol = self._tolerance(weights)
        obj = self._pyramids(weights, 0.0, size, regimes, objective=True)
        linear = [*self._linear_guardrails(g), *extra]
        cons = []
        for weights_c, const in linear:
            cscale = 1.0 + sum(abs(w) for w in weights_c.values()) * self.n + abs(const)
            cons.append((self._pyramids(weights_c, const, size, regimes), 1e-9 * cscale))

        best = _Best(tol)
        # single thresholds (no band) first: a cheap, often good, upper bound
        diag = np.unique(np.linspace(0, K - 1, min(K, 4096)).astype(np.int64))
        self._offer(best, diag, diag, weights, g, extra)
        for i, j in seeds:
            self._offer(best, np.array([i]), np.array([j]), weights, g, extra)
        visited = 0

        stack = [(depth, np.zeros(1, dtype=np.int64), np.zeros(1, dtype=np.int64))]
        while stack:
            level, u, v = stack.pop()
            visited += len(u)
            if budget is not None and best.pair is None and visited > budget:
                raise OutOfBudget(f"no feasible policy found in {visited:,} blocks")
            s = 1 << level
            i0, j0 = u * s, v * s
            keep = (i0 < K) & (j0 < K) & (u <= v)
            u, v, i0, j0 = u[keep], v[keep], i0[keep], j0[keep]
            i1, j1 = np.minimum(i0 + s - 1, K - 1), np.minimum(j0 + s - 1, K - 1)
            amin, amax = self.pos[i0], self.pos[i1]  # i0, i1 < K: no padding read
            bmin, bmax = self.pos[j0], self.pos[j1]
            ok = bmin - amax <= max_demand
            possible = {0: ok & (bmin - amax <= capacity), 1: ok & (bmax - amin > capacity)}
            for pyramids, ctol in cons:
                for rg in regimes:
                    min_d, neg_max_e = pyramids[rg]
                    possible[rg] &= -neg_max_e[level][v] - min_d[level][u] >= -ctol
            bound = np.full(len(u), np.inf)
            choice = np.zeros(len(u), dtype=np.int8)
            for rg in regimes:
                (lv, _), (hv, _) = obj[rg]
                lb = np.where(possible[rg], lv[level][u] + hv[level][v], np.inf)
                better = lb < bound
                bound[better], choice[better] = lb[better], rg
            keep = bound < best.value - tol
            u, v, bound, choice = u[keep], v[keep], bound[keep], choice[keep]
            if not len(u):
                continue
            if level == 0:
                self._offer(best, u, v, weights, g, extra)
                continue
            # the pair behind each block's bound is a candidate: it tightens the bound early
            ia, jb = np.empty(len(u), dtype=np.int64), np.empty(len(u), dtype=np.int64)
            for rg in regimes:
                (_, li), (_, hi) = obj[rg]
                sel = choice == rg
                ia[sel], jb[sel] = li[level][u[sel]], hi[level][v[sel]]
            cand = (ia <= jb) & (jb < K)
            if cand.sum() > _CANDIDATES:  # the most promising blocks' pairs are enough
                cand &= bound <= np.partition(bound[cand], _CANDIDATES)[_CANDIDATES]
            self._offer(best, ia[cand], jb[cand], weights, g, extra)
            keep = bound < best.value - tol
            u, v, bound = u[keep], v[keep], bound[keep]
            cu = np.concatenate([2 * u, 2 * u, 2 * u + 1, 2 * u + 1])
            cv = np.concatenate([2 * v, 2 * v + 1, 2 * v, 2 * v + 1])
            cb = np.tile(bound, 4)
            keep = cu <= cv
            cu, cv, cb = cu[keep], cv[keep], cb[keep]
            if len(cu) > _CHUNK:  # worst bounds deepest in the stack, best processed first
                order = np.argsort(-cb, kind="stable")
                for k in range(0, len(order), _CHUNK):
                    part = order[k:k + _CHUNK]
                    stack.append((level - 1, cu[part], cv[part]))
            else:
                stack.append((level - 1, cu, cv))
        return best.pair

    def _search_every_pair(self, weights, g: Guardrails, extra=()) -> tuple[int, int] | None:
        """``search`` by trying every pair: the lowest value, then (demand, i, j)."""
        m = self._every_pair()
        ok = self.meets(m, g)
        for weights_c, const in extra:
            ok &= sum(w * m[k] for k, w in weights_c.items()) + const >= 0
        if not ok.any():
            return None
        value = np.broadcast_to(sum(w * m[k] for k, w in weights.items()), ok.shape)
        best = value[ok].min()
        cand = np.flatnonzero(ok & (value <= best + self._tolerance(weights)))
        k = cand[np.lexsort((m["j"][cand], m["i"][cand], m["demand"][cand]))[0]]
        return int(m["i"][k]), int(m["j"][k])

    def _offer(self, best: _Best, i, j, weights, g, extra=()) -> None:
        if not len(i):
            return
        m = self.evaluate(i, j)
        ok = self.meets(m, g)
        for weights_c, const in extra:
            ok &= sum(w * m[k] for k, w in weights_c.items()) + const >= 0
        if not ok.any():
            return
        value = sum(w * m[k] for k, w in weights.items())
        value = np.broadcast_to(value, ok.shape)[ok]
        i, j, demand = np.asarray(i)[ok], np.asarray(j)[ok], m["demand"][ok]
        k = np.lexsort((j, i, demand, value))[0]
        best.offer(float(value[k]), int(demand[k]), int(i[k]), int(j[k]))


class OutOfBudget(RuntimeError):
    """A search gave up before finding any feasible policy or proving there is none."""


@dataclass
class _Best:
    tol: float
    value: float = np.inf
    key: tuple = ()
    pair: tuple[int, int] | None = None

    def offer(self, value: float, demand: int, i: int, j: int) -> None:
        """Keep the lower value; within rounding of it, the lower (demand, i, j)."""
        if (self.pair is None or value < self.value - self.tol
                or (value <= self.value + self.tol and (demand, i, j) < self.key)):
            self.value, self.key, self.pair = value, (demand, i, j), (i, j)


def _pyramid(x: np.ndarray, fill: float, size: int, with_index: bool = False):
    """Block minima of x at every power-of-two block size (level 0 is x itself), padded with
    ``fill``; with ``with_index``, also the position of each block's minimum."""
    values = np.full(size, fill)
    values[:len(x)] = x
    levels, index = [values], [np.arange(size, dtype=np.int32)]
    while len(levels[-1]) > 1:
        left, right = levels[-1][0::2], levels[-1][1::2]
        if with_index:
            pick = right < left
            index.append(np.where(pick, index[-1][1::2], index[-1][0::2]))
        levels.append(np.minimum(left, right))
    return (levels, index) if with_index else levels


# -- the answer ----------------------------------------------------------------------------

_WORDS = {"min_precision": "precision", "min_recall": "recall",
          "min_pass_rate": "pass rate", "max_review_per_week": "weekly review demand"}


@dataclass(frozen=True)
class Blocker:
    """A guardrail no policy can meet (together with ``held``), and the closest any comes."""

    guardrail: str  # a Guardrails field name
    required: float
    closest: float | None  # the best achievable value; None when the metric is undefined
    held: tuple[tuple[str, float], ...] = ()  # the guardrails it was combined with, and values

    def sentence(self, pass_word: str = "pass rate") -> str:
        """``pass_word`` is the domain's word for the pass rate ("'approve' rate")."""
        word = _WORDS[self.guardrail].replace("pass rate", pass_word)
        word_first = word[0].upper() + word[1:]  # the sentence's first word
        if self.closest is None:
            return f"{word_first} cannot be measured here (there are no positive labels)."
        need = _limit(self.guardrail, self.required).removeprefix(_WORDS[self.guardrail] + " ")
        if self.guardrail == "max_review_per_week":
            near, best = f"{self.closest:,.1f}", "lowest"
        else:
            near, best = f"{self.closest:.2%}", "highest"
        where = ("any policy reaches" if not self.held else
                 "any policy meeting " + " and ".join(
                     _limit(h, v).replace("pass rate", pass_word) for h, v in self.held)
                 + " reaches")
        return f"{word_first} {need} cannot be met: the {best} {word} {where} is {near}."


def _limit(name: str, value: float) -> str:
    if name == "max_review_per_week":
        return f"{_WORDS[name]} ≤ {value:,.0f}"
    return f"{_WORDS[name]} ≥ {value:.1%}"


@dataclass(frozen=True)
class Suggestion:
    """The optimizer's answer: the policy (or why there is none) and the frontier around it."""

    guardrails: Guardrails
    policy: tuple[float, float] | None
    metrics: dict[str, float] | None
    frontier: pd.DataFrame
    blockers: tuple[Blocker, ...] = field(default_factory=tuple)

    @property
    def feasible(self) -> bool:
        return self.policy is not None

    def message(self, pass_word: str = "pass rate") -> str:
        if self.feasible:
            t_low, t_high = self.policy
            return (f"Cheapest policy within the guardrails: t_low = {t_low}, "
                    f"t_high = {t_high}, cost {self.metrics['cost_total']:,.2f}.")
        return "No policy meets every guardrail. " + " ".join(b.sentence(pass_word)
                                                              for b in self.blockers)


_ORDER = ("max_review_per_week", "min_pass_rate", "min_recall", "min_precision")
_BUDGET = 2_000_000


def optimize_policy(grid: PolicyGrid, guardrails: Guardrails | None = None,
                    frontier_points: int = 12) -> Suggestion:
    """The cheapest (t_low, t_high) on ``grid`` that meets ``guardrails``.

    Returns the policy and its pooled metrics; the frontier (the cheapest policy meeting the
    floors at each of ``frontier_points`` weekly review budgets, from no review up); and, when
    nothing is feasible, which guardrail cannot be met and the closest achievable value.
    """
    guardrails = guardrails or Guardrails()
    cost = {"cost": 1.0}
    try:
        pair = grid.search(cost, guardrails, budget=_BUDGET)
    except OutOfBudget:
        pair = None
    if pair is None:
        seed, blockers = _first_feasible(grid, guardrails)
        if seed is None:
            return Suggestion(guardrails, None, None, _empty_frontier(), blockers)
        pair = grid.search(cost, guardrails, seeds=[seed])
    # Among the cheapest policies, the one asking least of the reviewers. Ties need events
    # that cost nothing to review, or overflow (with overflow that passes, a wider band
    # costs the same as a narrower one); otherwise each extra review costs something.
    m = grid.evaluate([pair[0]], [pair[1]])
    if m["overflow"][0] > 0 or grid.review_cost == 0:
        cheapest = float(m["cost"][0])
        pair = grid.search({"demand": 1.0}, guardrails, seeds=[pair],
                           extra=[({"cost": -1.0}, cheapest + 1e-9 * (1.0 + abs(cheapest)))])
    metrics = grid.summary(*pair)
    return Suggestion(guardrails, (metrics["t_low"], metrics["t_high"]), metrics,
                      frontier(grid, guardrails, pair, frontier_points)
                      if frontier_points > 0 else _empty_frontier())


_FRONTIER_COLUMNS = ["review_budget", "t_low", "t_high", "cost_total", "precision", "recall",
                     "pass_rate", "review_demand_per_week", "reviewed_per_week",
                     "overflow_per_week"]


def _empty_frontier() -> pd.DataFrame:
    return pd.DataFrame(columns=_FRONTIER_COLUMNS)


def frontier(grid: PolicyGrid, guardrails: Guardrails, chosen: tuple[int, int],
             points: int = 12) -> pd.DataFrame:
    """The cheapest policy meeting the floors at each weekly review budget: what each extra
    review buys. Budgets run from the least review the floors allow to beyond both the chosen
    policy's demand and the review ceiling; ``chosen`` is a feasible cut pair."""
    floors = _without(guardrails, "max_review_per_week")
    least = grid.search({"demand": 1.0}, floors, seeds=[chosen])  # feasible: chosen is
    least_demand = grid.summary(*least)["review_demand_per_week"]
    chosen_demand = grid.summary(*chosen)["review_demand_per_week"]
    ceiling = guardrails.max_review_per_week
    # (the least demand needs no place here: chosen meets the floors, so 2 * chosen >= least)
    top = max(2.0 * chosen_demand, 1.5 * (ceiling or 0.0), 1.5 * (grid.capacity or 0.0),
              0.01 * grid.n / grid.weeks)
    top = min(top, grid.n / grid.weeks)
    budgets = np.linspace(0.0, top, max(points, 2))
    budgets = np.unique(np.r_[budgets[budgets >= least_demand], least_demand,
                              [] if ceiling is None else [ceiling]])
    rows = []
    for budget in budgets:
        g = Guardrails(floors.min_precision, floors.min_recall, floors.min_pass_rate,
                       float(budget))
        pair = grid.search({"cost": 1.0}, g, seeds=[least])
        rows.append({"review_budget": float(budget), **grid.summary(*pair)})
    return pd.DataFrame(rows, columns=_FRONTIER_COLUMNS)


def _without(g: Guardrails, name: str) -> Guardrails:
    return Guardrails(**{k: (None if k == name else getattr(g, k)) for k in _ORDER})


def _only(g: Guardrails, names) -> Guardrails:
    return Guardrails(**{k: (getattr(g, k) if k in names else None) for k in _ORDER})


def _best_value(grid: PolicyGrid, name: str, held: Guardrails, seeds=()):
    """(best value of one guardrail's metric over the policies meeting ``held``, its pair).

    ``held`` must be feasible (``seeds`` may hold a pair meeting it)."""
    objective = {"max_review_per_week": {"demand": 1.0}, "min_pass_rate": {"tp": 1.0, "fp": 1.0},
                 "min_recall": {"tp": -1.0}}.get(name)
    if name == "min_recall" and grid.positives == 0:
        return None, None
    if objective is not None:
        key = {"max_review_per_week": "review_demand_per_week", "min_pass_rate": "pass_rate",
               "min_recall": "recall"}[name]
        pair = grid.search(objective, held, seeds=seeds)
        return grid.summary(*pair)[key], pair
    # precision: Dinkelbach's method, each step a linear objective (tp - lam * flagged);
    # exact on a finite grid. Start from the policy flagging the most positives.
    pair = grid.search({"tp": -1.0}, held, seeds=seeds)
    best = grid.summary(*pair)["precision"]
    if not np.isfinite(best):
        return None, None  # nothing can be flagged under the other guardrails
    for _ in range(100):
        step = grid.search({"tp": best - 1.0, "fp": best}, held, seeds=[pair])
        value = grid.summary(*step)["precision"]
        if not np.isfinite(value) or value <= best:
            break
        pair, best = step, value
    return best, pair


def _first_feasible(grid: PolicyGrid, g: Guardrails):
    """Add the guardrails one at a time, each time finding the best value of the next one's
    metric under those already held. Returns (a pair meeting all, ()) or (None, (blocker,))."""
    held: list[tuple[str, float]] = []
    seed = None
    for name in _ORDER:
        required = getattr(g, name)
        if required is None:
            continue
        value, pair = _best_value(grid, name, _only(g, [h for h, _ in held]),
                                  [] if seed is None else [seed])
        reached = value is not None and (value <= required if name == "max_review_per_week"
                                         else value >= required)
        if not reached:
            return None, (Blocker(name, required, value, tuple(held)),)
        held.append((name, required))
        seed = pair
    return seed, ()
