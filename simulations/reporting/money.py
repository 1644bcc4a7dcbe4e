"""Money (or another cost unit) as the product writes it: one place for every page and sentence.

* ``exact_money``: every whole unit, for a summary line ($245,847).
* ``whole_money``: a KPI card's figure, whole units until a number gets too wide for the card
  ($12,345, $123.5k, $1.2M);
* ``short_money``: a figure inside a sentence, as a reader says it ($31k, $3.1k, $450, $6,
  $0.25, -$1.2M);
* ``signed_money``: a difference on a card, with its sign (+$1,200, -$35, "undefined").

Units other than dollars follow the number ("42 min").
"""

from __future__ import annotations

import math


def _with_unit(text: str, negative: bool, unit: str) -> str:
    sign = "-" if negative else ""
    return f"{sign}${text}" if unit == "$" else f"{sign}{text} {unit}"


def exact_money(value: float, unit: str) -> str:
    """Every whole unit, with thousands separators ("$245,847", "-1,200 points"): for a
    summary line read once, where the card's rounding would hide digits."""
    text = f"{abs(value):,.0f}"
    return _with_unit(text, value < 0 and text != "0", unit)


def whole_money(value: float, unit: str) -> str:
    """Whole units, thousands with one decimal from 100,000, millions from 1,000,000."""
    size = abs(value)
    if size >= 1e6:
        text = f"{size / 1e6:,.1f}M"
    elif size >= 1e5:
        text = f"{size / 1e3:,.1f}k"
    else:
        text = f"{size:,.0f}"
    return _with_unit(text, value < 0 and text.strip("0.,kM") != "", unit)


def short_money(value: float, unit: str) -> str:
    """Two or three significant figures: $1.2M, $31k, $3.1k, $450; under 10, cents unless whole."""
    value = float(value)
    size = abs(value)
    if size >= 1e6:
        text = f"{size / 1e6:,.1f}M"
    elif size >= 1e4:
        text = f"{size / 1e3:.0f}k"
    elif size >= 1e3:
        text = f"{size / 1e3:.1f}k"
    elif size >= 10 or size == round(size):
        text = f"{size:.0f}"
    else:
        text = f"{size:.2f}"
    return _with_unit(text, value < 0 and text.strip("0.,kM") != "", unit)


def signed_money(value: float, unit: str) -> str:
    """A difference in whole units with its sign; "undefined" when it is not a number. Under
    half a unit either way it has no sign (it shows as $0)."""
    if not math.isfinite(value):
        return "undefined"
    sign = "+" if value > 0.5 else "-" if value < -0.5 else ""
    return sign + whole_money(abs(value), unit)
