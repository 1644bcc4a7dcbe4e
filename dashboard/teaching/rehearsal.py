"""Pure helpers of the case-study rehearsal: the candidate's decision as a scenario, the policies
the reveal shows (yours, the case's other options and alternative, the starting policy), their
outcomes side by side in the domain's words, the debrief rubric, and the Markdown export."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, replace

import numpy as np
import pandas as pd

from dashboard.teaching.timer import elapsed_text
from simulations.policy.guardrails import Guardrails, check, label, limit
from simulations.policy.metrics import horizon_totals
from simulations.presets import Preset
from simulations.reporting.text import plain_markdown
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
    if r.trigger == "drift" and r.drift_on == "semantic":
        return f"retrain when semantic drift (cosine distance) exceeds {r.drift_threshold:g}"
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
    option: str = ""  # the label of the case's decision option chosen, if the case has one
    seconds: float | None = None  # from opening the case to committing the answer


def chosen_option(preset: Preset, answer: Answer):
    if not (preset.decision and answer.option):
        return None
    return next(o for o in preset.decision.options if o.label == answer.option)


def decision_scenario(preset: Preset, answer: Answer) -> Scenario:
    """The preset's scenario with the candidate's option, or band, capacity and retraining."""
    option = chosen_option(preset, answer)
    if option is not None:
        return option.scenario(preset.scenario)
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


def policies_to_show(preset: Preset, answer: Answer) -> dict[str, Scenario]:
    """Name -> scenario of every policy the reveal shows: the candidate's, the case's other
    options, its alternative (``compare_with``, always) and the starting policy, each once."""
    yours = decision_scenario(preset, answer)
    option = chosen_option(preset, answer)
    name = (f"your choice: {option.name}" if option else
            "your policy (the starting one)" if yours == preset.scenario else "your policy")
    shown = {name: yours}

    def add(name: str, scenario: Scenario | None) -> None:
        if scenario is not None and scenario not in shown.values():
            shown[name] = scenario

    for other in preset.decision.options if preset.decision else ():
        add(other.name, other.scenario(preset.scenario))
    add(preset.compare_label or "the case's alternative", preset.alternative())
    add("starting policy", preset.scenario)
    return shown


def money_text(value: float, unit: str) -> str:
    """Whole units with thousands separators and the sign first: "-$5,361", "1,204 units"."""
    if not np.isfinite(value):
        return "undefined"
    sign = "-" if value < 0 else ""
    return f"{sign}${abs(value):,.0f}" if unit == "$" else f"{sign}{abs(value):,.0f} {unit}"


def share_text(value: float) -> str:
    return "undefined" if not np.isfinite(value) else f"{value:.2%}"


def comparison_table(outcomes: dict[str, pd.DataFrame], bands: dict[str, tuple[float, float]],
                     guardrails: Guardrails, unit: str,
                     pass_word: str = "pass rate") -> pd.DataFrame:
    """One row per policy, formatted for reading: band, total cost and missed-positive cost as
    money, the three rates as percents, review demand and overflow per week, and, per
    guardrail, whether it held in every week."""
    limits = dict(guardrails.items())
    rows = []
    for name, weekly in outcomes.items():
        t = horizon_totals(weekly)
        weeks = len(weekly)
        overflow = t.get("review_overflow", 0.0) / max(weeks, 1)
        rows.append({
            "policy": name,
            "band": f"{bands[name][0]:.3f} – {bands[name][1]:.3f}",
            "total cost": money_text(t["cost_total"], unit),
            "cost of misses": money_text(t["cost_fn"], unit),
            pass_word: share_text(t["pass_rate"]),
            "recall": share_text(t["recall"]),
            "precision": share_text(t["precision"]),
            "reviews / week": f"{t['review_demand_per_week']:,.0f}",
            "unreviewed overflow / week": f"{overflow:,.0f}",
            **{f"{label(k, pass_word)} {limit(k, limits[k])}":
               ("met every week" if not v else f"broken in {len(v)} of {weeks} weeks")
               for k, v in broken_weeks(weekly, guardrails).items()},
        })
    return pd.DataFrame(rows)


def weekly_breaks(outcomes: dict[str, pd.DataFrame], guardrails: Guardrails,
                  pass_word: str = "pass rate") -> pd.DataFrame:
    """Per policy, the weeks in which each guardrail was broken (an empty list if none)."""
    limits = dict(guardrails.items())
    rows = []
    for name, weekly in outcomes.items():
        for column, broken in broken_weeks(weekly, guardrails).items():
            rows.append({"policy": name,
                         "guardrail": f"{label(column, pass_word)} {limit(column, limits[column])}",
                         "weeks broken": len(broken),
                         "which weeks": weeks_text(broken) or "none"})
    return pd.DataFrame(rows)


def escape(text: str) -> str:
    """A candidate's text as Markdown that cannot add a heading, list, table or HTML: each line
    starts as plain text and the characters Markdown acts on are backslash-escaped."""
    out = []
    for line in str(text).splitlines():
        line = re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~])", r"\\\1", line.strip())
        out.append(line)
    return "  \n".join(out)


def _cell(value) -> str:
    if isinstance(value, float):
        return "undefined" if not np.isfinite(value) else f"{value:,.2f}"
    return str(value).replace("|", "\\|")


def _table(frame: pd.DataFrame) -> str:
    head = "| " + " | ".join(map(_cell, frame.columns)) + " |"
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


def decision_text(preset: Preset, answer: Answer) -> str:
    option = chosen_option(preset, answer)
    if option is not None:
        return f"{option.label}."
    return (f"Band {answer.band[0]:.3f} – {answer.band[1]:.3f}; review capacity "
            f"{answer.capacity:,} a week; {describe_retrain(Retrain(**answer.retrain))}.")


def attempt_markdown(preset: Preset, answer: Answer, table: pd.DataFrame,
                     breaks: pd.DataFrame, pass_word: str = "pass rate") -> str:
    """The whole attempt as a Markdown document: case, answers, decision, outcome, rubric.
    The candidate's own text is escaped, so an answer cannot add a section of its own."""
    score = sum(answer.rubric)
    rubric = "\n".join(f"- [{'x' if done else ' '}] {item}"
                       for item, done in zip(RUBRIC, answer.rubric, strict=True))
    guardrails = "\n".join(f"- {g}" for g in answer.guardrails.describe(pass_word)) \
        or "- (none set)"
    question = f"**{preset.decision.question}**\n" if chosen_option(preset, answer) else ""
    time_line = "" if answer.seconds is None else \
        f"\n**Time to commit.** {elapsed_text(answer.seconds)}\n"
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

**Decision.** {question}{decision_text(preset, answer)}
{time_line}
## Simulated outcome
{_table(table)}

Weeks in which a guardrail broke:

{_table(breaks) if len(breaks) else "(no guardrails set)"}

## The model answer
**What the case was built to show.** {preset.expected_finding}

**Facilitator notes.** {preset.facilitator_notes}

## Debrief rubric ({score} of {len(RUBRIC)})
{rubric}
"""
