"""The weekly simulation loop: generate, score, decide, review, monitor, learn, retrain.

``run(scenario)`` plays a scenario forward week by week and returns a ``RunResult`` with the
weekly table (one row per week), the events table (one row per event), the drift table (one
row per week and monitored column) and the history of models. Every random draw comes from
one ``numpy.random.Generator`` seeded with ``scenario.seed``; it is split up front into
independent streams for the world, the reference window, the model and each week, so the
traffic of week w is the same whatever the policy did before (common random numbers).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import model as model_lib
from .domains import Batch, Domain, DriftState, get_domain
from .domains.base import shifted_rate
from .drift import DriftReference
from .feedback import observed_performance, reveal_labels, weekly_observed
from .metrics import (
    BandTable,
    brier_score,
    event_costs,
    expected_calibration_error,
    log_loss,
    roc_auc,
)
from .scenario import Scenario

WEEKLY_CONTRACT = (
    "week", "events", "positives", "flagged", "passed", "review_demand", "reviewed",
    "review_overflow", "tp", "fp", "tn", "fn", "precision", "recall", "pass_rate",
    "cost_fn", "cost_fp", "cost_review", "cost_total", "auc", "score_psi", "retrained",
)


@dataclass(frozen=True)
class ModelRecord:
    """One entry of the model history: a model that went live (or a retraining that was skipped)."""

    version: int
    week: int  # trained at the end of this week (0: before week 1); serves from week + 1
    reason: str
    status: str  # "trained" or "skipped: ..."
    training_events: int
    training_positives: int


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
            self._decided = _decisions(self.scenario, self.domain, self._table, self._arrays)
        return self._decided

    def _reveal(self) -> tuple[np.ndarray, ...]:
        if self._revealed is None:
            correct, _, reviewed, final = self._decide()
            self._revealed = _revealed(self.scenario, self.domain, self._arrays, correct,
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


def _drift_state(scenario: Scenario, week: int) -> DriftState:
    total = {"covariate": 0.0, "prior": 0.0, "concept": 0.0, "cohort": 0.0}
    for spec in scenario.drift:
        total[spec.kind] += spec.intensity(week)
    for kind in ("covariate", "concept", "cohort"):
        total[kind] = min(total[kind], 1.0)  # composed specs of one kind saturate at full strength
    return DriftState(**total)


def _concat(batches: list[Batch]) -> Batch:
    extra_keys = batches[0].extra.keys()
    return Batch(
        numeric=np.concatenate([b.numeric for b in batches]),
        categorical=np.concatenate([b.categorical for b in batches]),
        label=np.concatenate([b.label for b in batches]),
        value=np.concatenate([b.value for b in batches]),
        segment=np.concatenate([b.segment for b in batches]),
        extra={k: np.concatenate([b.extra[k] for b in batches]) for k in extra_keys},
    )


class _Monitor:
    """Drift of features and score against the current model's reference window."""

    def __init__(self, domain: Domain, batch: Batch, scores: np.ndarray):
        sizes = tuple((name, len(cats)) for name, cats in domain.categorical_features)
        self.reference = DriftReference.build(
            np.column_stack([batch.numeric, scores]),
            (*domain.numeric_features, "score"),
            batch.categorical,
            sizes,
        )

    def measure(self, batch: Batch, scores: np.ndarray) -> dict[str, np.ndarray]:
        numeric = np.column_stack([batch.numeric, scores])
        return {k: v[0] for k, v in self.reference.measure(numeric, batch.categorical).items()}


def run(scenario: Scenario, progress: Callable[[int, int], None] | None = None) -> RunResult:
    """Simulate ``scenario`` week by week. ``progress(week, weeks)`` is called after each week."""
    started = time.perf_counter()
    domain = get_domain(scenario.domain)
    pop, rt = scenario.population, scenario.retrain
    weeks, n = pop.weeks, pop.events_per_week
    root = np.random.default_rng(scenario.seed)
    world_rng, reference_rng, model_rng, *week_rngs = root.spawn(3 + weeks)
    world = domain.make_world(world_rng, **scenario.world_values)
    cat_sizes = tuple(len(c) for _, c in domain.categorical_features)

    def fit_new(numeric, categorical, label):
        seed = int(model_rng.integers(2**31 - 1))
        blank = model_lib.build_model(scenario.model.kind, len(domain.numeric_features),
                                      cat_sizes, seed)
        return model_lib.fit(blank, numeric, categorical, label)

    reference = domain.generate(n * pop.reference_weeks, pop.base_rate, DriftState(), world,
                                reference_rng)
    model = fit_new(reference.numeric, reference.categorical, reference.label)
    monitor = _Monitor(domain, reference,
                       model_lib.score(model, reference.numeric, reference.categorical))
    models = [ModelRecord(0, 0, "initial model, trained on the reference window", "trained",
                          len(reference), int(reference.label.sum()))]

    batches: list[Batch] = []
    per_week: dict[str, list[np.ndarray]] = {k: [] for k in (
        "score", "u_review", "u_reveal", "model_version", "final", "seen", "seen_label",
        "label_week")}
    rows, drift_rows = [], []
    last_retrain, version = 0, 0
    for w in range(1, weeks + 1):
        rng = week_rngs[w - 1]
        state = _drift_state(scenario, w)
        batch = domain.generate(n, shifted_rate(pop.base_rate, state.prior), state, world, rng)
        u_review, u_reveal = rng.random(n), rng.random(n)
        scores = model_lib.score(model, batch.numeric, batch.categorical)

        # this week's decisions, by the same functions that answer any band after the run
        week_arrays = {"week": np.full(n, w), "score": scores, "label": batch.label,
                       "value": batch.value, "u_review": u_review, "u_reveal": u_reveal}
        week_table = _band_table(scenario, domain, week_arrays)
        correct, _, reviewed, final = _decisions(scenario, domain, week_table, week_arrays)
        seen, seen_label, label_week = _revealed(scenario, domain, week_arrays, correct,
                                                 reviewed, final)
        batches.append(batch)
        for key, arr in (("score", scores), ("u_review", u_review), ("u_reveal", u_reveal),
                         ("model_version", np.full(n, version, dtype=np.int16)),
                         ("final", final), ("seen", seen), ("seen_label", seen_label),
                         ("label_week", label_week)):
            per_week[key].append(arr)

        drift = monitor.measure(batch, scores)
        columns = monitor.reference.columns
        drift_rows += [(w, c, drift["psi"][j], drift["kl"][j], drift["js"][j])
                       for j, c in enumerate(columns)]
        is_score = np.array([c == "score" for c in columns])
        row = {
            "week": w,
            "auc": roc_auc(batch.label, scores),
            "brier": brier_score(batch.label, scores),
            "log_loss": log_loss(batch.label, scores),
            "calibration_error": expected_calibration_error(batch.label, scores),
            **{f"score_{m}": float(drift[m][is_score][0]) for m in ("psi", "kl", "js")},
            **{f"feature_{m}_max": float(drift[m][~is_score].max()) for m in ("psi", "kl", "js")},
            "model_version": version,
            **{f"drift_{k}": getattr(state, k) for k in ("covariate", "prior", "concept", "cohort")},
            "retrained": False,
            "retrain_reason": "",
            **(domain.monitor(batch.extra, reference.extra) if domain.monitor else {}),
        }
        reason = _retrain_reason(scenario, w, last_retrain, drift, is_score, per_week)
        if reason:
            window = [i for i in range(w - rt.window_weeks, w) if i >= 0]
            tb = _concat([batches[i] for i in window])
            usable = np.concatenate([per_week["seen"][i] & (per_week["label_week"][i] <= w)
                                     for i in window])
            t_label = np.concatenate([per_week["seen_label"][i] for i in window])[usable]
            n_lab, n_pos = int(usable.sum()), int(t_label.sum())
            if n_lab < rt.min_labels or n_pos < rt.min_positives or n_pos == n_lab:
                status = (f"skipped: {n_lab} labels ({n_pos} positive) seen in the window, "
                          f"need {rt.min_labels} ({rt.min_positives} positive) of both classes")
                models.append(ModelRecord(version, w, reason, status, n_lab, n_pos))
                row["retrain_reason"] = f"{reason}; {status}"
            else:
                model = fit_new(tb.numeric[usable], tb.categorical[usable], t_label)
                version += 1
                last_retrain = w
                models.append(ModelRecord(version, w, reason, "trained", n_lab, n_pos))
                monitor = _Monitor(domain, tb, model_lib.score(model, tb.numeric, tb.categorical))
                row["retrained"] = True
                row["retrain_reason"] = reason
        rows.append(row)
        if progress:
            progress(w, weeks)

    events = _concat(batches)
    arrays = {
        "week": np.repeat(np.arange(1, weeks + 1), n),
        "label": events.label,
        "value": events.value,
        "segment": events.segment,
        "numeric": events.numeric,
        "categorical": events.categorical,
        **{k: np.concatenate(v) for k, v in per_week.items()},
        **{f"extra_{k}": v for k, v in events.extra.items()},
    }
    table = _band_table(scenario, domain, arrays)
    band_free = pd.DataFrame(rows)
    band_free["cost_retrain"] = np.where(band_free["retrained"], scenario.costs.retrain, 0.0)
    outcome = Outcome(scenario, domain, table, band_free, arrays)
    drift_table = pd.DataFrame(drift_rows, columns=["week", "column", "psi", "kl", "js"])
    return RunResult(scenario, domain, outcome, drift_table, models, table, band_free, arrays,
                     time.perf_counter() - started)


def _reviewer_correct(scenario: Scenario, domain: Domain, arrays: dict) -> np.ndarray:
    return domain.reviewer_correct(arrays["u_review"], scenario.review.reviewer_accuracy,
                                   arrays["label"])


def _band_table(scenario: Scenario, domain: Domain, arrays: dict) -> BandTable:
    """Sorted scores and cumulative counts/costs of the events in ``arrays``."""
    fn_cost, fp_cost = event_costs(arrays["value"], arrays["label"], scenario.costs)
    return BandTable.build(arrays["week"], arrays["score"], arrays["label"], fn_cost, fp_cost,
                           _reviewer_correct(scenario, domain, arrays))


def _decisions(scenario: Scenario, domain: Domain, table: BandTable,
               arrays: dict) -> tuple[np.ndarray, ...]:
    """(reviewer correct, action, reviewed, final) per event under ``scenario``'s policy."""
    p, review = scenario.policy, scenario.review
    correct = _reviewer_correct(scenario, domain, arrays)
    action, reviewed, final = table.decisions(p.t_low, p.t_high, review.capacity,
                                              review.overflow_action, arrays["label"], correct)
    return correct, action, reviewed, final


def _revealed(scenario: Scenario, domain: Domain, arrays: dict, correct, reviewed,
              final) -> tuple[np.ndarray, ...]:
    """(seen, seen_label, label_week) per event: the labels the team gets."""
    return reveal_labels(domain, scenario.feedback, arrays["week"], arrays["label"], reviewed,
                         final, correct, arrays["u_reveal"])


def _retrain_reason(scenario, week, last_retrain, drift, is_score, per_week) -> str:
    """Why the model should be retrained at the end of ``week`` ("" if it should not)."""
    rt = scenario.retrain
    if rt.trigger == "never" or week - last_retrain < rt.cooldown_weeks:
        return ""
    if rt.trigger == "every":
        return f"scheduled (every {rt.every_weeks} weeks)" if week % rt.every_weeks == 0 else ""
    if rt.trigger == "drift":
        values = drift[rt.drift_metric]
        value = values[is_score][0] if rt.drift_on == "score" else values[~is_score].max()
        what = "score" if rt.drift_on == "score" else "most-drifted feature"
        if value > rt.drift_threshold:
            return f"drift: {rt.drift_metric.upper()} of {what} {value:.3f} > {rt.drift_threshold:g}"
        return ""
    # performance: labels that arrived this week (from this week's reviews or older events)
    idx = sorted({week - 1, week - 1 - scenario.feedback.label_delay} & set(range(week)))
    arrived = np.concatenate([per_week["seen"][i] & (per_week["label_week"][i] == week)
                              for i in idx])
    labels = np.concatenate([per_week["seen_label"][i] for i in idx])[arrived]
    finals = np.concatenate([per_week["final"][i] for i in idx])[arrived]
    value = observed_performance(labels, finals)[rt.performance_metric]
    if np.isfinite(value) and value < rt.performance_floor:
        return (f"performance: observed {rt.performance_metric} {value:.3f} "
                f"< floor {rt.performance_floor:g}")
    return ""


def _core_weekly(scenario: Scenario, table: BandTable, band_free: pd.DataFrame) -> pd.DataFrame:
    """Counts, ratios and costs per week of ``scenario``'s policy, plus the band-free columns."""
    review, p = scenario.review, scenario.policy
    weekly = pd.DataFrame(table.query(p.t_low, p.t_high, review.capacity,
                                      review.overflow_action, scenario.costs.review))
    for col in band_free.columns:
        if col != "week":
            weekly[col] = band_free[col].to_numpy()
    weekly["cost_total"] = weekly["cost_total"] + weekly["cost_retrain"]
    return weekly


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
