"""The Monitor tab: how the model is doing each week before the labels are in. Estimated
(from calibrated scores, with its 90 % interval), realised (on the labels arrived so far) and
true metrics side by side with the drift scores and retrainings; how one week's labels
mature; which alert rules would have fired, and how quickly, in this world and over several."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from dashboard import charts, monitor_charts, seam
from dashboard.figures import chart
from dashboard.tabs.over_time import markers
from simulations.monitoring.alerts import alert_table
from simulations.reporting.money import whole_money
from simulations.reporting.monitor import (
    METRIC_WORDS,
    drift_case,
    estimate_gap,
    monitor_weekly,
    onset_week,
)
from simulations.reporting.summary import format_share

WORLDS = 5


def draw(domain, scenario, result, outcome) -> None:
    page = domain.name
    p = scenario.policy
    if not p.is_uniform():  # its label-free estimates answer one band for all segments
        st.info(f"This tab follows the main band ({p.t_low:.3f} to {p.t_high:.3f}) for every "
                "segment: its true, realised and estimated views are drawn for that one "
                "policy, not for the bands per segment set above.", icon=":material/info:")
        scenario = scenario.with_policy(p.t_low, p.t_high)
        result, outcome = seam.outcome(scenario)
    tables = seam.monitor_tables(seam.run_key(scenario))
    st.caption("The question a team faces each Monday: how is the model doing this week, "
               "before the labels are in, and would we have noticed a problem in time? The "
               "simulator knows the truth, so each estimate can be checked against it.")
    left, right = st.columns([3, 2])
    metric = left.segmented_control(
        "Metric", list(METRIC_WORDS), default="precision", key=f"{page}_monitor_metric",
        format_func=lambda m: METRIC_WORDS[m]) or "precision"
    lag = right.slider("Realised on the labels arrived within … weeks of the week's end", 0, 8,
                       1, key=f"{page}_monitor_lag",
                       help="0: what the team knew on the Monday after the week. Labels of "
                            "passed or declined events may never come back at all under "
                            "selective feedback.")
    view = monitor_weekly(tables, outcome, lag)
    m = markers(scenario, result)
    is_cost = metric == "cost"
    realised_name = f"realised (labels within {lag} week{'s' if lag != 1 else ''})"
    left, right = st.columns(2)
    chart(left, monitor_charts.three_views(
        view, metric, f"{METRIC_WORDS[metric].capitalize()} by week: three views",
        f"cost ({domain.unit})" if is_cost else "share", m, realised_name=realised_name,
        y_format=None if is_cost else ".0%"), key="monitor_views")
    levels = {f"retrain at {scenario.retrain.drift_metric.upper()} "
              f"{scenario.retrain.drift_threshold:g}": scenario.retrain.drift_threshold} \
        if scenario.retrain.trigger == "drift" else {"PSI 0.25: act": 0.25}
    chart(right, charts.weekly_lines(
        view, {"score_psi": "score PSI", "feature_psi_max": "largest feature PSI"},
        "Drift against the training weeks", "divergence (unitless)", m, hlines=levels),
        key="monitor_drift")
    if is_cost:
        st.caption(f"Realised cost counts only the errors whose labels have arrived (what has "
                   f"been booked), so it trails the true cost. Horizon: estimated "
                   f"{whole_money(view['est_cost'].sum(), domain.unit)}, true "
                   f"{whole_money(view['true_cost'].sum(), domain.unit)}.")
    _honesty(scenario, view)
    _maturity(domain, scenario, tables)
    _alerts(domain, scenario, view)


def _honesty(scenario, view: pd.DataFrame) -> None:
    case, words = drift_case(scenario)
    (st.warning if case in ("concept", "prior", "relation") else st.info)(
        f"**Where the estimate can be trusted here.** {words}", icon=":material/rule:")
    gap = estimate_gap(view, onset_week(scenario), metrics=("precision", "recall",
                                                             "review_precision"))
    shown = pd.DataFrame({
        "metric": gap["metric"].map(METRIC_WORDS),
        "weeks": gap["period"],
        "estimate minus truth (mean)": gap["mean_error"].map(_signed),
        "mean absolute error": gap["mean_abs_error"].map(_points),
        "truth inside the 90% interval": gap["coverage"].map(format_share),
    })
    st.dataframe(shown, hide_index=True, width="stretch")
    st.caption("Measured in this world against the true metric. A positive error is an "
               "optimistic estimate. Weeks where a metric is undefined are left out.")


def _signed(value: float) -> str:
    if not np.isfinite(value):
        return "undefined"
    points = round(value * 100, 1)
    return "0.0 pp" if points == 0 else f"{points:+.1f} pp"  # never "-0.0 pp"


def _points(value: float) -> str:
    return "undefined" if not np.isfinite(value) else f"{value * 100:.1f} pp"


def _maturity(domain, scenario, tables) -> None:
    weeks = scenario.population.weeks
    st.subheader("Label maturity")
    week = st.slider("Week whose labels to follow", 1, weeks, max(1, weeks // 3),
                     key=f"{domain.name}_monitor_week")
    table = tables.maturity(scenario, week)
    chart(st, monitor_charts.maturity(table, week), key="monitor_maturity")
    later = table.iloc[min(len(table) - 1, 4)]
    st.caption(f"{format_share(later['share_arrived'])} of week {week}'s labels had arrived "
               f"{int(later['weeks_later'])} weeks later; precision computed then: "
               f"{format_share(later['precision'])} (true {format_share(later['true_precision'])})"
               f", recall {format_share(later['recall'])} (true "
               f"{format_share(later['true_recall'])}).")


def _alerts(domain, scenario, view: pd.DataFrame) -> None:
    st.subheader("Alert rules: would we have noticed?")
    onset = onset_week(scenario)
    table = alert_table(view, scenario, onset)
    st.dataframe(_alert_rows(table, onset), hide_index=True, width="stretch")
    st.caption("Detection delay: weeks from the drift's onset to the first firing at or after "
               "it. False alarms: firings in weeks before the onset, when nothing had changed. "
               "The change detectors learn the cost estimate's level in the first 4 weeks of "
               "each model.")
    key = f"{domain.name}_monitor_worlds"
    if st.button(f"Score the rules over {WORLDS} worlds", key=key, icon=":material/public:"):
        st.session_state[f"{key}_done"] = scenario.to_json()
    if st.session_state.get(f"{key}_done") == scenario.to_json():
        summary, _ = seam.alert_quality_over_worlds(scenario, WORLDS)
        st.dataframe(pd.DataFrame({
            "rule": summary["rule"],
            "worlds": summary["worlds"],
            "median detection delay (weeks)": summary["median_detection_delay"].map(
                lambda d: "never detected" if not np.isfinite(d) else f"{d:g}"),
            "worlds where it detected the drift": summary["detected_share"].map(format_share),
            "false alarms per year": summary["false_alarms_per_year"].map(
                lambda f: "undefined" if not np.isfinite(f) else f"{f:.1f}"),
        }), hide_index=True, width="stretch")
        st.caption(f"Seeds {scenario.seed} to {scenario.seed + WORLDS - 1}: the same scenario "
                   "in other draws of the world, so one lucky world does not decide.")


def _alert_rows(table: pd.DataFrame, onset: int | None) -> pd.DataFrame:
    def delay(d):
        if onset is None:
            return "no drift to detect"
        return "not detected" if not np.isfinite(d) else f"{d:g} weeks"

    return pd.DataFrame({
        "rule": table["rule"], "watches": table["watches"],
        "first fires": table["first_week"].map(
            lambda w: "never" if not np.isfinite(w) else f"week {w:g}"),
        "detection delay": table["detection_delay"].map(delay),
        "false alarms": [f"{f} in {q} weeks" for f, q in zip(table["false_alarms"],
                                                            table["quiet_weeks"], strict=True)],
        "fires in weeks": table["fires_in_weeks"],
    })
