"""The tradeoff explorer for scores a team brings: metrics at any band, by period and segment,
drift of the score over time, and the cheapest policy within guardrails.

The file says what happened (scores, labels, perhaps money at stake, segments and time); the
``Setup`` says what the file cannot: what each kind of mistake costs, how many reviews a period
can take and how often reviewers are right. Everything else reuses the simulator's machinery:
one ``BandTable`` answers any band per period, one ``PolicyGrid`` feeds the optimizer.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np
import pandas as pd

from ..monitoring.drift import DEFAULT_BINS, psi
from ..monitoring.estimates import (
    calibration_spread,
    estimate_weekly,
    fit_calibration,
    label_free_costs,
)
from ..policy.guardrails import Guardrails
from ..policy.metrics import BandTable, event_costs, horizon_totals, roc_auc, safe_ratio
from ..policy.optimize import PolicyGrid, Suggestion, optimize_policy
from ..reporting.summary import cost_curve_of, curves_of, histogram_of, segments_of
from ..reporting.text import clip
from ..scenario import Costs
from .read import ScoreData

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
        self.unlabelled: ScoreData | None = None
        if data.labelled is not None:  # the periods without labels get estimates instead
            self.unlabelled = _rows_of(data, ~data.labelled)
            data = _rows_of(data, data.labelled)
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
                          week=self.period, thresholds=thresholds, table=self.table)

    def suggest(self, guardrails: Guardrails, thresholds=None,
                frontier_points: int = 12) -> Suggestion:
        return optimize_policy(self.grid(thresholds), guardrails, frontier_points)


    def estimates(self, t_low: float, t_high: float) -> pd.DataFrame | None:
        """Per period not labelled yet: precision, recall, cost and the review queue's
        precision estimated from the scores, calibrated (isotonic) on the labelled periods,
        with 90 % intervals; None when no period is marked as not labelled yet. A reviewed
        row's verdict is not known either: it counts as flagged with the chance the
        reviewers would flag it (p a + (1 - p)(1 - a) for accuracy a) and as passed
        otherwise."""
        if self.unlabelled is None:
            return None
        u, s = self.unlabelled, self.setup
        cal = self._calibration
        if cal is None:
            raise ValueError("the labelled periods hold one class only: the scores cannot be "
                             "calibrated, so the periods without labels cannot be estimated")
        p, spread = cal(u.score), self._spread(u.score)
        value = u.value if u.value is not None else np.zeros(len(u))
        fn_cost, fp_cost = label_free_costs(value, s.costs)
        blank = np.zeros(len(u), dtype=np.int8)
        table = BandTable.build(u.period, u.score, blank, fn_cost, fp_cost,
                                np.ones(len(u), dtype=bool))
        capacity = len(u) + 1 if s.capacity is None else s.capacity
        action, reviewed, _ = table.decisions(t_low, t_high, capacity, s.overflow_action, blank,
                                              np.ones(len(u), dtype=bool))
        final = (action == 2) | ((action == 1) & ~reviewed & (s.overflow_action == "flag"))
        a = s.reviewer_accuracy
        says_flag = p * a + (1 - p) * (1 - a)
        r = reviewed
        rows = np.concatenate([np.flatnonzero(~r), np.flatnonzero(r), np.flatnonzero(r)])
        nr = int(r.sum())
        with np.errstate(invalid="ignore", divide="ignore"):
            q_flag = np.nan_to_num(p[r] * a / says_flag[r])
            q_pass = np.nan_to_num(p[r] * (1 - a) / (1 - says_flag[r]))
        est = estimate_weekly(
            u.period[rows], np.concatenate([p[~r], q_flag, q_pass]),
            np.concatenate([final[~r], np.ones(nr, bool), np.zeros(nr, bool)]),
            np.concatenate([np.zeros(int((~r).sum()), bool), np.ones(2 * nr, bool)]),
            fn_cost[rows], fp_cost[rows], s.cost_review, spread=spread[rows],
            weight=np.concatenate([np.ones(int((~r).sum())), says_flag[r], 1 - says_flag[r]]))
        events = np.bincount(u.period - int(est["week"].iloc[0]), minlength=len(est))
        est.insert(1, "period_name", [u.periods[w - 1] for w in est["week"]])
        est.insert(2, "events", events[:len(est)])
        return est[est["events"] > 0].drop(columns=["est_tp", "est_fn", "est_cost_spread"])

    @cached_property
    def _calibration(self):
        return fit_calibration(self.data.score, self.data.label)

    @cached_property
    def _spread(self):
        seq = np.random.SeedSequence(self.setup.seed, spawn_key=(1,))  # apart from reviewers'
        return calibration_spread(self._calibration, np.random.default_rng(seq))


def _rows_of(data: ScoreData, keep: np.ndarray) -> ScoreData:
    """The same data restricted to the rows ``keep`` marks (periods keep their numbering)."""
    pick = lambda x: None if x is None else x[keep]  # noqa: E731
    return replace(data, score=data.score[keep], label=data.label[keep],
                   value=pick(data.value), segment=pick(data.segment),
                   period=pick(data.period), rows=data.rows[keep], labelled=None)


def one_class_warning(data: ScoreData) -> str | None:
    """What a file whose labelled rows are all of one class cannot answer (None otherwise):
    said on the page as a warning, since every chart and card below it is affected."""
    label = data.label if data.labelled is None else data.label[data.labelled]
    if len(label) == 0 or (label.any() and not label.all()):
        return None
    if label.all():
        return ("Every labelled row is positive, so nothing here can be a false alarm: the "
                "false-positive rate, the ROC curve and the AUC are undefined, and precision is "
                "100% at any threshold that flags something. Check the label column and which "
                "value is the positive class.")
    return ("Every labelled row is negative, so nothing here can be caught: recall, the ROC "
            "curve and the AUC are undefined, and precision is 0% at any threshold that "
            "flags something (undefined where nothing is). Check the label column and which "
            "value is the positive class.")


def describe(data: ScoreData) -> str:
    """One line on what was read: rows, positives, columns, transformations."""
    n, pos = len(data), int(data.label.sum())
    known = n if data.labelled is None else int(data.labelled.sum())
    cols = ", ".join(f"{role} {col!r}" for role, col in data.columns.items() if col)
    text = (f"{n:,} rows, {pos:,} positive ({safe_ratio(pos, known):.1%} of the labelled, "
            f"label {data.positive!r}); {cols}" if data.labelled is not None else
            f"{n:,} rows, {pos:,} positive ({safe_ratio(pos, n):.1%}, label {data.positive!r}); "
            f"{cols}")
    if data.labelled is not None:
        text += f"; {n - known:,} rows in periods without labels yet (estimated)"
    if data.period is not None:
        text += f"; {len(data.periods)} periods"
    if data.notes:
        text += "; " + "; ".join(data.notes)
    return text
