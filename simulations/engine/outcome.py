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
from ..policy.metrics import BandTable, event_costs, horizon_totals, safe_ratio
from ..policy.segment_bands import segment_table_of
from ..scenario import Scenario
from . import reviewers
from .feedback import reveal_labels, weekly_observed
from .queue_outcome import QUEUE_COLUMNS, no_queue_columns, play_band, queued_decisions, queued_query
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
                 band_free: pd.DataFrame | dict, arrays: dict[str, np.ndarray],
                 memo: dict | None = None):
        self.scenario = scenario
        self.domain = domain
        self._table = table
        self._arrays = arrays
        # what the run's outcomes share whatever the band (``RunResult.memo``)
        self._memo = {} if memo is None else memo
        # a review queue carries items across weeks: play it once for this band
        self.queue = (play_band(scenario, domain, table, arrays, self._memo)
                      if scenario.review.queued else None)
        self._columns = _core_columns(table, band_free, self._core_query())
        self._core: pd.DataFrame | None = None
        self._totals: dict[str, float] | None = None
        self._decided: tuple[np.ndarray, ...] | None = None
        self._decided_week: np.ndarray | None = None
        self._revealed: tuple[np.ndarray, ...] | None = None
        self._weekly: pd.DataFrame | None = None
        self._events: pd.DataFrame | None = None

    @property
    def core(self) -> pd.DataFrame:
        """Counts, ratios and costs per week, plus the band-free columns (built on first use:
        the KPI row reads ``totals``, which needs no frame)."""
        if self._core is None:
            # one frame built at once: inserting columns one by one cost ~9 ms a band move
            self._core = pd.DataFrame(self._columns)
        return self._core

    @property
    def totals(self) -> dict[str, float]:
        """``horizon_totals`` of ``core`` (computed once per outcome, from its arrays; a fresh
        dict each time, so a caller may add to it)."""
        if self._totals is None:
            self._totals = horizon_totals(self._columns)
        return dict(self._totals)

    def _core_query(self) -> dict[str, np.ndarray]:
        s = self.scenario
        if self.queue is not None:
            return queued_query(s, self.domain, self._table, self._arrays, self.queue,
                                self._memo)
        review, p = s.review, s.policy
        if p.is_uniform():
            out = self._table.query(p.t_low, p.t_high, review.capacity, review.overflow_action,
                                    s.costs.review)
        else:  # some segment has its own band: one queue shared across them
            out = segment_table_of(self._table, s, self.domain, self._arrays).query(
                p.bands(self.domain.segments), review.capacity, review.overflow_action,
                s.costs.review)
        return {**out, **no_queue_columns(len(self._table.weeks))}

    def _decide(self) -> tuple[np.ndarray, ...]:
        if self._decided is None:
            if self.queue is not None:
                *self._decided, self._decided_week = queued_decisions(
                    self.scenario, self.domain, self._table, self._arrays, self.queue)
            else:
                self._decided = decisions(self.scenario, self.domain, self._table,
                                          self._arrays)
                self._decided_week = None
        return self._decided

    def _reveal(self) -> tuple[np.ndarray, ...]:
        if self._revealed is None:
            correct, _, reviewed, final = self._decide()
            self._revealed = revealed(self.scenario, self.domain, self._arrays, correct,
                                       reviewed, final, self._decided_week)
        return self._revealed

    correct = property(lambda self: self._decide()[0], doc="reviewer verdict equals the truth")
    action = property(lambda self: self._decide()[1], doc="0 pass, 1 review, 2 flag")
    reviewed = property(lambda self: self._decide()[2], doc="reached a reviewer")
    final = property(lambda self: self._decide()[3], doc="1 if finally flagged")
    seen = property(lambda self: self._reveal()[0], doc="a label is ever seen")
    seen_label = property(lambda self: self._reveal()[1],
                          doc="the first label seen (a verdict until truth_week)")
    label_week = property(lambda self: self._reveal()[2], doc="week the first label arrives")
    truth_week = property(lambda self: self._reveal()[3],
                          doc="week the true outcome arrives (feedback.NO_WEEK: never)")

    @property
    def reviewed_positive_share(self) -> float:
        """Share of the reviewed events that are positive (NaN when none was reviewed)."""
        done = self.reviewed
        return safe_ratio(np.count_nonzero(self._arrays["label"][done]), done.sum())

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
    # per audited retraining, what the data-quality audit found (``labels.audit.Audit``)
    audits: list = field(default_factory=list, repr=False)
    # what every band's outcome of this run shares, built once on first use (a review
    # queue's per-event arrival, removal day and verdict: ``queue_outcome.queue_basis``)
    memo: dict = field(default_factory=dict, repr=False, compare=False)
    # the band-free columns as arrays, read once for every band answered afterwards
    _band_free_columns: dict | None = field(default=None, repr=False, compare=False)

    @property
    def weekly(self) -> pd.DataFrame:
        return self.outcome.weekly

    @property
    def events(self) -> pd.DataFrame:
        return self.outcome.events

    def reviews_correct(self) -> np.ndarray:
        """Per event, whether a reviewer's verdict would equal the truth (band-free)."""
        return reviewer_correct(self.scenario, self.domain, self.arrays)

    @property
    def retrain_weeks(self) -> list[int]:
        return [m.week for m in self.models if m.version and m.status == "trained"]

    def at_policy(self, t_low: float, t_high: float, by_segment: tuple | dict = ()) -> Outcome:
        """The outcome of another band (and per-segment bands) over the cached scores (no
        re-simulation).

        Only valid when the band cannot change which labels were seen and so the models
        (``scenario.policy_changes_labels`` is False); raises ValueError otherwise.
        """
        scenario = self.scenario.with_policy(t_low, t_high, by_segment)
        if scenario.impact.enabled:
            raise ValueError(
                "in this scenario the decisions change who arrives (delayed impact), so a "
                "new band changes the traffic itself: run the simulation again")
        if scenario.policy_changes_labels:
            raise ValueError(
                "this scenario learns from the labels its decisions reveal, so a new band "
                "changes the model history: run the simulation again"
            )
        if scenario == self.scenario:
            return self.outcome
        if self._band_free_columns is None:
            self._band_free_columns = {c: self.band_free[c].to_numpy()
                                       for c in self.band_free.columns}
        return Outcome(scenario, self.domain, self.table, self._band_free_columns, self.arrays,
                       self.memo)


def reviewer_correct(scenario: Scenario, domain: Domain, arrays: dict) -> np.ndarray:
    return reviewers.correct(scenario, domain, arrays["u_review"], arrays["score"],
                             arrays["label"])


def band_table(scenario: Scenario, domain: Domain, arrays: dict,
               order: np.ndarray | None = None) -> BandTable:
    """Sorted scores and cumulative counts/costs of the events in ``arrays`` (``order``: their
    sort, when already known; see ``BandTable.build``)."""
    fn_cost, fp_cost = event_costs(arrays["value"], arrays["label"], scenario.costs)
    return BandTable.build(arrays["week"], arrays["score"], arrays["label"], fn_cost, fp_cost,
                           reviewer_correct(scenario, domain, arrays), order)


def decisions(scenario: Scenario, domain: Domain, table: BandTable,
               arrays: dict) -> tuple[np.ndarray, ...]:
    """(reviewer correct, action, reviewed, final) per event under ``scenario``'s policy."""
    p, review = scenario.policy, scenario.review
    correct = reviewer_correct(scenario, domain, arrays)
    if not p.is_uniform():  # some segment has its own band: one queue shared across them
        action, reviewed, final = segment_table_of(table, scenario, domain, arrays).decisions(
            p.bands(domain.segments), review.capacity, review.overflow_action, arrays["label"],
            correct)
        return correct, action, reviewed, final
    action, reviewed, final = table.decisions(p.t_low, p.t_high, review.capacity,
                                              review.overflow_action, arrays["label"], correct)
    return correct, action, reviewed, final


def revealed(scenario: Scenario, domain: Domain, arrays: dict, correct, reviewed,
              final, decided_week=None) -> tuple[np.ndarray, ...]:
    """(seen, seen_label, label_week, truth_week) per event: the labels the team gets
    (``feedback.reveal_labels``; ``decided_week``: a review queue's decision week per event)."""
    return reveal_labels(domain, scenario.feedback, arrays["week"], arrays["label"], reviewed,
                         final, correct, arrays["u_reveal"], arrays["delay"], decided_week)


def _core_columns(table: BandTable, band_free: pd.DataFrame | dict,
                  query: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Counts, ratios and costs per week of a policy, plus the band-free columns (a frame, or
    its columns as arrays), as arrays."""
    columns = dict(query)
    if isinstance(band_free, pd.DataFrame):
        band_free = {c: band_free[c].to_numpy() for c in band_free.columns}
    for col, values in band_free.items():
        if col != "week":
            columns[col] = values
    columns["cost_total"] = columns["cost_total"] + columns["cost_retrain"]
    return columns


def _weekly_table(domain: Domain, table: BandTable, arrays: dict[str, np.ndarray],
                  outcome: Outcome) -> pd.DataFrame:
    """The core weekly table plus observed metrics and the domain's extras, contract first."""
    weekly = outcome.core.copy()
    observed = weekly_observed(table.weeks, outcome.seen, outcome.seen_label, outcome.label_week,
                               outcome.truth_week, arrays["label"], outcome.final)
    for key, values in observed.items():
        weekly[key] = values
    if domain.extra_metrics is not None:
        extra_rows = _extra_metrics(domain, table, arrays, outcome.final)
        for key in extra_rows[0]:
            weekly[key] = [r[key] for r in extra_rows]
    for key, values in _agreement(outcome, table, arrays).items():
        weekly[key] = values
    order = [c for c in WEEKLY_CONTRACT if c in weekly.columns]
    # the review queue's and the reviewers' columns come last, so a table reads as it did
    # before they existed, byte for byte, up to its last columns
    late = (*QUEUE_COLUMNS, *LABEL_COLUMNS)
    rest = [c for c in weekly.columns if c not in order and c not in late]
    return weekly[order + rest + list(late)]


LABEL_COLUMNS = ("review_kappa", "review_pairs", "reviewer_true_accuracy", "train_label_error")


def _agreement(outcome: Outcome, table: BandTable, arrays: dict) -> dict[str, np.ndarray]:
    """The reviewers' weekly agreement on double-reviewed cases, and their true accuracy."""
    s = outcome.scenario
    done = np.flatnonzero(outcome.reviewed)
    week = (arrays["week"] if outcome._decided_week is None else outcome._decided_week)[done]
    if "u_second" in arrays:
        paired = arrays["u_double"][done] < s.review.double_share
        second = reviewers.correct(s, outcome.domain, arrays["u_second"][done],
                                   arrays["score"][done], arrays["label"][done])
    else:
        paired = second = np.zeros(len(done), dtype=bool)
    return reviewers.weekly_agreement(table.weeks, week, arrays["label"][done],
                                      outcome.correct[done], second, paired)


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
