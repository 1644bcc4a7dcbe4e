"""Named scenarios: JSON files in ``data/presets/`` that pair a scenario with its story.

A preset file holds ``title``, ``domain``, ``story``, ``question``, ``look_at``,
``facilitator_notes``, ``expected_finding`` and ``scenario`` (a scenario object as
``Scenario.to_dict`` writes it, or any part of it). Optional:

* ``compare_with``: ``{"label": ..., "changes": {...}}``, the alternative the story weighs
  (sections of the scenario to replace, for example quarterly retraining or a rollback);
* ``steps``: a walk-through for workshops, each ``{"title", "note"}`` plus optional
  ``policy`` (``[t_low, t_high]``), ``changes`` (scenario sections) to apply and ``tab`` (the
  domain page's tab the step talks about, one of ``PAGE_TABS``);
* ``ab_test``: ``{"contamination": c}`` for the contaminated A/B test story.

A preset's name is its file name without ``.json``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .scenario import Scenario, ScenarioError

PRESET_DIR = Path(__file__).resolve().parent.parent / "data" / "presets"
TEXT_FIELDS = ("title", "story", "question", "look_at", "facilitator_notes", "expected_finding")
OPTIONAL_FIELDS = ("compare_with", "steps", "ab_test")
# The domain page's tabs, in order; a story step may open one of them.
PAGE_TABS = ("Tradeoff", "Suggest a policy", "Over time", "Segments", "Data")
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
        return scenario.with_policy(*self.policy) if self.policy else scenario


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
        compare = data.get("compare_with") or {}
        steps = tuple(_step(name, i, s) for i, s in enumerate(data.get("steps") or ()))
        contamination = (data.get("ab_test") or {}).get("contamination")
        preset = cls(name=name, scenario=scenario, compare_label=str(compare.get("label", "")),
                     compare_changes=dict(compare.get("changes", {})), steps=steps,
                     ab_contamination=contamination,
                     **{k: str(data[k]) for k in TEXT_FIELDS})
        preset.alternative()  # validate now, not when someone first asks
        for step in steps:
            step.scenario(scenario)
        return preset


def _step(name: str, index: int, data: Any) -> Step:
    if not isinstance(data, dict) or "title" not in data or "note" not in data:
        raise ScenarioError(f"preset {name!r}: step {index + 1} needs a title and a note")
    unknown = [k for k in data if k not in STEP_FIELDS]
    if unknown:
        raise ScenarioError(f"preset {name!r}: unknown key {unknown[0]!r} in step {index + 1}; "
                            f"allowed keys: {', '.join(STEP_FIELDS)}")
    policy = data.get("policy")
    if policy is not None and (not isinstance(policy, list) or len(policy) != 2):
        raise ScenarioError(f"preset {name!r}: step {index + 1} policy must be [t_low, t_high]")
    tab = data.get("tab")
    if tab is not None and tab not in PAGE_TABS:
        raise ScenarioError(f"preset {name!r}: step {index + 1} tab {tab!r} is not a tab of the "
                            f"domain page; choose one of: {', '.join(PAGE_TABS)}")
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
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise ScenarioError(
            f"preset {name!r} is not valid JSON: {err.msg} at line {err.lineno}") from None
    return Preset.from_dict(name, data)


def all_presets(directory: Path = PRESET_DIR) -> list[Preset]:
    return [load_preset(name, directory) for name in preset_names(directory)]
