"""Named scenarios: JSON files in ``data/presets/`` that pair a scenario with its story.

A preset file holds ``title``, ``domain``, ``story``, ``question``, ``look_at``,
``facilitator_notes``, ``expected_finding`` and ``scenario`` (a scenario object as
``Scenario.to_dict`` writes it, or any part of it). Optional:

* ``compare_with``: ``{"label": ..., "changes": {...}}``, the alternative the story weighs
  (sections of the scenario to replace, for example quarterly retraining or a rollback);
* ``steps``: a walk-through for workshops, each ``{"title", "note"}`` plus optional
  ``policy`` (``[t_low, t_high]``), ``changes`` (scenario sections) to apply and ``tab`` (the
  domain page's tab the step talks about, one of ``PAGE_TABS``);
* ``ab_test``: ``{"contamination": c}`` for the contaminated A/B test story;
* ``decision``: the case's own decision for the rehearsal, ``{"question": ..., "options":
  [{"label": ..., "short": ..., "policy": [t_low, t_high], "changes": {...}}, ...]}`` (two or
  more options with unique labels; optional ``short`` name for tables, ``policy`` and
  ``changes`` applied to the scenario like a step's);
* ``evidence``: charts of the case's own evidence in the rehearsal's reveal, each
  ``{"title": ..., "y_title": ..., "columns": {weekly column: legend name}, "format": ".0%"}``;
* ``label_plan``: ``{"budget": B, "worlds": N}``, a data collection case: the rehearsal asks
  for an agreement target and a split of the labelling budget B before revealing the lab's
  data plan over N worlds (``simulations.experiments.data_plan``).
* ``explain``: one decision for the rehearsal to explain, ``{"pick": ..., "prompt": ...}``
  with ``pick`` one of ``EXPLAIN_PICKS`` (which of the Data tab's quick picks) and ``prompt``
  what the candidate is asked to write before seeing the lab's explanation.

A preset's name is its file name without ``.json``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .reporting.text import clip
from .scenario import Scenario, ScenarioError, parse_json

PRESET_DIR = Path(__file__).resolve().parent.parent / "data" / "presets"
TEXT_FIELDS = ("title", "story", "question", "look_at", "facilitator_notes", "expected_finding")
OPTIONAL_FIELDS = ("compare_with", "steps", "ab_test", "decision", "evidence", "label_plan",
                   "explain")
# the ``explain`` field's picks, in the order of ``simulations.explain.quick_picks``
EXPLAIN_PICKS = ("false_flag", "missed_positive", "in_review")
# The domain page's tabs, in order; a story step may open one of them.
PAGE_TABS = ("Tradeoff", "Suggest a policy", "Over time", "Monitor", "Segments", "Labels",
             "Data plan", "Data")  # "Data" last: presenter mode leaves it out
STEP_FIELDS = ("title", "note", "policy", "changes", "tab")


def apply_changes(scenario: Scenario, changes: dict[str, Any], where: str) -> Scenario:
    """``scenario`` with whole sections or single fields replaced, validated again."""
    if not isinstance(changes, dict):
        raise ScenarioError(f"{where} must be an object of scenario sections")
    data = scenario.to_dict()
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(data.get(key), dict):
            data[key] = {**data[key], **value}
        else:
            data[key] = value
    try:
        return Scenario.from_dict(data)
    except ScenarioError as err:
        raise ScenarioError(f"{where}: {err}") from None


@dataclass(frozen=True)
class Step:
    title: str
    note: str
    policy: tuple[float, float] | None = None
    changes: dict[str, Any] = field(default_factory=dict)
    tab: str | None = None

    def scenario(self, base: Scenario) -> Scenario:
        scenario = apply_changes(base, self.changes, f"step {self.title!r}") if self.changes \
            else base
        if not self.policy:
            return scenario
        return scenario.with_policy(*self.policy, scenario.policy.by_segment)


@dataclass(frozen=True)
class Option:
    """One answer to a case's decision question: a band and/or scenario sections to change."""

    label: str
    policy: tuple[float, float] | None = None
    changes: dict[str, Any] = field(default_factory=dict)
    short: str = ""  # a name for tables and legends ("roll back"); the label when empty

    @property
    def name(self) -> str:
        return self.short or self.label

    def scenario(self, base: Scenario) -> Scenario:
        return Step(self.label, "", self.policy, self.changes).scenario(base)


@dataclass(frozen=True)
class Decision:
    """A case's decision question and its options (the rehearsal's form asks it)."""

    question: str
    options: tuple[Option, ...]


@dataclass(frozen=True)
class Evidence:
    """A weekly chart the case rests on: columns of the weekly table, with legend names."""

    title: str
    y_title: str
    columns: dict[str, str]
    format: str = ""


@dataclass(frozen=True)
class LabelPlanCase:
    """A data collection case: the labelling budget the candidate splits, and the worlds the
    lab's plan is run over."""

    budget: float
    worlds: int = 10


@dataclass(frozen=True)
class Explain:
    """A decision the rehearsal opens: which quick pick, and what the candidate must write."""

    pick: str
    prompt: str


@dataclass(frozen=True)
class Preset:
    name: str
    title: str
    story: str
    question: str
    look_at: str
    facilitator_notes: str
    expected_finding: str
    scenario: Scenario
    compare_label: str = ""
    compare_changes: dict[str, Any] = field(default_factory=dict)
    steps: tuple[Step, ...] = ()
    ab_contamination: float | None = None
    decision: Decision | None = None
    evidence: tuple[Evidence, ...] = ()
    label_plan: LabelPlanCase | None = None
    explain: Explain | None = None

    @property
    def domain(self) -> str:
        return self.scenario.domain

    def alternative(self) -> Scenario | None:
        """The scenario the story compares against, if it has one."""
        if not self.compare_changes:
            return None
        return apply_changes(self.scenario, self.compare_changes, f"preset {self.name!r}")

    @classmethod
    def from_dict(cls, name: str, data: dict) -> Preset:
        if not isinstance(data, dict):
            raise ScenarioError(f"preset {name!r} must be a JSON object")
        allowed = (*TEXT_FIELDS, "domain", "scenario", *OPTIONAL_FIELDS)
        unknown = [k for k in data if k not in allowed]
        if unknown:
            raise ScenarioError(f"unknown key {unknown[0]!r} in preset {name!r}; allowed keys: "
                                f"{', '.join(allowed)}")
        missing = [k for k in (*TEXT_FIELDS, "scenario") if k not in data]
        if missing:
            raise ScenarioError(f"preset {name!r} is missing {', '.join(missing)}")
        if not isinstance(data["scenario"], dict):
            raise ScenarioError(f"preset {name!r}: scenario must be an object")
        scenario_data = dict(data["scenario"])
        if "domain" in data:
            scenario_data.setdefault("domain", data["domain"])
        try:
            scenario = Scenario.from_dict(scenario_data)
        except ScenarioError as err:
            raise ScenarioError(f"preset {name!r}: {err}") from None
        for key in TEXT_FIELDS:
            if not isinstance(data[key], str):
                raise ScenarioError(f"preset {name!r}: {key} must be text")
        compare = _object(name, "compare_with", data.get("compare_with") or {})
        if not isinstance(compare.get("changes", {}), dict):
            raise ScenarioError(f"preset {name!r}: compare_with.changes must be an object of "
                                "scenario sections")
        steps_data = data.get("steps") or []
        if not isinstance(steps_data, list):
            raise ScenarioError(f"preset {name!r}: steps must be a list of steps")
        steps = tuple(_step(name, i, s) for i, s in enumerate(steps_data))
        contamination = _object(name, "ab_test", data.get("ab_test") or {}).get("contamination")
        if contamination is not None and (isinstance(contamination, bool) or not isinstance(
                contamination, int | float) or not 0 <= contamination <= 1):
            raise ScenarioError(f"preset {name!r}: ab_test.contamination must be a number "
                                "from 0 to 1")
        preset = cls(name=name, scenario=scenario, compare_label=str(compare.get("label", "")),
                     compare_changes=dict(compare.get("changes", {})), steps=steps,
                     ab_contamination=contamination,
                     decision=_decision(name, data.get("decision")),
                     evidence=_evidence(name, data.get("evidence")),
                     label_plan=_label_plan(name, data.get("label_plan")),
                     explain=_explain(name, data.get("explain")),
                     **{k: str(data[k]) for k in TEXT_FIELDS})
        preset.alternative()  # validate now, not when someone first asks
        for step in steps:
            step.scenario(scenario)
        for option in preset.decision.options if preset.decision else ():
            option.scenario(scenario)
        return preset


def _policy(where: str, policy: Any) -> tuple[float, float] | None:
    if policy is None:
        return None
    if (not isinstance(policy, list) or len(policy) != 2
            or not all(isinstance(t, int | float) and not isinstance(t, bool) for t in policy)):
        raise ScenarioError(f"{where} policy must be [t_low, t_high]")
    return float(policy[0]), float(policy[1])


def _decision(name: str, data: Any) -> Decision | None:
    """The ``decision`` field, checked: a question and two or more options with unique labels."""
    if data is None:
        return None
    where = f"preset {name!r}: decision"
    if not isinstance(data, dict) or not isinstance(data.get("question"), str) \
            or not data["question"].strip():
        raise ScenarioError(f"{where} needs a question (a non-empty text)")
    unknown = [k for k in data if k not in ("question", "options")]
    if unknown:
        raise ScenarioError(f"{where}: unknown key {unknown[0]!r}; allowed: question, options")
    options = data.get("options")
    if not isinstance(options, list) or len(options) < 2:
        raise ScenarioError(f"{where} needs a list of at least two options")
    out = []
    for i, option in enumerate(options, 1):
        at = f"{where} option {i}"
        if not isinstance(option, dict) or not isinstance(option.get("label"), str) \
                or not option["label"].strip():
            raise ScenarioError(f"{at} needs a label (a non-empty text)")
        unknown = [k for k in option if k not in ("label", "short", "policy", "changes")]
        if unknown:
            raise ScenarioError(f"{at}: unknown key {unknown[0]!r}; allowed: label, short, "
                                "policy, changes")
        changes = option.get("changes") or {}
        if not isinstance(changes, dict):
            raise ScenarioError(f"{at} changes must be an object of scenario sections")
        out.append(Option(option["label"].strip(), _policy(at, option.get("policy")), changes,
                          str(option.get("short", "")).strip()))
    labels = [o.label for o in out]
    if len(set(labels)) != len(labels):
        raise ScenarioError(f"{where}: two options share the label "
                            f"{next(x for x in labels if labels.count(x) > 1)!r}")
    return Decision(data["question"].strip(), tuple(out))


def _evidence(name: str, data: Any) -> tuple[Evidence, ...]:
    if data is None:
        return ()
    if not isinstance(data, list):
        raise ScenarioError(f"preset {name!r}: evidence must be a list of charts")
    out = []
    for i, chart in enumerate(data, 1):
        at = f"preset {name!r}: evidence chart {i}"
        if not isinstance(chart, dict) or not isinstance(chart.get("title"), str) \
                or not isinstance(chart.get("columns"), dict) or not chart["columns"]:
            raise ScenarioError(f"{at} needs a title and columns (weekly column: legend name)")
        out.append(Evidence(chart["title"], str(chart.get("y_title", "")),
                            {str(k): str(v) for k, v in chart["columns"].items()},
                            str(chart.get("format", ""))))
    return tuple(out)


def _label_plan(name: str, data: Any) -> LabelPlanCase | None:
    if data is None:
        return None
    where = f"preset {name!r}: label_plan"
    data = _object(name, "label_plan", data)
    unknown = [k for k in data if k not in ("budget", "worlds")]
    if unknown:
        raise ScenarioError(f"{where}: unknown key {unknown[0]!r}; allowed: budget, worlds")
    budget, worlds = data.get("budget"), data.get("worlds", 10)
    if isinstance(budget, bool) or not isinstance(budget, int | float) or not budget > 0:
        raise ScenarioError(f"{where} needs a budget above 0 (money in the domain's unit)")
    if isinstance(worlds, bool) or not isinstance(worlds, int) or not 2 <= worlds <= 100:
        raise ScenarioError(f"{where} worlds must be a whole number from 2 to 100")
    return LabelPlanCase(float(budget), worlds)


def _explain(name: str, data: Any) -> Explain | None:
    if data is None:
        return None
    where = f"preset {name!r}: explain"
    if not isinstance(data, dict) or data.get("pick") not in EXPLAIN_PICKS:
        raise ScenarioError(f"{where} needs a pick, one of {', '.join(EXPLAIN_PICKS)}")
    unknown = [k for k in data if k not in ("pick", "prompt")]
    if unknown:
        raise ScenarioError(f"{where}: unknown key {unknown[0]!r}; allowed: pick, prompt")
    if not isinstance(data.get("prompt"), str) or not data["prompt"].strip():
        raise ScenarioError(f"{where} needs a prompt (a non-empty text)")
    return Explain(data["pick"], data["prompt"].strip())


def _object(name: str, key: str, value: Any) -> dict:
    if not isinstance(value, dict):
        raise ScenarioError(f"preset {name!r}: {key} must be an object")
    return value


def _step(name: str, index: int, data: Any) -> Step:
    if not isinstance(data, dict) or "title" not in data or "note" not in data:
        raise ScenarioError(f"preset {name!r}: step {index + 1} needs a title and a note")
    unknown = [k for k in data if k not in STEP_FIELDS]
    if unknown:
        raise ScenarioError(f"preset {name!r}: unknown key {unknown[0]!r} in step {index + 1}; "
                            f"allowed keys: {', '.join(STEP_FIELDS)}")
    policy = data.get("policy")
    if policy is not None and (not isinstance(policy, list) or len(policy) != 2 or any(
            isinstance(t, bool) or not isinstance(t, int | float) for t in policy)):
        raise ScenarioError(f"preset {name!r}: step {index + 1} policy must be [t_low, t_high]")
    tab = data.get("tab")
    if tab is not None and tab not in PAGE_TABS:
        raise ScenarioError(f"preset {name!r}: step {index + 1} tab {tab!r} is not a tab of the "
                            f"domain page; choose one of: {', '.join(PAGE_TABS)}")
    if not isinstance(data.get("changes") or {}, dict):
        raise ScenarioError(f"preset {name!r}: step {index + 1} changes must be an object of "
                            "scenario sections")
    return Step(str(data["title"]), str(data["note"]), tuple(policy) if policy else None,
                dict(data.get("changes") or {}), tab)


def preset_names(directory: Path = PRESET_DIR) -> list[str]:
    return sorted(p.stem for p in directory.glob("*.json")) if directory.is_dir() else []


def load_preset(name: str, directory: Path = PRESET_DIR) -> Preset:
    path = directory / f"{name}.json"
    if not path.is_file():
        known = ", ".join(preset_names(directory)) or "none"
        raise ScenarioError(f"unknown preset {name!r}; known presets: {known}")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as err:
        raise ScenarioError(f"preset {name!r} cannot be read ({path.name}): {err}") from None
    data = parse_json(text, f"preset {name!r} ({path.name})")
    try:
        return Preset.from_dict(name, data)
    except ScenarioError:
        raise
    except (TypeError, ValueError, AttributeError, KeyError) as err:  # a shape not foreseen
        raise ScenarioError(f"preset {name!r} ({path.name}) is malformed: "
                            f"{type(err).__name__}: {clip(err, 120)}") from None


def load_presets(directory: Path = PRESET_DIR) -> tuple[list[Preset], list[str]]:
    """Every preset that loads, and one line per file that does not (naming the file and
    the field at fault), so one damaged file never takes the others down."""
    presets, problems = [], []
    for name in preset_names(directory):
        try:
            presets.append(load_preset(name, directory))
        except ScenarioError as err:
            problems.append(f"{name}.json skipped: {err}")
    return presets, problems


def all_presets(directory: Path = PRESET_DIR) -> list[Preset]:
    """The presets that load (see ``load_presets`` for the ones that do not)."""
    return load_presets(directory)[0]
