"""The small protocol every domain follows, and sampling helpers the domains share.

A domain is one synthetic world: it knows how to draw a week of events (features, true label,
value at stake, segment) under a given drift state, and it carries the defaults and the words a
product team in that world would use. The engine never looks inside a domain beyond this
protocol, so every world shares one simulation loop, and the pages and reports read a world's
own knobs (``world_params``), headline figures (``highlights``) and monitoring charts
(``weekly_charts``) from its ``Domain`` rather than from a branch per world.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

ACTIONS = ("pass", "review", "flag")


@dataclass(frozen=True)
class DriftState:
    """How far each kind of drift has progressed in one week (0 means none).

    ``covariate``, ``concept`` and ``cohort`` are in [0, 1]; ``prior`` is a shift of the
    base rate's log2 odds (1 doubles the odds of a positive, -1 halves them).
    """

    covariate: float = 0.0
    prior: float = 0.0
    concept: float = 0.0
    cohort: float = 0.0


@dataclass
class Batch:
    """One week of generated events, as parallel arrays of length n.

    ``numeric`` is (n, len(numeric_features)) float64; ``categorical`` is
    (n, len(categorical_features)) integer codes into each feature's category list;
    ``label`` is 0/1; ``value`` is the money or harm at stake; ``segment`` is a code into the
    domain's segment list; ``extra`` holds domain-specific arrays (for example item ids).
    """

    numeric: np.ndarray
    categorical: np.ndarray
    label: np.ndarray
    value: np.ndarray
    segment: np.ndarray
    extra: dict[str, np.ndarray] = field(default_factory=dict)
    # ``extra`` arrays that order the batch's own events (impressions from most to least
    # popular) rather than hold one value per event, each with the function that computes it
    # from the batch: ``take`` recomputes them for the events it keeps
    orders: dict[str, Callable[[Batch], np.ndarray]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.label)

    def take(self, idx: np.ndarray) -> Batch:
        """The events at ``idx``, in that order, with every order extra recomputed."""
        kept = Batch(self.numeric[idx], self.categorical[idx], self.label[idx], self.value[idx],
                     self.segment[idx],
                     {k: v[idx] for k, v in self.extra.items() if k not in self.orders},
                     self.orders)
        for name, compute in self.orders.items():
            kept.extra[name] = compute(kept)
        kept.extra = {k: kept.extra[k] for k in self.extra}  # the generator's key order
        return kept

    @classmethod
    def concat(cls, batches: list[Batch]) -> Batch:
        """The events of ``batches``, one after the other (each array joined in order). Order
        extras are joined as they are and their functions kept, so a ``take`` of the joined
        batch recomputes them for the events it keeps."""
        first = batches[0]
        return cls(
            numeric=np.concatenate([b.numeric for b in batches]),
            categorical=np.concatenate([b.categorical for b in batches]),
            label=np.concatenate([b.label for b in batches]),
            value=np.concatenate([b.value for b in batches]),
            segment=np.concatenate([b.segment for b in batches]),
            extra={k: np.concatenate([b.extra[k] for b in batches]) for k in first.extra},
            orders=first.orders,
        )


@dataclass(frozen=True)
class WorldParam:
    """A knob only one world has (an assistant's sampling temperature), set in a scenario's
    ``world`` section. ``kind`` is "float" (within [lo, hi]) or "bool"."""

    name: str
    label: str
    default: float | bool
    help: str
    kind: str = "float"
    lo: float = 0.0
    hi: float = 1.0
    step: float = 0.05

    def problem(self, value: Any) -> str:
        """"" when ``value`` is allowed, else what is allowed (for a one-line message)."""
        if self.kind == "bool":
            return "" if isinstance(value, bool) else "must be true or false"
        if isinstance(value, bool) or not isinstance(value, int | float) or not np.isfinite(value):
            return "must be a finite number"
        return "" if self.lo <= value <= self.hi else f"allowed range is [{self.lo:g}, {self.hi:g}]"


@dataclass(frozen=True)
class WeeklyChart:
    """A weekly line chart a world adds to the Over time tab: ``columns`` maps weekly-table
    columns to legend names; ``lines`` are labelled reference levels (an alert line)."""

    title: str
    columns: dict[str, str]
    y_label: str
    lines: dict[str, float] = field(default_factory=dict)
    y_format: str | None = None


@dataclass(frozen=True)
class ImpactSpec:
    """What a decision does to a segment's future traffic in this world (delayed impact).

    Events whose final decision is ``action`` ("flag" or "pass") and whose true label is
    ``label`` harm the people behind them (``harm`` says who, in the domain's words): a
    share ``response`` of them does not come back, so the segment's arrivals shrink next
    week (``engine.impact``). ``source`` says where the default response comes from, or
    that it is illustrative.
    """

    action: str
    label: int
    harm: str
    response: float
    source: str


CHANGES = ("fixed", "up", "down", "any")


@dataclass(frozen=True)
class FeatureSpec:
    """How one feature reads to a person and how a counterfactual may change it.

    ``words`` names it in the domain's language ("the amount"); ``change`` is "fixed" (never
    changed: age, the channel that defines a segment), "up" or "down" (only that way: time
    only moves forward) or "any". The model may see a transform of the value people know:
    ``log1p`` means the model's column is log(1 + shown value). ``step`` is the smallest
    change worth stating in shown units (a whole beat per minute, one dollar); a stated value
    is a multiple of it. ``fmt`` writes a shown value ("${:,.0f}"). A 0/1 column sets
    ``flag`` to the words for 0 and for 1 ("a device used before", "a new device").
    """

    words: str
    change: str = "fixed"
    log1p: bool = False
    step: float = 0.0
    fmt: str = "{:,.2f}"
    flag: tuple[str, str] | None = None

    def __post_init__(self):
        if self.change not in CHANGES:
            raise ValueError(f"change must be one of {', '.join(CHANGES)}, not {self.change!r}")

    def shown(self, model_value):
        """The value people know, from the model's column (elementwise)."""
        return np.expm1(model_value) if self.log1p else model_value

    def to_model(self, shown_value):
        """The model's column, from the value people know (elementwise)."""
        return np.log1p(shown_value) if self.log1p else shown_value

    def text(self, model_value: float) -> str:
        """The value as a person reads it ("$1,240", "a new device")."""
        if self.flag is not None:
            return self.flag[int(round(float(model_value)))]
        return self.fmt.format(float(self.shown(model_value)))


@dataclass(frozen=True)
class Domain:
    """Everything the engine and the dashboard need to know about one world."""

    name: str
    title: str
    question: str
    unit: str
    value_name: str
    positive_word: str
    negative_word: str
    actions: dict[str, str]
    reviewers: str
    numeric_features: tuple[str, ...]
    categorical_features: tuple[tuple[str, tuple[str, ...]], ...]
    segments: tuple[str, ...]
    base_rate: float
    costs: dict[str, float]
    review_capacity: int
    policy: tuple[float, float]
    # Probability that a label is ever revealed under selective feedback, indexed
    # [final decision (0 = pass, 1 = flag)][true label]. Reviewed events always reveal
    # the reviewer's verdict.
    reveal: tuple[tuple[float, float], tuple[float, float]]
    make_world: Callable[[np.random.Generator], Any]
    generate: Callable[[int, float, DriftState, Any, np.random.Generator], Batch]
    # Optional weekly metrics of the domain: ``extra_metrics`` depends on the policy (what is
    # flagged); ``monitor`` does not (it sees only the week's events and the reference's).
    extra_metrics: Callable[..., dict[str, float]] | None = None
    monitor: Callable[[dict, dict], dict[str, float]] | None = None
    # The ``monitor`` column that measures semantic drift (a cosine distance of embedding
    # centroids, 0.15 the customary line): what the ``drift`` retrain trigger watches with
    # ``drift_on: "semantic"``. None for worlds without embeddings.
    semantic_drift: str | None = None
    overflow_action: str = "pass"  # what happens to band events no reviewer reaches
    # True: a person reviews and decides, right with the reviewer accuracy. False: the review
    # route is itself an action (an exploration slot shows the item) and ends flagged; the
    # true outcome is then observed.
    review_decides: bool = True
    # (label, formatted value, plain-language help) of the three figures the world's team
    # watches, from the horizon totals and the outcome (whose weekly table has the extras).
    highlights: Callable[[dict[str, float], Any], list[tuple[str, str, str]]] | None = None
    world_params: tuple[WorldParam, ...] = ()  # passed to make_world as keyword arguments
    weekly_charts: tuple[WeeklyChart, ...] = ()
    icon: str = ":material/public:"  # the navigation's icon for the world's page
    # How late labels come back when the team picks "realistic for this domain": a JSON-style
    # ``LabelDelay`` (see ``simulations.scenario``), sourced in each domain module. A domain
    # that says nothing gets every label one week late.
    realistic_delay: dict = field(default_factory=lambda: {"kind": "fixed", "weeks": 1})
    # True when the domain's covariate drift moves only the inputs and keeps P(label | features)
    # (labels drawn from the features); False when it moves features given the label (labels
    # drawn first), which changes what a feature value means. Label-free estimates rely on it.
    covariate_keeps_relation: bool = False
    # How each feature reads and whether a counterfactual may change it (one entry per
    # feature, numeric and categorical; categorical features are always "fixed": a one-feature
    # change of a category is not offered as recourse). simulations.explain reads only this.
    explain: dict[str, FeatureSpec] = field(default_factory=dict)
    # Delayed impact: what a decision does to who arrives in later weeks (a scenario's
    # ``impact`` section turns it on). None for a world where decisions do not plausibly
    # change next week's population; the scenario refuses ``impact`` there.
    impact: ImpactSpec | None = None

    def reviewer_correct(self, u_review: np.ndarray, accuracy: float,
                         label: np.ndarray) -> np.ndarray:
        """Per event, whether the review's verdict equals the truth (verdict = flag when not).

        When the review does not decide, "correct" is set to the label so that the verdict is
        always "flag" (a positive is flagged correctly, a negative flagged wrongly).
        """
        if self.review_decides:
            return u_review < accuracy
        return np.asarray(label).astype(bool)

    @property
    def categorical_names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.categorical_features)

    @property
    def feature_names(self) -> tuple[str, ...]:
        return self.numeric_features + self.categorical_names

    def action_word(self, action: str) -> str:
        return self.actions[action]


def format_share(value: float | None) -> str:
    """A share as a percentage with one decimal, or "undefined" (never 0) when it is NaN."""
    return "undefined" if value is None or not np.isfinite(value) else f"{value:.1%}"


def peak_drift(weekly, column: str, label: str, what: str) -> tuple[str, str, str]:
    """The highlight of a world's semantic-drift monitor: the largest weekly cosine distance
    in ``column``, with help saying what the centroid is of (``what``) and the 0.15 line."""
    peak = weekly[column].max()
    return (label, "undefined" if not np.isfinite(peak) else f"{peak:.3f}",
            f"Largest cosine distance between a week's {what} centroid and the training "
            "weeks'. Beyond 0.15 the change is large enough to check the model.")


def centroid_cosine_distance(current: np.ndarray, reference: np.ndarray) -> float:
    """Semantic drift: 1 - cos(mean of ``current``'s embeddings, mean of ``reference``'s).

    Rows are embeddings (any float dtype; the means are taken in float64). 0 means the
    average direction has not moved; the customary alert line is 0.15. A run measures every
    week against the same reference window, so its mean is taken once (``_reference_mean``).
    """
    now = current.mean(axis=0, dtype=np.float64)
    ref = _reference_mean(reference)
    return 1 - float(now @ ref / (np.linalg.norm(now) * np.linalg.norm(ref)))


# id of a reference array -> (a weak reference to it, its float64 column means); an entry
# leaves when its array is freed, so a new array at the same address is never mistaken for it
_REFERENCE_MEANS: dict[int, tuple[weakref.ref, np.ndarray]] = {}


def _reference_mean(reference: np.ndarray) -> np.ndarray:
    """``reference.mean(axis=0, dtype=np.float64)``, computed once per array (the arrays of
    a generated batch are never written to after it is made)."""
    key = id(reference)
    known = _REFERENCE_MEANS.get(key)
    if known is not None and known[0]() is reference:
        return known[1]
    mean = reference.mean(axis=0, dtype=np.float64)
    try:
        ref = weakref.ref(reference, lambda _, key=key: _REFERENCE_MEANS.pop(key, None))
    except TypeError:  # not an object a weak reference can follow: nothing to remember
        return mean
    _REFERENCE_MEANS[key] = (ref, mean)
    return mean


def no_world(rng: np.random.Generator) -> None:
    """Worlds without persistent state across weeks (fraud, triage) use this."""
    return None


def shifted_rate(base_rate: float, prior_shift: float) -> float:
    """Base rate after a prior shift of ``prior_shift`` in log2 odds (stays inside (0, 1))."""
    odds = base_rate / (1.0 - base_rate) * 2.0**prior_shift
    return odds / (1.0 + odds)


def draw_labels(n: int, rate: float, rng: np.random.Generator) -> np.ndarray:
    """n independent 0/1 labels with P(1) = rate."""
    return (rng.random(n) < rate).astype(np.int8)


def pick(label: np.ndarray, negative, positive):
    """Per-event parameter: ``positive`` where label is 1, ``negative`` elsewhere."""
    return np.where(label == 1, positive, negative)


def categorical_draw(probs: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One category code per row of ``probs`` (n, k), each row a probability vector: the
    number of the row's normalised cumulative sums below one uniform draw.

    The cumulative sums are built a category at a time (the same additions, in the same
    order, as ``np.cumsum(probs, axis=1)``), as k long rows rather than n short ones: a few
    times faster for the few categories a world has, with the same codes."""
    probs = np.asarray(probs)
    n, k = probs.shape
    cumulative = np.empty((k, n), dtype=probs.dtype)
    cumulative[0] = probs[:, 0]
    for j in range(1, k):
        np.add(cumulative[j - 1], probs[:, j], out=cumulative[j])
    cumulative /= cumulative[-1].copy()
    u = rng.random((n, 1))
    return np.count_nonzero(u[:, 0] > cumulative, axis=0).astype(np.int16)


def blend(a, b, weight):
    """(1 - weight) * a + weight * b, elementwise; weight may be an array."""
    return (1.0 - weight) * np.asarray(a, dtype=float) + weight * np.asarray(b, dtype=float)


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def intercept_for_rate(logits: np.ndarray, rate: float) -> float:
    """The constant b for which mean(sigmoid(logits + b)) equals ``rate`` (bisection).

    Each step computes ``sigmoid(logits + mid)`` operation by operation into one buffer:
    the same values as the expression, without five new arrays per step."""
    logits = np.asarray(logits)
    p = np.empty(logits.shape, dtype=np.result_type(logits, 0.0))
    lo, hi = -30.0, 30.0
    for _ in range(50):
        mid = 0.5 * (lo + hi)
        np.add(logits, mid, out=p)  # 1 / (1 + exp(-(logits + mid))), as ``sigmoid`` does
        np.negative(p, out=p)
        np.exp(p, out=p)
        np.add(1.0, p, out=p)
        np.divide(1.0, p, out=p)
        if p.mean() < rate:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)
