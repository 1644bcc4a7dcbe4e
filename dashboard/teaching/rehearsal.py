"""Pure helpers of the case-study rehearsal: the candidate's decision as a scenario, the three
policies' outcomes side by side, the debrief rubric, and the Markdown export of an attempt."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace

import numpy as np
import pandas as pd

from simulations.policy.guardrails import Guardrails, check, label, limit
from simulations.policy.metrics import horizon_totals
from simulations.presets import Preset
from simulations.scenario import Retrain, Scenario

RUBRIC = (
    "Defined what success means (a metric and a target) before choosing a solution.",
    "Treated the two kinds of error as costing different amounts, and said which is worse.",
    "Planned containment and a fallback: a review band, an escalation path, rollback criteria.",
    "Set up drift monitoring with a concrete trigger: which measure, what threshold.",
    "Accounted for feedback bias: which decisions never reveal whether they were right.",
    "Said who reviews, at what capacity, and what happens when they are full.",
)
# the alternatives a candidate can pick besides the case's own retraining (scenario fields)
RETRAIN_ALTERNATIVES = (
    {"trigger": "never"},
    {"trigger": "every", "every_weeks": 4},
    {"trigger": "drift", "drift_on": "features", "drift_metric": "psi", "drift_threshold": 0.25},
    {"trigger": "performance", "performance_metric": "recall", "performance_floor": 0.5},
)


def describe_retrain(r: Retrain) -> str:
    """The retraining a scenario really uses, in words (its own every_weeks, metric, floor)."""
    if r.trigger == "never":
        return "never retrain"
    if r.trigger == "every":
        return "retrain every week" if r.every_weeks == 1 else \
            f"retrain every {r.every_weeks} weeks"
    if r.trigger == "drift":
        on = "the score" if r.drift_on == "score" else "the most-drifted feature"
        return f"retrain when drift ({r.drift_metric.upper()} of {on}) exceeds {r.drift_threshold:g}"
    return (f"retrain when monitored {r.performance_metric} drops below "
            f"{r.performance_floor * 100:g}%")


def retrain_options(scenario: Scenario) -> dict[str, dict]:
    """Label -> retrain fields: the case's own retraining first (labelled from its scenario),
    then the alternatives that differ from it."""
    own = scenario.retrain
    options = {describe_retrain(own) + " (the case's plan)": asdict(own)}
    for changes in RETRAIN_ALTERNATIVES:
        r = replace(own, **changes)
        if r.trigger != own.trigger:
            options[describe_retrain(r)] = asdict(r)
    return options


@dataclass
class Answer:
    """What the candidate committed to."""

    success_metrics: str
    guardrail_text: str
    guardrails: Guardrails
    band: tuple[float, float]
    capacity: int
    retrain: dict  # the Retrain fields the decision runs with
    rubric: list[bool] = field(default_factory=lambda: [False] * len(RUBRIC))


def decision_scenario(preset: Preset, answer: Answer) -> Scenario:
    """The preset's scenario with the candidate's band, review capacity and retraining."""
    return preset.scenario.with_changes(review={"capacity": int(answer.capacity)},
                                        retrain=dict(answer.retrain)).with_policy(*answer.band)


def broken_weeks(weekly: pd.DataFrame, guardrails: Guardrails) -> dict[str, list[int]]:
    """Per guardrail (``check``'s column name), the weeks in which it was broken."""
    _, by_week = check(weekly, guardrails)
    return {c: by_week.loc[~by_week[c], "week"].astype(int).tolist()
            for c in by_week.columns.drop("week")}


def weeks_text(weeks: list[int]) -> str:
    """"3, 4, 5 and 9" (runs kept short: "3-7, 9")."""
    runs: list[list[int]] = []
    for w in weeks:
        if runs and w == runs[-1][-1] + 1:
            runs[-1].append(w)
        else:
            runs.append([w])
    return ", ".join(f"{r[0]}-{r[-1]}" if len(r) > 2 else ", ".join(map(str, r)) for r in runs)


def breaks_sentence(breaks: dict[str, list[int]], guardrails: Guardrails,
                    pass_word: str) -> str:
    """"'approve' rate ≥ 99.3% in weeks 3, 9-12; review demand ≤ 350 a week in week 7"."""
    limits = dict(guardrails.items())
    parts = []
    for column, weeks in breaks.items():
        if weeks:
            where = f"week {weeks[0]}" if len(weeks) == 1 else f"weeks {weeks_text(weeks)}"
            parts.append(f"{label(column, pass_word)} {limit(column, limits[column])} in {where}")
    return "; ".join(parts)


def comparison_table(outcomes: dict[str, pd.DataFrame], bands: dict[str, tuple[float, float]],
                     guardrails: Guardrails, unit: str) -> pd.DataFrame:
    """One row per policy: band, totals and, per guardrail, whether it held in every week."""
    rows = []
    for name, weekly in outcomes.items():
        t = horizon_totals(weekly)
        weeks = len(weekly)
        rows.append({
            "policy": name,
            "band": f"{bands[name][0]:.3f} – {bands[name][1]:.3f}",
            f"total cost ({unit})": float(t["cost_total"]),
            "precision": t["precision"],
            "recall": t["recall"],
            "pass rate": t["pass_rate"],
            "review demand / week": round(t["review_demand_per_week"]),
            **{f"guardrail: {k}": ("met every week" if not v else
                                   f"broken in {len(v)} of {weeks} weeks")
               for k, v in broken_weeks(weekly, guardrails).items()},
        })
    return pd.DataFrame(rows)


def weekly_breaks(outcomes: dict[str, pd.DataFrame], guardrails: Guardrails) -> pd.DataFrame:
    """Per policy, the weeks in which each guardrail was broken (an empty list if none)."""
    rows = []
    for name, weekly in outcomes.items():
        for column, broken in broken_weeks(weekly, guardrails).items():
            rows.append({"policy": name, "guardrail": column, "weeks broken": len(broken),
                         "which weeks": weeks_text(broken) or "none"})
    return pd.DataFrame(rows)


def _cell(value) -> str:
    if isinstance(value, float):
        return "undefined" if not np.isfinite(value) else f"{value:.3f}"
    return str(value)


def _table(frame: pd.DataFrame) -> str:
    head = "| " + " | ".join(frame.columns) + " |"
    rule = "|" + "|".join("---" for _ in frame.columns) + "|"
    body = ["| " + " | ".join(_cell(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([head, rule, *body])


def attempt_markdown(preset: Preset, answer: Answer, table: pd.DataFrame,
                     breaks: pd.DataFrame) -> str:
    """The whole attempt as a Markdown document: case, answers, decision, outcome, rubric."""
    score = sum(answer.rubric)
    rubric = "\n".join(f"- [{'x' if done else ' '}] {item}"
                       for item, done in zip(RUBRIC, answer.rubric, strict=True))
    guardrails = "\n".join(f"- {g}" for g in answer.guardrails.describe()) or "- (none set)"
    return f"""# Case study rehearsal: {preset.title}

## The case
{preset.story}

**Question.** {preset.question}

## My answer
**Success metrics.**
{answer.success_metrics or "(left blank)"}

**Guardrails, in my words.**
{answer.guardrail_text or "(left blank)"}

**Guardrails checked by the simulation.**
{guardrails}

**Decision.** Band {answer.band[0]:.3f} – {answer.band[1]:.3f}; review capacity
{answer.capacity:,} a week; {describe_retrain(Retrain(**answer.retrain))}.

## Simulated outcome
{_table(table)}

Weeks in which a guardrail broke:

{_table(breaks) if len(breaks) else "(no guardrails set)"}

**What the scenario was built to show.** {preset.expected_finding}

## Debrief rubric ({score} of {len(RUBRIC)})
{rubric}
"""
