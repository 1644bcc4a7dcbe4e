"""Retraining, the loop's last step: should the model be retrained at the end of this week, and
on which labels?

A trigger is a small function of what the team can see at the end of a week (the drift measured
against the current model's training window, the labels that arrived): it returns the reason to
retrain, or "". ``TRIGGERS`` maps each ``retrain.trigger`` of a scenario to its function, so a
new rule is one more entry here, not another branch inside the loop. ``training_set`` gathers the
labels seen in the last ``window_weeks`` weeks, each as the team holds it at the end of the
retraining week (a reviewer's verdict until the event's true outcome arrives and replaces it:
``feedback.held_labels``); ``shortfall`` says why they cannot train a model (too few labels, too
few positives, one class only), or "" when they can.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..domains import Batch, get_domain
from ..monitoring.alerts import alert_reason
from ..scenario import Scenario
from .feedback import held_labels, observed_performance


@dataclass(frozen=True)
class ModelRecord:
    """One entry of the model history: a model that went live (or a retraining that was skipped)."""

    version: int
    week: int  # trained at the end of this week (0: before week 1); serves from week + 1
    reason: str
    status: str  # "trained" or "skipped: ..."
    training_events: int
    training_positives: int


@dataclass(frozen=True)
class WeekEnd:
    """What a trigger can look at when the week ends.

    ``drift`` holds the week's PSI, KL and JS per monitored column (``is_score`` marks the
    score's column, the others are features); ``per_week`` holds, per past week, the arrays the
    loop recorded (``seen``, ``seen_label``, ``label_week``, ``truth_week``, ``label``,
    ``final``).
    """

    scenario: Scenario
    week: int
    drift: dict[str, np.ndarray]
    is_score: np.ndarray
    per_week: dict[str, list[np.ndarray]]
    # per past week, the label-free estimates of the model that served it (only kept when the
    # trigger is "alert"): week, model_version, est_cost, est_cost_spread, est_precision, ...
    estimates: tuple[dict, ...] = ()
    # the world's own label-free signals this week (``Domain.monitor``), against the current
    # model's training window
    signals: dict = field(default_factory=dict)


def scheduled(end: WeekEnd) -> str:
    """Every ``every_weeks`` weeks."""
    every = end.scenario.retrain.every_weeks
    return f"scheduled (every {every} weeks)" if end.week % every == 0 else ""


def drift_alarm(end: WeekEnd) -> str:
    """When the drift measure of the score, or of the most-drifted feature, passes the threshold."""
    rt = end.scenario.retrain
    if rt.drift_on == "semantic":  # a cosine distance, whatever the drift metric says
        column = get_domain(end.scenario.domain).semantic_drift
        value = end.signals[column]
        if value > rt.drift_threshold:
            return (f"semantic drift: cosine distance of the week's centroid {value:.3f} > "
                    f"{rt.drift_threshold:g}")
        return ""
    values = end.drift[rt.drift_metric]
    value = values[end.is_score][0] if rt.drift_on == "score" else values[~end.is_score].max()
    what = "score" if rt.drift_on == "score" else "most-drifted feature"
    if value > rt.drift_threshold:
        return f"drift: {rt.drift_metric.upper()} of {what} {value:.3f} > {rt.drift_threshold:g}"
    return ""


def performance_floor(end: WeekEnd) -> str:
    """When precision or recall, measured on the labels that arrived this week (this week's
    reviews and, for each earlier week, the labels its delays bring this week), falls below
    the floor."""
    rt, week, per_week = end.scenario.retrain, end.week, end.per_week
    delay = end.scenario.feedback.delay
    longest = len(delay.shares_by_week()) - 1  # no label arrives later than this
    idx = range(max(week - 1 - longest, 0), week)
    arrived = np.concatenate([per_week["seen"][i] & (per_week["label_week"][i] == week)
                              for i in idx])
    labels = np.concatenate([_held(per_week, i, week)[1] for i in idx])[arrived]
    finals = np.concatenate([per_week["final"][i] for i in idx])[arrived]
    value = observed_performance(labels, finals)[rt.performance_metric]
    if np.isfinite(value) and value < rt.performance_floor:
        return (f"performance: observed {rt.performance_metric} {value:.3f} "
                f"< floor {rt.performance_floor:g}")
    return ""


def alert(end: WeekEnd) -> str:
    """When the scenario's label-free alert rule fires this week, over the weeks the current
    model has served (no label needed: a change detector on the estimated cost, or the
    estimated precision/recall below the floor)."""
    rt = end.scenario.retrain
    rows = [r for r in end.estimates if r["model_version"] == end.estimates[-1]["model_version"]]
    return alert_reason(rt.alert_rule, pd.DataFrame(rows), rt.alert_threshold,
                        rt.performance_metric, rt.performance_floor)


TRIGGERS: dict[str, Callable[[WeekEnd], str]] = {
    "never": lambda end: "",
    "every": scheduled,
    "drift": drift_alarm,
    "performance": performance_floor,
    "alert": alert,
}


def retrain_reason(end: WeekEnd, last_retrain: int) -> str:
    """Why the model should be retrained at the end of ``end.week`` ("" if it should not).

    No trigger fires within ``cooldown_weeks`` of the last retraining.
    """
    rt = end.scenario.retrain
    if rt.trigger == "never" or end.week - last_retrain < rt.cooldown_weeks:
        return ""
    return TRIGGERS[rt.trigger](end)


@dataclass(frozen=True)
class TrainingSet:
    """The window a retraining learns from: every event of its weeks (``window``, the new drift
    reference) and, among them, the labels the team has seen by the end of the week."""

    window: Batch
    usable: np.ndarray  # which events of the window have a seen label
    label: np.ndarray  # the seen labels of the usable events

    @property
    def labels(self) -> int:
        return int(self.usable.sum())

    @property
    def positives(self) -> int:
        return int(self.label.sum())


def training_set(scenario: Scenario, week: int, batches: list[Batch],
                 per_week: dict[str, list[np.ndarray]],
                 concat: Callable[[list[Batch]], Batch]) -> TrainingSet:
    """The last ``window_weeks`` weeks up to ``week`` and the labels seen in them by then, as
    held then."""
    window = [i for i in range(week - scenario.retrain.window_weeks, week) if i >= 0]
    batch = concat([batches[i] for i in window])
    held = [_held(per_week, i, week) for i in window]
    usable = np.concatenate([h[0] for h in held])
    label = np.concatenate([h[1] for h in held])[usable]
    return TrainingSet(batch, usable, label)


def _held(per_week: dict[str, list[np.ndarray]], i: int, week: int):
    """(held, held label) of the events of recorded week ``i`` at the end of ``week``."""
    return held_labels(per_week["seen"][i], per_week["seen_label"][i], per_week["label_week"][i],
                       per_week["truth_week"][i], per_week["label"][i], week)


def shortfall(scenario: Scenario, ts: TrainingSet) -> str:
    """Why ``ts`` cannot train a model ("" when it can)."""
    rt = scenario.retrain
    n_lab, n_pos = ts.labels, ts.positives
    if n_lab < rt.min_labels or n_pos < rt.min_positives or n_pos == n_lab:
        return (f"skipped: {n_lab} labels ({n_pos} positive) seen in the window, "
                f"need {rt.min_labels} ({rt.min_positives} positive) of both classes")
    return ""
