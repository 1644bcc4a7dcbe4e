"""What the Monitor tab and the benchmarks show: per week, the three views of each metric side
by side (true: all labels, only a simulator knows it; realised: on the labels arrived so far;
estimated: without labels, from calibrated scores), the drift scores and the retrainings, and
how far the estimate is from the truth before and after the drift's onset.

``probabilities`` is the band-free part (cache it); ``monitor_weekly`` answers one band.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..engine.feedback import arrived_by, realised_by_week
from ..monitoring.estimates import (
    calibrated_probabilities,
    estimate_weekly,
    label_free_costs,
    posterior_given_verdict,
)
from ..policy.metrics import safe_ratio

METRICS = ("precision", "recall", "cost", "review_precision")
METRIC_WORDS = {"precision": "precision", "recall": "recall", "cost": "cost",
                "review_precision": "review queue's precision"}


def probabilities(result) -> np.ndarray:
    """Each event's calibrated probability of a positive under the model that scored it."""
    return calibrated_probabilities(result.arrays["score"], result.arrays["model_version"],
                                    result.calibrations)


def monitor_weekly(result, outcome, p: np.ndarray, lag: int = 0) -> pd.DataFrame:
    """One row per week: ``true_*``, ``realised_*`` (labels arrived within ``lag`` weeks after
    the week's end) and ``est_*`` (with ``_low``/``_high``, the 90 % interval) for precision,
    recall, cost (missed positives + false flags + reviews) and the review queue's precision;
    plus the share of labels arrived, the drift scores, the model version and retrainings."""
    s, a = result.scenario, result.arrays
    weeks = a["week"]
    post = posterior_given_verdict(p, outcome.reviewed, outcome.final,
                                   s.review.reviewer_accuracy, result.domain.review_decides)
    fn_cost, fp_cost = label_free_costs(a["value"], s.costs)
    out = estimate_weekly(weeks, post, outcome.final, outcome.reviewed, fn_cost, fp_cost,
                          s.costs.review)
    core = outcome.core
    n_weeks = len(out)
    idx = weeks - int(weeks[0])
    rev = outcome.reviewed.astype(bool)
    flag = outcome.final.astype(bool)
    truth = a["label"].astype(bool)
    out["true_precision"] = core["precision"].to_numpy()
    out["true_recall"] = core["recall"].to_numpy()
    out["true_cost"] = (core["cost_fn"] + core["cost_fp"] + core["cost_review"]).to_numpy()
    out["true_review_precision"] = safe_ratio(
        np.bincount(idx, rev & truth, minlength=n_weeks), np.bincount(idx, rev, minlength=n_weeks))

    real = realised_by_week(weeks, outcome.seen, outcome.seen_label, outcome.label_week,
                            outcome.final, lag)
    got = arrived_by(weeks, outcome.seen, outcome.label_week, lag)
    seen_pos = outcome.seen_label.astype(bool)
    booked = np.where(got & seen_pos & ~flag, fn_cost, 0.0) + np.where(
        got & ~seen_pos & flag, fp_cost, 0.0)
    out["realised_precision"] = real["precision"]
    out["realised_recall"] = real["recall"]
    out["realised_cost"] = (np.bincount(idx, booked, minlength=n_weeks)
                            + s.costs.review * np.bincount(idx, rev, minlength=n_weeks))
    out["realised_review_precision"] = safe_ratio(
        np.bincount(idx, got & rev & seen_pos, minlength=n_weeks),
        np.bincount(idx, got & rev, minlength=n_weeks))
    out["labels_arrived_share"] = real["labels"] / np.bincount(idx, minlength=n_weeks)
    for col in ("score_psi", "score_kl", "score_js", "feature_psi_max", "feature_js_max",
                "model_version", "retrained"):
        out[col] = core[col].to_numpy()
    for kind in ("covariate", "prior", "concept", "cohort"):
        out[f"drift_{kind}"] = core[f"drift_{kind}"].to_numpy()
    return out


def drift_case(scenario) -> tuple[str, str]:
    """Which case of the estimate's honesty the scenario is in: (case, explanation)."""
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
    if kinds:
        return "shift", ("The inputs move (covariate shift or new cohorts) but, as far as the "
                         "model's features capture it, the relation between features and outcome "
                         "stays: calibrated scores still mean what they meant, so the estimate "
                         "should track the truth.")
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
