"""The explanation case: the candidate writes the customer sentence before the lab's is shown,
the case opens the decision it names (a false decline), its finding holds when the changes are
re-scored, and the reading and the export say what the candidate wrote."""

from __future__ import annotations

import json

import numpy as np
import pytest

from dashboard.teaching.rehearsal import (
    case_event,
    event_facts,
    explanation_markdown,
    sentence_reading,
)
from simulations import run
from simulations.explain import FeatureSpace, explain_event
from simulations.presets import Preset, load_preset
from simulations.scenario import ScenarioError
from tests.test_pages import app

GOOD = ("Your payment was declined because there were many payments in the last 24 hours on "
        "your card; fewer payments in a day would let it through, and you can call us to have "
        "it reviewed by a person.")


@pytest.fixture(scope="module")
def case():
    preset = load_preset("declined_customer")
    result = run(preset.scenario)
    space = FeatureSpace.of_run(result)
    row = case_event(preset, result, result.outcome)
    return preset, result, space, row, explain_event(result, result.outcome, row, space)


def test_the_case_opens_a_false_decline_and_its_finding_holds(case):
    preset, result, space, row, e = case
    events = result.events
    assert events.loc[row, "action"] == "flag" and events.loc[row, "label"] == 0
    # the finding: a feasible change to each threshold, landing where the sentence says
    # when re-scored with the model that served the event (scikit-learn, not the lab)
    model = result.fitted[int(events.loc[row, "model_version"])]
    assert [cf.target for cf in e.counterfactuals] == ["review", "pass"]
    for cf in e.counterfactuals:
        assert cf.feasible
        score = model.predict_proba(cf.row[None, :])[0, 1]
        assert score < cf.threshold  # "below": review under t_high, pass under t_low
    assert len(e.reasons) <= 4
    assert "Not treated as changeable: the account's age" in e.sentence
    # what the candidate reads first holds the facts but none of the lab's reasoning
    facts = event_facts(e, result.domain)
    shown = " ".join(facts["value"].astype(str))
    assert "decline" in shown and "mainly because" not in shown


def test_the_reading_matches_the_words_of_a_hand_checked_sentence(case):
    _, _, space, _, e = case
    good = dict(sentence_reading(GOOD, e, space))
    assert all(good.values()), good
    jargon = dict(sentence_reading("The model score exceeded the threshold.", e, space))
    said, reason, change, fixed, person, plain = jargon.values()
    assert not said and not reason and not change and fixed and not person and not plain
    fixed_ask = dict(sentence_reading("Please change your account's age.", e, space))
    assert not list(fixed_ask.values())[3]
    assert not any(v for k, v in sentence_reading("", e, space) if "fixed" not in k)


def test_the_export_quotes_the_candidate_and_gives_the_labs_sentence(case):
    preset, _, space, _, e = case
    text = explanation_markdown(preset.explain.prompt, "# not a heading\n| a | table |",
                                e.sentence, sentence_reading(GOOD, e, space))
    assert e.sentence in text and "> \\# not a heading" in text
    assert "\n# not a heading" not in text and "\n| a |" not in text


def test_an_explain_field_with_a_wrong_pick_is_refused_in_one_line():
    data = json.loads(load_preset.__globals__["PRESET_DIR"].joinpath(
        "declined_customer.json").read_text())
    data["explain"]["pick"] = "false_decline"
    with pytest.raises(ScenarioError, match="explain needs a pick, one of false_flag, "
                                            "missed_positive, in_review"):
        Preset.from_dict("bad", data)
    data["explain"] = {"pick": "false_flag"}
    with pytest.raises(ScenarioError, match="explain needs a prompt"):
        Preset.from_dict("bad", data)


def test_the_labs_sentence_appears_only_after_the_candidate_commits(case):
    preset, *_, e = case
    at = app("rehearsal", rehearse_case=preset.title)
    assert not at.exception

    def page_text():
        return " ".join([m.value for m in at.markdown] + [i.value for i in at.info]
                        + [c.value for c in at.caption])

    assert e.sentence not in page_text() and "mainly because" not in page_text()
    facts = at.dataframe[0].value
    assert "decline" in " ".join(facts["value"].astype(str))
    at.text_area(key="rehearse_declined_customer_customer").input(GOOD)
    at.text_area[0].input("Chargebacks per week down a quarter")
    at.button[0].click().run()
    assert not at.exception
    assert e.sentence in page_text()
    assert "many payments in the last 24 hours" in page_text()  # the candidate's own words
    assert np.all([s in page_text() for s in ("✓ Says what was decided",
                                              "✓ Offers a person to talk to")])
