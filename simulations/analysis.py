"""The tradeoff explorer for scores a team brings: metrics at any band, by period and segment,
drift of the score over time, and the cheapest policy within guardrails.

The file says what happened (scores, labels, perhaps money at stake, segments and time); the
``Setup`` says what the file cannot: what each kind of mistake costs, how many reviews a period
can take and how often reviewers are right. Everything else reuses the simulator's machinery:
one ``BandTable`` answers any band per period, one ``PolicyGrid`` feeds the optimizer.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from .drift import DEFAULT_BINS, psi
from .guardrails import Guardrails
from .metrics import BandTable, event_costs, roc_auc, safe_ratio
from .optimize import PolicyGrid, Suggestion, optimize_policy
from .report import cost_curve_of, curves_of, histogram_of, horizon_totals, segments_of
from .scenario import Costs
from .scores import ScoreData
from .text import clip

# Ranges that keep every total finite: a cost of 1e308 times a few rows overflows to inf and
# the total then reads 0 or NaN. With values up to scores.MAX_VALUE (1e12) and 2M rows, the
# largest total is ~2e30, far inside float range.
MAX_COST = 1e9
MAX_SHARE = 1e3
MAX_CAPACITY = 1e12


@dataclass(frozen=True)
class Setup:
    """What mistakes and reviews cost, in the user's unit, and the review team.

    A missed positive costs ``cost_fn`` plus ``fn_share_of_value`` times its value (when the
    file has a value column); a false alarm costs ``cost_fp``; a review costs ``cost_review``.
    ``capacity`` is reviews per period (per week with a time column, else for the whole file;
    None: unlimited), overflow goes to ``overflow_action``.
    """

    cost_fn: float = 10.0
    cost_fp: float = 1.0
    cost_review: float = 0.5
    fn_share_of_value: float = 1.0
    capacity: int | None = None
    overflow_action: str = "pass"
    reviewer_accuracy: float = 1.0
    seed: int = 0

    def __post_init__(self):
        for name in ("cost_fn", "cost_fp", "cost_review", "fn_share_of_value"):
            value, high = getattr(self, name), MAX_SHARE if name == "fn_share_of_value" \
                else MAX_COST
            if not (np.isfinite(value) and 0 <= value <= high):
                raise ValueError(f"{name} = {value!r} is invalid: it must be within [0, "
                                 f"{high:g}]")
        if self.capacity is not None and not 0 <= self.capacity <= MAX_CAPACITY:
            raise ValueError(f"capacity = {clip(self.capacity, 30)} is invalid: it must be "
                             f"within [0, {MAX_CAPACITY:g}]")
        if self.overflow_action not in ("pass", "flag"):
            raise ValueError(f"overflow_action must be 'pass' or 'flag', not "
                             f"{self.overflow_action!r}")
        if not 0.0 <= self.reviewer_accuracy <= 1.0:
            raise ValueError(f"reviewer_accuracy = {self.reviewer_accuracy!r} is invalid: it "
                             "must be within [0, 1]")

    @property
    def costs(self) -> Costs:
        return Costs(fn_fixed=self.cost_fn, fn_per_value=self.fn_share_of_value,
                     fp_fixed=self.cost_fp, fp_per_value=0.0, review=self.cost_review)


class Analysis:
    """One uploaded file under one setup; answers any (t_low, t_high)."""

    def __init__(self, data: ScoreData, setup: Setup = Setup()):  # noqa: B008 (frozen)
        self.data, self.setup = data, setup
        n = len(data)
        self.period = data.period if data.period is not None else np.ones(n, dtype=np.int64)
        self.period_names = data.periods or ("all",)
        value = data.value if data.value is not None else np.zeros(n)
        self.fn_cost, self.fp_cost = event_costs(value, data.label, setup.costs)
        rng = np.random.default_rng(setup.seed)
        self.correct = (np.ones(n, dtype=bool) if setup.reviewer_accuracy >= 1.0
                        else rng.random(n) < setup.reviewer_accuracy)
        self.table = BandTable.build(self.period, data.score, data.label, self.fn_cost,
                                     self.fp_cost, self.correct)
        self.capacity = n + 1 if setup.capacity is None else setup.capacity

    @property
    def periods(self) -> int:
        return len(self.table.weeks)

    def weekly(self, t_low: float, t_high: float) -> pd.DataFrame:
        """One row per period: counts, ratios, costs, ROC AUC and the score's PSI against the
        first period (undefined for the first)."""
        s = self.setup
        q = self.table.query(t_low, t_high, self.capacity, s.overflow_action, s.cost_review)
        frame = pd.DataFrame(q)  # "week" numbers the periods
        frame.insert(1, "period_name", [self.period_names[w - 1] for w in self.table.weeks])
        frame["auc"] = self._by_period["auc"]
        frame["score_psi"] = self._by_period["psi"]
        return frame.drop(columns=["auto_flagged", "auto_passed"])

    @cached_property
    def _by_period(self) -> dict[str, np.ndarray]:
        score, label = self.data.score, self.data.label
        first = score[self.period == self.table.weeks[0]]
        auc, drift = [], []
        for k, w in enumerate(self.table.weeks):  # one vectorised pass per period
            rows = self.period == w
            auc.append(roc_auc(label[rows], score[rows]))
            drift.append(np.nan if k == 0 else psi(first, score[rows]))
        return {"auc": np.array(auc), "psi": np.array(drift)}

    @property
    def chance_psi(self) -> float:
        """The score PSI chance alone gives between the first period and a typical later one:
        about (bins - 1) (1/n_first + 1/n_later) for samples of the same distribution."""
        sizes = np.bincount(self.period)[self.table.weeks]
        if len(sizes) < 2:
            return float("nan")
        return (DEFAULT_BINS - 1) * (1.0 / sizes[0] + 1.0 / float(np.median(sizes[1:])))

    def totals(self, t_low: float, t_high: float) -> dict[str, float]:
        totals = horizon_totals(self.weekly(t_low, t_high))
        totals["auc"] = self.auc
        return totals

    @cached_property
    def auc(self) -> float:
        """ROC AUC over every row (NaN with only one class)."""
        return roc_auc(self.data.label, self.data.score)

    def decisions(self, t_low: float, t_high: float):
        """Per-row (action, reviewed, final), in the kept rows' order."""
        return self.table.decisions(t_low, t_high, self.capacity, self.setup.overflow_action,
                                    self.data.label, self.correct)

    def segments(self, t_low: float, t_high: float) -> pd.DataFrame | None:
        if self.data.segment is None:
            return None
        _, reviewed, final = self.decisions(t_low, t_high)
        return segments_of(self.data.segment, self.data.segments, self.data.label, final,
                           reviewed)

    @cached_property
    def curves(self) -> pd.DataFrame:
        return curves_of(self.data.label, self.data.score)

    @cached_property
    def histogram(self) -> pd.DataFrame:
        return histogram_of(self.data.score, self.data.label)

    @cached_property
    def cost_curve(self) -> pd.DataFrame:
        return cost_curve_of(self.table, self.setup.overflow_action, self.setup.cost_review)

    def grid(self, thresholds=None) -> PolicyGrid:
        s = self.setup
        return PolicyGrid(self.data.score, self.data.label, self.fn_cost, self.fp_cost,
                          review_cost=s.cost_review, reviewer_correct=self.correct,
                          capacity=s.capacity, overflow_action=s.overflow_action,
                          weeks=self.periods, thresholds=thresholds)

    def suggest(self, guardrails: Guardrails, thresholds=None,
                frontier_points: int = 12) -> Suggestion:
        return optimize_policy(self.grid(thresholds), guardrails, frontier_points)


def describe(data: ScoreData) -> str:
    """One line on what was read: rows, positives, columns, transformations."""
    n, pos = len(data), int(data.label.sum())
    cols = ", ".join(f"{role} {col!r}" for role, col in data.columns.items() if col)
    text = (f"{n:,} rows, {pos:,} positive ({safe_ratio(pos, n):.1%}, label {data.positive!r}); "
            f"{cols}")
    if data.period is not None:
        text += f"; {len(data.periods)} periods"
    if data.notes:
        text += "; " + "; ".join(data.notes)
    return text
