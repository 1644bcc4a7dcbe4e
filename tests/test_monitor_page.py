"""The Monitor tab in AppTest: the three views, the honesty note, label maturity and the alert
table render on every domain page, react to the band and to their own controls."""

from __future__ import annotations

import json

import pytest

from tests.test_pages import app, small_params


def frames_text(at) -> str:
    return " ".join(str(df.value.to_dict()) for df in at.dataframe)


@pytest.mark.parametrize("domain", ["fraud", "recommendation"])
def test_monitor_tab_shows_estimates_beside_the_truth_and_the_alert_table(domain):
    at = app(domain, **small_params(domain, **{f"{domain}_tab": "Monitor"}))
    assert not at.exception
    names = {trace["name"] for el in at.get("plotly_chart")
             for trace in json.loads(el.proto.spec)["data"] if "name" in trace}
    assert {"estimated (no labels)", "true (all labels; only a simulator knows)",
            "estimate's 90% interval"} <= names
    assert any(n.startswith("realised (labels within") for n in names)
    assert "Where the estimate can be trusted here" in " ".join(i.value for i in at.info)
    text = frames_text(at)
    assert "CUSUM on estimated cost" in text and "no drift to detect" in text
    at.slider(key=f"{domain}_band").set_value((0.2, 0.6)).run()
    assert not at.exception
    at.slider(key=f"{domain}_monitor_lag").set_value(0).run()
    at.slider(key=f"{domain}_monitor_week").set_value(2).run()
    assert not at.exception
    assert any("Week 2's labels as they arrive" in el.proto.spec for el in at.get("plotly_chart"))


def test_monitor_tab_warns_under_concept_drift():
    params = small_params("fraud", fraud_tab="Monitor", fraud_drift="concept drift", fraud_onset="4")
    at = app("fraud", **params)
    assert not at.exception
    assert "Concept drift" in " ".join(w.value for w in at.warning)
    assert "from the drift's onset" in frames_text(at)


def test_monitor_figures_are_valid_and_keep_undefined_weeks_as_gaps(small_runs):
    from dashboard import charts, monitor_charts
    from simulations.reporting.monitor import MonitorTables, monitor_weekly
    from tests.test_charts import axis_titles, validated

    result = small_runs["fraud"]
    tables = MonitorTables(result)
    outcome = result.at_policy(0.99, 0.99)  # nothing flagged: precision undefined every week
    view = monitor_weekly(tables, outcome, lag=0)
    for metric in ("precision", "recall", "cost", "review_precision"):
        fig = monitor_charts.three_views(view, metric, "t", "share", charts.Markers((3,), (5,)),
                                         realised_name="realised")
        validated(fig)
        assert all(axis_titles(fig))
    est = next(t for t in monitor_charts.three_views(
        view, "precision", "t", "share", charts.Markers(), realised_name="r").data
        if t.name == "estimated (no labels)")
    assert all(y != y for y in est.y)  # NaN, drawn as a gap, never 0
    fig = monitor_charts.maturity(tables.maturity(outcome.scenario, 2), 2)
    validated(fig)


def test_the_realised_line_stays_visible_where_it_equals_the_truth(small_runs):
    """With every label in, realised and true are the same numbers: the realised view is
    drawn after (on top of) the truth, thinner and dotted, so both lines show."""
    from dashboard import charts, monitor_charts
    from simulations.reporting.monitor import MonitorTables, monitor_weekly

    result = small_runs["fraud"]
    view = monitor_weekly(MonitorTables(result), result.outcome, lag=8)
    fig = monitor_charts.three_views(view, "precision", "t", "share", charts.Markers(),
                                     realised_name="realised")
    names = [t.name for t in fig.data]
    true, realised = (fig.data[names.index(n)] for n in (
        "true (all labels; only a simulator knows)", "realised"))
    assert names.index("realised") > names.index(true.name)  # on top
    assert realised.line.dash == "dot" and realised.line.width < true.line.width


def test_a_tiny_negative_error_reads_zero_not_minus_zero():
    from dashboard.tabs.monitor import _signed

    assert _signed(-0.0004) == "0.0 pp" and _signed(0.0004) == "0.0 pp"
    assert _signed(-0.0006) == "-0.1 pp" and _signed(0.012) == "+1.2 pp"
    assert _signed(float("nan")) == "undefined"
