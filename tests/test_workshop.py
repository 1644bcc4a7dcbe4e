"""Rehearsal flow, presenter mode, story steps, shareable links and the offline HTML report."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlparse

import pytest

from dashboard.rehearsal import RUBRIC, Answer, attempt_markdown, comparison_table, weekly_breaks
from dashboard.report_html import scenario_report_html
from dashboard.suggest import slider_thresholds
from simulations import run
from simulations.guardrails import Guardrails, check
from simulations.optimize import PolicyGrid, optimize_policy
from simulations.presets import load_preset
from simulations.report import horizon_totals
from tests.conftest import small
from tests.test_pages import app, kpi, small_params


def test_rehearsal_hides_results_until_commit_then_shows_three_policies():
    at = app("rehearsal", rehearse_case="Turn up fraud sensitivity?")
    assert not at.exception
    assert not at.dataframe and not at.success  # nothing revealed yet
    assert any("hidden until you commit" in i.value for i in at.info)
    at.text_area[0].input("Fraud losses per week, down 20%")
    at.text_area[1].input("Approval rate must stay above 99%")
    at.number_input[2].set_value(99.0)  # minimum approval rate, %
    at.button[0].click().run()
    assert not at.exception
    policies = at.dataframe[0].value["policy"].tolist()
    assert policies == ["your policy", "starting policy", "best within your guardrails"]
    assert "guardrail: pass_rate" in at.dataframe[0].value.columns
    assert at.get("download_button")
    at.checkbox[0].check().run()
    assert kpi(at, "Rubric score") == f"1 of {len(RUBRIC)}"


def test_markdown_export_holds_the_answers_decision_outcome_and_rubric():
    preset = load_preset("fraud_sensitivity")
    answer = Answer("Losses per week down 20%", "Approval rate above 99%",
                    Guardrails(min_pass_rate=0.99), (0.05, 0.2), 400, "never",
                    rubric=[True, False, True, False, False, False])
    result = run(small("fraud", weeks=3))
    outcomes = {"your policy": result.at_policy(0.05, 0.2).weekly}
    table = comparison_table(outcomes, {"your policy": (0.05, 0.2)}, answer.guardrails, "$")
    text = attempt_markdown(preset, answer, table, weekly_breaks(outcomes, answer.guardrails))
    for expected in ("Losses per week down 20%", "Approval rate above 99%", "0.050 – 0.200",
                     "pass rate ≥ 99.0%", "your policy", "(2 of 6)", "- [x] " + RUBRIC[0],
                     preset.question):
        assert expected in text


def test_a_suggested_band_meets_the_guardrails_in_the_simulated_weeks():
    result = run(small("fraud", weeks=4))
    grid = PolicyGrid.from_run(result, thresholds=slider_thresholds())
    g = Guardrails(min_recall=0.5, max_review_per_week=300)
    s = optimize_policy(grid, g)
    assert s.feasible
    outcome = result.at_policy(*s.policy)
    met, _ = check(outcome.weekly, g)
    assert all(met.values())
    totals = horizon_totals(outcome.weekly)
    if totals["review_overflow"] == 0:  # pooled and weekly capacity agree without overflow
        assert totals["cost_total"] == pytest.approx(s.metrics["cost_total"])
    assert not optimize_policy(grid, Guardrails(min_precision=0.999, min_recall=0.999)).feasible


def test_presenter_mode_hides_controls_and_the_data_tab():
    at = app("fraud", **small_params("fraud", present="true"))
    assert not at.exception
    assert at.toggle(key="present").value is True
    assert any("stSidebar" in h.proto.body for h in at.get("html"))
    labels = [t.label for t in at.tabs]
    assert "Data" not in labels and "Tradeoff" in labels


def test_story_steps_set_the_controls():
    at = app("triage", **small_params("triage"))
    at.selectbox(key="triage_story").select("An 88% precision floor in triage").run()
    assert not at.exception
    assert at.slider(key="triage_band").value == (0.85, 0.85)
    assert any("Precision first" in i.value for i in at.info)
    at.button(key="triage_story_next").click().run()
    at.button(key="triage_story_next").click().run()
    assert at.slider(key="triage_band").value == (0.15, 0.85)
    assert any("Nurses for the middle" in i.value for i in at.info)


def test_copied_link_reproduces_the_view():
    at = app("fraud", **small_params("fraud"))
    at.number_input(key="fraud_seed").set_value(7).run()
    at.slider(key="fraud_band").set_value((0.05, 0.4)).run()
    link = at.get("code")[0].value
    params = parse_qsl(urlparse(link).query)
    assert ("fraud_seed", "7") in params and ("fraud_band", "0.4") in params
    grouped = {}
    for key, value in params:
        grouped.setdefault(key, []).append(value)
    again = app("fraud", **{k: v if len(v) > 1 else v[0] for k, v in grouped.items()})
    assert [m.value for m in again.metric] == [m.value for m in at.metric]


def test_report_is_standalone_html_with_interactive_figures():
    result = run(small("triage", weeks=3))
    page = scenario_report_html(result, result.outcome, "Triage report", "A story")
    assert page.startswith("<!DOCTYPE html>") and "A story" in page
    assert page.count('class="plotly-graph-div"') == 6
    assert "Plotly.newPlot" in page
    external = re.findall(r'<(?:script|link)[^>]+(?:src|href)="(?:https?:)?//', page)
    assert not external, external


def test_an_assistant_case_can_be_rehearsed():
    at = app("rehearsal", rehearse_case="Why does the assistant answer the same question "
                                        "differently?")
    assert not at.exception
    at.text_area[0].input("Consistency of repeated questions above 95%")
    at.text_area[1].input("Wrong answers under 3% of questions")
    at.button[0].click().run()
    assert not at.exception
    assert at.dataframe[0].value["policy"].tolist()[0] == "your policy"
