"""Rehearsal flow, presenter mode, story steps, shareable links and the offline HTML report."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qsl, urlparse

import numpy as np
import pytest

from dashboard.teaching.rehearsal import RUBRIC, Answer, attempt_markdown, comparison_table, weekly_breaks
from dashboard.teaching.report_html import scenario_report_html
from dashboard.teaching.workshop import report_story
from simulations import run
from simulations.policy.guardrails import Guardrails
from simulations.policy.metrics import horizon_totals
from simulations.policy.optimize import PolicyGrid, optimize_policy
from simulations.presets import all_presets, load_preset
from tests.conftest import small
from tests.test_pages import app, kpi, percent, small_params


def test_rehearsal_hides_results_until_commit_then_shows_three_policies():
    at = app("rehearsal", rehearse_case="Turn up fraud sensitivity?")
    assert not at.exception
    assert not at.dataframe and not at.success  # nothing revealed yet
    assert any("hidden until you commit" in i.value for i in at.info)
    at.text_area[0].input("Fraud losses per week, down 20%")
    at.text_area[1].input("Approval rate must stay above 99%")
    at.text_input(key="rehearse_fraud_sensitivity_min_pass").input("99")  # approval, %
    at.button[0].click().run()
    assert not at.exception
    table = at.dataframe[0].value
    assert list(table.columns) == ["figure", "your policy (the starting one)",
                                   "twice as sensitive", "best within your guardrails"]
    assert "'approve' rate ≥ 99%" in table["figure"].tolist()
    assert at.get("download_button")
    at.checkbox[0].check().run()
    assert kpi(at, "Rubric score") == f"1 of {len(RUBRIC)}"


def test_markdown_export_holds_the_answers_decision_outcome_and_rubric():
    preset = load_preset("fraud_sensitivity")
    answer = Answer("Losses per week down 20%", "Approval rate above 99%",
                    Guardrails(min_pass_rate=0.993), (0.05, 0.2), 400, {"trigger": "never"},
                    rubric=[True, False, True, False, False, False])
    result = run(small("fraud", weeks=3))
    outcomes = {"your policy": result.at_policy(0.05, 0.2).weekly}
    table = comparison_table(outcomes, {"your policy": (0.05, 0.2)}, answer.guardrails, "$")
    text = attempt_markdown(preset, answer, table, weekly_breaks(outcomes, answer.guardrails))
    for expected in ("Losses per week down 20%", "Approval rate above 99%", "0.050 – 0.200",
                     "pass rate ≥ 99.3%", "never retrain", "your policy", "(2 of 6)", "- [x] " + RUBRIC[0],
                     preset.question):
        assert expected in text


def _simulated_totals(outcome) -> dict[str, float]:
    """Horizon totals of a band as the simulator decided it, week by week, written out."""
    w = outcome.core
    tp, fp, positives, events = (float(w[c].sum()) for c in ("tp", "fp", "positives", "events"))
    return {"cost": float(w["cost_total"].sum()), "recall": tp / positives,
            "precision": tp / (tp + fp) if tp + fp else float("nan"),
            "pass_rate": (events - tp - fp) / events,
            "review_demand_per_week": float(w["review_demand"].mean()),
            "overflow": int(w["review_overflow"].sum())}


def test_a_suggested_band_is_the_cheapest_simulated_band_within_the_guardrails():
    # four weeks, a review team of 100 a week that the cheapest bands overflow: the optimizer
    # pools the weeks (capacity x weeks), the reference below re-decides every band on the
    # grid through the simulator's own weekly loop (at_policy) and checks the guardrails itself
    result = run(small("triage", weeks=4).with_changes(review={"capacity": 100}))
    thresholds = np.round(np.arange(41) * 0.025, 3)
    g = Guardrails(min_recall=0.9, min_precision=0.1)
    s = optimize_policy(PolicyGrid.from_run(result, thresholds=thresholds), g, frontier_points=0)
    assert s.feasible

    def meets(m):
        return m["recall"] >= g.min_recall and m["precision"] >= g.min_precision

    simulated = {(lo, hi): _simulated_totals(result.at_policy(lo, hi))
                 for k, lo in enumerate(thresholds) for hi in thresholds[k:]}
    best = min(m["cost"] for m in simulated.values() if meets(m))
    again = _simulated_totals(result.at_policy(*s.policy))
    assert again["overflow"] > 0  # the capacity binds
    assert meets(again)
    assert again["cost"] == pytest.approx(best, rel=1e-9)
    assert s.metrics["cost_total"] == pytest.approx(again["cost"], rel=1e-9)
    for key in ("recall", "precision", "pass_rate", "review_demand_per_week"):
        assert s.metrics[key] == pytest.approx(again[key], rel=1e-9)
    assert not optimize_policy(PolicyGrid.from_run(result, thresholds=thresholds),
                               Guardrails(min_precision=0.999, min_recall=0.999)).feasible


def test_presenter_mode_hides_controls_and_the_data_tab():
    at = app("fraud", **small_params("fraud", present="true"))
    assert not at.exception
    assert at.toggle(key="present").value is True
    assert any("stSidebar" in h.proto.body for h in at.get("html"))
    labels = [t.label for t in at.tabs]
    assert "Data" not in labels and "Tradeoff" in labels


def test_story_steps_set_the_controls():
    at = app("triage", **small_params("triage"))
    at.selectbox(key="triage_story").select("triage_precision_floor").run()
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


def _info(at) -> str:
    return " ".join(i.value for i in at.info)


def test_presenter_steps_through_a_whole_story_without_leaving_presenter_mode():
    preset = load_preset("triage_precision_floor")
    at = app("triage", triage_story="triage_precision_floor", present="true")
    assert not at.exception and not at.warning
    for number, step in enumerate(preset.steps, start=1):
        assert at.toggle(key="present").value is True  # never left presenter mode
        assert f"Step {number}: {step.title}" in _info(at)
        assert any(f"Step {number} of {len(preset.steps)}" in m.value for m in at.markdown)
        assert at.query_params["triage_step"] in (str(number), [str(number)])
        assert at.session_state["triage_tab"] == step.tab  # each step opens its tab
        assert at.button(key="triage_story_prev").disabled == (number == 1)
        if number < len(preset.steps):
            assert not at.button(key="triage_story_next").disabled
            at.button(key="triage_story_next").click().run()
            assert not at.exception
    assert at.button(key="triage_story_next").disabled
    assert at.slider(key="triage_band").value == tuple(preset.steps[-1].policy)
    at.button(key="triage_story_prev").click().run()
    assert f"Step {len(preset.steps) - 1}:" in _info(at)


def test_facilitator_notes_stay_off_the_projected_screen_unless_asked():
    preset = load_preset("triage_precision_floor")
    finding = preset.expected_finding[:40]
    present = app("triage", triage_story="triage_precision_floor", present="true")
    assert not any(finding in m.value for m in present.markdown)
    assert not present.expander or all("facilitator" not in e.label for e in present.expander)
    present.toggle(key="triage_story_notes").set_value(True).run()
    assert any(finding in m.value for m in present.markdown)
    desk = app("triage", triage_story="triage_precision_floor")
    assert any("facilitator" in e.label for e in desk.expander)  # folded away at a desk


def test_the_link_carries_the_story_and_step_and_a_bad_one_warns():
    at = app("triage", triage_story="triage_precision_floor", triage_step="3")
    assert not at.exception and not at.warning
    assert "Step 3: Nurses for the middle" in _info(at)
    link = dict(parse_qsl(urlparse(at.get("code")[0].value).query))
    assert link["triage_story"] == "triage_precision_floor" and link["triage_step"] == "3"
    bad = app("triage", triage_story="triage_precision_floor", triage_step="9")
    assert any("triage_step=9" in w.value for w in bad.warning)
    assert "Step 1:" in _info(bad)
    unknown = app("triage", **small_params("triage", triage_story="nope"))
    assert any("triage_story=nope" in w.value for w in unknown.warning) and not unknown.exception


def test_kpi_deltas_in_a_story_show_what_the_step_changed():
    first = app("triage", triage_story="triage_precision_floor", triage_step="2")
    third = app("triage", triage_story="triage_precision_floor", triage_step="3")
    before, after = percent(kpi(first, "Recall")), percent(kpi(third, "Recall"))
    delta = next(m.delta for m in third.metric if m.label == "Recall")
    # against the previous step, not the default band (cards are rounded to 0.1 %)
    assert float(delta.removesuffix(" pp")) == pytest.approx((after - before) * 100, abs=0.11)
    assert any("previous step 2" in c.value for c in third.caption)


def test_overview_stories_open_their_story_at_step_one():
    at = app()
    links = {(p.proto.page, p.proto.query_string) for p in at.get("page_link")}
    for preset in all_presets():
        d = preset.domain
        assert (d, f"{d}_story={preset.name}&{d}_step=1") in links, preset.name


def test_report_carries_the_story_and_compares_with_the_default_band():
    result = run(small("fraud", weeks=4))
    default, tight = result.at_policy(0.08, 0.3), result.at_policy(0.01, 0.05)
    preset = load_preset("fraud_adaptation")
    page = scenario_report_html(result, tight, "Fraud", report_story(preset, 1), default)
    for text in (preset.question, preset.expected_finding, "Step 2 of 3: After the attack",
                 "vs the default band (0.08, 0.3)"):
        assert html.escape(text) in page, text
    a, b = horizon_totals(default.weekly), horizon_totals(tight.weekly)
    recall = f"{(b['recall'] - a['recall']) * 100:+.1f} pp"
    assert re.search(r"<th>Recall</th><td>[^<]+</td><td>" + re.escape(recall), page)


def test_the_report_can_be_downloaded_while_presenting():
    at = app("fraud", **small_params("fraud", present="true"))
    assert "Data" not in [t.label for t in at.tabs]
    assert [b for b in at.get("download_button") if b.proto.label.startswith("One-page report")]


def test_an_assistant_case_can_be_rehearsed():
    at = app("rehearsal", rehearse_case="Why does the assistant answer the same question "
                                        "differently?")
    assert not at.exception
    at.text_area[0].input("Consistency of repeated questions above 95%")
    at.text_area[1].input("Wrong answers under 3% of questions")
    at.button[0].click().run()
    assert not at.exception
    # the reveal's table has one column per policy, the candidate's first
    columns = list(at.dataframe[0].value.columns)
    assert columns[0] == "figure" and columns[1].startswith("your policy")


@pytest.mark.parametrize("domain", ["assistant", "recommendation"])
def test_the_report_carries_the_worlds_own_highlights(domain):
    """The cards the page shows for this world (automation rate, lift...) are in the report,
    with the default band's value beside each one that the band changed."""
    result = run(small(domain, weeks=3))
    default = result.outcome
    other = result.at_policy(0.02, 0.04)
    page = scenario_report_html(result, other, "Report", None, default)
    labels = {"assistant": "Automation rate, no agent", "recommendation": "Lift over popularity"}
    row = re.search(rf'<tr class="highlight"><th title="[^"]*">{labels[domain]}</th>'
                    r"<td>([^<]+)</td><td>([^<]*)</td>", page)
    assert row, page[-3000:]
    if domain == "assistant":  # answered with no agent: the events the band passes at once
        events = other.events
        auto = float((events["action"] == "pass").mean())
        assert row.group(1) == f"{auto:.1%}"
    assert row.group(2).startswith("default band: ")


def test_a_link_copied_in_presenter_mode_opens_the_normal_view_for_the_room():
    at = app("fraud", **small_params("fraud", fraud_seed="7"), present="true")
    assert not at.exception and at.toggle(key="present").value is True
    link = at.get("code")[0].value
    params = dict(parse_qsl(urlparse(link).query))
    assert "present" not in params and params["fraud_seed"] == "7"  # the view, not the mode
    again = app("fraud", **params)
    assert at.toggle(key="present").value is True and again.toggle(key="present").value is False
