"""The Data plan tab (AppTest): nothing is trained until the button is pressed; then the
learning curves with their 90% ranges, the sentence naming the cheapest strategy and the
table appear, and a budget no pool can serve says what to fix."""

from __future__ import annotations

import json

import pytest

from dashboard import seam
from tests.test_pages import app, small_params


@pytest.fixture(autouse=True)
def one_worker(monkeypatch):
    monkeypatch.setattr(seam, "ENSEMBLE_WORKERS", 1)  # no process pool to start in a test


def _titles(at) -> list[str]:
    return [json.loads(el.proto.spec)["layout"]["title"]["text"] for el in at.get("plotly_chart")]


def test_the_button_plans_the_budget_and_draws_the_learning_curves():
    at = app("fraud", **small_params("fraud", fraud_tab="Data plan", fraud_weeks="4",
                                     fraud_events="1000"))
    assert not at.exception
    assert not any(t.startswith("Learning curves") for t in _titles(at))  # not before the button
    at.select_slider(key="fraud_plan_worlds").set_value(5)
    at.number_input(key="fraud_plan_budget").set_value(1500.0)
    at.multiselect(key="fraud_plan_strategies").set_value(["more_labels", "clean"])
    at.run()
    assert any("buys 500 reviews" in c.value for c in at.caption)
    at.button(key="fraud_plan_go").click().run()
    assert not at.exception
    spec = next(json.loads(el.proto.spec) for el in at.get("plotly_chart")
                if "Learning curves" in json.loads(el.proto.spec)["layout"]["title"]["text"])
    names = [t.get("name", "") for t in spec["data"]]
    assert names[:2] == ["more single labels: 90% of 5 worlds",
                         "cleaning the flagged rows: 90% of 5 worlds"]  # shading behind
    assert names[2:] == ["more single labels", "cleaning the flagged rows"]
    assert spec["data"][2]["x"] == [0.0, 375.0, 750.0, 1125.0, 1500.0]
    sentence = [m.value for m in at.markdown if m.value.startswith("At a budget of $1,500")]
    assert sentence and "the next best" in sentence[0]
    table = at.dataframe[-1].value
    assert len(table) == 2 * 5 and set(table["strategy"]) == {"more single labels",
                                                              "cleaning the flagged rows"}


def test_a_budget_the_pool_cannot_serve_is_refused_on_the_page(monkeypatch):
    monkeypatch.setattr("simulations.experiments.data_plan.POOL_FACTOR", 0)
    at = app("fraud", **small_params("fraud", fraud_tab="Data plan", fraud_weeks="4",
                                     fraud_events="1000"))
    assert not at.exception
    assert any("give a budget of at most" in e.value for e in at.error)
