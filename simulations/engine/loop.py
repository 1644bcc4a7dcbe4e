"""The weekly loop: generate, score, decide, review, monitor, learn, retrain.

``run(scenario)`` plays a scenario forward week by week and returns a ``RunResult`` with the
weekly table (one row per week), the events table (one row per event), the drift table (one
row per week and monitored column) and the history of models. Every random draw comes from
one ``numpy.random.Generator`` seeded with ``scenario.seed``; it is split up front into
independent streams for the world, the reference window, the model and each week, so the
traffic of week w is the same whatever the policy did before (common random numbers), unless
the scenario's delayed impact lets the decisions change who arrives (``impact``): then each
week's natural traffic is still that draw, reweighted by segment.

Each step has its own module: the model (``model``), which labels the team sees
(``feedback``), what a policy yields over the run (``outcome``), whether to retrain
(``retraining``) and who arrives after the decisions (``impact``); this module only strings
them together.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import pandas as pd

from ..domains import Batch, Domain, DriftState, get_domain
from ..domains.base import shifted_rate
from ..labels import audit as audit_lib
from ..labels.plant import prepare
from ..monitoring.drift import DriftReference
from ..monitoring.estimates import (
    estimate_weekly,
    fit_calibration,
    label_free_costs,
    posterior_given_verdict,
)
from ..policy.metrics import (
    brier_score,
    expected_calibration_error,
    log_loss,
    roc_auc_sorted,
    week_orders,
)
from ..scenario import Scenario
from . import model as model_lib
from .feedback import week_delays
from .impact import Presence, impact_columns
from .outcome import Outcome, RunResult, band_table, decisions, revealed
from .queue_outcome import LoopQueue
from .retraining import ModelRecord, WeekEnd, retrain_reason, shortfall, training_set


def _drift_state(scenario: Scenario, week: int) -> DriftState:
    total = {"covariate": 0.0, "prior": 0.0, "concept": 0.0, "cohort": 0.0}
    for spec in scenario.drift:
        total[spec.kind] += spec.intensity(week)
    for kind in ("covariate", "concept", "cohort"):
        total[kind] = min(total[kind], 1.0)  # composed specs of one kind saturate at full strength
    return DriftState(**total)


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


def _week_estimate(scenario, domain, calibration, week, version, scores, value, reviewed,
                   final) -> dict:
    """This week's label-free estimates under the serving model (for the alert trigger)."""
    n = len(scores)
    p = calibration(scores) if calibration is not None else np.full(n, np.nan)
    q = posterior_given_verdict(p, reviewed, final, scenario.review.reviewer_accuracy,
                                domain.review_decides)
    fn_cost, fp_cost = label_free_costs(value, scenario.costs)
    est = estimate_weekly(np.full(n, week), q, final, reviewed, fn_cost, fp_cost,
                          scenario.costs.review).iloc[0]
    return {"week": week, "model_version": version,
            **{k: float(est[k]) for k in ("est_cost", "est_cost_spread", "est_precision",
                                          "est_recall")}}


def run(scenario: Scenario, progress: Callable[[int, int], None] | None = None) -> RunResult:
    """Simulate ``scenario`` week by week. ``progress(week, weeks)`` is called after each week."""
    started = time.perf_counter()
    domain = get_domain(scenario.domain)
    pop = scenario.population
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
    reference_scores = model_lib.score(model, reference.numeric, reference.categorical)
    monitor = _Monitor(domain, reference, reference_scores)
    monitor_extra = reference.extra  # what the world's own monitor compares each week with
    # each model's scores calibrated on the labelled events it was trained on, for the
    # label-free estimates (monitoring.estimates); nothing else of the run depends on them
    calibrations = [fit_calibration(reference_scores, reference.label)]
    models = [ModelRecord(0, 0, "initial model, trained on the reference window", "trained",
                          len(reference), int(reference.label.sum()))]
    fitted = [model]  # by version: what explains one event's decision afterwards

    batches: list[Batch] = []
    per_week: dict[str, list[np.ndarray]] = {k: [] for k in (
        "score", "u_review", "u_reveal", "delay", "model_version", "final", "seen", "seen_label",
        "label_week", "truth_week", "label")}
    queue = LoopQueue(scenario, domain) if scenario.review.queued else None
    if queue is not None:  # each waiting customer's patience, drawn only when a queue exists
        per_week["u_abandon"] = []
    double = scenario.review.double_share > 0
    if double:  # which reviews are done twice, and the second reviewer's draw
        per_week["u_double"], per_week["u_second"] = [], []
    label_error = 0.0  # of the latest model's training labels (the first learnt the truth)
    dq = scenario.data_quality
    # faults planted in retrainings' training sets, their audit and cleaning: a stream of
    # their own, spawned only when used, so every other draw is what it is without them
    dq_rng = root.spawn(1)[0] if dq.active else None
    # delayed impact (engine.impact): each segment's size, and a stream of its own for the
    # extra natural traffic a week may need, so a run without impact draws what it always did
    presence = Presence(scenario, domain) if scenario.impact.enabled else None
    impact_rng = root.spawn(1)[0] if presence is not None else None
    audits = []
    rows, drift_rows, estimates = [], [], []
    week_sorts = []  # each week's order by score: the run's table reuses these sorts
    last_retrain, version = 0, 0
    for w in range(1, weeks + 1):
        rng = week_rngs[w - 1]
        state = _drift_state(scenario, w)
        rate = shifted_rate(pop.base_rate, state.prior)
        batch = domain.generate(n, rate, state, world, rng)
        if presence is not None:
            batch, natural = presence.week(
                batch, lambda r, state=state, rate=rate: domain.generate(n, rate, state, world, r),
                impact_rng)
        u_review, u_reveal = rng.random(n), rng.random(n)
        delay = week_delays(scenario.feedback.delay, n, rng)
        scores = model_lib.score(model, batch.numeric, batch.categorical)

        # this week's decisions, by the same functions that answer any band after the run
        week_arrays = {"week": np.full(n, w), "score": scores, "label": batch.label,
                       "value": batch.value, "u_review": u_review, "u_reveal": u_reveal,
                       "delay": delay, "segment": batch.segment}
        week_table = band_table(scenario, domain, week_arrays)
        week_sorts.append(week_table.order)
        if queue is None:
            correct, _, reviewed, final = decisions(scenario, domain, week_table, week_arrays)
            decided = None
        else:
            # a child stream, so every other draw of the week is what it is without a queue
            week_arrays["u_abandon"] = rng.spawn(1)[0].random(n)
            per_week["u_abandon"].append(week_arrays["u_abandon"])
            correct, reviewed, final, decided = queue.week(w, week_table, week_arrays,
                                                           [*batches, batch], per_week)
        seen, seen_label, label_week, truth_week = revealed(scenario, domain, week_arrays,
                                                            correct, reviewed, final, decided)
        if presence is not None:
            shares = impact_columns(domain, batch.segment, natural)
            presence.update(batch.segment, final, batch.label)
        if double:  # a child stream of its own: no other draw of the week moves
            second = rng.spawn(1)[0]
            per_week["u_double"].append(second.random(n))
            per_week["u_second"].append(second.random(n))
        batches.append(batch)
        for key, arr in (("score", scores), ("u_review", u_review), ("u_reveal", u_reveal),
                         ("delay", delay),
                         ("model_version", np.full(n, version, dtype=np.int16)),
                         ("final", final), ("seen", seen), ("seen_label", seen_label),
                         ("label_week", label_week), ("truth_week", truth_week),
                         ("label", batch.label)):
            per_week[key].append(arr)

        drift = monitor.measure(batch, scores)
        signals = domain.monitor(batch.extra, monitor_extra) if domain.monitor else {}
        columns = monitor.reference.columns
        drift_rows += [(w, c, drift["psi"][j], drift["kl"][j], drift["js"][j])
                       for j, c in enumerate(columns)]
        is_score = np.array([c == "score" for c in columns])
        row = {
            "week": w,
            # ranked by the week's sort (ties share a rank: any ascending order gives the same)
            "auc": roc_auc_sorted(week_table.sorted_score, batch.label[week_table.order]),
            "brier": brier_score(batch.label, scores),
            "log_loss": log_loss(batch.label, scores),
            "calibration_error": expected_calibration_error(batch.label, scores),
            **{f"score_{m}": float(drift[m][is_score][0]) for m in ("psi", "kl", "js")},
            **{f"feature_{m}_max": float(drift[m][~is_score].max()) for m in ("psi", "kl", "js")},
            "model_version": version,
            **{f"drift_{k}": getattr(state, k) for k in ("covariate", "prior", "concept", "cohort")},
            "retrained": False,
            "retrain_reason": "",
            **signals,
        }
        if presence is not None:
            row.update(shares)
        if scenario.retrain.trigger == "alert":
            estimates.append(_week_estimate(scenario, domain, calibrations[version], w, version,
                                            scores, batch.value, reviewed, final))
        reason = retrain_reason(WeekEnd(scenario, w, drift, is_score, per_week,
                                        tuple(estimates), signals), last_retrain)
        if reason:
            ts = training_set(scenario, w, batches, per_week, Batch.concat)
            status = shortfall(scenario, ts)
            window = ts.window
            prepared = None
            if not status and dq_rng is not None:
                prepared = _prepared(scenario, domain, dq_rng.spawn(1)[0], ts, version + 1, w,
                                     cat_sizes)
                if len(np.unique(prepared.label)) < 2:
                    status = (f"skipped: {len(prepared.label)} rows left after cleaning, "
                              "of one class only")
                if prepared.audit is not None:
                    row["cleaned_rows"] = prepared.audit.cleaned_rows
                    row["cost_clean"] = prepared.audit.clean_cost
                    audits.append(prepared.audit)
            if status:
                models.append(ModelRecord(version, w, reason, status, ts.labels, ts.positives))
                row["retrain_reason"] = f"{reason}; {status}"
            else:
                if prepared is None:
                    model = fit_new(window.numeric[ts.usable], window.categorical[ts.usable],
                                    ts.label)
                else:
                    model = fit_new(prepared.numeric, prepared.categorical, prepared.label)
                version += 1
                fitted.append(model)
                last_retrain = w
                models.append(ModelRecord(version, w, reason, "trained", ts.labels,
                                          ts.positives))
                # drift is measured against the new model's training window from now on
                window_scores = model_lib.score(model, window.numeric, window.categorical)
                monitor = _Monitor(domain, window, window_scores)
                monitor_extra = window.extra  # the world's own signals move with it
                calibrations.append(fit_calibration(window_scores[ts.usable], ts.label))
                row["retrained"] = True
                row["retrain_reason"] = reason
                label_error = (float(np.mean(ts.label != window.label[ts.usable]))
                               if prepared is None else prepared.label_error)
        row["train_label_error"] = label_error
        rows.append(row)
        if progress:
            progress(w, weeks)

    events = Batch.concat(batches)
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
    table = band_table(scenario, domain, arrays, week_orders(week_sorts))
    band_free = pd.DataFrame(rows)
    band_free["cost_retrain"] = np.where(band_free["retrained"], scenario.costs.retrain, 0.0)
    if dq.audited:  # cleaning is part of what a retraining costs
        for column in ("cleaned_rows", "cost_clean"):
            band_free[column] = band_free.get(column, pd.Series(0.0, index=band_free.index)
                                              ).fillna(0.0)
        band_free["cleaned_rows"] = band_free["cleaned_rows"].astype(np.int64)
        band_free["cost_retrain"] = band_free["cost_retrain"] + band_free["cost_clean"]
    memo: dict = {}  # shared by every band's outcome of this run
    outcome = Outcome(scenario, domain, table, band_free, arrays, memo)
    drift_table = pd.DataFrame(drift_rows, columns=["week", "column", "psi", "kl", "js"])
    return RunResult(scenario, domain, outcome, drift_table, models, table, band_free, arrays,
                     time.perf_counter() - started, calibrations, fitted, audits, memo)


def _prepared(scenario, domain, rng, ts, version, week, cat_sizes):
    """The retraining's training set with the scenario's planted faults, audited and cleaned
    (``labels.plant``); out-of-fold probabilities come from the scenario's own model kind."""
    seed = int(rng.integers(2**31 - 1))
    blank = model_lib.build_model(scenario.model.kind, len(domain.numeric_features), cat_sizes,
                                  seed)

    def out_of_fold(numeric, categorical, label):
        return audit_lib.out_of_fold(blank, model_lib.design_matrix(numeric, categorical),
                                     label, seed)

    window = ts.window
    return prepare(scenario.data_quality, rng, domain.segments, window.numeric[ts.usable],
                   window.categorical[ts.usable], ts.label, window.label[ts.usable],
                   window.segment[ts.usable], window.segment, out_of_fold, version, week)
