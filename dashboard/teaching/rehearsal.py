"""Pure helpers of the case-study rehearsal: the candidate's decision as a scenario, the policies
the reveal shows (yours, the case's other options and alternative, the starting policy), their
outcomes side by side in the domain's words, a data collection plan read against the lab's
(agreement target and budget split), the debrief rubric, and the Markdown export."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, replace

import numpy as np
import pandas as pd

from dashboard.teaching.timer import elapsed_text
from simulations.engine.reviewers import expected_kappa
from simulations.experiments.data_plan import STRATEGIES, STRATEGY_WORDS
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
class PlanAnswer:
    """A data collection plan: the kappa two reviewers must reach, and the share of the
    labelling budget for each strategy (shares of 1)."""

    kappa_target: float
    split: dict[str, float]


def split_problem(percents: dict[str, float]) -> str:
    """"" when the budget split (in percent) is whole, else what to fix."""
    if any(not np.isfinite(v) or v < 0 for v in percents.values()):
        return "Each share of the budget must be a percent of at least 0."
    total = sum(percents.values())
    if abs(total - 100) > 1e-6:
        return f"The budget split adds up to {total:g}%: make it 100%."
    return ""


def plan_debrief(plan: PlanAnswer, summary: pd.DataFrame, accuracy: float, base_rate: float,
                 unit: str) -> list[str]:
    """The candidate's plan against the lab's, in sentences: the agreement target against the
    kappa reviewers this accurate reach on this traffic (the rare-class paradox), and the
    strategy given the largest share against the cheapest at the full budget."""
    here, balanced = expected_kappa(base_rate, accuracy), expected_kappa(0.5, accuracy)
    reach = ("within reach" if here >= plan.kappa_target else
             "out of reach even for these reviewers")
    out = [f"Your agreement target: a kappa of {plan.kappa_target:.2f}. Two reviewers right "
           f"{accuracy:.0%} of the time reach about {here:.2f} on labels of this traffic "
           f"({base_rate:.1%} positive), but {balanced:.2f} on a balanced set: the target is "
           f"{reach}. On rare positives kappa says little about accuracy; a target on accuracy "
           "against adjudicated cases, or on agreement over the positives, means more."]
    full = summary[summary["budget"] == summary["budget"].max()]
    by = full.set_index("strategy")["cost_total"]
    main = max(STRATEGIES, key=lambda k: plan.split.get(k, 0.0))
    best = str(by.idxmin())
    cost = money_text(float(by[main]), unit) if main in by else "not simulated"
    line = (f"You put {plan.split.get(main, 0.0):.0%} of the budget into "
            f"{STRATEGY_WORDS[main]}: spent on that alone, the whole budget gives a next model "
            f"costing {cost} a production week")
    if main == best:
        out.append(line + ", the cheapest of the four ways.")
    else:
        out.append(line + f", against {money_text(float(by[best]), unit)} for the cheapest, "
                   f"{STRATEGY_WORDS[best]}.")
    out.append("The lab simulates each way alone, so a split is read by its largest share.")
    return out


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
    plan: PlanAnswer | None = None  # a data collection case's plan
    customer_sentence: str = ""  # an explanation case's sentence to the customer


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


def plan_markdown(plan: PlanAnswer | None, debrief: list[str] = ()) -> str:
    """A data collection plan and the lab's reading of it, as a Markdown section ("" for a
    case without one)."""
    if plan is None:
        return ""
    split = "\n".join(f"- {STRATEGY_WORDS[k]}: {plan.split.get(k, 0.0):.0%}" for k in STRATEGIES)
    lab = "\n".join(f"- {line}" for line in debrief)
    return (f"\n## My data collection plan\n**Agreement target.** kappa "
            f"{plan.kappa_target:.2f}\n\n**Budget split.**\n{split}\n"
            + (f"\n**Against the lab's plan.**\n{lab}\n" if lab else ""))


def attempt_markdown(preset: Preset, answer: Answer, table: pd.DataFrame,
                     breaks: pd.DataFrame, pass_word: str = "pass rate",
                     debrief: list[str] = ()) -> str:
    """The whole attempt as a Markdown document: case, answers, decision, outcome, rubric
    (and a data collection case's plan). The candidate's own text is escaped, so an answer
    cannot add a section of its own."""
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
{plan_markdown(answer.plan, list(debrief))}
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


# -- the explanation case: the candidate writes to the customer before seeing the lab's ------
#
# A case with ``explain`` opens one decision (a quick pick of the Data tab). Before committing,
# the candidate sees what a support agent would see (the event's facts and the decision) and
# writes the customer-facing sentence; the reveal puts the lab's recourse sentence, its
# reasons and nearest changes beside it, and a quick reading of the candidate's sentence.

JARGON = ("score", "model", "threshold", "probability", "algorithm", "log-odds", "feature",
          "classifier", "t_low", "t_high")
HUMAN_ROUTE = ("review", "contact", "call", "appeal", "agent", "team", "person", "human",
               "speak", "reach us", "get in touch")


def case_event(preset: Preset, result, outcome) -> int | None:
    """The row of the decision the case opens (its ``explain.pick`` among the quick picks),
    or None when the run has no such event."""
    from simulations.explain import quick_picks
    from simulations.presets import EXPLAIN_PICKS

    picks = list(quick_picks(result, outcome).values())
    return picks[EXPLAIN_PICKS.index(preset.explain.pick)]


def event_facts(explanation, domain) -> pd.DataFrame:
    """What the candidate may read before writing: the decision and the event's features as
    the customer and a support agent know them (no reasons, no changes, no sentence)."""
    rows = [{"what": "decision", "value": domain.actions[explanation.action]},
            {"what": "week", "value": str(explanation.week)},
            {"what": "segment", "value": explanation.segment}]
    rows += [{"what": f["feature"], "value": f["value"]} for f in explanation.features]
    return pd.DataFrame(rows)


def _key(words: str) -> str:
    """A feature's domain words without a leading article ("the amount" -> "amount")."""
    return re.sub(r"^(the|a|an)\s+", "", words.lower())


def _mentions(text: str, words: str) -> bool:
    return _key(words) in text.lower()


def _asks_to_change(text: str, words: str) -> bool:
    """Whether ``text`` asks for a change of the feature: a change verb up to three words
    before its name ("change your account's age", "use a different merchant category")."""
    verbs = r"(change|increase|reduce|lower|raise|different|another|improve|update)"
    return re.search(rf"\b{verbs}\W+(\w+\W+){{0,3}}{re.escape(_key(words))}",
                     text.lower()) is not None


def sentence_reading(text: str, explanation, space) -> list[tuple[str, bool]]:
    """A quick reading of the candidate's customer sentence against the lab's explanation:
    each check and whether the sentence passes it (words matched, not a grade)."""
    lower = text.lower().strip()
    reasons = [space.specs[r.column].words for r in explanation.reasons]
    changes = [space.specs[cf.column].words for cf in explanation.counterfactuals
               if cf.feasible]
    fixed = space.fixed_words
    action = space.domain.actions[explanation.action]
    said = ("declin", "approv", "review", "escalat", "refus", "block", "stopp", "held", "hold")

    def listed(words: list[str], none: str) -> str:
        return f"({', '.join(words)})" if words else f"({none})"

    return [
        (f"Says what was decided ('{action}' or in other words)",
         bool(lower) and (action.lower() in lower
                          or any(re.search(rf"\b{w}", lower) for w in said))),
        (f"Names at least one reason the lab found {listed(reasons, 'it found none')}",
         any(_mentions(lower, w) for w in reasons)),
        ("Offers something the customer can change "
         f"{listed(changes, 'the lab found no single change')}",
         any(_mentions(lower, w) for w in changes)),
        (f"Does not ask the customer to change what is fixed {listed(fixed, 'nothing is')}",
         not any(_asks_to_change(lower, w) for w in fixed)),
        ("Offers a person to talk to (a review, an appeal, a contact)",
         any(re.search(rf"\b{w}", lower) for w in HUMAN_ROUTE)),
        (f"Avoids the lab's jargon ({', '.join(JARGON[:4])}, ...)",
         bool(lower) and not any(re.search(rf"\b{re.escape(w)}", lower) for w in JARGON)),
    ]


def explanation_markdown(prompt: str, customer_sentence: str, lab_sentence: str,
                         reading: list[tuple[str, bool]]) -> str:
    """The explanation case's section of the exported attempt (the candidate's text quoted
    and escaped, the lab's sentence, the reading)."""
    checks = "\n".join(f"- [{'x' if ok else ' '}] {what}" for what, ok in reading)
    return f"""
## The customer's explanation
**Asked.** {prompt}

**My sentence to the customer.**
{_quoted_answer(customer_sentence)}

**The lab's recourse sentence.** {lab_sentence}

**A quick reading of my sentence** (words matched, not a grade)
{checks}
"""
