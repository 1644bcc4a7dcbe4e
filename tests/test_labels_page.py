"""The Labels tab in AppTest: it renders the reviewers' agreement and the training labels'
error, and its audit controls plant faults through the scenario and move what it reports."""

from __future__ import annotations

import re

from tests.test_pages import app, small_params


def labels_tab(domain="fraud"):
    return app(domain, **small_params(domain, **{f"{domain}_tab": "Labels"}))


def test_the_labels_tab_renders_agreement_and_label_error():
    at = labels_tab()
    assert not at.exception
    assert len(at.get("plotly_chart")) == 2  # agreement beside true accuracy; label error
    captions = " ".join(c.value for c in at.caption)
    assert "Landis and Koch" in captions and "only a simulator knows" in captions
    assert "moves between" in captions  # the weekly kappa's range from one draw of pairs


def test_planting_label_noise_moves_the_audit():
    at = labels_tab()
    at.toggle(key="fraud_labels_audit").set_value(True).run()
    assert not at.exception
    text = " ".join(m.value for m in at.markdown)
    assert "audited retrainings" in text and "exact duplicates found, 0 planted" in text
    assert "retrained every 4 weeks" in " ".join(c.value for c in at.caption)
    at.select_slider(key="fraud_labels_noise").set_value(0.1).run()
    at.select_slider(key="fraud_labels_dup").set_value(0.05).run()
    assert not at.exception
    noisy = " ".join(m.value for m in at.markdown)
    found = re.search(r"([\d,]+) exact duplicates found, ([\d,]+) planted", noisy)
    assert found and found.group(1) == found.group(2) != "0"
    assert "suspected mislabelled" in noisy
    table = at.dataframe[0].value
    assert (table["label_error_before"] > 0.09).all()  # the planted tenth, and the reviewers'
    auc = next(m for m in at.metric if m.label.startswith("Retrained models' ROC AUC"))
    assert "against no faults" in auc.delta


def test_the_recommendation_world_has_no_verdict_to_disagree_with():
    at = labels_tab("recommendation")
    assert not at.exception
    assert any("no reviewer's verdict can be wrong" in i.value for i in at.info)


def test_cleaning_on_the_tab_drops_rows_and_charges_its_cost():
    at = labels_tab()
    at.toggle(key="fraud_labels_audit").set_value(True).run()
    at.select_slider(key="fraud_labels_noise").set_value(0.1).run()
    at.toggle(key="fraud_labels_clean").set_value(True).run()
    at.number_input(key="fraud_labels_clean_cost").set_value(2.0).run()
    assert not at.exception
    table = at.dataframe[0].value
    assert (table["cleaned_rows"] > 0).all()
    assert (table["clean_cost"] == 2.0 * table["cleaned_rows"]).all()
    assert (table["label_error_after"] < table["label_error_before"]).all()
    assert "Cleaning dropped" in " ".join(m.value for m in at.markdown)
