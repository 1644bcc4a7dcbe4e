"""Scenario validation names field, value and allowed range; JSON round-trips exactly."""

from __future__ import annotations

import dataclasses
import json

import pytest

from simulations.scenario import (
    DriftSpec,
    Policy,
    Population,
    Review,
    Scenario,
    ScenarioError,
    default_scenario,
)


@pytest.mark.parametrize("domain", ["fraud", "triage", "recommendation"])
def test_json_round_trip_is_exact(domain, tmp_path):
    s = dataclasses.replace(
        default_scenario(domain),
        seed=12345,
        drift=(DriftSpec("concept", 5, 0.7, 3), DriftSpec("prior", 9, -1.25)),
    ).with_changes(population={"base_rate": 0.0123456789}, retrain={"trigger": "drift"})
    assert Scenario.from_json(s.to_json()) == s
    path = tmp_path / "s.json"
    s.save(path)
    assert Scenario.load(path) == s
    assert hash(Scenario.load(path)) == hash(s)


def test_missing_fields_take_domain_defaults():
    s = Scenario.from_dict({"domain": "triage", "review": {"capacity": 7}})
    assert s.review.capacity == 7
    assert s.population.base_rate == default_scenario("triage").population.base_rate


@pytest.mark.parametrize(("make", "words"), [
    (lambda: Population(base_rate=1.5), ["population.base_rate", "1.5", "(0, 1)"]),
    (lambda: Population(base_rate=0.0), ["population.base_rate", "(0, 1)"]),
    (lambda: Population(weeks=0), ["population.weeks", "0", "[1, 260]"]),
    (lambda: Population(events_per_week=10.5), ["population.events_per_week", "whole number"]),
    (lambda: Policy(0.8, 0.2), ["policy.t_low", "0.8", "policy.t_high"]),
    (lambda: Policy(-0.1, 0.2), ["policy.t_low", "[0, 1]"]),
    (lambda: Review(capacity=-5), ["review.capacity", "-5", "[0,"]),
    (lambda: Review(reviewer_accuracy=0.3), ["review.reviewer_accuracy", "[0.5, 1]"]),
    (lambda: Review(overflow_action="drop"), ["review.overflow_action", "pass, flag"]),
    (lambda: DriftSpec("weather", 3, 0.5), ["drift.kind", "covariate"]),
    (lambda: DriftSpec("concept", 3, 1.5), ["drift.strength", "[0, 1]"]),
    (lambda: DriftSpec("prior", 3, 4.0), ["drift.strength", "[-3, 3]"]),
    (lambda: Population(base_rate=float("nan")), ["population.base_rate", "finite"]),
    (lambda: Population(weeks=True), ["population.weeks"]),
])
def test_invalid_values_are_named(make, words):
    with pytest.raises(ScenarioError) as err:
        make()
    for word in words:
        assert word in str(err.value)


@pytest.mark.parametrize(("data", "words"), [
    ({"domain": "fraud", "population": {"events": 10}}, ["unknown key 'events'", "population"]),
    ({"domain": "fraud", "colour": "red"}, ["unknown key 'colour'"]),
    ({"domain": "crypto"}, ["domain", "crypto", "fraud"]),
    ({"population": {}}, ["domain is missing"]),
    ({"domain": "fraud", "drift": [{"kind": "concept", "onset": 3}]}, ["unknown key 'onset'",
                                                                       "drift[0]"]),
    ({"domain": "fraud", "drift": [{"kind": "concept", "strength": 2}]}, ["drift[0].strength"]),
    ({"domain": "fraud", "policy": {"t_low": 0.9, "t_high": 0.5}}, ["policy.t_low"]),
    ({"domain": "fraud", "review": "lots"}, ["review", "must be an object"]),
    ([1, 2], ["JSON object"]),
])
def test_bad_json_gets_a_readable_error(data, words):
    with pytest.raises(ScenarioError) as err:
        Scenario.from_json(json.dumps(data))
    for word in words:
        assert word in str(err.value)


def test_malformed_json_and_missing_file(tmp_path):
    with pytest.raises(ScenarioError, match="not valid JSON.*line 1"):
        Scenario.from_json("{nope")
    with pytest.raises(ScenarioError, match="does not exist"):
        Scenario.load(tmp_path / "missing.json")


def test_drift_ramps_from_onset():
    spec = DriftSpec("concept", onset_week=5, strength=0.8, ramp_weeks=4)
    assert [spec.intensity(w) for w in (4, 5, 6, 8, 20)] == pytest.approx([0, 0.2, 0.4, 0.8, 0.8])


def test_policy_changes_labels_only_when_learning_from_decisions():
    s = default_scenario("fraud")
    assert not s.policy_changes_labels
    # full feedback: the reviews' verdicts reach a retraining before their outcomes, so the
    # band decides which early labels it gets, unless the outcomes come within the week
    every = s.with_changes(retrain={"trigger": "every"})
    assert every.feedback.mode == "full" and every.policy_changes_labels
    assert not every.with_changes(feedback={"label_delay": 0}).policy_changes_labels
    assert every.with_changes(feedback={"label_delay": {"kind": "discrete",
                                                        "shares": [0.7, 0.3]}}
                              ).policy_changes_labels
    # an exploration slot shows the true outcome, after the delay like every other label
    assert not default_scenario("recommendation").with_changes(
        retrain={"trigger": "every"}).policy_changes_labels
    assert s.with_changes(retrain={"trigger": "every"},
                          feedback={"mode": "selective"}).policy_changes_labels
    assert s.with_changes(retrain={"trigger": "performance"}).policy_changes_labels
