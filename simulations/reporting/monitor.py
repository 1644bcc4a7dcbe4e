"""What the Monitor tab and the benchmarks show: per week, the three views of each metric side
by side (true: all labels, only a simulator knows it; realised: on the labels arrived so far;
estimated: without labels, from calibrated scores), the drift scores and the retrainings, and
how far the estimate is from the truth before and after the drift's onset.

``MonitorTables`` is the band-free part (build once per run and cache it); ``monitor_weekly``
answers one band from it in O(weeks), like ``BandTable`` does for the true metrics.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..engine.feedback import arrived_by, held_labels, label_maturity, reveal_labels
from ..monitoring.estimates import (
    EstimateTable,
    RangeSums,
    calibrated_probabilities,
    label_free_costs,
    posterior_given_verdict,
)
from ..policy.metrics import safe_ratio

METRICS = ("precision", "recall", "cost", "review_precision")
METRIC_WORDS = {"precision": "precision", "recall": "recall", "cost": "cost",
                "review_precision": "review queue's precision"}


def probabilities(result) -> tuple[np.ndarray, np.ndarray]:
    """Each event's calibrated probability of a positive under the model that scored it, and
    its calibration spread. The bootstrap draws from a stable place of the run's seed: the
    child of its root generator after the ones the loop spawns (so no other draw moves)."""
    s = result.scenario
    seq = np.random.SeedSequence(s.seed, spawn_key=(3 + s.population.weeks,))
    return calibrated_probabilities(result.arrays["score"], result.arrays["model_version"],
                                    result.calibrations, seq)


def _verdict_flag(result) -> np.ndarray:
    """What a reviewer would decide for each event (band-free: it depends on the event only)."""
    a = result.arrays
    correct = result.reviews_correct()
    label = a["label"].astype(bool)
    return np.where(correct, label, ~label)


class MonitorTables:
    """The band-free part of the Monitor view of a run (build once, cache): the estimate table
    and, per look-back, which labels would have arrived under each route."""

    def __init__(self, result):
        self.result = result
        s, a = result.scenario, result.arrays
        self.p, self.spread = probabilities(result)
        self.verdict = _verdict_flag(result)
        q = posterior_given_verdict(self.p, np.ones(len(self.p), dtype=bool), self.verdict,
                                    s.review.reviewer_accuracy, result.domain.review_decides)
        self.fn_cost, self.fp_cost = label_free_costs(a["value"], s.costs)
        self.estimates = EstimateTable(result.table, self.p, self.spread, self.verdict, q,
                                       self.fn_cost, self.fp_cost)
        self._realised: dict[int, RangeSums] = {}
        self._route_cache: dict | None = None

    _REALISED = ("pass_arr", "pass_pos", "pass_fn", "flag_arr", "flag_pos", "flag_fp",
                 "rev_arr", "rev_vf", "rev_vf_pos", "rev_pos", "rev_fn", "rev_fp", "rev_true")

    def _routes(self) -> dict[str, tuple[np.ndarray, ...]]:
        """Per route an event can take (passed, flagged, reviewed): (seen, seen_label,
        label_week, truth_week) as ``reveal_labels`` gives them. None of it depends on the
        band."""
        if self._route_cache is None:
            r, s, a = self.result, self.result.scenario, self.result.arrays
            n = len(self.p)
            zeros, ones = np.zeros(n, dtype=bool), np.ones(n, dtype=bool)
            correct = self.verdict == a["label"].astype(bool)

            def route(reviewed, final):
                return reveal_labels(r.domain, s.feedback, a["week"], a["label"], reviewed,
                                     final.astype(np.int8), correct, a["u_reveal"], a["delay"])

            self._route_cache = {"pass": route(zeros, zeros), "flag": route(zeros, ones),
                                 "review": route(ones, self.verdict)}
        return self._route_cache

    def realised(self, lag: int) -> RangeSums:
        """Cumulative sums, in the band table's order, of what each event's label would add to
        the realised metrics ``lag`` weeks after its week if it were passed, flagged or
        reviewed (the route decides whether and when a label comes back, and a reviewed event's
        label is the verdict until its outcome arrives: ``feedback.held_labels``)."""
        if lag not in self._realised:
            r, a = self.result, self.result.arrays
            y = a["label"].astype(bool)
            routes = self._routes()
            pass_arr = arrived_by(a["week"], routes["pass"][0], routes["pass"][2], lag)
            flag_arr = arrived_by(a["week"], routes["flag"][0], routes["flag"][2], lag)
            rev_arr = arrived_by(a["week"], routes["review"][0], routes["review"][2], lag)
            rev_label = held_labels(*routes["review"], a["label"],
                                    a["week"] + lag)[1].astype(bool)
            vf = self.verdict
            cols = np.column_stack([
                pass_arr, pass_arr & y, np.where(pass_arr & y, self.fn_cost, 0.0),
                flag_arr, flag_arr & y, np.where(flag_arr & ~y, self.fp_cost, 0.0),
                rev_arr, rev_arr & vf, rev_arr & vf & rev_label, rev_arr & rev_label,
                np.where(rev_arr & rev_label & ~vf, self.fn_cost, 0.0),
                np.where(rev_arr & ~rev_label & vf, self.fp_cost, 0.0), y]).astype(float)
            self._realised[lag] = RangeSums(r.table.order, cols)
        return self._realised[lag]

    def maturity(self, scenario, week: int) -> pd.DataFrame:
        """``engine.feedback.label_maturity`` of one week under ``scenario``'s band, from that
        week's events only (cheap on a band move: no decision for the other weeks)."""
        table, a = self.result.table, self.result.arrays
        p, review = scenario.policy, scenario.review
        i = int(np.searchsorted(table.weeks, week))
        lo, r0, b0 = (c[i] for c in table.cuts(p.t_low, p.t_high, review.capacity))
        start, end = table.starts[i], table.starts[i + 1]
        events = table.order[start:end]
        pos = np.arange(start, end)
        route = np.where(pos < lo, 0, np.where(pos >= b0, 1, np.where(pos >= r0, 2, 3)))
        overflow = 1 if review.unreviewed_action == "flag" else 0
        route = np.where(route == 3, overflow, route)
        final = np.where(route == 2, self.verdict[events], route == 1).astype(np.int8)
        picked = [np.choose(route, [self._routes()[k][j][events]
                                    for k in ("pass", "flag", "review")]) for j in range(4)]
        seen, seen_label, label_week, truth_week = picked
        return label_maturity(np.full(len(events), week), a["label"][events],
                              seen.astype(bool), seen_label, label_week, truth_week, final,
                              week, int(table.weeks[-1]))


def monitor_weekly(tables: MonitorTables, outcome, lag: int = 0) -> pd.DataFrame:
    """One row per week: ``true_*``, ``realised_*`` (labels arrived within ``lag`` weeks after
    the week's end) and ``est_*`` (with ``_low``/``_high``, the 90 % interval) for precision,
    recall, cost (missed positives + false flags + reviews) and the review queue's precision;
    plus the share of labels arrived, the drift scores, the model version and retrainings.
    O(weeks) per band: everything per event is in ``tables``."""
    result, s = tables.result, outcome.scenario
    p, review = s.policy, s.review
    out = tables.estimates.query(p.t_low, p.t_high, review.capacity, review.unreviewed_action,
                                 s.costs.review)
    table = result.table
    a, r, b = table.cuts(p.t_low, p.t_high, review.capacity)
    start, end = table.starts[:-1], table.starts[1:]
    sums = tables.realised(lag)
    names = MonitorTables._REALISED
    pas = dict(zip(names, sums.sum(start, a).T, strict=True))
    over = dict(zip(names, sums.sum(a, r).T, strict=True))
    rev = dict(zip(names, sums.sum(r, b).T, strict=True))
    flg = dict(zip(names, sums.sum(b, end).T, strict=True))
    if review.unreviewed_action == "flag":
        flg = {k: flg[k] + over[k] for k in flg}
    else:
        pas = {k: pas[k] + over[k] for k in pas}
    tp = flg["flag_pos"] + rev["rev_vf_pos"]
    flagged = flg["flag_arr"] + rev["rev_vf"]
    positives = pas["pass_pos"] + flg["flag_pos"] + rev["rev_pos"]
    core = outcome.core
    n_rev = (b - r).astype(float)
    out["true_precision"] = core["precision"].to_numpy()
    out["true_recall"] = core["recall"].to_numpy()
    out["true_cost"] = (core["cost_fn"] + core["cost_fp"] + core["cost_review"]).to_numpy()
    out["true_review_precision"] = safe_ratio(rev["rev_true"], n_rev)
    out["realised_precision"] = safe_ratio(tp, flagged)
    out["realised_recall"] = safe_ratio(tp, positives)
    out["realised_cost"] = (pas["pass_fn"] + flg["flag_fp"] + rev["rev_fn"] + rev["rev_fp"]
                            + s.costs.review * n_rev)
    out["realised_review_precision"] = safe_ratio(rev["rev_pos"], rev["rev_arr"])
    out["labels_arrived_share"] = safe_ratio(
        pas["pass_arr"] + flg["flag_arr"] + rev["rev_arr"], end - start)
    for col in ("score_psi", "score_kl", "score_js", "feature_psi_max", "feature_kl_max",
                "feature_js_max", "model_version", "retrained"):
        out[col] = core[col].to_numpy()
    return pd.DataFrame(out)


def drift_case(scenario) -> tuple[str, str]:
    """Which case of the estimate's honesty the scenario is in: (case, explanation).

    ``concept`` and ``prior``: calibration breaks. ``shift``: only inputs move, the relation
    holds (covariate drift of a domain whose labels are drawn from the features). ``relation``:
    the inputs move in a way that also changes what they mean (features drawn given the label,
    or new cohorts whose histories say less). ``none``: no drift."""
    from ..domains import get_domain

    kinds = {d.kind for d in scenario.drift if d.strength != 0
             and d.onset_week <= scenario.population.weeks}
    if "concept" in kinds:
        return "concept", ("Concept drift: the same score now means a different chance of a "
                           "positive. The calibration learnt before the drift no longer holds, so "
                           "the estimate stays where the old world would have been and its "
                           "interval does not widen; only labels reveal the drop.")
    if "prior" in kinds:
        return "prior", ("Prior shift: the share of positives moves while the scores were "
                         "calibrated to the old share, so the estimate lags the truth in the "
                         "direction of the old base rate.")
    pure = get_domain(scenario.domain).covariate_keeps_relation
    if kinds == {"covariate"} and pure:
        return "shift", ("Covariate shift: the inputs move, but the relation between features "
                         "and outcome stays, so calibrated scores still mean what they meant "
                         "and the estimate should track the truth.")
    if kinds:
        return "relation", ("The inputs move, and in this world that also changes what they "
                            "mean (features shift for positives and negatives alike, or new "
                            "cohorts arrive whose history says less about them). The "
                            "calibration is only partly right: the estimate can miss in either "
                            "direction, so read the measured gap below.")
    return "none", ("No drift: the estimate should track the truth within its interval in "
                    "about nine weeks out of ten.")


def onset_week(scenario) -> int | None:
    """The first week any drift starts (None without drift within the horizon)."""
    onsets = [d.onset_week for d in scenario.drift
              if d.strength != 0 and d.onset_week <= scenario.population.weeks]
    return min(onsets) if onsets else None


def estimate_gap(view: pd.DataFrame, onset: int | None,
                 metrics=("precision", "recall")) -> pd.DataFrame:
    """Per metric and period (before / from the drift's onset): mean error (estimated - true),
    mean absolute error and the share of weeks whose truth lies inside the 90 % interval.
    Weeks where either value is undefined are left out (and counted)."""
    rows = []
    periods = [("all weeks", np.ones(len(view), dtype=bool))]
    if onset is not None:
        periods = [("before the drift", view["week"].to_numpy() < onset),
                   ("from the drift's onset", view["week"].to_numpy() >= onset)]
    for m in metrics:
        est, true = view[f"est_{m}"].to_numpy(), view[f"true_{m}"].to_numpy()
        lo, hi = view[f"est_{m}_low"].to_numpy(), view[f"est_{m}_high"].to_numpy()
        for name, mask in periods:
            ok = mask & np.isfinite(est) & np.isfinite(true)
            err = est[ok] - true[ok]
            rows.append({
                "metric": m, "period": name, "weeks": int(ok.sum()),
                "mean_error": float(err.mean()) if ok.any() else np.nan,
                "mean_abs_error": float(np.abs(err).mean()) if ok.any() else np.nan,
                "coverage": float(np.mean((true[ok] >= lo[ok]) & (true[ok] <= hi[ok])))
                if ok.any() else np.nan,
            })
    return pd.DataFrame(rows)


def alert_quality(scenario, worlds: int = 5, progress=None) -> tuple[pd.DataFrame, list]:
    """The alert rules over ``worlds`` worlds (seeds seed .. seed + worlds - 1) of
    ``scenario``: per rule the median detection delay, the share of worlds where it detected
    the drift and false alarms per year; and each world's own table."""
    from dataclasses import replace

    from ..engine import run
    from ..monitoring.alerts import alert_table, quality_over_worlds

    onset = onset_week(scenario)
    tables = []
    for i in range(worlds):
        world = replace(scenario, seed=scenario.seed + i)
        result = run(world)
        view = monitor_weekly(MonitorTables(result), result.outcome)
        tables.append(alert_table(view, world, onset).assign(world=world.seed))
        if progress:
            progress(i + 1, worlds)
    return quality_over_worlds(tables), tables
