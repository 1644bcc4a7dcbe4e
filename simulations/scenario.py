"""Typed, validated configuration of one simulation run, and its JSON form.

A ``Scenario`` is a frozen tree of small dataclasses (population, model, drift, review, costs,
feedback, retraining, policy, data quality, delayed impact), plus ``world``: the knobs only its
domain has (an assistant's sampling temperature), which the domain declares and this module
validates. Every value is
checked on construction; a bad one raises
``ScenarioError`` with a message that names the field, the value and what is allowed, so the
CLI and the dashboard can show it as it is. ``to_dict``/``from_dict`` and
``to_json``/``from_json`` round-trip exactly; a JSON file may leave out any field (the domain's
defaults fill it in) but may not hold a key the scenario does not know.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from .domains import DOMAINS, get_domain


class ScenarioError(ValueError):
    """A scenario value is invalid; the message says which field, what value and what is allowed."""


def _fail(path: str, value: Any, allowed: str) -> None:
    shown = repr(value)
    if len(shown) > 60:
        shown = f"{shown[:60]}… ({len(shown):,} characters)"
    raise ScenarioError(f"{path} = {shown} is invalid: {allowed}")


def parse_json(text: str, where: str = "scenario file") -> Any:
    """JSON text as Python data, or a ScenarioError saying where it is broken. A byte-order
    mark is dropped; nesting deeper than any scenario needs is refused, not a crash."""
    text = text.removeprefix("\ufeff")
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise ScenarioError(f"{where} is not valid JSON: {err.msg} at line {err.lineno}, "
                            f"column {err.colno}") from None
    except RecursionError:
        raise ScenarioError(f"{where} is nested too deeply to be a scenario") from None


def _number(path: str, value: Any, lo: float, hi: float, *, open_lo=False, open_hi=False,
            integer=False) -> None:
    kind = "a whole number" if integer else "a number"
    if isinstance(value, bool) or not isinstance(value, int | float):
        _fail(path, value, f"must be {kind}")
    if integer and not isinstance(value, int):
        _fail(path, value, "must be a whole number")
    if not math.isfinite(value):
        _fail(path, value, "must be a finite number")
    too_low = value <= lo if open_lo else value < lo
    too_high = value >= hi if open_hi else value > hi
    if too_low or too_high:
        left = "(" if open_lo else "["
        right = ")" if open_hi else "]"
        _fail(path, value, f"allowed range is {left}{lo:g}, {hi:g}{right}")


def _choice(path: str, value: Any, options: tuple[str, ...]) -> None:
    if not isinstance(value, str) or value not in options:
        _fail(path, value, f"choose one of {', '.join(options)}")


@dataclass(frozen=True)
class Population:
    """Who shows up each week, and how much history the first model was trained on."""

    events_per_week: int = 20_000
    weeks: int = 26
    base_rate: float = 0.01
    reference_weeks: int = 4

    def __post_init__(self):
        _number("population.events_per_week", self.events_per_week, 200, 5_000_000, integer=True)
        _number("population.weeks", self.weeks, 1, 260, integer=True)
        _number("population.base_rate", self.base_rate, 0, 1, open_lo=True, open_hi=True)
        _number("population.reference_weeks", self.reference_weeks, 1, 52, integer=True)


MODEL_KINDS = ("logistic", "gradient_boosting")


@dataclass(frozen=True)
class ModelConfig:
    """Which scikit-learn model scores the events."""

    kind: str = "logistic"

    def __post_init__(self):
        _choice("model.kind", self.kind, MODEL_KINDS)


DRIFT_KINDS = ("covariate", "prior", "concept", "cohort")


@dataclass(frozen=True)
class DriftSpec:
    """One kind of drift: from ``onset_week`` it ramps up over ``ramp_weeks`` to ``strength``.

    ``strength`` is in [0, 1] for covariate, concept and cohort drift (1 is the strongest
    the domain models); for prior drift it is the shift of the base rate's log2 odds, in
    [-3, 3] (1 doubles the odds of a positive).
    """

    kind: str = "concept"
    onset_week: int = 8
    strength: float = 0.8
    ramp_weeks: int = 1

    def validate(self, path: str) -> None:
        _choice(f"{path}.kind", self.kind, DRIFT_KINDS)
        _number(f"{path}.onset_week", self.onset_week, 1, 260, integer=True)
        lo, hi = (-3.0, 3.0) if self.kind == "prior" else (0.0, 1.0)
        _number(f"{path}.strength", self.strength, lo, hi)
        _number(f"{path}.ramp_weeks", self.ramp_weeks, 1, 52, integer=True)

    def __post_init__(self):
        self.validate("drift")

    def intensity(self, week: int) -> float:
        """The drift's strength in ``week`` (0 before onset, linear ramp, then flat)."""
        if week < self.onset_week:
            return 0.0
        return self.strength * min(1.0, (week - self.onset_week + 1) / self.ramp_weeks)


OVERFLOW_ACTIONS = ("pass", "flag", "queue")
DEFAULT_ACTIONS = ("pass", "flag")
# the fields only a review queue uses (``overflow_action = "queue"``, or staffing given as
# analysts); a scenario without them writes none of them, so its JSON reads as before
QUEUE_FIELDS = ("default_action", "analysts", "hours_per_day", "items_per_hour", "shrinkage",
                "working_days", "target_hours", "max_wait_hours", "abandon_per_day",
                "abandon_cost", "overtime_hours", "overtime_premium")


@dataclass(frozen=True)
class Review:
    """The human-review fallback for the uncertain band.

    ``overflow_action``: what happens to band events above the week's ``capacity``: ``pass``
    or ``flag`` at once, unreviewed, or ``queue``: they wait for the next working day
    (``engine.queue``). A queue is worked oldest first on ``working_days`` days a week for
    ``hours_per_day`` hours; an item waiting ``max_wait_hours`` takes ``default_action``
    (expired), a share ``abandon_per_day`` of those waiting gives up at each midnight (each
    costing ``abandon_cost`` and taking the default action too), and ``target_hours`` is the
    promise ("decided within 24 h") the weekly ``within_target`` share is measured against.
    Up to ``overtime_hours`` a day more are worked when items are still waiting at closing
    time, each overtime review costing ``overtime_premium`` times a regular one.

    Staffing as people: with ``analysts`` given, capacity is computed, not stated:
    floor(analysts x hours_per_day x items_per_hour x (1 - shrinkage)) reviews a working day,
    times ``working_days`` a week (a capacity given beside it is refused, not overwritten).
    """

    capacity: int = 500
    reviewer_accuracy: float = 0.95
    overflow_action: str = "pass"
    default_action: str = "pass"
    analysts: float | None = None
    hours_per_day: float = 8.0
    items_per_hour: float = 4.0  # 15 minutes an order (MRC 2014)
    shrinkage: float = 0.3  # breaks, meetings, training: the share of paid hours not reviewing
    working_days: int = 5
    target_hours: float = 24.0
    max_wait_hours: float = 72.0
    abandon_per_day: float = 0.0
    abandon_cost: float = 0.0
    overtime_hours: float = 0.0
    overtime_premium: float = 1.5
    # reviewers as the source of labels (engine.reviewers): how much harder cases near the
    # boundary are (0: all alike, as before), and the share of reviews done twice
    hard_cases: float = 0.0
    double_share: float = 0.1

    def __post_init__(self):
        _number("review.capacity", self.capacity, 0, 10_000_000, integer=True)
        _number("review.reviewer_accuracy", self.reviewer_accuracy, 0.5, 1)
        _choice("review.overflow_action", self.overflow_action, OVERFLOW_ACTIONS)
        _choice("review.default_action", self.default_action, DEFAULT_ACTIONS)
        _number("review.hours_per_day", self.hours_per_day, 0, 24, open_lo=True)
        _number("review.items_per_hour", self.items_per_hour, 0, 10_000, open_lo=True)
        _number("review.shrinkage", self.shrinkage, 0, 1, open_hi=True)
        _number("review.working_days", self.working_days, 1, 7, integer=True)
        _number("review.target_hours", self.target_hours, 0, 24 * 365, open_lo=True)
        _number("review.max_wait_hours", self.max_wait_hours, 0, 24 * 365, open_lo=True)
        _number("review.abandon_per_day", self.abandon_per_day, 0, 1, open_hi=True)
        _number("review.abandon_cost", self.abandon_cost, 0, MAX_COST)
        _number("review.overtime_hours", self.overtime_hours, 0, 24 - self.hours_per_day)
        _number("review.overtime_premium", self.overtime_premium, 1, 10)
        _number("review.hard_cases", self.hard_cases, 0, 1)
        _number("review.double_share", self.double_share, 0, 1)
        if self.analysts is not None:
            _number("review.analysts", self.analysts, 0, 100_000, open_lo=True)
            object.__setattr__(self, "capacity", self.working_days * self.daily_staffed())

    def daily_staffed(self) -> int:
        """Reviews a working day from the staffing: analysts x hours x items/hour x (1 - shrinkage)."""
        return int(math.floor(self.analysts * self.hours_per_day * self.items_per_hour
                              * (1 - self.shrinkage) + 1e-9))

    @property
    def queued(self) -> bool:
        return self.overflow_action == "queue"

    @property
    def unreviewed_action(self) -> str:
        """What a band event nobody reviews ends as: the overflow action, or for a queue its
        default action (what the tools that answer one week at a time assume)."""
        return self.default_action if self.queued else self.overflow_action

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        if self.analysts is not None:
            del out["capacity"]  # computed from the staffing
        if not self.queued and self.analysts is None:
            for name in QUEUE_FIELDS:
                del out[name]
        for name in ("hard_cases", "double_share"):  # written only when changed
            if out[name] == getattr(Review, name):
                del out[name]
        return out

    @classmethod
    def from_dict(cls, data: dict, default: Review) -> Review:
        if "capacity" in data and data.get("analysts") is not None:
            raise ScenarioError(
                f"review.capacity = {data['capacity']!r} is invalid beside review.analysts = "
                f"{data['analysts']!r}: give one of them (analysts x hours x items per hour x "
                "(1 - shrinkage) x working days is the capacity)")
        if "capacity" in data:  # a stated capacity replaces a staffed default's analysts
            default = replace(default, analysts=None)
        return replace(default, **data)


MAX_COST = 1e9  # per event, per review or per retraining, in the domain's unit
MAX_COST_SHARE = 1e3  # multiples of an event's value


@dataclass(frozen=True)
class Costs:
    """Cost of each outcome, in the domain's unit: fixed part plus a share of the event's value.

    A missed positive costs ``fn_fixed + fn_per_value * value``; a false alarm costs
    ``fp_fixed + fp_per_value * value``; each reviewed event costs ``review``; each retraining
    costs ``retrain``.
    """

    fn_fixed: float = 0.0
    fn_per_value: float = 1.0
    fp_fixed: float = 1.0
    fp_per_value: float = 0.0
    review: float = 1.0
    retrain: float = 0.0

    def __post_init__(self):
        for f in fields(self):  # bounded so no total can overflow to inf (and read as 0)
            high = MAX_COST_SHARE if f.name.endswith("per_value") else MAX_COST
            _number(f"costs.{f.name}", getattr(self, f.name), 0, high)


FEEDBACK_MODES = ("full", "selective")
DELAY_KINDS = ("fixed", "geometric", "lognormal", "discrete")
_DELAY_FIELDS = {"fixed": ("weeks",), "geometric": ("weeks", "p", "max_weeks"),
                 "lognormal": ("median_weeks", "sigma", "max_weeks"),
                 "discrete": ("shares",)}


@dataclass(frozen=True)
class LabelDelay:
    """How many whole weeks after its event a label arrives, as a distribution.

    A delay of d weeks means the label of an event of week w is known at the end of week
    w + d (0: within the same week). The kinds, and the fields each one uses:

    - ``fixed``: every label ``weeks`` weeks late (what a single integer ``label_delay`` means);
    - ``geometric``: never before ``weeks``; from then on each week a share ``p`` of the labels
      still outstanding arrives (P(d = weeks + k) = p (1 - p)^k);
    - ``lognormal``: the continuous delay X (in weeks) is log-normal with median
      ``median_weeks`` and log-scale spread ``sigma``; d = floor(X);
    - ``discrete``: ``shares[k]`` of the labels arrive after k weeks; shares may sum to less
      than 1, the rest never arrive.

    For the spread-out kinds a label later than ``max_weeks`` never arrives (a dispute window
    closes: card networks accept fraud chargebacks for about 120 days, 17 weeks).
    """

    kind: str = "fixed"
    weeks: int = 1
    p: float = 0.5
    median_weeks: float = 4.0
    sigma: float = 0.6
    max_weeks: int = 52
    shares: tuple[float, ...] = ()

    def __post_init__(self):
        _choice("feedback.label_delay.kind", self.kind, DELAY_KINDS)
        _number("feedback.label_delay.weeks", self.weeks, 0, 52, integer=True)
        _number("feedback.label_delay.p", self.p, 0, 1, open_lo=True)
        _number("feedback.label_delay.median_weeks", self.median_weeks, 0, 52, open_lo=True)
        _number("feedback.label_delay.sigma", self.sigma, 0, 5, open_lo=True)
        _number("feedback.label_delay.max_weeks", self.max_weeks, 0, 104, integer=True)
        if not isinstance(self.shares, tuple):
            if not isinstance(self.shares, list):
                _fail("feedback.label_delay.shares", self.shares, "must be a list of shares")
            object.__setattr__(self, "shares", tuple(self.shares))
        if len(self.shares) > 105:
            _fail("feedback.label_delay.shares", len(self.shares), "at most 105 weeks")
        for k, share in enumerate(self.shares):
            _number(f"feedback.label_delay.shares[{k}]", share, 0, 1)
        if self.kind == "discrete" and not 0 < sum(self.shares) <= 1 + 1e-9:
            _fail("feedback.label_delay.shares", list(self.shares),
                  "the shares must add up to more than 0 and at most 1")
        if self.kind == "geometric" and self.weeks > self.max_weeks:
            _fail("feedback.label_delay.weeks", self.weeks,
                  f"must not exceed max_weeks = {self.max_weeks}")

    @property
    def fixed_weeks(self) -> int | None:
        """The delay when every label has the same one, else None."""
        return self.weeks if self.kind == "fixed" else None

    def shares_by_week(self) -> tuple[float, ...]:
        """Share of labels arriving after exactly 0, 1, 2, ... weeks (the rest never arrive)."""
        if self.kind == "fixed":
            return (0.0,) * self.weeks + (1.0,)
        if self.kind == "discrete":
            return self.shares
        if self.kind == "geometric":
            return (0.0,) * self.weeks + tuple(
                self.p * (1 - self.p) ** k for k in range(self.max_weeks - self.weeks + 1))
        cdf = [0.0] + [_lognormal_cdf(k, self.median_weeks, self.sigma)
                       for k in range(1, self.max_weeks + 2)]
        return tuple(b - a for a, b in zip(cdf[:-1], cdf[1:], strict=True))

    def to_dict(self) -> dict[str, Any]:
        """Only the fields of this kind."""
        out: dict[str, Any] = {"kind": self.kind}
        for name in _DELAY_FIELDS[self.kind]:
            value = getattr(self, name)
            out[name] = list(value) if name == "shares" else value
        return out

    @classmethod
    def from_dict(cls, data: Any) -> LabelDelay:
        path = "feedback.label_delay"
        if not isinstance(data, dict):
            _fail(path, data, "must be a whole number of weeks or an object with a kind")
        kind = data.get("kind", "fixed")
        _choice(f"{path}.kind", kind, DELAY_KINDS)
        _reject_unknown(path, data, ("kind", *_DELAY_FIELDS[kind]))
        return cls(**data)


def _lognormal_cdf(x: float, median: float, sigma: float) -> float:
    return 0.5 * (1 + math.erf(math.log(x / median) / (sigma * math.sqrt(2))))


@dataclass(frozen=True)
class Feedback:
    """Which true labels the team gets to see, and how late.

    ``full``: every true label arrives after its delay. ``selective``: only the labels the
    domain's decision reveals (a declined payment never shows whether it was fraud) arrive
    after their delay. Under both, a reviewed case is labelled with the reviewer's verdict
    from the week it is decided until its true label arrives, if it ever does
    (``engine.feedback``). ``label_delay`` is
    a whole number of weeks (every label equally late, as before) or a ``LabelDelay``
    distribution (in JSON an object such as ``{"kind": "lognormal", "median_weeks": 4}``).
    """

    mode: str = "full"
    label_delay: int | LabelDelay = 1

    def __post_init__(self):
        _choice("feedback.mode", self.mode, FEEDBACK_MODES)
        if isinstance(self.label_delay, dict):
            object.__setattr__(self, "label_delay", LabelDelay.from_dict(self.label_delay))
        if isinstance(self.label_delay, str | list | tuple | None):
            _fail("feedback.label_delay", self.label_delay, "must be a whole number of weeks "
                  'or an object such as {"kind": "lognormal", "median_weeks": 4}')
        if not isinstance(self.label_delay, LabelDelay):
            _number("feedback.label_delay", self.label_delay, 0, 52, integer=True)

    @property
    def delay(self) -> LabelDelay:
        """The delay as a distribution (a whole number is a fixed one)."""
        d = self.label_delay
        return d if isinstance(d, LabelDelay) else LabelDelay("fixed", weeks=d)

    def to_dict(self) -> dict[str, Any]:
        d = self.label_delay
        return {"mode": self.mode,
                "label_delay": d.to_dict() if isinstance(d, LabelDelay) else d}


RETRAIN_TRIGGERS = ("never", "every", "drift", "performance", "alert")
ALERT_RULES = ("cusum", "page_hinkley", "estimate_floor")
DRIFT_METRICS = ("psi", "kl", "js")
DRIFT_TARGETS = ("score", "features", "semantic")
PERFORMANCE_METRICS = ("precision", "recall")


@dataclass(frozen=True)
class Retrain:
    """When the model is retrained, and on what.

    ``never``; ``every`` ``every_weeks`` weeks; ``drift`` when ``drift_metric`` of the score (or of
    the most-drifted feature) against the reference window exceeds ``drift_threshold`` (with
    ``drift_on: "semantic"``, the world's semantic drift, a cosine distance of embedding centroids,
    for the worlds that have one: assistant, recommendation); ``performance`` when
    ``performance_metric`` measured on the labels seen that week falls below ``performance_floor``;
    ``alert`` when a label-free alert rule fires (``monitoring.alerts``): ``alert_rule`` ``cusum``
    or ``page_hinkley`` on the estimated cost, with ``alert_threshold`` as h or lambda, or
    ``estimate_floor`` when the estimated ``performance_metric`` falls below ``performance_floor``.
    A retraining fits a new model on the labels seen in the last ``window_weeks`` weeks and is
    skipped (and recorded as skipped) with fewer than ``min_labels`` labels or ``min_positives``
    positives. At least ``cooldown_weeks`` weeks pass between retrainings.
    """

    trigger: str = "never"
    every_weeks: int = 4
    drift_metric: str = "psi"
    drift_on: str = "score"
    drift_threshold: float = 0.25
    performance_metric: str = "recall"
    performance_floor: float = 0.5
    window_weeks: int = 4
    min_labels: int = 500
    min_positives: int = 20
    cooldown_weeks: int = 2
    alert_rule: str = "cusum"
    alert_threshold: float = 5.0

    def __post_init__(self):
        _choice("retrain.trigger", self.trigger, RETRAIN_TRIGGERS)
        _choice("retrain.alert_rule", self.alert_rule, ALERT_RULES)
        _number("retrain.alert_threshold", self.alert_threshold, 0, 1000, open_lo=True)
        _number("retrain.every_weeks", self.every_weeks, 1, 260, integer=True)
        _choice("retrain.drift_metric", self.drift_metric, DRIFT_METRICS)
        _choice("retrain.drift_on", self.drift_on, DRIFT_TARGETS)
        _number("retrain.drift_threshold", self.drift_threshold, 0, 100, open_lo=True)
        _choice("retrain.performance_metric", self.performance_metric, PERFORMANCE_METRICS)
        _number("retrain.performance_floor", self.performance_floor, 0, 1, open_lo=True)
        _number("retrain.window_weeks", self.window_weeks, 1, 52, integer=True)
        _number("retrain.min_labels", self.min_labels, 10, 10_000_000, integer=True)
        _number("retrain.min_positives", self.min_positives, 1, 10_000_000, integer=True)
        _number("retrain.cooldown_weeks", self.cooldown_weeks, 1, 52, integer=True)


@dataclass(frozen=True)
class Policy:
    """Decision thresholds: score >= t_high is flagged, score < t_low passes, between is reviewed.

    ``by_segment`` gives named segments their own band as ``(segment, t_low, t_high)``
    triples (in JSON an object ``{"SEGMENT": [t_low, t_high]}``); segments not named use the
    main band. The scenario checks the names against its domain and keeps them in the
    domain's order, so equal policies compare (and hash) equal.
    """

    t_low: float = 0.3
    t_high: float = 0.7
    by_segment: tuple[tuple[str, float, float], ...] = ()

    def __post_init__(self):
        _number("policy.t_low", self.t_low, 0, 1)
        _number("policy.t_high", self.t_high, 0, 1)
        if self.t_low > self.t_high:
            raise ScenarioError(
                f"policy.t_low = {self.t_low!r} is invalid: it must not exceed "
                f"policy.t_high = {self.t_high!r}"
            )
        object.__setattr__(self, "by_segment", _segment_bands(self.by_segment))

    def band_of(self, segment: str) -> tuple[float, float]:
        """The band that applies to ``segment``."""
        for name, lo, hi in self.by_segment:
            if name == segment:
                return lo, hi
        return self.t_low, self.t_high

    def bands(self, segments: tuple[str, ...]) -> list[tuple[float, float]]:
        """The band of each of ``segments``, in that order."""
        return [self.band_of(s) for s in segments]

    def is_uniform(self) -> bool:
        """True when every segment follows the main band (the single-band fast path applies)."""
        return all((lo, hi) == (self.t_low, self.t_high) for _, lo, hi in self.by_segment)

    def to_dict(self) -> dict[str, Any]:
        """JSON form; ``by_segment`` only when some segment has its own band."""
        out: dict[str, Any] = {"t_low": self.t_low, "t_high": self.t_high}
        if self.by_segment:
            out["by_segment"] = {name: [lo, hi] for name, lo, hi in self.by_segment}
        return out


def _segment_bands(value: Any) -> tuple[tuple[str, float, float], ...]:
    """``policy.by_segment`` as checked (segment, t_low, t_high) triples."""
    if isinstance(value, dict):
        items = list(value.items())
    elif isinstance(value, list | tuple):
        items = []
        for item in value:
            if not isinstance(item, list | tuple) or len(item) != 3:
                _fail("policy.by_segment", value, 'must be an object such as '
                      '{"SEGMENT": [t_low, t_high]}')
            items.append((item[0], item[1:]))
    else:
        _fail("policy.by_segment", value, 'must be an object such as {"SEGMENT": [t_low, t_high]}')
    out, seen = [], set()
    for name, band in items:
        path = f"policy.by_segment.{name}"
        if not isinstance(name, str) or not name:
            _fail("policy.by_segment", name, "segment names must be non-empty text")
        if name in seen:
            _fail("policy.by_segment", name, "names a segment twice")
        seen.add(name)
        if not isinstance(band, list | tuple) or len(band) != 2:
            _fail(path, band, "must be a pair [t_low, t_high]")
        lo, hi = band
        _number(f"{path}[0] (t_low)", lo, 0, 1)
        _number(f"{path}[1] (t_high)", hi, 0, 1)
        if lo > hi:
            raise ScenarioError(f"{path} = [{lo!r}, {hi!r}] is invalid: its t_low must not "
                                f"exceed its t_high (the band is crossed)")
        out.append((name, float(lo), float(hi)))
    return tuple(out)


@dataclass(frozen=True)
class DataQuality:
    """What is wrong with the training sets retrainings learn from, and whether to audit and
    clean them first (``simulations.labels``). Everything is off by default.

    Planted faults, each in the labels a retraining gathers (the simulator knows the truth):
    ``undersample_segment`` keeps only ``undersample_keep`` of that segment's rows (a logging
    gap); ``label_noise`` flips that share of the labels (a broken labelling join);
    ``duplicate_share`` appends an exact copy of that share of the rows (a join that fans
    out). ``audit`` looks for exact duplicates, suspected mislabelled rows (confident
    learning on out-of-fold probabilities) and segments whose share of the training rows is
    below ``bias_ratio`` times their share of production traffic; ``clean`` (which audits)
    drops the duplicates and the suspected rows before the model is fitted, each dropped row
    costing ``clean_cost`` (a person confirms it), added to the retraining's cost.
    """

    duplicate_share: float = 0.0
    label_noise: float = 0.0
    undersample_segment: str = ""
    undersample_keep: float = 0.2
    bias_ratio: float = 0.5
    audit: bool = False
    clean: bool = False
    clean_cost: float = 1.0

    def __post_init__(self):
        _number("data_quality.duplicate_share", self.duplicate_share, 0, 1, open_hi=True)
        _number("data_quality.label_noise", self.label_noise, 0, 0.5, open_hi=True)
        if not isinstance(self.undersample_segment, str):
            _fail("data_quality.undersample_segment", self.undersample_segment,
                  "must be a segment's name, or \"\" for none")
        _number("data_quality.undersample_keep", self.undersample_keep, 0, 1, open_lo=True)
        _number("data_quality.bias_ratio", self.bias_ratio, 0, 1, open_lo=True)
        for name in ("audit", "clean"):
            if not isinstance(getattr(self, name), bool):
                _fail(f"data_quality.{name}", getattr(self, name), "must be true or false")
        _number("data_quality.clean_cost", self.clean_cost, 0, MAX_COST)

    @property
    def planted(self) -> bool:
        return bool(self.duplicate_share or self.label_noise or self.undersample_segment)

    @property
    def active(self) -> bool:
        """Whether retrainings' training sets are touched or audited at all."""
        return self.planted or self.audit or self.clean

    @property
    def audited(self) -> bool:
        return self.audit or self.clean


@dataclass(frozen=True)
class Impact:
    """Delayed impact: this week's decisions change who arrives in the weeks after it.

    Off by default. With ``enabled``, every segment has a size (1 at the start): after each
    week it loses ``response`` times the share of the segment's events that the decision
    harmed (the domain says which, ``Domain.impact``: fraud's declined good payments,
    recommendation's hidden items a user would have engaged with) and wins back
    ``recovery`` of the gap to its natural size (new customers arrive). Each later week
    keeps its number of events and gives each segment a share proportional to its natural
    count that week times its size (``engine.impact``). ``response`` left null is the
    domain's default (``Domain.impact.response``, with its source).
    """

    enabled: bool = False
    response: float | None = None
    recovery: float = 0.0

    def __post_init__(self):
        if not isinstance(self.enabled, bool):
            _fail("impact.enabled", self.enabled, "must be true or false")
        if self.response is not None:
            _number("impact.response", self.response, 0, 1, open_hi=True)
        _number("impact.recovery", self.recovery, 0, 1)


SECTIONS = {
    "population": Population,
    "model": ModelConfig,
    "review": Review,
    "costs": Costs,
    "feedback": Feedback,
    "retrain": Retrain,
    "policy": Policy,
    "data_quality": DataQuality,
    "impact": Impact,
}


@dataclass(frozen=True)
class Scenario:
    """One complete, validated simulation setup. Frozen, so it hashes by value (a cache key)."""

    domain: str
    seed: int = 0
    population: Population = field(default_factory=Population)
    model: ModelConfig = field(default_factory=ModelConfig)
    drift: tuple[DriftSpec, ...] = ()
    review: Review = field(default_factory=Review)
    costs: Costs = field(default_factory=Costs)
    feedback: Feedback = field(default_factory=Feedback)
    retrain: Retrain = field(default_factory=Retrain)
    policy: Policy = field(default_factory=Policy)
    # The domain's own knobs as (name, value) pairs in the domain's order; a dict is accepted
    # and any knob left out takes the domain's default.
    world: tuple[tuple[str, Any], ...] = ()
    data_quality: DataQuality = field(default_factory=DataQuality)
    impact: Impact = field(default_factory=Impact)

    def __post_init__(self):
        _choice("domain", self.domain, tuple(DOMAINS))
        _number("seed", self.seed, 0, 2**32 - 1, integer=True)
        object.__setattr__(self, "world", _world(self.domain, self.world))
        if not isinstance(self.drift, tuple):
            object.__setattr__(self, "drift", tuple(self.drift))
        for i, spec in enumerate(self.drift):
            if not isinstance(spec, DriftSpec):
                _fail(f"drift[{i}]", spec, "must be a drift specification")
        for name, cls in SECTIONS.items():
            if not isinstance(getattr(self, name), cls):
                _fail(name, getattr(self, name), f"must be a {cls.__name__}")
        if self.review.queued and not self.policy.is_uniform():
            raise ScenarioError(
                "policy.by_segment cannot be combined with review.overflow_action = 'queue': "
                "the carried-over queue serves one band; drop the per-segment bands or let "
                "unreviewed cases 'pass' or 'flag'")
        if self.retrain.drift_on == "semantic" and get_domain(self.domain).semantic_drift is None:
            with_it = ", ".join(n for n in DOMAINS if get_domain(n).semantic_drift)
            raise ScenarioError(
                f"retrain.drift_on = 'semantic' is invalid: the {self.domain} world has no "
                f"semantic-drift monitor (only {with_it} do); watch 'score' or 'features'")
        if self.policy.by_segment:
            object.__setattr__(self, "policy", _known_segments(self.domain, self.policy))
        _check_data_quality(self)
        _check_impact(self)

    # -- convenience -------------------------------------------------------------------
    def with_policy(self, t_low: float, t_high: float,
                    by_segment: tuple | dict = ()) -> Scenario:
        """A copy with this band (and these per-segment bands; none by default)."""
        return replace(self, policy=Policy(t_low, t_high, by_segment))

    @property
    def world_values(self) -> dict[str, Any]:
        """The domain's own knobs by name (empty for a world that has none)."""
        return dict(self.world)

    def with_changes(self, **sections: dict[str, Any]) -> Scenario:
        """A copy with fields of sections replaced: ``with_changes(review={"capacity": 10})``."""
        updates = {}
        for name, changes in sections.items():
            if name == "world":
                updates["world"] = {**self.world_values, **changes}
                continue
            if name not in SECTIONS:
                _fail(name, changes, f"unknown section; choose one of {', '.join(SECTIONS)}")
            updates[name] = replace(getattr(self, name), **changes)
        return replace(self, **updates)

    @property
    def impact_response(self) -> float:
        """The share of harmed events whose people do not come back (the domain's default
        when the scenario leaves it out; 0 for a world without delayed impact)."""
        if self.impact.response is not None:
            return self.impact.response
        spec = get_domain(self.domain).impact
        return spec.response if spec is not None else 0.0

    @property
    def policy_changes_labels(self) -> bool:
        """True when the band can change which labels are seen and so the model history, or
        (delayed impact) which events arrive at all.

        Then a band move needs a new simulation; otherwise the cached scores answer it.
        """
        if self.impact.enabled:
            return True
        if self.retrain.trigger == "never":
            return False
        if self.feedback.mode == "selective" or self.retrain.trigger in ("performance", "alert"):
            return True
        # full feedback: a reviewed event's label is the reviewer's verdict until its outcome
        # arrives, so the band changes the labels a retraining holds, unless every outcome
        # arrives within its own week (then it replaces the verdict at once)
        return (get_domain(self.domain).review_decides
                and self.feedback.delay.shares_by_week()[0] < 1)

    @property
    def why_bands_rerun(self) -> str:
        """Why a band move needs a new simulation, as a sentence ("" when it does not)."""
        if self.impact.enabled:
            return ("In this scenario the decisions change who arrives in later weeks "
                    "(delayed impact), so moving the band changes the traffic itself: each "
                    "band move re-runs the simulation.")
        if self.policy_changes_labels:
            return ("This scenario retrains on the labels its own decisions reveal, so moving "
                    "the band changes what the model learns: each band move re-runs the "
                    "simulation.")
        return ""

    # -- JSON ---------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"domain": self.domain, "seed": self.seed}
        for name in ("population", "model"):
            out[name] = asdict(getattr(self, name))
        out["drift"] = [asdict(spec) for spec in self.drift]
        for name in ("review", "costs", "feedback", "retrain", "policy"):
            section = getattr(self, name)
            out[name] = (section.to_dict() if name in ("feedback", "review", "policy")
                         else asdict(section))
        if self.world:  # only worlds with knobs have the section, so other files stay as they were
            out["world"] = self.world_values
        if self.data_quality.active:  # written only when used, so other files read as before
            out["data_quality"] = asdict(self.data_quality)
        if self.impact != Impact():  # likewise
            out["impact"] = asdict(self.impact)
        return out

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    @classmethod
    def from_dict(cls, data: Any) -> Scenario:
        """Build from a dict such as JSON gives; missing fields take the domain's defaults."""
        if not isinstance(data, dict):
            _fail("scenario", type(data).__name__, "must be a JSON object")
        _reject_unknown("scenario", data, ("domain", "seed", "drift", *SECTIONS, "world"))
        if "domain" not in data:
            raise ScenarioError(
                f"domain is missing: say which world to simulate ({', '.join(DOMAINS)})"
            )
        known = isinstance(data["domain"], str) and data["domain"] in DOMAINS
        if not known:
            _fail("domain", data["domain"], f"choose one of {', '.join(DOMAINS)}")
        base = default_scenario(data["domain"])
        updates: dict[str, Any] = {}
        if "seed" in data:
            updates["seed"] = data["seed"]
        for name, section_cls in SECTIONS.items():
            if name in data:
                updates[name] = _section_from_dict(name, section_cls, data[name],
                                                   getattr(base, name))
        if "drift" in data:
            if not isinstance(data["drift"], list):
                _fail("drift", data["drift"], "must be a list of drift specifications")
            specs = []
            for i, item in enumerate(data["drift"]):
                path = f"drift[{i}]"
                if not isinstance(item, dict):
                    _fail(path, item, "must be an object with kind, onset_week, strength")
                _reject_unknown(path, item, tuple(f.name for f in fields(DriftSpec)))
                try:
                    spec = DriftSpec(**item)
                except ScenarioError as err:
                    raise ScenarioError(str(err).replace("drift.", f"{path}.", 1)) from None
                specs.append(spec)
            updates["drift"] = tuple(specs)
        if "world" in data:
            if not isinstance(data["world"], dict):
                _fail("world", data["world"], "must be an object")
            updates["world"] = data["world"]
        return replace(base, **updates)

    @classmethod
    def from_json(cls, text: str) -> Scenario:
        return cls.from_dict(parse_json(text))

    @classmethod
    def load(cls, path: str | Path) -> Scenario:
        try:
            text = Path(path).read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            raise ScenarioError(f"scenario file {str(path)!r} does not exist") from None
        except (OSError, UnicodeDecodeError) as err:
            raise ScenarioError(f"cannot read scenario file {str(path)!r}: {err}") from None
        return cls.from_json(text)

    def save(self, path: str | Path) -> None:
        Path(path).write_text(self.to_json() + "\n", encoding="utf-8")


def _check_data_quality(scenario: Scenario) -> None:
    """The data-quality section against the rest: a segment of this world, and a retraining
    whose training set it can act on."""
    dq = scenario.data_quality
    segments = get_domain(scenario.domain).segments
    if dq.undersample_segment and dq.undersample_segment not in segments:
        raise ScenarioError(
            f"data_quality.undersample_segment = {dq.undersample_segment!r} is not a "
            f"{scenario.domain} segment; choose among {', '.join(segments)} (or \"\" for none)")
    if dq.active and scenario.retrain.trigger == "never":
        raise ScenarioError(
            "data_quality acts on the training sets of retrainings, and retrain.trigger is "
            "'never': choose a trigger (e.g. 'every') or leave data_quality at its defaults")


def _check_impact(scenario: Scenario) -> None:
    """Delayed impact only where the world declares what a decision does to its traffic."""
    if not scenario.impact.enabled:
        return
    if get_domain(scenario.domain).impact is None:
        with_it = ", ".join(n for n in DOMAINS if get_domain(n).impact is not None)
        raise ScenarioError(
            f"impact.enabled = True is invalid: the {scenario.domain} world declares no "
            f"delayed impact (its decisions do not change who arrives); only {with_it} do")
    if scenario.review.queued:
        raise ScenarioError(
            "impact cannot be combined with review.overflow_action = 'queue': a queued case's "
            "decision can fall in a later week; let unreviewed cases 'pass' or 'flag'")


def _known_segments(domain: str, policy: Policy) -> Policy:
    """``policy`` with its per-segment bands checked against the domain, in its order."""
    segments = get_domain(domain).segments
    given = {name: (lo, hi) for name, lo, hi in policy.by_segment}
    unknown = [name for name in given if name not in segments]
    if unknown:
        raise ScenarioError(f"policy.by_segment names {unknown[0]!r}, which is not a {domain} "
                            f"segment; choose among {', '.join(segments)}")
    ordered = tuple((s, *given[s]) for s in segments if s in given)
    return replace(policy, by_segment=ordered)


def _reject_unknown(path: str, data: dict, allowed: tuple[str, ...]) -> None:
    unknown = [key for key in data if key not in allowed]
    if unknown:
        raise ScenarioError(
            f"unknown key {unknown[0]!r} in {path}; allowed keys: {', '.join(allowed)}"
        )


def _world(domain: str, values: Any) -> tuple[tuple[str, Any], ...]:
    """The domain's knobs, checked, with defaults for those left out, in the domain's order."""
    params = get_domain(domain).world_params
    try:
        given = dict(values)
    except (TypeError, ValueError):
        _fail("world", values, "must be an object of the domain's knobs")
    allowed = tuple(p.name for p in params)
    unknown = [key for key in given if key not in allowed]
    if unknown:
        known = ", ".join(allowed) if allowed else f"none (the {domain} world has no knobs)"
        raise ScenarioError(f"unknown key {unknown[0]!r} in world; allowed keys: {known}")
    for p in params:
        if p.name in given and (problem := p.problem(given[p.name])):
            _fail(f"world.{p.name}", given[p.name], problem)
    return tuple((p.name, given.get(p.name, p.default)) for p in params)


def _section_from_dict(name: str, section_cls: type, data: Any, default: Any) -> Any:
    if not isinstance(data, dict):
        _fail(name, data, "must be an object")
    allowed = tuple(f.name for f in fields(section_cls))
    _reject_unknown(name, data, allowed)
    if section_cls is Review:
        return Review.from_dict(data, default)
    return replace(default, **data)


# where a queue's people and promises differ from a fraud team's (the Review defaults): triage
# nurses cover the clock and answer urgent calls within 30 minutes (Australasian Triage Scale
# category 3, 75% within 30 min); support agents reply to tickets within a working day.
QUEUE_DEFAULTS: dict[str, dict[str, Any]] = {
    "triage": {"hours_per_day": 24.0, "working_days": 7, "items_per_hour": 6.0,
               "target_hours": 0.5, "max_wait_hours": 12.0},
    "assistant": {"working_days": 5, "items_per_hour": 6.0, "target_hours": 8.0,
                  "max_wait_hours": 72.0},
    "recommendation": {"hours_per_day": 24.0, "working_days": 7, "items_per_hour": 1000.0,
                       "target_hours": 24.0, "max_wait_hours": 24.0},
}


def default_scenario(domain: str, **overrides: Any) -> Scenario:
    """The domain's defaults as a scenario (no drift, no retraining)."""
    d = get_domain(domain)
    scenario = Scenario(
        domain=d.name,
        population=Population(base_rate=d.base_rate),
        review=Review(capacity=d.review_capacity, overflow_action=d.overflow_action,
                      default_action=d.overflow_action, **QUEUE_DEFAULTS.get(d.name, {})),
        costs=Costs(**d.costs),
        policy=Policy(*d.policy),
    )
    return replace(scenario, **overrides) if overrides else scenario
