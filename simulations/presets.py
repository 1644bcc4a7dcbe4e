"""Named scenarios: JSON files in ``data/presets/`` that pair a scenario with its story.

A preset file holds ``title``, ``domain``, ``story``, ``question``, ``look_at``,
``facilitator_notes``, ``expected_finding`` and ``scenario`` (a scenario object as
``Scenario.to_dict`` writes it). Its name is the file name without ``.json``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from .scenario import Scenario, ScenarioError

PRESET_DIR = Path(__file__).resolve().parent.parent / "data" / "presets"
TEXT_FIELDS = ("title", "story", "question", "look_at", "facilitator_notes", "expected_finding")


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

    @classmethod
    def from_dict(cls, name: str, data: dict) -> Preset:
        if not isinstance(data, dict):
            raise ScenarioError(f"preset {name!r} must be a JSON object")
        allowed = (*TEXT_FIELDS, "domain", "scenario")
        unknown = [k for k in data if k not in allowed]
        if unknown:
            raise ScenarioError(
                f"unknown key {unknown[0]!r} in preset {name!r}; allowed keys: {', '.join(allowed)}"
            )
        missing = [k for k in (*TEXT_FIELDS, "scenario") if k not in data]
        if missing:
            raise ScenarioError(f"preset {name!r} is missing {', '.join(missing)}")
        scenario_data = dict(data["scenario"])
        if "domain" in data:
            scenario_data.setdefault("domain", data["domain"])
        scenario = Scenario.from_dict(scenario_data)
        return cls(name=name, scenario=scenario, **{k: str(data[k]) for k in TEXT_FIELDS})


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
