"""An ensemble of worlds: a base scenario, how many worlds, and ranges for what we do not know.

``Ensemble`` is a frozen, validated specification that round-trips through JSON like
``Scenario``. Each ``Range`` names a numeric scenario field by its dotted path
(``population.base_rate``, ``review.reviewer_accuracy``, ``feedback.label_delay``,
``drift[0].strength``, ``costs.fp_fixed``) and draws it uniformly or from a triangular
distribution over ``[low, high]``; whole-number fields stay whole numbers.

Seeds. One ``numpy.random.SeedSequence`` (seeded with the base scenario's seed) is spawned
into one child per world; each child spawns two streams, one for the world's assumptions and
one for the world's own simulation seed. World ``k`` is therefore the same whatever the number
of worlds, workers or backend, and whatever order the worlds finish in.

Errors. A range that names an unknown field, has ``low > high`` or reaches outside the values
the field allows raises ``ScenarioError`` with one line saying what to fix; the allowed values
are checked by building the scenario at both ends of every range with Scenario's own checks.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, fields, replace
from typing import Any

import numpy as np

from ..scenario import SECTIONS, DriftSpec, Scenario, ScenarioError

SHAPES = ("uniform", "triangular")
MAX_WORLDS = 100_000
_DRIFT_PATH = re.compile(r"^drift\[(\d+)\]\.(\w+)$")


def numeric_fields(scenario: Scenario) -> dict[str, bool]:
    """Every field a range can vary, by dotted path, and whether it is a whole number."""
    out: dict[str, bool] = {}

    def numeric(f, value) -> str | None:
        # "int | LabelDelay" (a label delay may also be a distribution) varies while it is a number
        head = f.type.split("|")[0].strip()
        if head in ("int", "float") and isinstance(value, int | float) \
                and not isinstance(value, bool):
            return head
        return None

    for name, cls in SECTIONS.items():
        for f in fields(cls):
            kind = numeric(f, getattr(getattr(scenario, name), f.name))
            if kind:
                out[f"{name}.{f.name}"] = kind == "int"
    for i, spec in enumerate(scenario.drift):
        for f in fields(DriftSpec):
            kind = numeric(f, getattr(spec, f.name))
            if kind:
                out[f"drift[{i}].{f.name}"] = kind == "int"
    return out


def _is_integer_field(scenario: Scenario, path: str) -> bool:
    known = numeric_fields(scenario)
    if path in known:
        return known[path]
    m = _DRIFT_PATH.match(path)
    if m and int(m.group(1)) >= len(scenario.drift):
        n = len(scenario.drift)
        have = f"only drift[0] to drift[{n - 1}]" if n else "no drift"
        raise ScenarioError(f"range {path}: the base scenario has {have}; vary a drift it has")
    raise ScenarioError(f"range {path!r}: unknown field; give a numeric scenario field such as "
                        f"population.base_rate, review.reviewer_accuracy, feedback.label_delay "
                        f"or drift[0].strength")


def set_field(scenario: Scenario, path: str, value: float | int) -> Scenario:
    """A copy of ``scenario`` with the field at ``path`` set, checked by Scenario itself."""
    m = _DRIFT_PATH.match(path)
    if m:
        i, name = int(m.group(1)), m.group(2)
        drift = list(scenario.drift)
        try:
            drift[i] = replace(drift[i], **{name: value})
        except ScenarioError as err:
            raise ScenarioError(str(err).replace("drift.", f"drift[{i}].", 1)) from None
        return replace(scenario, drift=tuple(drift))
    section, name = path.split(".", 1)
    return scenario.with_changes(**{section: {name: value}})


def get_field(scenario: Scenario, path: str) -> float | int:
    m = _DRIFT_PATH.match(path)
    if m:
        return getattr(scenario.drift[int(m.group(1))], m.group(2))
    section, name = path.split(".", 1)
    return getattr(getattr(scenario, section), name)


@dataclass(frozen=True)
class Range:
    """An uncertain assumption: ``field`` drawn over ``[low, high]``.

    ``shape`` is ``uniform`` or ``triangular``; a triangular range peaks at ``mode`` (default:
    the middle). Checked against a base scenario by ``Ensemble``.
    """

    field: str
    low: float
    high: float
    shape: str = "uniform"
    mode: float | None = None

    def __post_init__(self):
        if not isinstance(self.field, str) or not self.field:
            raise ScenarioError(f"range field = {self.field!r} is invalid: give a dotted field "
                                f"name such as population.base_rate")
        for end in ("low", "high") + (("mode",) if self.mode is not None else ()):
            v = getattr(self, end)
            if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
                raise ScenarioError(f"range {self.field}: {end} = {v!r} is invalid: must be a "
                                    f"finite number")
        if self.low > self.high:
            raise ScenarioError(f"range {self.field}: low = {self.low!r} is invalid: it must "
                                f"not exceed high = {self.high!r}")
        if self.shape not in SHAPES:
            raise ScenarioError(f"range {self.field}: shape = {self.shape!r} is invalid: choose "
                                f"one of {', '.join(SHAPES)}")
        if self.mode is not None:
            if self.shape != "triangular":
                raise ScenarioError(f"range {self.field}: mode is only for a triangular range")
            if not self.low <= self.mode <= self.high:
                raise ScenarioError(f"range {self.field}: mode = {self.mode!r} is invalid: it "
                                    f"must lie between low and high")

    @property
    def peak(self) -> float:
        return (self.low + self.high) / 2 if self.mode is None else self.mode

    def draw(self, rng: np.random.Generator, integer: bool) -> float | int:
        """One value: a float, or for a whole-number field an int in [low, high]."""
        if integer:
            lo, hi = math.ceil(self.low), math.floor(self.high)
            if self.shape == "uniform":
                return int(rng.integers(lo, hi + 1))
            # a triangular density over [lo - 1/2, hi + 1/2], rounded to the nearest integer
            x = rng.triangular(lo - 0.5, min(max(self.peak, lo - 0.5), hi + 0.5), hi + 0.5)
            return int(min(max(round(x), lo), hi))
        if self.low == self.high:
            return float(self.low)
        if self.shape == "uniform":
            return float(rng.uniform(self.low, self.high))
        return float(rng.triangular(self.low, self.peak, self.high))

    def to_dict(self) -> dict[str, Any]:
        out = {"field": self.field, "low": self.low, "high": self.high, "shape": self.shape}
        if self.mode is not None:
            out["mode"] = self.mode
        return out


@dataclass(frozen=True)
class Ensemble:
    """Many worlds of one base scenario, with ranges for the uncertain assumptions."""

    base: Scenario
    worlds: int = 30
    ranges: tuple[Range, ...] = ()

    def __post_init__(self):
        if not isinstance(self.base, Scenario):
            raise ScenarioError(f"ensemble scenario = {self.base!r} is invalid: must be a "
                                f"Scenario")
        w = self.worlds
        if isinstance(w, bool) or not isinstance(w, int) or not 2 <= w <= MAX_WORLDS:
            raise ScenarioError(f"worlds = {w!r} is invalid: must be a whole number from 2 to "
                                f"{MAX_WORLDS:,} (a range needs at least 2 worlds)")
        if not isinstance(self.ranges, tuple):
            object.__setattr__(self, "ranges", tuple(self.ranges))
        seen = set()
        for r in self.ranges:
            if not isinstance(r, Range):
                raise ScenarioError(f"range {r!r} is invalid: must be a Range")
            if r.field in seen:
                raise ScenarioError(f"range {r.field}: given twice; give each field one range")
            seen.add(r.field)
            integer = _is_integer_field(self.base, r.field)
            if integer and (r.low != int(r.low) or r.high != int(r.high)):
                raise ScenarioError(f"range {r.field}: {r.low:g}:{r.high:g} is invalid: "
                                    f"{r.field} is a whole number, so give whole-number ends")
            for end in (r.low, r.high):  # Scenario's own checks, at both ends
                try:
                    set_field(self.base, r.field, int(end) if integer else float(end))
                except ScenarioError as err:
                    raise ScenarioError(f"range {r.field}: {err}") from None

    def integer(self, path: str) -> bool:
        return _is_integer_field(self.base, path)

    # -- the worlds ----------------------------------------------------------------------

    def world(self, k: int) -> tuple[Scenario, dict[str, float | int]]:
        """World ``k``'s scenario and its drawn assumptions (independent of ``worlds``)."""
        child = np.random.SeedSequence(self.base.seed, spawn_key=(k,))
        return self._world(child)

    def _world(self, child: np.random.SeedSequence):
        assume_ss, world_ss = child.spawn(2)
        rng = np.random.default_rng(assume_ss)
        scenario = replace(self.base, seed=int(world_ss.generate_state(1)[0]))
        drawn: dict[str, float | int] = {}
        for r in self.ranges:
            value = r.draw(rng, self.integer(r.field))
            drawn[r.field] = value
            scenario = set_field(scenario, r.field, value)
        return scenario, drawn

    def scenarios(self) -> list[tuple[Scenario, dict[str, float | int]]]:
        """Every world's (scenario, assumptions); world k comes from child k of one spawn."""
        children = np.random.SeedSequence(self.base.seed).spawn(self.worlds)
        return [self._world(c) for c in children]

    def with_assumption(self, scenario: Scenario, path: str, value: float) -> Scenario:
        """``scenario`` with one assumption set (an int for a whole-number field)."""
        return set_field(scenario, path, int(value) if self.integer(path) else float(value))

    # -- JSON ----------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        return {"scenario": self.base.to_dict(), "worlds": self.worlds,
                "ranges": [r.to_dict() for r in self.ranges]}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    @classmethod
    def from_dict(cls, data: Any) -> Ensemble:
        if not isinstance(data, dict):
            raise ScenarioError("ensemble must be a JSON object with scenario, worlds, ranges")
        allowed = ("scenario", "worlds", "ranges")
        unknown = [k for k in data if k not in allowed]
        if unknown:
            raise ScenarioError(f"unknown key {unknown[0]!r} in ensemble; allowed keys: "
                                f"{', '.join(allowed)}")
        if "scenario" not in data:
            raise ScenarioError("ensemble scenario is missing: give the base scenario")
        ranges = data.get("ranges", [])
        if not isinstance(ranges, list):
            raise ScenarioError("ensemble ranges must be a list of {field, low, high} objects")
        made = []
        for i, item in enumerate(ranges):
            if not isinstance(item, dict):
                raise ScenarioError(f"ranges[{i}] must be an object with field, low, high")
            keys = tuple(f.name for f in fields(Range))
            bad = [k for k in item if k not in keys]
            if bad:
                raise ScenarioError(f"unknown key {bad[0]!r} in ranges[{i}]; allowed keys: "
                                    f"{', '.join(keys)}")
            missing = [k for k in ("field", "low", "high") if k not in item]
            if missing:
                raise ScenarioError(f"ranges[{i}] is missing {missing[0]!r}")
            made.append(Range(**item))
        return cls(Scenario.from_dict(data["scenario"]), data.get("worlds", 30), tuple(made))

    @classmethod
    def from_json(cls, text: str) -> Ensemble:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as err:
            raise ScenarioError(f"ensemble is not valid JSON: {err.msg} at line {err.lineno}, "
                                f"column {err.colno}") from None
        return cls.from_dict(data)


def parse_range(text: str) -> Range:
    """``FIELD=LOW:HIGH`` (uniform) or ``FIELD=LOW:MODE:HIGH`` (triangular peaking at MODE)."""
    field_name, sep, spec = text.partition("=")
    parts = spec.split(":")
    if not sep or not field_name.strip() or len(parts) not in (2, 3):
        raise ScenarioError(f"range {text!r} is invalid: write FIELD=LOW:HIGH or "
                            f"FIELD=LOW:MODE:HIGH, e.g. population.base_rate=0.005:0.02")
    try:
        numbers = [float(p) for p in parts]
    except ValueError:
        raise ScenarioError(f"range {text!r} is invalid: LOW and HIGH must be numbers") from None
    numbers = [int(x) if x.is_integer() and "." not in p and "e" not in p.lower() else x
               for x, p in zip(numbers, parts, strict=True)]
    if len(numbers) == 2:
        return Range(field_name.strip(), numbers[0], numbers[1])
    return Range(field_name.strip(), numbers[0], numbers[2], "triangular", numbers[1])


def default_ranges(scenario: Scenario) -> tuple[Range, ...]:
    """Sensible uncertain assumptions around a scenario's own values (so each domain gets its
    own): the base rate from half to twice, reviewers a little worse or better, labels a week
    earlier to two weeks later, and each drift weaker or stronger and earlier or later."""
    pop, review, fb = scenario.population, scenario.review, scenario.feedback
    out = [Range("population.base_rate", round(pop.base_rate / 2, 6),
                 round(min(pop.base_rate * 2, 0.5), 6)),
           Range("review.reviewer_accuracy", round(max(0.5, review.reviewer_accuracy - 0.1), 3),
                 round(min(1.0, review.reviewer_accuracy + 0.03), 3)),
           Range("feedback.label_delay", max(0, fb.label_delay - 1), min(52, fb.label_delay + 2))]
    for i, d in enumerate(scenario.drift):
        lo, hi = (-3.0, 3.0) if d.kind == "prior" else (0.0, 1.0)
        out.append(Range(f"drift[{i}].strength", round(max(lo, d.strength - 0.3), 3),
                         round(min(hi, d.strength + 0.2), 3)))
        out.append(Range(f"drift[{i}].onset_week", max(1, d.onset_week - 3),
                         min(260, d.onset_week + 3)))
    return tuple(out)
