"""The cheapest band that meets every guardrail in every week, not only on pooled weeks.

``optimize.optimize_policy`` pools the weeks: a review ceiling is checked against the average
weekly demand, a floor against the ratio over the whole horizon. A team's guardrail is usually
weekly ("never more than 350 reviews a week"), and a busy week can break a band that holds on
average. ``weekly_search`` evaluates every band of a threshold grid in every week at once from
a ``BandTable``'s cumulative sums (the same arithmetic as ``BandTable.query``, broadcast over
all (t_low, t_high) pairs), with the weekly capacity applied week by week, and returns the
cheapest band whose every week meets every guardrail.

A 201-value grid over 26 weeks is about a million (week, band) cells: a few numpy operations.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .guardrails import Guardrails
from .metrics import BandTable, safe_ratio


@dataclass(frozen=True)
class WeeklyAnswer:
    """The cheapest band meeting ``guardrails`` in every week, or None when no band does.

    ``cost_total`` is the band's total over the weeks (retraining included when given);
    ``pooled_only`` counts the bands that meet the guardrails on pooled weeks but break one in
    some week (those the pooled search could have picked).
    """

    policy: tuple[float, float] | None
    cost_total: float | None
    feasible_bands: int
    pooled_only: int


def weekly_search(table: BandTable, thresholds, guardrails: Guardrails, *, capacity: int,
                  overflow_action: str, review_cost: float,
                  fixed_cost: float = 0.0) -> WeeklyAnswer:
    """The cheapest (t_low, t_high) on ``thresholds`` meeting every guardrail in every week.

    Ties in cost go to the band demanding fewer reviews, then the lower thresholds. A week's
    ratio that is undefined (nothing flagged) meets no floor, as in ``guardrails.check``.
    """
    t = np.unique(np.asarray(thresholds, dtype=float))
    k = len(t)
    valid = np.arange(k)[:, None] <= np.arange(k)[None, :]  # t_low index on rows
    every_week = valid.copy()
    sums = {name: np.zeros((k, k)) for name in ("tp", "fp", "flagged", "demand", "cost")}
    events = positives = 0.0
    starts, s = table.starts, table.sorted_score

    def run(c, lo, hi):
        return c[hi] - c[lo]

    for w in range(len(table.weeks)):  # one (bands x bands) block per week, never per event
        lo, end = int(starts[w]), int(starts[w + 1])
        pos = lo + np.searchsorted(s[lo:end], t, side="left")
        a, b = pos[:, None], pos[None, :]
        r = np.maximum(a, b - int(capacity))
        flag_pos = run(table.cum_pos, b, end)
        flag_n = end - b
        tp = flag_pos + run(table.cum_pos_correct, r, b)
        fp = (flag_n - flag_pos) + run(table.cum_neg_wrong, r, b)
        caught = run(table.cum_fn_cost, b, end) + run(table.cum_fn_cost_correct, r, b)
        cost_fp = run(table.cum_fp_cost, b, end) + run(table.cum_fp_cost_wrong, r, b)
        if overflow_action == "flag":
            over_pos = run(table.cum_pos, a, r)
            tp = tp + over_pos
            fp = fp + (r - a) - over_pos
            caught = caught + run(table.cum_fn_cost, a, r)
            cost_fp = cost_fp + run(table.cum_fp_cost, a, r)
        week = {"tp": tp, "fp": fp, "flagged": tp + fp, "demand": np.broadcast_to(b - a, tp.shape),
                "cost": table.fn_cost_all[w] - caught + cost_fp + (b - r) * float(review_cost)}
        n, p = end - lo, float(table.positives[w])
        every_week &= _meets(week, p, n, guardrails.max_review_per_week, guardrails)
        for name, value in week.items():
            sums[name] += value
        events += n
        positives += p
    weeks = max(len(table.weeks), 1)
    pooled = valid & _meets({**sums, "demand": sums["demand"] / weeks}, positives, events,
                            guardrails.max_review_per_week, guardrails)
    total = sums["cost"] + float(fixed_cost)
    pooled_only = int((pooled & ~every_week).sum())
    if not every_week.any():
        return WeeklyAnswer(None, None, 0, pooled_only)
    i, j = np.nonzero(every_week)
    best = np.lexsort((j, i, sums["demand"][i, j], np.round(total[i, j], 6)))[0]
    return WeeklyAnswer((float(t[i[best]]), float(t[j[best]])), float(total[i[best], j[best]]),
                        int(every_week.sum()), pooled_only)


def _meets(m: dict, positives: float, events: float, ceiling, g: Guardrails) -> np.ndarray:
    """Which bands meet every guardrail, given their counts (an undefined ratio meets no floor)."""
    ok = np.ones(np.shape(m["tp"]), dtype=bool)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratios = {"min_precision": lambda: safe_ratio(m["tp"], m["flagged"]),
                  "min_recall": lambda: safe_ratio(m["tp"], np.full(np.shape(m["tp"]), positives)),
                  "min_pass_rate": lambda: safe_ratio(events - m["flagged"],
                                                      np.full(np.shape(m["tp"]), events))}
        for name, value in ratios.items():
            floor = getattr(g, name)
            if floor is not None:
                ok &= np.nan_to_num(value(), nan=-1.0) >= floor
    if ceiling is not None:
        ok &= m["demand"] <= ceiling
    return ok


def weekly_search_run(result, thresholds, guardrails: Guardrails) -> WeeklyAnswer:
    """``weekly_search`` over a simulated run's scores, capacity, costs and retrainings."""
    s = result.scenario
    return weekly_search(result.table, thresholds, guardrails, capacity=s.review.capacity,
                         overflow_action=s.review.unreviewed_action, review_cost=s.costs.review,
                         fixed_cost=float(result.band_free["cost_retrain"].sum()))
