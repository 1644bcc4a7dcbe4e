"""Every chart the dashboard draws is a valid plotly figure with titled axes.

The chart functions skip plotly's validation for speed; here each figure is rebuilt with full
validation, so a misspelt property fails the suite.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from dashboard import charts
from simulations.experiments import compare_policies
from simulations.policy.guardrails import Guardrails
from simulations.policy.metrics import horizon_totals
from simulations.policy.optimize import PolicyGrid, optimize_policy
from simulations.reporting import summary as report
from simulations.scenario import Policy
from tests.conftest import DOMAIN_NAMES


def validated(fig: go.Figure) -> go.Figure:
    return go.Figure(fig.to_dict())  # raises on any invalid property


def axis_titles(fig: go.Figure) -> list[str]:
    layout = fig.to_dict()["layout"]
    return [layout[k].get("title", {}).get("text", "") for k in layout if k.startswith("xaxis")
            or k.startswith("yaxis")]


@pytest.mark.parametrize("name", DOMAIN_NAMES)
def test_every_chart_is_valid_and_titled(small_runs, name):
    result = small_runs[name]
    outcome = result.outcome
    weekly = outcome.weekly
    totals = horizon_totals(weekly)
    markers = charts.Markers((3,), (5,))
    hist = report.score_histogram(result)
    curves = report.tradeoff_curves(result)
    cost = report.cost_curve(result, points=21)
    figures = [
        charts.score_distribution(hist, 0.1, 0.4, result.domain.actions, "p", "n", True),
        charts.score_distribution(hist, 0.2, 0.2, result.domain.actions, "p", "n", False),
        charts.precision_recall(curves, (totals["recall"], totals["precision"]), 0.1),
        charts.precision_recall(curves, (totals["recall"], totals["precision"]), 0.1, True),
        charts.score_distribution(hist, 0.1, 0.4, result.domain.actions, "p", "n", True,
                                  counts=True),
        charts.weekly_lines(weekly, {"precision": "p"}, "t", "share", markers, ghost=weekly),
        charts.review_load(weekly, 100, result.domain.actions, markers, ghost=weekly),
        charts.weekly_costs(weekly, "$", markers, ghost=weekly),
        charts.roc(curves, (0.1, 0.5), 0.8),
        charts.confusion_heatmap(report.confusion_matrix(totals, result.domain)),
        charts.cost_vs_threshold(cost, report.cheapest_threshold(cost), 10.0, "$"),
        charts.weekly_lines(weekly, {"precision": "p", "recall": "r"}, "t", "share", markers,
                            y_format=".0%", hlines={"level": 0.5}),
        charts.review_load(weekly, 100, result.domain.actions, markers),
        charts.weekly_costs(weekly, "$", markers),
        charts.segment_bars(report.segment_table(result, outcome)),
    ]
    grid = PolicyGrid.from_run(result, thresholds=np.round(np.arange(21) * 0.05, 2))
    s = optimize_policy(grid, Guardrails(min_precision=0.2, max_review_per_week=200), 4)
    assert s.feasible
    figures += [
        charts.frontier_cost(s.frontier, s.metrics, (100.0, 5e4), "$", 200.0),
        charts.frontier_pr(curves, s.frontier, s.metrics, (0.2, None)),
    ]
    for fig in figures:
        validated(fig)
        assert all(axis_titles(fig)), fig.layout.title.text


def test_undefined_values_are_gaps_not_zeros(small_runs):
    weekly = small_runs["fraud"].weekly.copy()
    weekly.loc[2, "precision"] = np.nan
    fig = charts.weekly_lines(weekly, {"precision": "p"}, "t", "share", charts.Markers())
    assert np.isnan(fig.data[0].y[2])  # plotly.js draws NaN as a gap
    assert fig.data[0].connectgaps is False


def test_paired_differences_chart_is_valid():
    from tests.conftest import small

    scenario = small("fraud", weeks=3, events=2000)
    comparison = compare_policies(scenario, Policy(0.1, 0.3), Policy(0.05, 0.2))
    fig = charts.paired_differences(comparison.difference, {"cost_total": "cost", "recall": "r"})
    validated(fig)
    assert len(fig.data) == 2


def test_the_counts_histogram_shows_the_base_rate(small_runs):
    result = small_runs["fraud"]
    label = np.asarray(result.arrays["label"], dtype=bool)
    hist = report.score_histogram(result)
    fig = charts.score_distribution(hist, 0.1, 0.4, result.domain.actions, "p", "n", True,
                                    counts=True)
    negatives, positives = (float(np.sum(t.y)) for t in fig.data)
    assert (negatives, positives) == (float((~label).sum()), float(label.sum()))
    shares = charts.score_distribution(hist, 0.1, 0.4, result.domain.actions, "p", "n", True)
    assert [round(float(np.sum(t.y)), 6) for t in shares.data] == [1.0, 1.0]


def test_legends_sit_under_the_plot_and_axes_make_room_for_their_labels(small_runs):
    weekly = small_runs["fraud"].weekly
    fig = charts.weekly_lines(weekly, {"precision": "p", "recall": "r"}, "t", "share",
                              charts.Markers())
    assert fig.layout.legend.yref == "container" and fig.layout.legend.y == 0
    assert fig.layout.xaxis.automargin and fig.layout.yaxis.automargin


def test_week_markers_are_labelled_above_the_plot_clear_of_a_capacity_label():
    """The review chart's "drift starts"/"retrained" labels once sat inside the top of the plot,
    where a capacity line near the top wrote its own label over them."""
    import pandas as pd

    weekly = pd.DataFrame({"week": range(1, 9), "reviewed": [340] * 8,
                           "review_overflow": [0, 0, 40, 80, 90, 90, 90, 90]})
    fig = charts.review_load(weekly, 350, {"review": "review"}, charts.Markers((2,), (5,)))
    notes = {a.text: a for a in fig.layout.annotations}
    capacity = notes["capacity 350/week"]
    assert capacity.yref == "y" and capacity.y == 350  # on its line, inside the plot
    for text in ("drift starts", "retrained"):
        mark = notes[text]
        assert mark.yref == "paper" and mark.y >= 1 and mark.yanchor == "bottom", text


@pytest.mark.parametrize(("best", "position"), [(0.055, "top right"), (0.5, "top center"),
                                                (0.97, "top left")])
def test_the_cheapest_threshold_label_stays_inside_the_plot_near_an_axis_end(best, position):
    curve = pd.DataFrame({"threshold": [0.0, 0.5, 1.0], "cost_total": [3.0, 2.0, 3.0],
                          "cost_fn": [0.0, 1.0, 3.0], "cost_fp": [3.0, 1.0, 0.0]})
    fig = charts.cost_vs_threshold(curve, (best, 2.0), 2.5, "$")
    marker = next(t for t in fig.data if t.name == "cheapest threshold")
    assert marker.text == (f"min at {best:.3f}",)
    assert marker.textposition == position  # centred at 0.055, its first letters were cut


def test_a_weekly_line_that_never_goes_below_zero_gets_no_negative_axis():
    weeks = pd.DataFrame({"week": [1, 2, 3], "share": [0.0, 0.0, 0.0],
                          "change": [0.1, -0.2, np.nan]})
    flat = charts.weekly_lines(weeks, {"share": "s"}, "t", "share", charts.Markers(),
                               y_format=".1%")
    assert flat.layout.yaxis.rangemode == "nonnegative"  # it drew -100% to 100% around 0%
    signed = charts.weekly_lines(weeks, {"change": "c"}, "t", "change", charts.Markers())
    assert signed.layout.yaxis.rangemode is None  # a real negative keeps its axis


def test_the_fairness_gap_band_stays_at_or_above_zero_and_its_title_fits_half_a_page():
    from dashboard.fairness_charts import fairness_gap, fairness_price

    weekly = pd.DataFrame({"week": [1, 2, 3], "gap": [0.01, 0.05, np.nan],
                           "gap_noise": [0.03, 0.01, np.nan], "price": [5.0, -2.0, np.nan]})
    fig = fairness_gap(weekly, 0.02, 2, "recall", charts.Markers())
    lower = next(t for t in fig.data if t.name == "± noise from the draw (95%)")
    np.testing.assert_allclose(lower.y, [0.0, 0.04, np.nan])  # a gap is never below 0
    price = fairness_price(weekly, "$", 2, charts.Markers())
    # at half of a 1,440 px page the longer titles were cut off
    assert max(len(f.layout.title.text) for f in (fig, price)) <= 45
