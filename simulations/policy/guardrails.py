"""Guardrails a team sets before choosing a policy, and a search for the cheapest band within them.

A guardrail is a floor on precision, recall or pass rate, or a ceiling on weekly review
demand. ``check`` says, over the whole horizon and week by week, which guardrails a policy
meets (an undefined ratio, such as precision with nothing flagged, does not meet a floor).
The cheapest band within guardrails is ``optimize.optimize_policy``'s job.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
import pandas as pd

from .metrics import horizon_totals


@dataclass(frozen=True)
class Guardrails:
    """None means "no guardrail on this"."""

    min_precision: float | None = None
    min_recall: float | None = None
    min_pass_rate: float | None = None
    max_review_per_week: float | None = None

    def describe(self) -> list[str]:
        words = {"min_precision": "precision ≥ {}", "min_recall": "recall ≥ {}",
                 "min_pass_rate": "pass rate ≥ {}",
                 "max_review_per_week": "review demand ≤ {} a week"}

        def shown(name: str, value: float) -> str:  # exact: 99.5% must not read as 100%
            if name == "max_review_per_week":
                return f"{value:,.0f}" if value == round(value) else f"{value:,.6g}"
            return f"{round(value * 100, 6):g}%"

        return [words[f.name].format(shown(f.name, getattr(self, f.name))) for f in fields(self)
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
