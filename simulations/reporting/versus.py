"""What a band change buys, in one plain sentence and in per-figure deltas.

The pages say it live under the KPIs ("Versus the default band, over 26 weeks: 24 more frauds
caught, 1,810 more good customers declined (-0.4 pp approval), $3.1k more in total (about
$119 a week); assumes ..."), in the domain's own words, with the horizon and the cost
assumptions the money rests on. Pure functions of two ``horizon_totals`` dictionaries.
Undefined stays undefined: a ratio that is NaN on either side is never reported as a change.
"""

from __future__ import annotations

import numpy as np

from .money import short_money

# What a domain's team calls a caught positive and a false alarm (plural nouns), and the
# name of the share that passes. Domains without an entry get phrases built from their words.
PHRASES = {
    "fraud": ("frauds caught", "good customers declined", "approval"),
    "triage": ("urgent patients escalated", "non-urgent patients escalated", "self-care advice"),
    "recommendation": ("engaging items shown", "ignored items shown", "hidden"),
}


def phrases(domain) -> tuple[str, str, str]:
    """(caught, false alarms, pass share) in the domain's words."""
    a = domain.actions
    return PHRASES.get(domain.name, (f"{domain.positive_word} events {a['flag']}",
                                     f"{domain.negative_word} events {a['flag']}",
                                     f"'{a['pass']}'"))


def _count(change: float, noun: str) -> str:
    n = round(abs(change))
    return f"{n:,} {'more' if change > 0 else 'fewer'} {noun}" if n else f"no change in {noun}"


def _pp(value: float, reference: float) -> str:
    if not (np.isfinite(value) and np.isfinite(reference)):
        return "undefined"
    return f"{(value - reference) * 100:+.1f} pp"


def _share(value: float) -> str:
    return f"{value:.0%}" if value * 100 == round(value * 100) else f"{value:.1%}"


def cost_assumptions(domain, costs) -> str:
    """The cost of each kind of mistake, as the money in the sentence assumes it."""
    a, unit = domain.actions, domain.unit

    def each(fixed: float, share: float) -> str:
        parts = [short_money(fixed, unit)] if fixed else []
        if share:
            parts.append(f"{_share(share)} of the {domain.value_name.replace('_', ' ')}")
        return " + ".join(parts) or short_money(0, unit)

    return (f"a missed {domain.positive_word} case costs {each(costs.fn_fixed, costs.fn_per_value)}"
            f", a false '{a['flag']}' {each(costs.fp_fixed, costs.fp_per_value)} and a "
            f"{a['review']} {short_money(costs.review, unit)}")


def versus_sentence(domain, totals: dict, reference: dict, costs,
                    reference_name: str = "the default band") -> str:
    """One sentence: what this band changes against ``reference``, over the horizon."""
    caught, false_alarms, passed = phrases(domain)
    weeks = int(totals.get("weeks") or 0)
    horizon = f"over {weeks} week{'s' if weeks != 1 else ''}"
    d_tp = totals["tp"] - reference["tp"]
    d_fp = totals["fp"] - reference["fp"]
    d_cost = totals["cost_total"] - reference["cost_total"]
    if round(d_tp) == 0 and round(d_fp) == 0 and abs(d_cost) < 0.5:
        return (f"Same outcome as {reference_name} {horizon}: no more {caught}, no more "
                f"{false_alarms}, no difference in cost.")
    unit = domain.unit
    money = (f"{short_money(abs(d_cost), unit)} {'more' if d_cost > 0 else 'less'} in total "
             f"(about {short_money(abs(d_cost) / max(weeks, 1), unit)} a week)"
             if abs(d_cost) >= 0.5 else "the same total cost")
    return (f"Versus {reference_name}, {horizon}: {_count(d_tp, caught)}, "
            f"{_count(d_fp, false_alarms)} "
            f"({_pp(totals['pass_rate'], reference['pass_rate'])} {passed}), {money}; "
            f"assumes {cost_assumptions(domain, costs)}.")


def overflow_note(totals: dict, capacity: int | None) -> str:
    """Where review demand exceeds capacity, what goes unreviewed ("" when it fits, or when
    the capacity is unlimited: None)."""
    demand = totals["review_demand_per_week"]
    if capacity is None or not demand > capacity:
        return ""
    weeks = max(totals.get("weeks") or 1, 1)
    unreviewed = totals.get("review_overflow", 0.0) / weeks
    return (f"{demand:,.0f} of {capacity:,} capacity: {unreviewed:,.0f} a week "
            "unreviewed")


def highlight_deltas(domain, totals: dict, reference: dict) -> list[tuple[str | None, str]]:
    """(delta text or None, delta colour for st.metric) for each of the fraud and triage
    highlights (``summary.domain_highlights``), in the same order; [] for other domains."""
    def count(key: str, colour: str) -> tuple[str | None, str]:
        change = totals[key] - reference[key]
        return (f"{change:+,.0f}" if round(change) else None), colour

    if domain.name == "fraud":
        loss = totals["cost_fn"] - reference["cost_fn"]
        return [((("+" if loss > 0 else "-") + short_money(abs(loss), domain.unit))
                 if abs(loss) >= 0.5 else None, "inverse"),
                count("fp", "inverse"), count("tp", "normal")]
    if domain.name == "triage":
        under = _pp(1 - totals["recall"], 1 - reference["recall"])
        over = _pp(1 - totals["precision"], 1 - reference["precision"])
        return [(None if under in ("undefined", "+0.0 pp", "-0.0 pp") else under, "inverse"),
                (None if over in ("undefined", "+0.0 pp", "-0.0 pp") else over, "inverse"),
                count("fn", "inverse")]
    return []
