"""Delayed impact on the domain page: the sidebar switch, the Over time tab's segment shares
and the gap of the bands in use, and a band move that re-simulates (AppTest)."""

from __future__ import annotations

import base64
import json

import numpy as np

from simulations import run
from simulations.scenario import default_scenario
from tests.test_pages import app, small_params


def _trace(at, title: str, name: str) -> list[float]:
    """The line called ``name`` of the chart whose title holds ``title`` (typed arrays decoded)."""
    fig = next(json.loads(el.proto.spec) for el in at.get("plotly_chart")
               if title in json.loads(el.proto.spec)["layout"]["title"]["text"])
    y = next(t for t in fig["data"] if t["name"] == name)["y"]
    if isinstance(y, dict):  # plotly's typed array: base64 of float64
        y = np.frombuffer(base64.b64decode(y["bdata"]), dtype=y["dtype"])
    return [float(v) for v in y]


def test_the_over_time_tab_follows_the_shares_and_a_band_move_re_simulates():
    at = app("fraud", **small_params("fraud", fraud_tab="Over time", fraud_impact="on"))
    assert not at.exception
    assert any("delayed impact" in i.value for i in at.info)  # why the band re-runs
    shares = _trace(at, "share of the traffic", "cross_border")
    scenario = default_scenario("fraud").with_changes(
        population={"events_per_week": 4000, "weeks": 8}, impact={"enabled": True})
    expected = run(scenario).weekly["traffic_share_cross_border"].to_list()
    np.testing.assert_allclose(shares, expected)
    assert any("bands in use" in m.value for m in at.markdown)
    assert any(t["layout"]["title"]["text"].startswith("Gap in") for t in
               (json.loads(el.proto.spec) for el in at.get("plotly_chart")))
    at.slider(key="fraud_band").set_value((0.02, 0.05)).run()  # decline nearly everything
    assert not at.exception
    harsher = _trace(at, "share of the traffic", "cross_border")
    assert harsher[0] == shares[0] and harsher != shares  # week 1 is the natural traffic


def test_the_switch_is_offered_only_where_the_world_declares_an_impact():
    at = app("triage", **small_params("triage"))
    assert not at.exception
    assert not [s for s in at.selectbox if s.key == "triage_impact"]
    at = app("fraud", **small_params("fraud"))
    assert at.selectbox(key="fraud_impact").value == "off"
    assert not any("delayed impact" in i.value for i in at.info)
