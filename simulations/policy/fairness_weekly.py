"""A fairness strategy followed week by week: bands chosen on the first weeks, then kept.

A team picks per-segment bands that meet an equality (``policy.fairness``) on the weeks it
has seen, ships them, and keeps them while the world drifts and the model is retrained. This
module answers what happens next: for every week of the run, the gap the strategy's metric
reaches between the highest and the lowest segment (pooled over the last ``pooled_weeks``
weeks: a small segment's weekly rate is noisy), the weekly price of the constraint (its cost
minus the cost of the cheapest per-segment bands chosen on the same weeks), and the first
week after the fitting weeks in which the gap exceeds the tolerance.

Everything comes from one ``SegmentBandTable`` of the run's events (the shared review queue
included), two queries (the fair bands, the cheapest bands) and cumulative sums over weeks:
no loop over events. The gap's noise is the two extreme segments' binomial standard errors
combined (``1.96 * sqrt(se_max^2 + se_min^2)``): how much the same week's gap would move in
another draw of the same world.

When the decisions change the traffic itself (delayed impact, ``engine.impact``), no other
band can be answered from the run's scores; ``run_gap`` then follows the gap of the bands the
run used, week by week, as the population moves.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .fairness import METRIC_OF, WORDS, FairnessProblem, FairResult
from .guardrails import Guardrails
from .metrics import event_costs, safe_ratio
from .segment_bands import segment_table_of

# each metric as (numerator, denominator) of the weekly per-segment counts
_PARTS = {"recall": ("tp", "positives"), "precision": ("tp", "flagged"),
          "pass_rate": ("passed", "events"), "fpr": ("fp", "negatives")}
_EPS = 1e-12


@dataclass
class WeeklyFairness:
    """A strategy's bands (chosen on weeks 1..fit_weeks) followed over the whole run."""

    strategy: str
    tolerance: float
    metric: str
    fit_weeks: int
    pooled_weeks: int
    fitted: FairResult  # the strategy on the fitting weeks (its bands, gap, feasibility)
    cheapest: FairResult  # the cheapest per-segment bands on the same weeks
    weekly: pd.DataFrame  # week, gap, gap_noise, price, cost, cost_cheapest, <metric>_<segment>
    first_open: int | None  # first week after the fitting weeks with gap > tolerance

    def sentence(self, unit: str = "$") -> str:
        """What the chart says, in one or two sentences."""
        words = WORDS[self.metric]
        tol = self.tolerance * 100
        fit = (f"Bands chosen on weeks 1-{self.fit_weeks}" if self.fit_weeks > 1
               else "Bands chosen on week 1")
        pooled = "" if self.pooled_weeks == 1 else \
            f" (each week pooled with the {self.pooled_weeks - 1} before it)"
        if not self.fitted.feasible:
            head = (f"{fit} cannot meet equal {words} within {tol:.1f} pp even there: "
                    f"{self.fitted.message}")
        else:
            head = f"{fit} keep every segment's {words} within {tol:.1f} pp on those weeks."
        later = self.weekly[self.weekly["week"] > self.fit_weeks]
        if not len(later):
            when = " No week after the fitting weeks to follow them into."
        elif self.first_open is None:
            when = (f" The gap{pooled} stays within the tolerance in every later week "
                    f"(largest {np.nanmax(later['gap']) * 100:.1f} pp)."
                    if np.isfinite(later["gap"]).any() else
                    f" The gap{pooled} is undefined in every later week (a segment without "
                    f"the events its {words} needs).")
        else:
            row = self.weekly.set_index("week").loc[self.first_open]
            when = (f" The gap{pooled} first exceeds it in week {self.first_open}: "
                    f"{row['gap'] * 100:.1f} pp (± {row['gap_noise'] * 100:.1f} pp from the "
                    f"draw alone).")
        price = float(np.nansum(self.weekly["price"]))
        sign = "more" if price >= 0 else "less"
        money = f"${abs(price):,.0f}" if unit == "$" else f"{abs(price):,.0f} {unit}"
        return (f"{head}{when} Over the whole run the constraint costs {money} {sign} than "
                "the cheapest bands per segment chosen on the same weeks.")


def default_fit_weeks(scenario) -> int:
    """The weeks before the first drift onset (all weeks when nothing drifts), at least 1."""
    weeks = scenario.population.weeks
    onsets = [d.onset_week for d in scenario.drift if d.onset_week <= weeks]
    return max(1, min(onsets) - 1) if onsets else weeks


def _problem(result, fit_weeks: int, guardrails: Guardrails | None) -> FairnessProblem:
    """The fairness search over the events of weeks 1..fit_weeks only."""
    s, a = result.scenario, result.arrays
    keep = a["week"] <= fit_weeks
    sub = {k: a[k][keep] for k in ("week", "score", "label", "value", "u_review", "segment")}
    fn_cost, fp_cost = event_costs(sub["value"], sub["label"], s.costs)
    correct = result.domain.reviewer_correct(sub["u_review"], s.review.reviewer_accuracy,
                                             sub["label"])
    return FairnessProblem(sub["week"], sub["score"], sub["label"], fn_cost, fp_cost, correct,
                           sub["segment"], result.domain.segments, capacity=s.review.capacity,
                           overflow_action=s.review.overflow_action, review_cost=s.costs.review,
                           guardrails=guardrails)


def _pooled(x: np.ndarray, k: int) -> np.ndarray:
    """Sums over the last ``k`` rows (fewer at the start), along axis 0."""
    c = np.cumsum(np.asarray(x, dtype=float), axis=0)
    out = c.copy()
    out[k:] -= c[:-k]
    return out


def _gap_columns(table, bands, s, names, metric: str, pooled_weeks: int) -> dict:
    """``<metric>_<segment>``, ``gap`` and ``gap_noise`` per week under ``bands``."""
    review = s.review
    parts = table.per_segment(bands, review.capacity, review.overflow_action, s.costs.review)
    top, den = _PARTS[metric]
    frame, values, noise = {}, [], []
    for name, part in zip(names, parts, strict=True):
        if part is None:
            rate = np.full(len(table.weeks), np.nan)
            n = np.zeros(len(table.weeks))
        else:
            counts = {**part, "negatives": part["events"] - part["positives"]}
            n = _pooled(counts[den], pooled_weeks)
            rate = safe_ratio(_pooled(counts[top], pooled_weeks), n)
        frame[f"{metric}_{name}"] = rate
        values.append(rate)
        noise.append(np.sqrt(rate * (1 - rate) / np.where(n > 0, n, np.nan)))
    values, noise = np.stack(values, axis=1), np.stack(noise, axis=1)
    defined = np.isfinite(values).all(axis=1)
    safe = np.where(defined[:, None], values, 0.0)
    hi, lo = safe.argmax(axis=1), safe.argmin(axis=1)
    rows = np.arange(len(values))
    frame["gap"] = np.where(defined, safe[rows, hi] - safe[rows, lo], np.nan)
    frame["gap_noise"] = np.where(defined, 1.96 * np.sqrt(noise[rows, hi] ** 2
                                                          + noise[rows, lo] ** 2), np.nan)
    return frame


@dataclass
class RunGap:
    """The gap between segments of the bands a run actually used, week by week: what a run
    whose decisions change its own traffic (delayed impact) can say without re-simulating."""

    metric: str
    tolerance: float
    pooled_weeks: int
    weekly: pd.DataFrame  # week, gap, gap_noise, <metric>_<segment>
    first_open: int | None  # first week with gap > tolerance

    def sentence(self) -> str:
        words = WORDS[self.metric]
        tol = self.tolerance * 100
        pooled = "" if self.pooled_weeks == 1 else \
            f" (each week pooled with the {self.pooled_weeks - 1} before it)"
        gap = self.weekly["gap"]
        if not np.isfinite(gap).any():
            return (f"The gap in {words}{pooled} is undefined in every week (a segment "
                    f"without the events its {words} needs).")
        head = (f"Under the bands in use, the gap in {words} between segments{pooled} starts "
                f"at {gap.iloc[0] * 100:.1f} pp" if np.isfinite(gap.iloc[0]) else
                f"Under the bands in use, the gap in {words} between segments{pooled}")
        last = gap[np.isfinite(gap)].iloc[-1] * 100
        if self.first_open is None:
            return f"{head} and stays within {tol:.1f} pp in every week (last {last:.1f} pp)."
        row = self.weekly.set_index("week").loc[self.first_open]
        return (f"{head}; it first exceeds {tol:.1f} pp in week {self.first_open} "
                f"({row['gap'] * 100:.1f} pp, ± {row['gap_noise'] * 100:.1f} pp from the draw "
                f"alone) and ends at {last:.1f} pp.")


def run_gap(result, strategy: str, tolerance: float, pooled_weeks: int = 1) -> RunGap:
    """The gap of ``strategy``'s metric under the bands ``result`` was run with, per week."""
    if strategy not in METRIC_OF:
        raise ValueError(f"a gap over time needs an equality strategy; choose one of "
                         f"{', '.join(METRIC_OF)}, not {strategy!r}")
    s = result.scenario
    if not 1 <= int(pooled_weeks) <= s.population.weeks:
        raise ValueError(f"pooled_weeks = {pooled_weeks} is invalid: give 1 to "
                         f"{s.population.weeks} weeks")
    metric, names = METRIC_OF[strategy], result.domain.segments
    table = segment_table_of(result.table, s, result.domain, result.arrays)
    weekly = pd.DataFrame({"week": table.weeks, **_gap_columns(
        table, s.policy.bands(names), s, names, metric, int(pooled_weeks))})
    late = weekly[weekly["gap"] > tolerance + _EPS]
    first = int(late["week"].iloc[0]) if len(late) else None
    return RunGap(metric, tolerance, int(pooled_weeks), weekly, first)


def weekly_fairness(result, strategy: str, tolerance: float, fit_weeks: int | None = None,
                    pooled_weeks: int = 1,
                    guardrails: Guardrails | None = None) -> WeeklyFairness:
    """``strategy`` chosen on weeks 1..``fit_weeks`` of ``result``, followed over every week."""
    if strategy not in METRIC_OF:
        raise ValueError(f"a gap over time needs an equality strategy; choose one of "
                         f"{', '.join(METRIC_OF)}, not {strategy!r}")
    s = result.scenario
    weeks = s.population.weeks
    fit_weeks = default_fit_weeks(s) if fit_weeks is None else int(fit_weeks)
    if not 1 <= fit_weeks <= weeks:
        raise ValueError(f"fit_weeks = {fit_weeks} is invalid: give a week from 1 to {weeks}")
    if not 1 <= int(pooled_weeks) <= weeks:
        raise ValueError(f"pooled_weeks = {pooled_weeks} is invalid: give 1 to {weeks} weeks")
    if s.impact.enabled:
        raise ValueError("in this scenario the decisions change who arrives (delayed "
                         "impact), so each band set has its own traffic: following a fairness "
                         "strategy needs fixed scores (run_gap follows the bands in use)")
    if s.policy_changes_labels:
        raise ValueError("this scenario learns from the labels its own decisions reveal, so "
                         "each band set has its own model history: following a fairness "
                         "strategy needs fixed scores (never retrain, or use full feedback with "
                         "a label delay of 0 and retrain every K weeks or on drift)")
    pooled_weeks = int(pooled_weeks)
    problem = _problem(result, fit_weeks, guardrails)
    fitted = problem.solve(strategy, tolerance)
    cheapest = problem.solve("per_segment", tolerance)
    metric = METRIC_OF[strategy]
    table = segment_table_of(result.table, s, result.domain, result.arrays)
    names = result.domain.segments
    review = s.review

    def bands_of(found: FairResult):
        return [tuple(found.bands[n]) for n in names]

    frame = {"week": table.weeks}
    if not fitted.bands:  # no band meets the guardrails on the fitting weeks
        nan = np.full(len(table.weeks), np.nan)
        frame.update(gap=nan, gap_noise=nan, price=nan, cost=nan, cost_cheapest=nan)
        return WeeklyFairness(strategy, tolerance, metric, fit_weeks, pooled_weeks, fitted,
                              cheapest, pd.DataFrame(frame), None)
    frame.update(_gap_columns(table, bands_of(fitted), s, names, metric, pooled_weeks))
    cost = table.query(bands_of(fitted), review.capacity, review.overflow_action,
                       s.costs.review)["cost_total"]
    base = table.query(bands_of(cheapest), review.capacity, review.overflow_action,
                       s.costs.review)["cost_total"] if cheapest.bands else np.nan
    frame.update(cost=cost, cost_cheapest=base, price=cost - base)
    weekly = pd.DataFrame(frame)
    late = weekly[(weekly["week"] > fit_weeks) & (weekly["gap"] > tolerance + _EPS)]
    first = int(late["week"].iloc[0]) if len(late) else None
    return WeeklyFairness(strategy, tolerance, metric, fit_weeks, pooled_weeks, fitted,
                          cheapest, weekly, first)
