"""The Tradeoff tab's charts from bases kept once per run: the same figures as the chart
functions, bases never changed by a band, and one view computed once for all sessions."""

from __future__ import annotations

import copy
import json
import threading
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import charts
from dashboard.figures import SentFigure, presenter_figure, ready
from dashboard.shared_views import SharedViews
from dashboard.tradeoff_figures import NAMES, TradeoffBases
from simulations import run
from simulations.reporting.summary import (
    cheapest_threshold,
    confusion_matrix,
    cost_curve,
    score_histogram,
    tradeoff_curves,
)
from simulations.scenario import Scenario
from tests.conftest import small

APP = str(Path(__file__).resolve().parent.parent / "dashboard" / "app.py")


def as_json(fig) -> dict:
    return json.loads(pio.to_json(fig, validate=False))


def reference(result, band, counts=False) -> dict:
    """The five charts built by the chart functions from the run, as before bases existed."""
    d, hist, curves, cost = (result.domain, score_histogram(result), tradeoff_curves(result),
                             cost_curve(result))
    t = result.at_policy(*band).totals
    return {
        "score_distribution": charts.score_distribution(
            hist, *band, d.actions, d.positive_word, d.negative_word,
            bool(hist["lower"].iloc[1] < 0.001), counts=counts),
        "confusion": charts.confusion_heatmap(confusion_matrix(t, d)),
        "pr_curve": charts.precision_recall(curves, (t["recall"], t["precision"]),
                                            t["positives"] / t["events"],
                                            reviewed=t["reviewed"] > 0),
        "roc_curve": charts.roc(curves, (t["false_positive_rate"], t["recall"]),
                                float(np.nanmean(result.weekly["auc"]))),
        "cost_curve": charts.cost_vs_threshold(cost, cheapest_threshold(cost), t["cost_total"],
                                               d.unit),
    }


def bases_of(result) -> TradeoffBases:
    t = result.outcome.totals
    return TradeoffBases.of(result.domain, score_histogram(result), tradeoff_curves(result),
                            cost_curve(result), float(np.nanmean(result.weekly["auc"])),
                            t["positives"] / t["events"])


@pytest.fixture(scope="module")
def runs():
    return {name: run(small(name, weeks=4, events=3000)) for name in ("fraud", "triage")}


@pytest.mark.parametrize("name", ["fraud", "triage"])
def test_figures_from_bases_equal_the_chart_functions_and_leave_the_bases_unchanged(runs, name):
    result = runs[name]
    bases = bases_of(result)
    before = copy.deepcopy(bases.histograms), copy.deepcopy((bases.pr, bases.roc, bases.cost))
    # no band, a band with reviews, a single threshold, everything flagged, nothing flagged
    for band in ((0.1, 0.4), (0.3, 0.3), (0.05, 0.9), (0.0, 0.0), (1.0, 1.0)):
        for counts in (False, True):
            t = result.at_policy(*band).totals
            got = bases.figures(*band, t, counts)
            want = reference(result, band, counts)
            assert list(got) == list(NAMES)
            for key in NAMES:
                assert as_json(SentFigure(got[key])) == as_json(want[key]), (band, key)
                go.Figure(got[key])  # a valid plotly figure (validated here, not on the page)
    assert (bases.histograms, (bases.pr, bases.roc, bases.cost)) == before


def test_a_presenter_view_is_the_enlarged_figure(runs):
    result = runs["fraud"]
    band = (0.1, 0.5)
    bases = bases_of(result)
    got = bases.figures(*band, result.at_policy(*band).totals)
    kept = copy.deepcopy(got), copy.deepcopy((bases.histograms, bases.pr, bases.roc, bases.cost))
    want = reference(result, band)
    for key in NAMES:
        assert as_json(ready(got[key], False)) == as_json(want[key]), key
        assert as_json(ready(got[key], True)) == as_json(presenter_figure(want[key])), key
    # enlarging works on a copy: the view and the bases other sessions share stay as they were
    assert (got, (bases.histograms, bases.pr, bases.roc, bases.cost)) == kept


def test_shared_views_compute_a_view_once_bounded_and_after_a_failure_again():
    views = SharedViews(entries=2)
    calls = []

    def build(value):
        def f():
            calls.append(value)
            return value
        return f

    assert views.get("a", build(1)) == 1 and views.get("a", build(2)) == 1
    assert (views.built, views.served, calls) == (1, 1, [1])
    views.get("b", build(3))
    views.get("c", build(4))  # two entries: "a", used least recently, goes
    assert len(views) == 2 and views.get("a", build(5)) == 5
    with pytest.raises(ZeroDivisionError):
        views.get("d", lambda: 1 / 0)
    assert views.get("d", build(6)) == 6  # a failed view is computed by the next asker

    # sessions asking at the same moment share the one computation
    gate, started = threading.Event(), threading.Event()

    def slow():
        started.set()
        gate.wait(5)
        calls.append("slow")
        return "x"

    out = []
    first = threading.Thread(target=lambda: out.append(views.get("e", slow)))
    first.start()
    started.wait(5)
    others = [threading.Thread(target=lambda: out.append(views.get("e", build("twice"))))
              for _ in range(3)]
    for t in others:
        t.start()
    gate.set()
    for t in [first, *others]:
        t.join(5)
    assert out == ["x"] * 4 and calls.count("slow") == 1 and "twice" not in calls


def page(seed: int, band=None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    for key, value in {"fraud_events": "3000", "fraud_weeks": "4",
                       "fraud_seed": str(seed)}.items():
        at.query_params[key] = value
    at.switch_page("views/fraud.py")
    at.run()
    if band is not None:
        at.slider(key="fraud_band").set_value(band).run()
    assert not at.exception
    return at


def shown(at: AppTest) -> list[dict]:
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")]


def run_of(seed: int):
    from dashboard import seam

    for key in seam.runs().keys():
        scenario = Scenario.from_json(key)
        if (scenario.domain, scenario.seed, scenario.population.weeks) == ("fraud", seed, 4):
            return seam.runs().peek(key)
    raise AssertionError(f"no cached run of seed {seed}")


def test_two_sessions_on_one_view_compute_it_once_and_other_scenarios_see_their_own():
    from dashboard import seam

    band = (0.12, 0.43)
    a = page(101, band)
    built, served = seam.shared_view_counts()
    b = page(101, band)  # the same view in another session: answered from the store
    assert seam.shared_view_counts()[0] == built
    assert seam.shared_view_counts()[1] > served
    assert shown(b) == shown(a)
    other = page(202, band)  # another scenario at the same band: its own figures (drawn at
    assert seam.shared_view_counts()[0] == built + 2  # the default band first, then at band)
    for at, seed in ((a, 101), (other, 202)):
        want = reference(run_of(seed), band)
        assert shown(at) == [as_json(want[k]) for k in NAMES]
    assert shown(other) != shown(a)
