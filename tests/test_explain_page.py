"""The Data tab's "one decision explained" section in AppTest, and its chart validated."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from dashboard.explain_charts import partial_dependence
from simulations.explain import FeatureSpace, event_dependence, quick_picks

from .test_pages import app, small_params


def test_the_data_tab_explains_a_quick_pick_and_a_chosen_row():
    at = app("fraud", **small_params("fraud", fraud_tab="Data"))
    assert not at.exception
    assert at.selectbox(key="fraud_explain_pick").value == "a false 'decline'"
    assert at.info[0].value.startswith("The decision was 'decline' mainly because of")
    assert "Not treated as changeable" in at.info[0].value
    at.selectbox(key="fraud_explain_pick").set_value("an event by its row").run()
    at.number_input(key="fraud_explain_row").set_value(123).run()
    assert not at.exception
    assert at.info[0].value.startswith("The decision was '")
    at.toggle(key="fraud_audit").set_value(True).run()
    assert not at.exception
    audit = at.dataframe[-1].value
    assert list(audit["segment"]) == ["in_store", "online", "cross_border"]


def test_the_dependence_chart_draws_both_thresholds(small_runs):
    result = small_runs["triage"]
    space = FeatureSpace.of_run(result)
    row = quick_picks(result, result.outcome)["a false 'escalate'"]
    dep = event_dependence(result, row, 3, space)
    fig = partial_dependence(dep, "oxygen saturation", "91%", 0.08, 0.35,
                             result.domain.actions)
    go.Figure(fig.to_dict())  # plotly's validation of every property
    layout = fig.to_dict()["layout"]
    ys = sorted(s["y0"] for s in layout["shapes"] if s["xref"] == "paper")
    assert ys == [0.08, 0.35]
    event_line = [t for t in fig.data if t.name == "this event"][0]
    assert np.allclose(event_line.y, dep.individual[0])
