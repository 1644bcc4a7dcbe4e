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

    def describe(self, pass_word: str = "pass rate") -> list[str]:
        """Each guardrail set, with its exact value ("approval ≥ 99.3%", never rounded to 99%);
        ``pass_word`` is the domain's word for the pass rate ("'approve' rate")."""
        return [f"{label(f.name, pass_word)} {limit(f.name, getattr(self, f.name))}"
                for f in fields(self) if getattr(self, f.name) is not None]

    def items(self) -> list[tuple[str, float]]:
        """(check column, value) for each guardrail set, in ``check``'s column names."""
        return [(COLUMNS[f.name], getattr(self, f.name)) for f in fields(self)
                if getattr(self, f.name) is not None]


COLUMNS = {"min_precision": "precision", "min_recall": "recall", "min_pass_rate": "pass_rate",
           "max_review_per_week": "review_demand"}


def exact_percent(share: float) -> str:
    """A share as a percent with as many decimals as it has (up to 3): 0.993 -> "99.3%",
    0.35 -> "35%", 0.9925 -> "99.25%"."""
    text = f"{share * 100:.3f}".rstrip("0").rstrip(".")
    return f"{text}%"


def label(name: str, pass_word: str = "pass rate") -> str:
    """A guardrail's metric in words; ``name`` is a Guardrails field or a check column."""
    return {"min_precision": "precision", "precision": "precision", "min_recall": "recall",
            "recall": "recall", "min_pass_rate": pass_word, "pass_rate": pass_word,
            "max_review_per_week": "review demand",
            "review_demand": "review demand"}[name]


def limit(name: str, value: float) -> str:
    """"≥ 99.3%" for a floor, "≤ 350 a week" for the review ceiling."""
    if name in ("max_review_per_week", "review_demand"):
        return f"≤ {value:,.10g} a week"
    return f"≥ {exact_percent(value)}"


def _met(values: dict[str, np.ndarray | float], g: Guardrails) -> dict[str, np.ndarray | bool]:
    # an undefined ratio (NaN) compares False: it never meets a floor, however low
    out = {}
    for column, floor in (("precision", g.min_precision), ("recall", g.min_recall),
                          ("pass_rate", g.min_pass_rate)):
        if floor is not None:
            out[column] = np.asarray(values[column], dtype=float) >= floor
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


def parse_percent(text: str | None, what: str) -> tuple[float | None, str]:
    """A guardrail typed as a percent, as a share: (share or None if empty, note).

    "99", "99%" and "99.3 %" are percents (0.99, 0.993). A bare number at most 1 written with
    a decimal point ("0.99") is read as a share, 99%, and the note says so ("0.99%" is
    0.0099). Anything else raises ValueError with one line saying what to type.
    """
    raw = (text or "").strip()
    if not raw:
        return None, ""
    body = raw.removesuffix("%").strip().replace(",", ".")
    try:
        number = float(body)
    except ValueError:
        raise ValueError(f"{what}: {raw!r} is not a number; type a percent such as 99 or "
                         "99.3%.") from None
    if not np.isfinite(number) or number < 0 or number > 100:
        raise ValueError(f"{what}: {raw!r} is not a percent between 0 and 100; type 99 or "
                         "99.3%.")
    if not raw.endswith("%") and "." in body and number <= 1:
        return number, (f"{what}: {raw} read as a share, {exact_percent(number)} (type "
                        f"{raw}% if you meant {raw} percent).")
    return round(number / 100, 12), ""
