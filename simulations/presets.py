"""Named scenarios: JSON files in ``data/presets/`` that pair a scenario with its story.

A preset file holds ``title``, ``domain``, ``story``, ``question``, ``look_at``,
``facilitator_notes``, ``expected_finding`` and ``scenario`` (a scenario object as
``Scenario.to_dict`` writes it, or any part of it). Optional:

* ``compare_with``: ``{"label": ..., "changes": {...}}``, the alternative the story weighs
  (sections of the scenario to replace, for example quarterly retraining or a rollback);
* ``steps``: a walk-through for workshops, each ``{"title", "note"}`` plus optional
  ``policy`` (``[t_low, t_high]``) and ``changes`` (scenario sections) to apply;
* ``ab_test``: ``{"contamination": c}`` for the contaminated A/B test story.

A preset's name is its file name without ``.json``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .scenario import Scenario, ScenarioError, parse_json
from .text import clip

PRESET_DIR = Path(__file__).resolve().parent.parent / "data" / "presets"
TEXT_FIELDS = ("title", "story", "question", "look_at", "facilitator_notes", "expected_finding")
OPTIONAL_FIELDS = ("compare_with", "steps", "ab_test")


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
                     **{k: str(data[k]) for k in TEXT_FIELDS})
        preset.alternative()  # validate now, not when someone first asks
        for step in steps:
            step.scenario(scenario)
        return preset


def _object(name: str, key: str, value: Any) -> dict:
    if not isinstance(value, dict):
        raise ScenarioError(f"preset {name!r}: {key} must be an object")
    return value


def _step(name: str, index: int, data: Any) -> Step:
    if not isinstance(data, dict) or "title" not in data or "note" not in data:
        raise ScenarioError(f"preset {name!r}: step {index + 1} needs a title and a note")
    policy = data.get("policy")
    if policy is not None and (not isinstance(policy, list) or len(policy) != 2 or any(
            isinstance(t, bool) or not isinstance(t, int | float) for t in policy)):
        raise ScenarioError(f"preset {name!r}: step {index + 1} policy must be [t_low, t_high]")
    if not isinstance(data.get("changes") or {}, dict):
        raise ScenarioError(f"preset {name!r}: step {index + 1} changes must be an object of "
                            "scenario sections")
    return Step(str(data["title"]), str(data["note"]), tuple(policy) if policy else None,
                dict(data.get("changes") or {}))


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
