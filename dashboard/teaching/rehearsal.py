"""Pure helpers of the case-study rehearsal: the candidate's decision as a scenario, the three
policies' outcomes side by side, the debrief rubric, and the Markdown export of an attempt."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from simulations.policy.guardrails import Guardrails, check
from simulations.policy.metrics import horizon_totals
from simulations.presets import Preset
from simulations.reporting.text import plain_markdown
from simulations.scenario import Scenario

RUBRIC = (
    "Defined what success means (a metric and a target) before choosing a solution.",
    "Treated the two kinds of error as costing different amounts, and said which is worse.",
    "Planned containment and a fallback: a review band, an escalation path, rollback criteria.",
    "Set up drift monitoring with a concrete trigger: which measure, what threshold.",
    "Accounted for feedback bias: which decisions never reveal whether they were right.",
    "Said who reviews, at what capacity, and what happens when they are full.",
)
RETRAIN_CHOICES = {"never": "never retrain", "every": "retrain every 4 weeks",
                   "drift": "retrain when drift (PSI of features) exceeds 0.25",
                   "performance": "retrain when monitored recall drops below 50%"}


@dataclass
class Answer:
    """What the candidate committed to."""

    success_metrics: str
    guardrail_text: str
    guardrails: Guardrails
    band: tuple[float, float]
    capacity: int
    retrain: str
    rubric: list[bool] = field(default_factory=lambda: [False] * len(RUBRIC))


def decision_scenario(preset: Preset, answer: Answer) -> Scenario:
    """The preset's scenario with the candidate's band, review capacity and retraining."""
    retrain = {"trigger": answer.retrain}
    if answer.retrain == "drift":
        retrain.update(drift_on="features", drift_metric="psi", drift_threshold=0.25)
    if answer.retrain == "performance":
        retrain.update(performance_metric="recall", performance_floor=0.5)
    return preset.scenario.with_changes(review={"capacity": int(answer.capacity)},
                                        retrain=retrain).with_policy(*answer.band)


def comparison_table(outcomes: dict[str, pd.DataFrame], bands: dict[str, tuple[float, float]],
                     guardrails: Guardrails, unit: str) -> pd.DataFrame:
    """One row per policy: band, totals and whether each guardrail holds over the horizon."""
    rows = []
    for name, weekly in outcomes.items():
        t = horizon_totals(weekly)
        met, _ = check(weekly, guardrails)
        rows.append({
            "policy": name,
            "band": f"{bands[name][0]:.3f} – {bands[name][1]:.3f}",
            f"total cost ({unit})": round(t["cost_total"]),
            "precision": t["precision"],
            "recall": t["recall"],
            "pass rate": t["pass_rate"],
            "review demand / week": round(t["review_demand_per_week"]),
            **{f"guardrail: {k}": ("met" if v else "broken") for k, v in met.items()},
        })
    return pd.DataFrame(rows)


def weekly_breaks(outcomes: dict[str, pd.DataFrame], guardrails: Guardrails) -> pd.DataFrame:
    """Per policy, the weeks in which each guardrail was broken (an empty list if none)."""
    rows = []
    for name, weekly in outcomes.items():
        _, by_week = check(weekly, guardrails)
        for column in by_week.columns.drop("week"):
            broken = by_week.loc[~by_week[column], "week"].tolist()
            rows.append({"policy": name, "guardrail": column, "weeks broken": len(broken),
                         "which weeks": ", ".join(map(str, broken)) or "none"})
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


def _quoted_answer(text: str) -> str:
    """A candidate's free text as a Markdown block quote that reads as typed: line breaks
    kept, every Markdown character escaped, so an answer cannot add a heading, a table, a
    link or a fake section of its own."""
    if not text.strip():
        return "(left blank)"
    lines = [plain_markdown(line, None) for line in text.strip().splitlines()]
    return "\n".join(f"> {line}  " if line else ">" for line in lines)


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
{_quoted_answer(answer.success_metrics)}

**Guardrails, in my words.**
{_quoted_answer(answer.guardrail_text)}

**Guardrails checked by the simulation.**
{guardrails}

**Decision.** Band {answer.band[0]:.3f} – {answer.band[1]:.3f}; review capacity
{answer.capacity:,} a week; {RETRAIN_CHOICES[answer.retrain]}.

## Simulated outcome
{_table(table)}

Weeks in which a guardrail broke:

{_table(breaks) if len(breaks) else "(no guardrails set)"}

**What the scenario was built to show.** {preset.expected_finding}

## Debrief rubric ({score} of {len(RUBRIC)})
{rubric}
"""
