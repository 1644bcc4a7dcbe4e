"""Every page in AppTest: renders, reacts to the band and to scenario controls, reads links."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "dashboard" / "app.py")
DOMAIN_PAGES = ("fraud", "triage", "recommendation", "assistant")
SMALL = {"events": "4000", "weeks": "8"}  # keep page tests quick


def app(page: str | None = None, **params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    for key, value in params.items():
        at.query_params[key] = value
    if page:
        at.switch_page(f"views/{page}.py")
    return at.run()


def small_params(domain: str, **extra) -> dict:
    return {**{f"{domain}_{k}": v for k, v in SMALL.items()}, **extra}


def kpi(at: AppTest, label_start: str) -> str:
    for m in at.metric:
        if m.label.startswith(label_start):
            return m.value
    raise AssertionError(f"no metric starting with {label_start!r}: {[m.label for m in at.metric]}")


def percent(text: str) -> float:
    return float(text.rstrip("%")) / 100


def test_overview_renders_a_card_per_domain():
    at = app()
    assert not at.exception
    text = " ".join(m.value for m in at.markdown)
    assert "Raise fraud sensitivity" in text and "new cohorts" in text


@pytest.mark.parametrize("domain", DOMAIN_PAGES)
def test_domain_page_renders_and_the_band_moves_the_kpis(domain):
    at = app(domain, **small_params(domain))
    assert not at.exception
    assert len(at.metric) >= 5 and not at.warning
    recall_before = percent(kpi(at, "Recall"))
    pass_before = percent(kpi(at, "'"))
    at.slider(key=f"{domain}_band").set_value((0.9, 0.95)).run()
    assert not at.exception
    # raising the thresholds flags fewer events: more pass, fewer positives caught
    assert percent(kpi(at, "'")) >= pass_before
    assert percent(kpi(at, "Recall")) < recall_before
    assert any(m.delta for m in at.metric[:5])  # deltas against the default band appear


def test_changing_a_scenario_control_re_simulates():
    at = app("triage", **small_params("triage"))
    before = kpi(at, "Total cost")
    at.number_input(key="triage_seed").set_value(3).run()
    assert not at.exception
    assert kpi(at, "Total cost") != before
    at.selectbox(key="triage_model").set_value("gradient_boosting").run()
    assert not at.exception


def test_a_link_restores_the_view():
    params = small_params("fraud", fraud_band=["0.1", "0.6"], fraud_seed="5",
                          fraud_retrain="on a schedule", fraud_drift=["concept drift"])
    at = app("fraud", **params)
    assert not at.exception and not at.warning
    assert at.slider(key="fraud_band").value == (0.1, 0.6)
    assert at.number_input(key="fraud_seed").value == 5
    assert at.selectbox(key="fraud_retrain").value == "every"
    assert at.multiselect(key="fraud_drift").value == ["concept"]
    assert at.slider(key="fraud_every").value == 4  # revealed by the restored retrain choice


@pytest.mark.parametrize(("params", "needle"), [
    ({"fraud_band": ["0.9", "0.1"]}, "fraud_band"),
    ({"fraud_band": "abc"}, "fraud_band"),
    ({"fraud_weeks": "999"}, "fraud_weeks"),
    ({"fraud_base_rate": "-1"}, "fraud_base_rate"),
    ({"fraud_model": "neural net"}, "fraud_model"),
    ({"fraud_drift": ["weather"]}, "fraud_drift"),
])
def test_bad_link_parameters_warn_and_fall_back_to_defaults(params, needle):
    at = app("fraud", **{**small_params("fraud"), **params})
    assert not at.exception
    assert any(needle in w.value for w in at.warning), [w.value for w in at.warning]
    assert at.slider(key="fraud_band").value == (0.08, 0.3)
    assert at.number_input(key="fraud_events").value == 4000  # the good parameters still apply
    at.run()  # the warning was shown once; the page carries on normally
    assert not at.exception and not at.warning


def test_switching_pages_keeps_each_pages_settings():
    at = app("fraud", **small_params("fraud"))
    at.number_input(key="fraud_seed").set_value(11).run()
    at.switch_page("views/triage.py").run()
    assert not at.exception
    at.switch_page("views/fraud.py").run()
    assert at.number_input(key="fraud_seed").value == 11


def test_compare_page_identical_policies_give_zero_differences():
    at = app("compare", compare_weeks="6", compare_fraud_b=["0.08", "0.3"])
    assert not at.exception
    assert at.slider(key="compare_fraud_a").value == at.slider(key="compare_fraud_b").value
    assert any("every difference is zero" in i.value for i in at.info)
    values = {m.label: m.value for m in at.metric}
    assert values["Total cost, B - A"] in ("$0", "0 $")
    assert values["Recall, B - A"] == "+0.00 pp"
    assert values["Reviews done, B - A"] == "0"


def test_compare_page_shows_paired_differences():
    at = app("compare", compare_weeks="6", compare_domain="Medical triage")
    assert not at.exception
    low, high = at.slider(key="compare_triage_a").value
    at.slider(key="compare_triage_b").set_value((low / 2, high / 2)).run()
    values = {m.label: m.value for m in at.metric}
    assert values["Recall, B - A"].startswith("+") and values["Recall, B - A"] != "+0.00 pp"
    assert not at.info


def test_only_the_open_tab_is_drawn_and_the_link_names_it():
    tradeoff = app("fraud", **small_params("fraud"))
    over_time = app("fraud", **small_params("fraud", fraud_tab="Over time"))
    assert not over_time.exception
    assert len(tradeoff.get("plotly_chart")) == 5  # distribution, confusion, PR, ROC, cost
    # the weekly charts, the reviewers, calibration (2) and fairness over time (2)
    assert len(over_time.get("plotly_chart")) == 11
    data = app("fraud", **small_params("fraud", fraud_tab="Data"))
    # weekly, events, scenario, report, and the report beside the link (kept while presenting)
    assert len(data.get("download_button")) == 5


def test_an_undefined_precision_reads_undefined_on_the_page_never_zero():
    at = app("fraud", **small_params("fraud"))
    at.slider(key="fraud_band").set_value((1.0, 1.0)).run()  # every score is below 1
    assert not at.exception
    precision = next(m for m in at.metric if m.label == "Precision")
    assert precision.value == "undefined"
    assert precision.delta in (None, "")  # no change "from undefined" can be computed
    assert kpi(at, "Recall") == "0.0%"  # a real zero stays a zero
    assert kpi(at, "'") == "100.0%"


def test_assistant_page_has_its_knobs_highlights_and_drift_charts():
    at = app("assistant", **small_params("assistant", assistant_temperature="1.2",
                                         assistant_tab="Over time"))
    assert not at.exception and not at.warning
    assert at.slider(key="assistant_temperature").value == 1.2  # restored from the link
    labels = [m.label for m in at.metric]
    assert {"Automation rate, no agent", "Wrong answers sent", "Peak semantic drift"} <= set(labels)
    # the two rates that sound alike: the card's help says the gap (drafts an agent sent)
    auto = next(m for m in at.metric if m.label == "Automation rate, no agent")
    gap = float(re.search(r"agent checked and sent \(([\d.]+)% of all", auto.proto.help)[1])
    answered = float(kpi(at, "'answer' rate").rstrip("%"))
    assert abs(answered - float(auto.value.rstrip("%")) - gap) <= 0.11
    titles = [c.proto.spec for c in at.get("plotly_chart")]
    # six shared weekly charts, the reviewers', the world's two, calibration (2), fairness
    # over time (2)
    assert len(titles) == 13
    assert any("Semantic drift of the questions" in t for t in titles)
    before = kpi(at, "Total cost")
    at.selectbox(key="assistant_answer_cache").set_value("on").run()
    assert not at.exception
    assert kpi(at, "Total cost") != before  # the knob re-simulates


def test_a_bad_world_knob_in_a_link_warns():
    at = app("assistant", **small_params("assistant", assistant_temperature="9"))
    assert not at.exception
    assert any("assistant_temperature" in w.value for w in at.warning)
    assert at.slider(key="assistant_temperature").value == 0.7


def test_the_segments_tab_groups_by_any_categorical_feature():
    import dataclasses

    import pandas as pd

    from simulations import run
    from simulations.domains import DOMAINS
    from simulations.scenario import default_scenario

    at = app("assistant", **small_params("assistant", assistant_tab="Segments"))
    assert not at.exception
    assert list(at.dataframe[0].value["segment"]) == list(DOMAINS["assistant"].segments)
    at.button_group(key="assistant_segment_by").set_value("topic").run()
    assert not at.exception
    topics = at.dataframe[0].value.set_index("segment")
    # reference: the same small run's events grouped by topic with pandas
    s = default_scenario("assistant")
    s = dataclasses.replace(s, population=dataclasses.replace(s.population, events_per_week=4000,
                                                              weeks=8))
    events = run(s).events
    topic = events["topic"]
    assert list(topics.index) == list(topic.cat.categories)
    assert topics["events"].tolist() == events.groupby(topic, observed=False).size().tolist()
    flagged, truth = events["final"] == "flag", events["label"] == 1
    recall = ((flagged & truth).groupby(topic, observed=False).sum()
              / truth.groupby(topic, observed=False).sum())
    pd.testing.assert_series_equal(topics["recall"], recall, check_names=False,
                                   check_index=False, atol=1e-12)
