"""The scenario's data_quality section: one-line errors for bad values, its JSON form (absent
at its defaults, round-tripping when used) and the retraining it needs."""

from __future__ import annotations

import pytest

from simulations import Scenario, ScenarioError, default_scenario

RETRAINS = {"retrain": {"trigger": "every"}}


def with_dq(**dq):
    return Scenario.from_dict({"domain": "fraud", **RETRAINS, "data_quality": dq})


@pytest.mark.parametrize(("dq", "needle"), [
    ({"label_noise": 0.5}, "data_quality.label_noise = 0.5 is invalid: allowed range is [0, 0.5)"),
    ({"duplicate_share": -0.1}, "data_quality.duplicate_share = -0.1 is invalid"),
    ({"duplicate_share": 1}, "allowed range is [0, 1)"),
    ({"undersample_segment": "mobile"}, "'mobile' is not a fraud segment; choose among "
                                        "in_store, online, cross_border"),
    ({"undersample_segment": 3}, "must be a segment's name"),
    ({"undersample_keep": 0}, "data_quality.undersample_keep = 0 is invalid"),
    ({"bias_ratio": 1.5}, "data_quality.bias_ratio = 1.5 is invalid"),
    ({"audit": "yes"}, "data_quality.audit = 'yes' is invalid: must be true or false"),
    ({"clean": 1}, "data_quality.clean = 1 is invalid: must be true or false"),
    ({"clean_cost": -1}, "data_quality.clean_cost = -1 is invalid"),
    ({"clean_cost": float("nan")}, "must be a finite number"),
    ({"cleaning": True}, "unknown key 'cleaning' in data_quality"),
])
def test_a_bad_value_gets_one_line_naming_the_field(dq, needle):
    with pytest.raises(ScenarioError) as err:
        with_dq(**dq)
    assert needle in str(err.value) and "\n" not in str(err.value)


def test_it_needs_a_retraining_to_act_on():
    with pytest.raises(ScenarioError, match="retrain.trigger is 'never'"):
        Scenario.from_dict({"domain": "fraud", "data_quality": {"label_noise": 0.1}})
    # at its defaults it asks for nothing
    assert Scenario.from_dict({"domain": "fraud", "data_quality": {}}) == default_scenario("fraud")


def test_json_leaves_it_out_at_defaults_and_round_trips_it_when_used():
    assert "data_quality" not in default_scenario("triage").to_json()
    s = with_dq(label_noise=0.05, duplicate_share=0.1, undersample_segment="online",
                clean=True, clean_cost=2.5)
    back = Scenario.from_json(s.to_json())
    assert back == s and back.data_quality.clean and back.data_quality.audited
    assert s.to_dict()["data_quality"]["undersample_segment"] == "online"
