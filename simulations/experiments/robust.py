"""A band robust to what we do not know: chosen over an ensemble of worlds, exact over a grid.

``grid_totals`` answers every band (t_low <= t_high) on a grid of thresholds in one world at
once: each week's sorted scores are cut at every grid threshold with one ``searchsorted``,
and each pair of cuts is read from the world's cumulative sums, exactly as ``BandTable.query``
answers one band (weekly capacity, riskiest first, overflow to the default action). No loop
over events or over pairs.

``robust_band`` then picks, among the bands whose guardrails hold (over the horizon, as
``policy.guardrails.check`` judges them) in at least ``share`` of the worlds, the one with the
lowest expected cost across worlds, or with ``objective="worst10"`` the lowest mean cost of the
costliest 10 % of worlds. Ties go to the band with the least review demand, then the lowest
thresholds. It also prices a single-world suggestion against it (the regret: how much more
that band costs on average over the same worlds).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..policy.guardrails import Guardrails
from ..policy.metrics import safe_ratio
from .worlds import Band, EnsembleResult, World

OBJECTIVES = ("mean", "worst10")


def pairs(thresholds) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(sorted unique thresholds, i, j) for every pair i <= j."""
    t = np.unique(np.asarray(thresholds, dtype=float))
    i, j = np.triu_indices(len(t))
    return t, i, j


def grid_totals(world: World, thresholds) -> dict[str, np.ndarray]:
    """Horizon totals of every band (t[i], t[j]), i <= j, in one world: arrays of pairs."""
    t, pi, pj = pairs(thresholds)
    tab, s = world.table, world.scenario
    starts, sc = tab.starts, tab.sorted_score
    cut = np.vstack([starts[w] + np.searchsorted(sc[starts[w]:starts[w + 1]], t, side="left")
                     for w in range(len(tab.weeks))])  # (weeks, thresholds)
    a, b = cut[:, pi], cut[:, pj]  # (weeks, pairs)
    end = starts[1:, None]
    r = np.maximum(a, b - s.review.capacity)

    def run(c, lo, hi):
        return c[hi] - c[lo]

    flag_pos = run(tab.cum_pos, b, end)
    tp = flag_pos + run(tab.cum_pos_correct, r, b)
    fp = (end - b - flag_pos) + run(tab.cum_neg_wrong, r, b)
    caught = run(tab.cum_fn_cost, b, end) + run(tab.cum_fn_cost_correct, r, b)
    cost_fp = run(tab.cum_fp_cost, b, end) + run(tab.cum_fp_cost_wrong, r, b)
    if s.review.unreviewed_action == "flag":
        over_pos = run(tab.cum_pos, a, r)
        tp = tp + over_pos
        fp = fp + (r - a) - over_pos
        caught = caught + run(tab.cum_fn_cost, a, r)
        cost_fp = cost_fp + run(tab.cum_fp_cost, a, r)
    retrain = np.asarray(world.band_free["cost_retrain"], dtype=float)[:, None]
    weekly_cost = (tab.fn_cost_all[:, None] - caught) + cost_fp + (b - r) * s.costs.review + retrain
    events = float(starts[-1])
    flagged = (tp + fp).sum(axis=0)
    positives = float(tab.positives.sum())
    tp_total = tp.sum(axis=0)
    return {"cost_total": weekly_cost.sum(axis=0), "tp": tp_total, "flagged": flagged,
            "precision": safe_ratio(tp_total, flagged), "recall": safe_ratio(tp_total, positives),
            "pass_rate": safe_ratio(events - flagged, events),
            "review_demand_per_week": (b - a).sum(axis=0) / len(tab.weeks)}


def meets(totals: dict[str, np.ndarray], g: Guardrails) -> np.ndarray:
    """Which bands meet every guardrail (an undefined ratio meets no floor), as ``check`` does."""
    ok = np.ones(np.shape(totals["cost_total"]), dtype=bool)
    with np.errstate(invalid="ignore"):
        for name, key in (("min_precision", "precision"), ("min_recall", "recall"),
                          ("min_pass_rate", "pass_rate")):
            floor = getattr(g, name)
            if floor is not None:
                ok &= np.nan_to_num(totals[key], nan=-1.0) >= floor
        if g.max_review_per_week is not None:
            ok &= totals["review_demand_per_week"] <= g.max_review_per_week
    return ok


@dataclass(frozen=True)
class RobustBand:
    """The robust band (None when no band meets the guardrails in enough worlds) and the price
    of trusting one world instead."""

    guardrails: Guardrails
    share: float  # the share of worlds the guardrails must hold in
    objective: str
    worlds: int
    band: Band | None
    expected_cost: float
    worst10_cost: float
    share_met: float
    best_share: float  # the highest share any band on the grid reaches
    best_share_band: Band
    single: Band | None
    single_expected_cost: float
    single_share_met: float

    @property
    def feasible(self) -> bool:
        return self.band is not None

    @property
    def regret(self) -> float:
        """How much more the single-world suggestion costs on average than the robust band."""
        if self.band is None or self.single is None:
            return math.nan
        return self.single_expected_cost - self.expected_cost

    def message(self, unit: str) -> str:
        from ..reporting.money import short_money

        need = f"{self.share:.0%}"
        if self.band is None:
            lo, hi = self.best_share_band
            return (f"No band on the grid meets the guardrails in {need} of the {self.worlds} "
                    f"worlds; the closest, {lo:.3f}-{hi:.3f}, meets them in "
                    f"{self.best_share:.0%}.")
        lo, hi = self.band
        what = "expected cost" if self.objective == "mean" else "cost in the worst 10% of worlds"
        value = self.expected_cost if self.objective == "mean" else self.worst10_cost
        text = (f"Robust band {lo:.3f}-{hi:.3f}: lowest {what} ({short_money(value, unit)}) among the "
                f"bands whose guardrails hold in at least {need} of {self.worlds} worlds "
                f"(this one: {self.share_met:.0%}).")
        if self.single is not None:
            s_lo, s_hi = self.single
            text += (f" The single-world suggestion {s_lo:.3f}-{s_hi:.3f} costs "
                     f"{short_money(self.regret, unit)} more on average and meets the guardrails in "
                     f"{self.single_share_met:.0%} of worlds.")
        return text


def _worst_mean(costs: np.ndarray, tail: float = 0.10) -> np.ndarray:
    """Per column, the mean of the largest ceil(tail * rows) values."""
    k = max(1, math.ceil(tail * costs.shape[0]))
    top = -np.partition(-costs, k - 1, axis=0)[:k]
    return top.mean(axis=0)


def robust_band(result: EnsembleResult, thresholds, guardrails: Guardrails | None = None, *,
                share: float = 0.9, objective: str = "mean",
                single: Band | None = None) -> RobustBand:
    """The band on ``thresholds`` with the lowest expected (or worst-10 %) cost across the
    worlds whose guardrails hold in at least ``share`` of them; ``single`` is priced too.

    Exact over the grid. Uses each world's cached scores, so when the band changes what the
    model learns the answer is the best band for the worlds as simulated.
    """
    if objective not in OBJECTIVES:
        raise ValueError(f"objective must be one of {', '.join(OBJECTIVES)}, not {objective!r}")
    if not 0 < share <= 1:
        raise ValueError(f"share = {share!r} must be in (0, 1]")
    g = guardrails or Guardrails()
    t, pi, pj = pairs(thresholds)
    costs, ok, demand = [], [], []
    for w in result.worlds:
        tot = grid_totals(w, t)
        costs.append(tot["cost_total"])
        ok.append(meets(tot, g))
        demand.append(tot["review_demand_per_week"])
    costs_arr, ok_arr = np.vstack(costs), np.vstack(ok)
    n = costs_arr.shape[0]
    met = ok_arr.mean(axis=0)
    mean_cost = costs_arr.mean(axis=0)
    worst = _worst_mean(costs_arr)
    feasible = met >= share - 1e-12
    best_share_k = int(np.lexsort((mean_cost, -met))[0])
    band = None
    k = -1
    if feasible.any():
        score = mean_cost if objective == "mean" else worst
        low = score[feasible].min()
        tied = feasible & (score <= low + 1e-9 * (1.0 + abs(low)))
        mean_demand = np.vstack(demand).mean(axis=0)
        cand = np.flatnonzero(tied)
        k = int(cand[np.lexsort((pj[cand], pi[cand], mean_demand[cand]))[0]])
        band = (float(t[pi[k]]), float(t[pj[k]]))
    s_cost, s_met = math.nan, math.nan
    if single is not None:
        lo, hi = (float(single[0]), float(single[1]))
        hit = np.flatnonzero((np.isclose(t[pi], lo, atol=1e-12)) &
                             (np.isclose(t[pj], hi, atol=1e-12)))
        if len(hit):
            s_cost, s_met = float(mean_cost[hit[0]]), float(met[hit[0]])
        else:  # off the grid: answer it on its own
            one = [grid_totals_single(w, (lo, hi), g) for w in result.worlds]
            s_cost = float(np.mean([c for c, _ in one]))
            s_met = float(np.mean([m for _, m in one]))
        single = (lo, hi)
    return RobustBand(g, share, objective, n, band,
                      float(mean_cost[k]) if k >= 0 else math.nan,
                      float(worst[k]) if k >= 0 else math.nan,
                      float(met[k]) if k >= 0 else math.nan,
                      float(met[best_share_k]),
                      (float(t[pi[best_share_k]]), float(t[pj[best_share_k]])),
                      single, s_cost, s_met)


def grid_totals_single(world: World, band: Band, g: Guardrails) -> tuple[float, bool]:
    """(cost, guardrails met) of one band in one world."""
    lo, hi = band
    tot = grid_totals(world, [lo, hi]) if lo != hi else grid_totals(world, [lo])
    k = 1 if lo != hi else 0  # pairs of [lo, hi]: (lo, lo), (lo, hi), (hi, hi)
    sel = {key: np.ravel(v)[k] for key, v in tot.items()}
    return float(sel["cost_total"]), bool(meets(sel, g))


def suggest_in_world(world: World, thresholds, guardrails: Guardrails | None = None
                     ) -> Band | None:
    """The cheapest band on ``thresholds`` meeting ``guardrails`` in this one world (what a
    single run suggests); same tie rule as ``robust_band``."""
    t, pi, pj = pairs(thresholds)
    tot = grid_totals(world, t)
    ok = meets(tot, guardrails or Guardrails())
    if not ok.any():
        return None
    cost = tot["cost_total"]
    low = cost[ok].min()
    cand = np.flatnonzero(ok & (cost <= low + 1e-9 * (1.0 + abs(low))))
    k = int(cand[np.lexsort((pj[cand], pi[cand], tot["review_demand_per_week"][cand]))[0]])
    return float(t[pi[k]]), float(t[pj[k]])
