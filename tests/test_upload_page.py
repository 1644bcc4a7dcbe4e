"""The 'Your own scores' page and the 'Suggest a policy' tab, in AppTest: bad files show a
message (never an exception), the band moves the numbers, a suggestion applies to the slider."""

import re

import pytest

from tests.test_pages import app, kpi, small_params
from tests.test_scores import BAD_FILES


def _upload(name: str, data: bytes):
    at = app("upload")
    at.file_uploader(key="upload_file").set_value((name, data, "text/csv")).run()
    assert not at.exception
    return at


def _messages(at) -> str:
    """What the messages read as (Markdown escapes removed)."""
    return " ".join(re.sub(r"\\(.)", r"\1", m.value) for m in [*at.error, *at.warning, *at.info])


@pytest.mark.parametrize("case", ["empty", "header only", "non-numeric scores",
                                  "damaged parquet", "ragged csv"])
def test_a_bad_file_shows_its_message_not_an_exception(case):
    name, data, phrase = BAD_FILES[case]
    at = _upload(name, data)
    assert phrase in _messages(at)
    assert not at.metric  # nothing is explored from a file that could not be read


def test_open_questions_are_asked_and_answered_on_the_page():
    name, data, _ = BAD_FILES["labels not binary"]
    at = _upload(name, data)
    assert "which value is the positive class" in _messages(at) and not at.metric
    at.selectbox(key=[k for k in (s.key for s in at.selectbox) if k.endswith("_positive")][0]
                 ).set_value("fraud").run()
    assert not at.exception and kpi(at, "Recall")

    name, data, _ = BAD_FILES["scores outside [0, 1]"]
    at = _upload(name, data)
    assert "outside [0, 1]" in _messages(at) and not at.metric
    radio = [r for r in at.radio if r.key.endswith("_transform")][0]
    radio.set_value("logits: apply a sigmoid").run()
    assert not at.exception and kpi(at, "Precision")

    name, data, _ = BAD_FILES["missing values"]
    at = _upload(name, data)
    assert "2 rows with empty cells" in _messages(at) and not at.metric
    at.checkbox(key=[c.key for c in at.checkbox if c.key.endswith("_drop")][0]).check().run()
    assert not at.exception and kpi(at, "Precision")


def test_the_sample_explorer_responds_to_the_band_and_applies_a_suggestion():
    at = app("upload")
    at.radio(key="upload_source").set_value("Sample: breast-cancer biopsies (real data)").run()
    assert not at.exception
    before = kpi(at, "Recall")
    band = at.slider(key="upload_sample_band")
    band.set_value((0.05, 0.95)).run()
    assert kpi(at, "Recall") != before

    at = app("upload", upload_tab="Suggest a policy",
             upload_source="Sample: breast-cancer biopsies (real data)")
    at.text_input(key="upload_min_recall").input("99%").run()
    assert not at.exception
    suggested = kpi(at, "Suggested band")
    at.button(key="upload_sample_band_apply").click().run()
    low, high = at.slider(key="upload_sample_band").value
    assert f"{low:.3f} – {high:.3f}" == suggested


def test_domain_page_suggests_a_band_and_says_when_guardrails_conflict():
    at = app("fraud", **small_params("fraud"), fraud_tab="Suggest a policy")
    assert not at.exception
    at.text_input(key="fraud_min_precision").input("99.9").run()
    at.text_input(key="fraud_min_recall").input("99.9").run()
    assert "cannot be met" in _messages(at)
    at.text_input(key="fraud_min_precision").input("").run()
    at.text_input(key="fraud_min_recall").input("50").run()
    suggested = kpi(at, "Suggested band")
    at.button(key="fraud_band_apply").click().run()
    low, high = at.slider(key="fraud_band").value
    assert f"{low:.3f} – {high:.3f}" == suggested
    assert float(kpi(at, "Recall").rstrip("%")) >= 50.0


def test_a_bad_link_parameter_gets_a_warning():
    at = app("upload", upload_source="xyz", upload_tab="Nope")
    assert not at.exception
    text = _messages(at)
    assert "upload_source = `xyz`" in text and "upload_tab = `Nope`" in text


@pytest.mark.parametrize(("label", "says"), [("0", "Every labelled row is negative"),
                                              ("1", "Every labelled row is positive")])
def test_a_one_class_file_gets_a_warning_that_says_what_it_cannot_answer(label, says):
    rows = "".join(f"{(i % 50) / 50:.3f},{label}\n" for i in range(200))
    at = _upload("one_class.csv", ("score,label\n" + rows).encode())
    warnings = " ".join(w.value for w in at.warning)
    assert says in warnings and "AUC are undefined" in warnings, warnings
    assert at.metric  # the file is still explored: the warning says what to read with care
    two = _upload("two.csv", ("score,label\n" + rows + "0.9,1\n0.1,0\n").encode())
    assert not any("Every labelled row" in w.value for w in two.warning)
