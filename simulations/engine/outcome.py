"""What one policy yields over a run's cached scores: the weekly and events tables.

``RunResult`` holds everything a run produced; its ``at_policy`` answers another band from the
cached sorted scores (``policy.metrics.BandTable``) without simulating again. ``Outcome`` is one
band's answer: counts, ratios and costs per week at once, the per-event decisions, the labels
they reveal and the full tables when asked. The weekly loop decides each week with the same
functions (``band_table``, ``decisions``, ``revealed``), so a band answered afterwards is
exactly what the loop would have done.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..domains import Domain
from ..policy.metrics import BandTable, event_costs
from ..scenario import Scenario
from .feedback import reveal_labels, weekly_observed
from .retraining import ModelRecord

WEEKLY_CONTRACT = (
    "week", "events", "positives", "flagged", "passed", "review_demand", "reviewed",
    "review_overflow", "tp", "fp", "tn", "fn", "precision", "recall", "pass_rate",
    "cost_fn", "cost_fp", "cost_review", "cost_total", "auc", "score_psi", "retrained",
)


class Outcome:
    """What one policy does over a run's cached scores.

    ``core`` (counts, ratios and costs per week, answered from the sorted scores in O(weeks))
    is ready at once; the per-event decisions, the labels they reveal, the full weekly table
    (with the observed metrics and the domain's extras) and the events table are built the
    first time something asks for them, so a band drag pays only for what the page shows.
    """

    def __init__(self, scenario: Scenario, domain: Domain, table: BandTable,
                 band_free: pd.DataFrame, arrays: dict[str, np.ndarray]):
        self.scenario = scenario
        self.domain = domain
        self._table = table
        self._arrays = arrays
        self.core = _core_weekly(scenario, table, band_free)
        self._decided: tuple[np.ndarray, ...] | None = None
        self._revealed: tuple[np.ndarray, ...] | None = None
        self._weekly: pd.DataFrame | None = None
        self._events: pd.DataFrame | None = None

    def _decide(self) -> tuple[np.ndarray, ...]:
        if self._decided is None:
            self._decided = decisions(self.scenario, self.domain, self._table, self._arrays)
        return self._decided

    def _reveal(self) -> tuple[np.ndarray, ...]:
        if self._revealed is None:
            correct, _, reviewed, final = self._decide()
            self._revealed = revealed(self.scenario, self.domain, self._arrays, correct,
                                       reviewed, final)
        return self._revealed

    correct = property(lambda self: self._decide()[0], doc="reviewer verdict equals the truth")
    action = property(lambda self: self._decide()[1], doc="0 pass, 1 review, 2 flag")
    reviewed = property(lambda self: self._decide()[2], doc="reached a reviewer")
    final = property(lambda self: self._decide()[3], doc="1 if finally flagged")
    seen = property(lambda self: self._reveal()[0], doc="a label is ever seen")
    seen_label = property(lambda self: self._reveal()[1], doc="the label that is seen")
    label_week = property(lambda self: self._reveal()[2], doc="week the label arrives")

    @property
    def weekly(self) -> pd.DataFrame:
        """The full weekly table: the contract's columns first."""
        if self._weekly is None:
            self._weekly = _weekly_table(self.domain, self._table, self._arrays, self)
        return self._weekly

    @property
    def events(self) -> pd.DataFrame:
        """One row per event (built on first use: it is the largest table of a run)."""
        if self._events is None:
            self._events = _events_table(self.domain, self._arrays, self)
        return self._events

    def events_at(self, rows: np.ndarray) -> pd.DataFrame:
        """Only the given rows of the events table (cheap: nothing else is built)."""
        return _events_table(self.domain, self._arrays, self, rows)


@dataclass
class RunResult:
    """Everything a run produced; ``at_policy`` re-answers another band from the cached scores."""

    scenario: Scenario
    domain: Domain
    outcome: Outcome  # of the scenario's own policy
    drift: pd.DataFrame
    models: list[ModelRecord]
    table: BandTable
    band_free: pd.DataFrame  # weekly columns that no band changes
    arrays: dict[str, np.ndarray] = field(repr=False)
    seconds: float = 0.0
    # per model version, its scores' calibration on its labelled training events (None when
    # they held one class only); used by the label-free estimates
    calibrations: list = field(default_factory=list, repr=False)
    # per model version, the fitted scikit-learn model that served it (simulations.explain
    # re-scores changed events with it)
    fitted: list = field(default_factory=list, repr=False)

    @property
    def weekly(self) -> pd.DataFrame:
        return self.outcome.weekly

    @property
    def events(self) -> pd.DataFrame:
        return self.outcome.events

    @property
    def retrain_weeks(self) -> list[int]:
        return [m.week for m in self.models if m.version and m.status == "trained"]

    def at_policy(self, t_low: float, t_high: float) -> Outcome:
        """The outcome of another band over the cached scores (no re-simulation).

        Only valid when the band cannot change which labels were seen and so the models
        (``scenario.policy_changes_labels`` is False); raises ValueError otherwise.
        """
        scenario = self.scenario.with_policy(t_low, t_high)
        if scenario.policy_changes_labels:
            raise ValueError(
                "this scenario learns from the labels its decisions reveal, so a new band "
                "changes the model history: run the simulation again"
            )
        if scenario == self.scenario:
            return self.outcome
        return Outcome(scenario, self.domain, self.table, self.band_free, self.arrays)


def reviewer_correct(scenario: Scenario, domain: Domain, arrays: dict) -> np.ndarray:
    return domain.reviewer_correct(arrays["u_review"], scenario.review.reviewer_accuracy,
                                   arrays["label"])


def band_table(scenario: Scenario, domain: Domain, arrays: dict) -> BandTable:
    """Sorted scores and cumulative counts/costs of the events in ``arrays``."""
    fn_cost, fp_cost = event_costs(arrays["value"], arrays["label"], scenario.costs)
    return BandTable.build(arrays["week"], arrays["score"], arrays["label"], fn_cost, fp_cost,
                           reviewer_correct(scenario, domain, arrays))


def decisions(scenario: Scenario, domain: Domain, table: BandTable,
               arrays: dict) -> tuple[np.ndarray, ...]:
    """(reviewer correct, action, reviewed, final) per event under ``scenario``'s policy."""
    p, review = scenario.policy, scenario.review
    correct = reviewer_correct(scenario, domain, arrays)
    action, reviewed, final = table.decisions(p.t_low, p.t_high, review.capacity,
                                              review.overflow_action, arrays["label"], correct)
    return correct, action, reviewed, final


def revealed(scenario: Scenario, domain: Domain, arrays: dict, correct, reviewed,
              final) -> tuple[np.ndarray, ...]:
    """(seen, seen_label, label_week) per event: the labels the team gets."""
    return reveal_labels(domain, scenario.feedback, arrays["week"], arrays["label"], reviewed,
                         final, correct, arrays["u_reveal"], arrays["delay"])


def _core_weekly(scenario: Scenario, table: BandTable, band_free: pd.DataFrame) -> pd.DataFrame:
    """Counts, ratios and costs per week of ``scenario``'s policy, plus the band-free columns."""
    review, p = scenario.review, scenario.policy
    columns = table.query(p.t_low, p.t_high, review.capacity, review.overflow_action,
                          scenario.costs.review)
    for col in band_free.columns:
        if col != "week":
            columns[col] = band_free[col].to_numpy()
    columns["cost_total"] = columns["cost_total"] + columns["cost_retrain"]
    # one frame built at once: inserting columns one by one cost ~9 ms a band move
    return pd.DataFrame(columns)


def _weekly_table(domain: Domain, table: BandTable, arrays: dict[str, np.ndarray],
                  outcome: Outcome) -> pd.DataFrame:
    """The core weekly table plus observed metrics and the domain's extras, contract first."""
    weekly = outcome.core.copy()
    observed = weekly_observed(table.weeks, outcome.seen, outcome.seen_label, outcome.label_week,
                               outcome.final)
    for key, values in observed.items():
        weekly[key] = values
    if domain.extra_metrics is not None:
        extra_rows = _extra_metrics(domain, table, arrays, outcome.final)
        for key in extra_rows[0]:
            weekly[key] = [r[key] for r in extra_rows]
    order = [c for c in WEEKLY_CONTRACT if c in weekly.columns]
    return weekly[order + [c for c in weekly.columns if c not in order]]


def _events_table(domain: Domain, arrays: dict[str, np.ndarray], outcome: Outcome,
                  rows: np.ndarray | slice = slice(None)) -> pd.DataFrame:
    """The events table, or only the given rows of it."""
    last_week = int(arrays["week"][-1])
    events = pd.DataFrame({
        "week": arrays["week"][rows],
        "score": arrays["score"][rows],
        "label": arrays["label"][rows],
        "action": pd.Categorical.from_codes(outcome.action[rows], ["pass", "review", "flag"]),
        "reviewed": outcome.reviewed[rows],
        "final": pd.Categorical.from_codes(outcome.final[rows], ["pass", "flag"]),
        "value": arrays["value"][rows],
        "segment": pd.Categorical.from_codes(arrays["segment"][rows], list(domain.segments)),
        "label_seen": (outcome.seen & (outcome.label_week <= last_week))[rows],
        "model_version": arrays["model_version"][rows],
    })
    for j, name in enumerate(domain.numeric_features):
        events[name] = arrays["numeric"][rows, j]
    for j, (name, cats) in enumerate(domain.categorical_features):
        events[name] = pd.Categorical.from_codes(arrays["categorical"][rows, j], list(cats))
    return events


def _extra_metrics(domain, table, arrays, final) -> list[dict[str, float]]:
    """The domain's own weekly metrics, for the events this policy flags."""
    extra = {k[len("extra_"):]: v for k, v in arrays.items() if k.startswith("extra_")}
    out = []
    for i in range(len(table.weeks)):
        sl = slice(table.starts[i], table.starts[i + 1])  # events are stored week by week
        out.append(domain.extra_metrics(
            arrays["label"][sl], final[sl].astype(bool), arrays["numeric"][sl],
            {k: v[sl] for k, v in extra.items()}))
    return out
