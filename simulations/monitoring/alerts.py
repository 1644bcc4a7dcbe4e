"""Alert rules a team can run every Monday without labels, and how good they are at it.

Three families, each a function of the weekly monitor view (one row per week):

- a threshold on a drift score (PSI, KL or JS of the score or of the most-drifted feature);
- a sequential change detector on the label-free cost estimate: a one-sided CUSUM (Page 1954)
  or the Page-Hinkley test, on the estimate standardised against the first ``warmup`` weeks
  of the current model (after a retraining the baseline is learnt again);
- a guardrail on an estimated metric (estimated precision or recall below a floor).

The detectors' false-alarm rates on a stationary standard-normal stream, which is what the
standardised estimate is when nothing changes: the CUSUM with k = 0.5 and h = 5 has an
in-control average run length of about 930 weeks (Siegmund's approximation; about 0.06
false alarms a year); the Page-Hinkley test with delta = 0.5 and lambda = 5 on the same
stream raises about one false alarm per 900 weeks (measured over 600,000 steps; the tests hold
it below one per 600).

``rule_quality`` scores a rule against the drift the simulator planted: the first week it
fires, its detection delay (weeks from the drift's onset to the first firing at or after it)
and its false alarms (firings in weeks before the onset, when nothing had changed).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

CUSUM_K, CUSUM_H = 0.5, 5.0
PH_DELTA, PH_LAMBDA = 0.5, 5.0
WARMUP_WEEKS = 4


def cusum(z, k: float = CUSUM_K, h: float = CUSUM_H) -> tuple[np.ndarray, np.ndarray]:
    """One-sided upper CUSUM of a standardised stream: S_t = max(0, S_{t-1} + z_t - k); it
    fires when S_t > h and then starts again from 0. NaN steps leave S unchanged. Works on a
    (steps,) stream or a (steps, streams) array at once. Returns (S, fired)."""
    z = np.asarray(z, dtype=float)
    stat = np.zeros_like(z)
    fired = np.zeros(z.shape, dtype=bool)
    s = np.zeros(z.shape[1:])
    for t in range(len(z)):
        step = np.where(np.isnan(z[t]), s, np.maximum(0.0, s + np.nan_to_num(z[t]) - k))
        fired[t] = step > h
        stat[t] = step
        s = np.where(fired[t], 0.0, step)
    return stat, fired


def page_hinkley(z, delta: float = PH_DELTA, lam: float = PH_LAMBDA):
    """Page-Hinkley test for an upward change: m_t = sum_i (z_i - mean(z_1..z_i) - delta),
    fire when m_t - min_{i<=t} m_i > lambda, then start again. NaN steps are skipped. Works on
    a (steps,) stream or a (steps, streams) array. Returns (m_t - min m, fired)."""
    z = np.asarray(z, dtype=float)
    stat = np.zeros_like(z)
    fired = np.zeros(z.shape, dtype=bool)
    shape = z.shape[1:]
    n, mean, m, low = np.zeros(shape), np.zeros(shape), np.zeros(shape), np.zeros(shape)
    for t in range(len(z)):
        ok = ~np.isnan(z[t])
        x = np.nan_to_num(z[t])
        n = n + ok
        mean = np.where(ok, mean + (x - mean) / np.maximum(n, 1), mean)
        m = np.where(ok, m + x - mean - delta, m)
        low = np.minimum(low, m)
        stat[t] = m - low
        fired[t] = stat[t] > lam
        reset = fired[t]
        n, mean, m, low = (np.where(reset, 0, n), np.where(reset, 0.0, mean),
                           np.where(reset, 0.0, m), np.where(reset, 0.0, low))
    return stat, fired


def standardised_cost(view: pd.DataFrame, warmup: int = WARMUP_WEEKS) -> np.ndarray:
    """The weekly label-free cost estimate standardised against its level in the first
    ``warmup`` weeks of each model (NaN during those weeks): (x_t - mean) / sd, where sd adds
    the estimate's own week-to-week spread to the uncertainty of the baseline mean."""
    x = view["est_cost"].to_numpy(dtype=float)
    spread = view["est_cost_spread"].to_numpy(dtype=float)
    version = view["model_version"].to_numpy()
    z = np.full(len(x), np.nan)
    for v in np.unique(version):
        rows = np.flatnonzero(version == v)
        base, rest = rows[:warmup], rows[warmup:]
        if len(base) < warmup or not len(rest):
            continue
        mean = np.nanmean(x[base])
        between = np.nanstd(x[base], ddof=1)  # the baseline's own week-to-week movement
        sd = np.sqrt(np.maximum(spread[rest], between) ** 2 + between ** 2 / warmup)
        with np.errstate(invalid="ignore", divide="ignore"):
            z[rest] = (x[rest] - mean) / sd
    return z


@dataclass(frozen=True)
class Rule:
    """One alert rule: its name, what it watches, and the weeks it fires."""

    name: str
    watches: str
    fired: np.ndarray  # bool per week


def rules_for(view: pd.DataFrame, scenario, min_precision: float | None = None,
              min_recall: float | None = None) -> list[Rule]:
    """The alert rules of the Monitor tab, evaluated on one weekly view."""
    rt = scenario.retrain
    metric, level = rt.drift_metric, rt.drift_threshold
    out = [
        Rule(f"score {metric.upper()} > {level:g}", "drift of the model's scores",
             view[f"score_{metric}"].to_numpy() > level),
    ]
    feature_col = f"feature_{metric}_max"
    if feature_col in view:
        out.append(Rule(f"largest feature {metric.upper()} > {level:g}", "drift of the inputs",
                        view[feature_col].to_numpy() > level))
    z = standardised_cost(view)
    out.append(Rule(f"CUSUM on estimated cost (k={CUSUM_K:g}, h={CUSUM_H:g})",
                    "label-free cost estimate", cusum(z)[1]))
    out.append(Rule(f"Page-Hinkley on estimated cost (δ={PH_DELTA:g}, λ={PH_LAMBDA:g})",
                    "label-free cost estimate", page_hinkley(z)[1]))
    floors = {"precision": min_precision, "recall": min_recall}
    words = {}
    if min_precision is None and min_recall is None:  # a floor relative to the launch weeks
        launch = view[f"est_{rt.performance_metric}"].to_numpy()[:WARMUP_WEEKS]
        if np.isfinite(launch).any():
            floors[rt.performance_metric] = round(0.9 * float(np.nanmean(launch)), 3)
            words[rt.performance_metric] = f"90% of its first {WARMUP_WEEKS} weeks' level"
    for name, floor in floors.items():
        if floor is not None:
            est = view[f"est_{name}"].to_numpy()
            level = words.get(name, f"{floor:.1%}")  # the same name in every world
            out.append(Rule(f"estimated {name} < {level}", "guardrail on an estimate",
                            np.isfinite(est) & (est < floor)))
    return out


def rule_quality(fired: np.ndarray, weeks: np.ndarray, onset: int | None) -> dict:
    """First firing week, detection delay after ``onset`` (NaN if it never fires from then
    on, or without drift), false alarms and the drift-free weeks they were counted over."""
    fired = np.asarray(fired, dtype=bool)
    weeks = np.asarray(weeks)
    quiet = weeks < onset if onset is not None else np.ones(len(weeks), dtype=bool)
    after = fired & ~quiet
    return {
        "first_week": int(weeks[fired][0]) if fired.any() else np.nan,
        "detection_delay": float(weeks[after][0] - onset) if after.any() else np.nan,
        "false_alarms": int((fired & quiet).sum()),
        "quiet_weeks": int(quiet.sum()),
    }


def alert_table(view: pd.DataFrame, scenario, onset: int | None, **guardrails) -> pd.DataFrame:
    """One row per rule: what it watches, the weeks it fires, and its quality in this world."""
    weeks = view["week"].to_numpy()
    rows = []
    for rule in rules_for(view, scenario, **guardrails):
        rows.append({"rule": rule.name, "watches": rule.watches,
                     **rule_quality(rule.fired, weeks, onset),
                     "fires_in_weeks": ", ".join(str(w) for w in weeks[rule.fired]) or "never"})
    return pd.DataFrame(rows)


def quality_over_worlds(tables: list[pd.DataFrame]) -> pd.DataFrame:
    """Per rule over several worlds' ``alert_table``s: median detection delay, the share of
    worlds where it detected the drift, and false alarms per year of drift-free weeks."""
    both = pd.concat(tables, ignore_index=True)
    rows = []
    for rule, group in both.groupby("rule", sort=False):
        quiet = group["quiet_weeks"].sum()
        delays = group["detection_delay"].dropna()
        rows.append({
            "rule": rule, "worlds": len(group),
            "median_detection_delay": float(delays.median()) if len(delays) else np.nan,
            "detected_share": len(delays) / len(group),
            "false_alarms_per_year": 52 * group["false_alarms"].sum() / quiet if quiet else np.nan,
        })
    return pd.DataFrame(rows)


def alert_reason(rule: str, view: pd.DataFrame, threshold: float, metric: str,
                 floor: float) -> str:
    """Why ``rule`` fires in the last week of ``view`` (the weeks of the current model so
    far), or "": what the ``alert`` retraining trigger asks each week."""
    if rule == "estimate_floor":
        value = float(view[f"est_{metric}"].iloc[-1])
        if np.isfinite(value) and value < floor:
            return f"alert: estimated {metric} {value:.3f} < floor {floor:g}"
        return ""
    z = standardised_cost(view)
    detector = cusum(z, h=threshold) if rule == "cusum" else page_hinkley(z, lam=threshold)
    stat, fired = detector
    if fired[-1]:
        word = "CUSUM" if rule == "cusum" else "Page-Hinkley"
        return f"alert: {word} on estimated cost {stat[-1]:.1f} > {threshold:g}"
    return ""
