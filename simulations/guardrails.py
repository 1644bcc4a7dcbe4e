"""Guardrails a team sets before choosing a policy, and a search for the cheapest band within them.

A guardrail is a floor on precision, recall or pass rate, or a ceiling on weekly review
demand. ``check`` says, over the whole horizon and week by week, which guardrails a policy
meets (an undefined ratio, such as precision with nothing flagged, does not meet a floor).
``cheapest_band`` searches bands on a grid of score quantiles of a run's cached scores and
returns the cheapest one that meets every guardrail over the horizon, or ``None``.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
import pandas as pd

from .metrics import safe_ratio
from .report import horizon_totals


@dataclass(frozen=True)
class Guardrails:
    """None means "no guardrail on this"."""

    min_precision: float | None = None
    min_recall: float | None = None
    min_pass_rate: float | None = None
    max_review_per_week: float | None = None

    def describe(self) -> list[str]:
        words = {"min_precision": "precision ≥ {:.0%}", "min_recall": "recall ≥ {:.0%}",
                 "min_pass_rate": "pass rate ≥ {:.1%}",
                 "max_review_per_week": "review demand ≤ {:,.0f} a week"}
        return [words[f.name].format(getattr(self, f.name)) for f in fields(self)
                if getattr(self, f.name) is not None]


def _met(values: dict[str, np.ndarray | float], g: Guardrails) -> dict[str, np.ndarray | bool]:
    out = {}
    with np.errstate(invalid="ignore"):
        if g.min_precision is not None:
            out["precision"] = np.nan_to_num(values["precision"], nan=-1.0) >= g.min_precision
        if g.min_recall is not None:
            out["recall"] = np.nan_to_num(values["recall"], nan=-1.0) >= g.min_recall
        if g.min_pass_rate is not None:
            out["pass_rate"] = np.nan_to_num(values["pass_rate"], nan=-1.0) >= g.min_pass_rate
        if g.max_review_per_week is not None:
            out["review_demand"] = values["review_demand"] <= g.max_review_per_week
    return out


def check(weekly: pd.DataFrame, g: Guardrails) -> tuple[dict[str, bool], pd.DataFrame]:
    """(met over the horizon per guardrail, weekly table of met/broken per guardrail)."""
    totals = horizon_totals(weekly)
    horizon = _met({**totals, "review_demand": totals["review_demand_per_week"]}, g)
    by_week = pd.DataFrame({"week": weekly["week"]})
    for name, met in _met({c: weekly[c].to_numpy(dtype=float) for c in
                           ("precision", "recall", "pass_rate", "review_demand")}, g).items():
        by_week[name] = met
    return {k: bool(v) for k, v in horizon.items()}, by_week


def cheapest_band(result, g: Guardrails, levels: int = 60) -> tuple[float, float] | None:
    """The cheapest (t_low, t_high) over the horizon meeting every guardrail, searched on a
    grid of ``levels`` score quantiles (and 0 and 1); None when no band on the grid does."""
    s = result.scenario
    score = result.arrays["score"]
    grid = np.unique(np.r_[0.0, np.quantile(score, np.linspace(0, 1, levels)), 1.0])
    weeks = len(result.table.weeks)
    retrain = float(result.band_free["cost_retrain"].sum())
    best, best_cost = None, np.inf
    for i, t_low in enumerate(grid):
        for t_high in grid[i:]:  # one O(weeks) query per band on the grid
            q = result.table.query(t_low, t_high, s.review.capacity, s.review.overflow_action,
                                   s.costs.review)
            cost = q["cost_total"].sum() + retrain
            if cost >= best_cost:
                continue
            flagged, positives, n = q["flagged"].sum(), q["positives"].sum(), q["events"].sum()
            totals = {"precision": safe_ratio(q["tp"].sum(), flagged),
                      "recall": safe_ratio(q["tp"].sum(), positives),
                      "pass_rate": safe_ratio(n - flagged, n),
                      "review_demand": q["review_demand"].sum() / weeks}
            if all(_met(totals, g).values()):
                best, best_cost = (float(t_low), float(t_high)), cost
    return best
