"""Per-segment bands on the pages: a segment's own band moves the KPI row, the Segments tab
and the link; the Compare page takes per-segment bands for A and B."""

from __future__ import annotations

import numpy as np

from simulations import default_scenario, run

from .test_pages import app, kpi, percent, small_params


def test_a_segments_own_band_moves_the_kpis_and_its_segment_row():
    at = app("triage", **small_params("triage", triage_tab="Segments"))
    assert not at.exception
    recall_before = percent(kpi(at, "Recall"))
    at.multiselect(key="triage_seg_own").set_value(["child"]).run()
    at.slider(key="triage_seg_child").set_value((0.9, 0.95)).run()
    assert not at.exception
    # children are now flagged only above 0.95: fewer urgent cases caught overall
    assert percent(kpi(at, "Recall")) < recall_before
    table = at.dataframe[0].value.set_index("segment")
    assert table.loc["child", "band"] == "0.900 – 0.950 (own)"
    # the page's child recall is what the library gives for the same bands
    scenario = default_scenario("triage").with_changes(
        population={"weeks": 8, "events_per_week": 4000})
    p = scenario.policy
    outcome = run(scenario).at_policy(p.t_low, p.t_high, {"child": (0.9, 0.95)})
    ev = outcome.events
    child = ev[ev["segment"] == "child"]
    expected = ((child["final"] == "flag") & (child["label"] == 1)).sum() / child["label"].sum()
    assert np.isclose(table.loc["child", "recall"], expected)
    code = " ".join(c.value for c in at.code)
    assert "triage_seg_child=0.9" in code and "triage_seg_own=child" in code


def test_a_link_with_segment_bands_opens_them():
    params = small_params("triage", triage_seg_own="child", triage_tab="Segments",
                          triage_seg_child=["0.9", "0.95"])
    at = app("triage", **params)
    assert not at.exception
    assert at.slider(key="triage_seg_child").value == (0.9, 0.95)


def test_compare_page_takes_bands_per_segment():
    at = app("compare", compare_weeks="6", compare_fraud_b=["0.6", "0.9"])
    assert not at.exception
    before = [m.value for m in at.metric]
    # B keeps A's band for every segment but online: only online's change shows
    at.slider(key="compare_fraud_b").set_value(at.slider(key="compare_fraud_a").value).run()
    assert any("same policy" in i.value for i in at.info)
    at.multiselect(key="compare_fraud_b_seg_own").set_value(["online"]).run()
    at.slider(key="compare_fraud_b_seg_online").set_value((0.6, 0.9)).run()
    assert not at.exception
    assert not any("same policy" in i.value for i in at.info)
    after = [m.value for m in at.metric]
    assert after != before and after[0] not in ("$0", "+$0")


def test_fairness_section_prices_a_strategy_and_applies_its_bands():
    at = app("triage", **small_params("triage", triage_tab="Suggest a policy"))
    assert not at.exception
    at.selectbox(key="triage_fair_strategy").set_value("equal_recall").run()
    assert not at.exception
    labels = [m.label for m in at.metric]
    assert "Price vs cheapest per segment" in labels and "Gap in recall" in labels
    gap = next(m.value for m in at.metric if m.label == "Gap in recall")
    assert float(gap.removesuffix(" pp")) <= 2.0
    table = next(d.value for d in at.dataframe if "t_low" in d.value.columns)
    assert set(table["segment"]) == {"adult", "older_adult", "child"}
    at.button(key="triage_fair_apply").click().run()
    assert not at.exception
    assert at.multiselect(key="triage_seg_own").value == ["adult", "older_adult", "child"]
    child = table.set_index("segment").loc["child"]
    assert at.slider(key="triage_seg_child").value == (child["t_low"], child["t_high"])


def test_monitor_tab_says_it_follows_the_main_band_when_segments_have_their_own():
    params = small_params("triage", triage_seg_own="child", triage_tab="Monitor",
                          triage_seg_child=["0.5", "0.9"])
    at = app("triage", **params)
    assert not at.exception
    assert any("follows the main band" in i.value for i in at.info)


def test_a_link_with_an_unknown_segment_or_a_crossed_band_says_so():
    params = small_params("triage", triage_seg_own="teen", triage_seg_child=["0.9", "0.2"])
    at = app("triage", **params)
    assert not at.exception
    text = " ".join(w.value for w in at.warning)
    assert "unknown value" in text and "teen" in text
    assert "low first" in text


def test_the_compare_link_from_over_time_carries_the_segment_bands():
    from urllib.parse import parse_qs

    params = small_params("fraud", fraud_seg_own="online", fraud_seg_online=["0.02", "0.2"],
                          fraud_tab="Over time")
    at = app("fraud", **params)
    assert not at.exception
    link = next(p.proto for p in at.get("page_link") if p.proto.page == "compare")
    query = parse_qs(link.query_string)
    assert query["compare_fraud_b_seg_own"] == ["online"]
    assert query["compare_fraud_b_seg_online"] == ["0.02", "0.2"]
    compare = app("compare", **{k: v if len(v) > 1 else v[0] for k, v in query.items()})
    assert not compare.exception
    assert not any("link parameter" in w.value for w in compare.warning)
    assert compare.slider(key="compare_fraud_b_seg_online").value == (0.02, 0.2)
