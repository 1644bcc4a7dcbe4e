"""Every bound of every scenario field, at the edge and just past it, with the exact message.

The table below is the contract a scenario file's author reads (README "Scenario files"):
each numeric field's range, open or closed at each end, whole number or not, and each choice
field's options. A bound moved by one, an open end closed, a message that loses the field's
path or the allowed range: each makes one of these cases fail.
"""

from __future__ import annotations

import math

import pytest

from simulations.scenario import (
    Costs,
    DriftSpec,
    Feedback,
    Impact,
    LabelDelay,
    ModelConfig,
    Policy,
    Population,
    Retrain,
    Review,
    Scenario,
    ScenarioError,
    default_scenario,
)

INF = math.inf

def _costs(name: str):
    return lambda v: Costs(**{name: v})


# (path, make(value) -> object, lo, hi, open at lo, open at hi, whole number)
NUMBERS = [
    ("population.events_per_week", lambda v: Population(events_per_week=v), 200, 5_000_000,
     False, False, True),
    ("population.weeks", lambda v: Population(weeks=v), 1, 260, False, False, True),
    ("population.base_rate", lambda v: Population(base_rate=v), 0, 1, True, True, False),
    ("population.reference_weeks", lambda v: Population(reference_weeks=v), 1, 52,
     False, False, True),
    ("drift.onset_week", lambda v: DriftSpec("concept", v, 0.5), 1, 260, False, False, True),
    ("drift.strength", lambda v: DriftSpec("concept", 3, v), 0, 1, False, False, False),
    ("drift.strength", lambda v: DriftSpec("prior", 3, v), -3, 3, False, False, False),
    ("drift.ramp_weeks", lambda v: DriftSpec("concept", 3, 0.5, v), 1, 52, False, False, True),
    ("review.capacity", lambda v: Review(capacity=v), 0, 10_000_000, False, False, True),
    ("review.reviewer_accuracy", lambda v: Review(reviewer_accuracy=v), 0.5, 1,
     False, False, False),
    *[(f"costs.{name}", _costs(name), 0, hi,
       False, False, False)
      for name, hi in (("fn_fixed", 1e9), ("fn_per_value", 1e3), ("fp_fixed", 1e9),
                       ("fp_per_value", 1e3), ("review", 1e9), ("retrain", 1e9))],
    ("feedback.label_delay", lambda v: Feedback("full", v), 0, 52, False, False, True),
    ("feedback.label_delay.weeks", lambda v: LabelDelay("fixed", weeks=v), 0, 52,
     False, False, True),
    ("feedback.label_delay.p", lambda v: LabelDelay("geometric", p=v), 0, 1, True, False, False),
    ("feedback.label_delay.median_weeks", lambda v: LabelDelay("lognormal", median_weeks=v),
     0, 52, True, False, False),
    ("feedback.label_delay.sigma", lambda v: LabelDelay("lognormal", sigma=v), 0, 5,
     True, False, False),
    ("feedback.label_delay.max_weeks", lambda v: LabelDelay("lognormal", max_weeks=v), 0, 104,
     False, False, True),
    ("feedback.label_delay.shares[1]", lambda v: LabelDelay("fixed", shares=(0.0, v)), 0, 1,
     False, False, False),
    ("retrain.alert_threshold", lambda v: Retrain(alert_threshold=v), 0, 1000,
     True, False, False),
    ("retrain.every_weeks", lambda v: Retrain(every_weeks=v), 1, 260, False, False, True),
    ("impact.response", lambda v: Impact(response=v), 0, 1, False, True, False),
    ("impact.recovery", lambda v: Impact(recovery=v), 0, 1, False, False, False),
    ("retrain.drift_threshold", lambda v: Retrain(drift_threshold=v), 0, 100,
     True, False, False),
    ("retrain.performance_floor", lambda v: Retrain(performance_floor=v), 0, 1,
     True, False, False),
    ("retrain.window_weeks", lambda v: Retrain(window_weeks=v), 1, 52, False, False, True),
    ("retrain.min_labels", lambda v: Retrain(min_labels=v), 10, 10_000_000, False, False, True),
    ("retrain.min_positives", lambda v: Retrain(min_positives=v), 1, 10_000_000,
     False, False, True),
    ("retrain.cooldown_weeks", lambda v: Retrain(cooldown_weeks=v), 1, 52, False, False, True),
    ("policy.t_low", lambda v: Policy(v, 1.0), 0, 1, False, False, False),
    ("policy.t_high", lambda v: Policy(0.0, v), 0, 1, False, False, False),
    ("seed", lambda v: Scenario("fraud", seed=v), 0, 2**32 - 1, False, False, True),
]

CHOICES = [
    ("model.kind", lambda v: ModelConfig(v), ("logistic", "gradient_boosting")),
    ("drift.kind", lambda v: DriftSpec(v, 3, 0.5), ("covariate", "prior", "concept", "cohort")),
    ("review.overflow_action", lambda v: Review(overflow_action=v), ("pass", "flag", "queue")),
    ("feedback.mode", lambda v: Feedback(v), ("full", "selective")),
    ("feedback.label_delay.kind", lambda v: LabelDelay(v, shares=(1.0,)),
     ("fixed", "geometric", "lognormal", "discrete")),
    ("retrain.trigger", lambda v: Retrain(trigger=v),
     ("never", "every", "drift", "performance", "alert")),
    ("retrain.alert_rule", lambda v: Retrain(alert_rule=v),
     ("cusum", "page_hinkley", "estimate_floor")),
    ("retrain.drift_metric", lambda v: Retrain(drift_metric=v), ("psi", "kl", "js")),
    ("retrain.drift_on", lambda v: Retrain(drift_on=v), ("score", "features", "semantic")),
    ("retrain.performance_metric", lambda v: Retrain(performance_metric=v),
     ("precision", "recall")),
    ("domain", lambda v: Scenario(v), ("fraud", "triage", "recommendation", "assistant")),
]


def _range(lo, hi, open_lo, open_hi) -> str:
    return (f"{'(' if open_lo else '['}{lo:g}, {'inf' if hi == INF else f'{hi:g}'}"
            f"{')' if open_hi else ']'}")


def _refused(make, value, message: str) -> None:
    with pytest.raises(ScenarioError) as err:
        make(value)
    assert str(err.value) == message


@pytest.mark.parametrize(("path", "make", "lo", "hi", "open_lo", "open_hi", "whole"), NUMBERS,
                         ids=[f"{row[0]}[{row[2]}]" for row in NUMBERS])
def test_each_numeric_bound_holds_at_the_edge_and_refuses_past_it(path, make, lo, hi, open_lo,
                                                                 open_hi, whole):
    allowed = _range(lo, hi, open_lo, open_hi)
    step = 1 if whole else max(abs(hi - lo) * 1e-6, 1e-9)
    inside = {lo: not open_lo, hi: not open_hi}
    for edge, past in ((lo, lo - step), (hi, hi + step)):
        if inside[edge]:
            make(edge)  # the edge itself is allowed
        else:
            _refused(make, edge, f"{path} = {edge!r} is invalid: allowed range is {allowed}")
        _refused(make, past, f"{path} = {past!r} is invalid: allowed range is {allowed}")
    if whole:
        _refused(make, lo + 0.5, f"{path} = {lo + 0.5!r} is invalid: must be a whole number")
    else:
        make((lo + hi) / 2 if hi != INF else lo + 1)
    kind = "must be a whole number" if whole else "must be a number"
    for bad in (True, "3") if path != "feedback.label_delay" else (True,):  # text: see below
        words = kind
        _refused(make, bad, f"{path} = {bad!r} is invalid: {words}")
    if not whole:
        _refused(make, math.nan, f"{path} = nan is invalid: must be a finite number")


@pytest.mark.parametrize(("path", "make", "options"), CHOICES, ids=[c[0] for c in CHOICES])
def test_each_choice_takes_its_options_and_names_them_for_anything_else(path, make, options):
    for option in options:
        make(option)
    _refused(make, "bogus", f"{path} = 'bogus' is invalid: choose one of {', '.join(options)}")
    _refused(make, None, f"{path} = None is invalid: choose one of {', '.join(options)}")


def test_combinations_that_cannot_hold_are_refused_with_both_values():
    _refused(lambda v: Policy(v, 0.5), 0.6,
             "policy.t_low = 0.6 is invalid: it must not exceed policy.t_high = 0.5")
    Policy(0.5, 0.5)  # equal thresholds: a single threshold, no review band
    _refused(lambda v: LabelDelay("geometric", weeks=v, max_weeks=5), 6,
             "feedback.label_delay.weeks = 6 is invalid: must not exceed max_weeks = 5")
    LabelDelay("geometric", weeks=5, max_weeks=5)
    _refused(lambda v: LabelDelay("discrete", shares=v), (0.6, 0.5),
             "feedback.label_delay.shares = [0.6, 0.5] is invalid: the shares must add up to "
             "more than 0 and at most 1")
    _refused(lambda v: LabelDelay("discrete", shares=v), (0.0, 0.0),
             "feedback.label_delay.shares = [0.0, 0.0] is invalid: the shares must add up to "
             "more than 0 and at most 1")
    assert LabelDelay("discrete", shares=[0.5, 0.5]).shares == (0.5, 0.5)  # a list is kept
    _refused(lambda v: LabelDelay("discrete", shares=v), 0.5,
             "feedback.label_delay.shares = 0.5 is invalid: must be a list of shares")
    _refused(lambda v: LabelDelay("discrete", shares=v), (0.0,) * 106,
             "feedback.label_delay.shares = 106 is invalid: at most 105 weeks")
    LabelDelay("discrete", shares=(0.0,) * 104 + (1.0,))


def test_a_long_value_is_cut_in_the_message():
    value = "x" * 100
    with pytest.raises(ScenarioError) as err:
        Review(overflow_action=value)
    shown = repr(value)
    assert str(err.value).startswith(
        f"review.overflow_action = {shown[:60]}… ({len(shown):,} characters) is invalid")


def test_label_delays_arrive_as_the_documented_distributions():
    assert LabelDelay("fixed", weeks=2).shares_by_week() == (0.0, 0.0, 1.0)
    assert LabelDelay("fixed", weeks=2).fixed_weeks == 2
    assert LabelDelay("geometric", weeks=1, p=0.5, max_weeks=3).fixed_weeks is None
    assert LabelDelay("geometric", weeks=1, p=0.5, max_weeks=3).shares_by_week() == \
        pytest.approx((0.0, 0.5, 0.25, 0.125))
    # lognormal: P(floor(X) = k) from the normal CDF of log X, written out here
    median, sigma = 2.0, 0.5
    cdf = [0.0] + [0.5 * (1 + math.erf((math.log(k) - math.log(median)) / (sigma * 2 ** 0.5)))
                   for k in range(1, 6)]
    got = LabelDelay("lognormal", median_weeks=median, sigma=sigma, max_weeks=4).shares_by_week()
    assert got == pytest.approx([b - a for a, b in zip(cdf[:-1], cdf[1:], strict=True)])
    assert LabelDelay("discrete", shares=(0.2, 0.3)).shares_by_week() == (0.2, 0.3)
    assert Feedback("full", 3).delay == LabelDelay("fixed", weeks=3)
    d = LabelDelay("lognormal", median_weeks=3.0, sigma=0.4, max_weeks=17)
    assert Feedback("full", d).delay is d
    assert d.to_dict() == {"kind": "lognormal", "median_weeks": 3.0, "sigma": 0.4,
                           "max_weeks": 17}
    assert LabelDelay("discrete", shares=(1.0,)).to_dict() == {"kind": "discrete",
                                                               "shares": [1.0]}
    assert Feedback("selective", 2).to_dict() == {"mode": "selective", "label_delay": 2}
    assert Feedback("full", {"kind": "geometric", "weeks": 1, "p": 0.3, "max_weeks": 9}).delay \
        == LabelDelay("geometric", weeks=1, p=0.3, max_weeks=9)


def test_bad_label_delay_objects_are_named():
    _refused(lambda v: Feedback("full", v), "2", "feedback.label_delay = '2' is invalid: must be "
             'a whole number of weeks or an object such as {"kind": "lognormal", '
             '"median_weeks": 4}')
    _refused(lambda v: Feedback("full", v), None, "feedback.label_delay = None is invalid: must "
             'be a whole number of weeks or an object such as {"kind": "lognormal", '
             '"median_weeks": 4}')
    _refused(LabelDelay.from_dict, [1], "feedback.label_delay = [1] is invalid: must be a whole "
             "number of weeks or an object with a kind")
    with pytest.raises(ScenarioError, match="unknown key 'p'"):
        LabelDelay.from_dict({"kind": "lognormal", "p": 0.5})
    assert LabelDelay.from_dict({"weeks": 3}) == LabelDelay("fixed", weeks=3)


def test_drift_intensity_ramps_linearly_then_holds():
    spec = DriftSpec("concept", onset_week=3, strength=0.6, ramp_weeks=3)
    assert [spec.intensity(w) for w in range(1, 8)] == pytest.approx(
        [0, 0, 0.2, 0.4, 0.6, 0.6, 0.6])
    assert DriftSpec("prior", 2, -1.5, 1).intensity(2) == -1.5


def test_sections_must_be_of_their_kind_and_drifts_validated_where_they_sit():
    _refused(lambda v: Scenario("fraud", review=v), {"capacity": 3},
             "review = {'capacity': 3} is invalid: must be a Review")
    _refused(lambda v: Scenario("fraud", drift=v), [DriftSpec(), "x"],
             "drift[1] = 'x' is invalid: must be a drift specification")
    assert Scenario("fraud", drift=[DriftSpec()]).drift == (DriftSpec(),)
    with pytest.raises(ScenarioError, match=r"^drift\[0\].strength = 2 is invalid"):
        Scenario.from_dict({"domain": "fraud", "drift": [{"kind": "concept", "strength": 2}]})


def test_policy_changes_labels_exactly_when_a_band_can_change_the_models():
    learns = {"every": True, "drift": True, "performance": True, "alert": True, "never": False}
    for domain, delay in (("fraud", 1), ("fraud", 0), ("recommendation", 1)):
        s = default_scenario(domain)
        for trigger, retrains in learns.items():
            for mode in ("full", "selective"):
                changed = s.with_changes(retrain={"trigger": trigger},
                                         feedback={"mode": mode, "label_delay": delay})
                # selective labels depend on the decisions, and so does a retraining that
                # reads monitored performance; under full feedback a reviewer's verdict is a
                # label until the outcome comes, so the band decides which events are labelled
                # early, unless outcomes come within their week or the review is an
                # exploration slot (recommendation: its outcome is seen at once)
                early_verdicts = delay > 0 and domain != "recommendation"
                expected = retrains and (mode == "selective" or early_verdicts
                                         or trigger in ("performance", "alert"))
                assert changed.policy_changes_labels == expected, (domain, delay, trigger, mode)


def test_each_domains_defaults_are_its_own():
    """The domain cards' numbers (written out here) are what a default scenario holds."""
    s = default_scenario("fraud")
    assert s.population.base_rate == 0.008
    assert (s.review.capacity, s.review.overflow_action) == (350, "pass")
    assert (s.policy.t_low, s.policy.t_high) == (0.08, 0.30)
    assert default_scenario("assistant").review.overflow_action == "flag"
    assert s.costs != Costs()  # the domain's costs, not the generic ones
    assert default_scenario("fraud", seed=7) == Scenario.from_dict({"domain": "fraud",
                                                                    "seed": 7})
    assert default_scenario("fraud", seed=7).population == s.population


def test_from_dict_reads_every_section_and_names_what_is_wrong():
    data = {"domain": "fraud", "seed": 9, "population": {"weeks": 5},
            "model": {"kind": "gradient_boosting"}, "review": {"capacity": 3},
            "costs": {"review": 2.5}, "feedback": {"mode": "selective", "label_delay": 2},
            "retrain": {"trigger": "every", "every_weeks": 3}, "policy": {"t_low": 0.1},
            "drift": [{"kind": "prior", "onset_week": 2, "strength": -1.0}]}
    s = Scenario.from_dict(data)
    fraud = default_scenario("fraud")
    assert (s.seed, s.population.weeks, s.population.base_rate) == (9, 5, 0.008)
    assert (s.model.kind, s.review.capacity, s.review.overflow_action) == (
        "gradient_boosting", 3, "pass")
    assert (s.costs.review, s.costs.fn_per_value) == (2.5, fraud.costs.fn_per_value)
    assert (s.feedback.mode, s.feedback.label_delay) == ("selective", 2)
    assert (s.retrain.trigger, s.retrain.every_weeks) == ("every", 3)
    assert (s.policy.t_low, s.policy.t_high) == (0.1, fraud.policy.t_high)
    assert s.drift == (DriftSpec("prior", 2, -1.0),)
    assert Scenario.from_dict(s.to_dict()) == s
    assert json_keys(s.to_dict()) == ["domain", "seed", "population", "model", "drift",
                                      "review", "costs", "feedback", "retrain", "policy"]
    bad = [
        ("x", "scenario = 'str' is invalid: must be a JSON object"),
        ({"domain": "fraud", "colour": 1}, "unknown key 'colour' in scenario; allowed keys: "
         "domain, seed, drift, population, model, review, costs, feedback, retrain, policy, "
         "data_quality, impact, world"),
        ({"seed": 1}, "domain is missing: say which world to simulate (fraud, triage, "
         "recommendation, assistant)"),
        ({"domain": 3}, "domain = 3 is invalid: choose one of fraud, triage, recommendation, "
         "assistant"),
        ({"domain": "fraud", "review": [1]}, "review = [1] is invalid: must be an object"),
        ({"domain": "fraud", "review": {"size": 1}}, "unknown key 'size' in review; allowed "
         "keys: capacity, reviewer_accuracy, overflow_action, default_action, analysts, "
         "hours_per_day, items_per_hour, shrinkage, working_days, target_hours, "
         "max_wait_hours, abandon_per_day, abandon_cost, overtime_hours, overtime_premium, "
         "hard_cases, double_share"),
        ({"domain": "fraud", "drift": {}}, "drift = {} is invalid: must be a list of drift "
         "specifications"),
        ({"domain": "fraud", "drift": [3]}, "drift[0] = 3 is invalid: must be an object with "
         "kind, onset_week, strength"),
        ({"domain": "fraud", "drift": [{"kind": "prior"}, {"kind": "concept", "onset_week": 0}]},
         "drift[1].onset_week = 0 is invalid: allowed range is [1, 260]"),
        ({"domain": "fraud", "world": [1]}, "world = [1] is invalid: must be an object"),
        ({"domain": "fraud", "seed": -1}, "seed = -1 is invalid: allowed range is "
         "[0, 4.29497e+09]"),
    ]
    for data, message in bad:
        with pytest.raises(ScenarioError) as err:
            Scenario.from_dict(data)
        assert str(err.value) == message


def json_keys(d: dict) -> list[str]:
    return list(d)


def test_world_knobs_are_checked_filled_in_and_kept_in_order():
    s = Scenario.from_dict({"domain": "assistant", "world": {"answer_cache": True}})
    names = [name for name, _ in s.world]
    assert names == ["temperature", "answer_cache"]
    default_temperature = default_scenario("assistant").world_values["temperature"]
    assert s.world_values == {"temperature": default_temperature, "answer_cache": True}
    assert s.to_dict()["world"] == s.world_values
    assert "world" not in default_scenario("fraud").to_dict()  # no knobs, no section
    assert default_scenario("fraud").world == ()
    moved = s.with_changes(world={"temperature": 1.5})
    assert moved.world_values == {"temperature": 1.5, "answer_cache": True}
    cases = [
        ({"domain": "assistant", "world": {"temperature": 2.5}},
         "world.temperature = 2.5 is invalid: allowed range is [0, 2]"),
        ({"domain": "assistant", "world": {"answer_cache": 1}},
         "world.answer_cache = 1 is invalid: must be true or false"),
        ({"domain": "assistant", "world": {"temperature": 1.0, "top_p": 1, "x": 2}},
         "unknown key 'top_p' in world; allowed keys: temperature, answer_cache"),
        ({"domain": "fraud", "world": {"temperature": 1.0}},
         "unknown key 'temperature' in world; allowed keys: none (the fraud world has no "
         "knobs)"),
    ]
    for data, message in cases:
        with pytest.raises(ScenarioError) as err:
            Scenario.from_dict(data)
        assert str(err.value) == message
    _refused(lambda v: Scenario("assistant", world=v), 5,
             "world = 5 is invalid: must be an object of the domain's knobs")


def test_with_changes_and_with_policy_replace_only_what_they_name():
    s = default_scenario("triage")
    changed = s.with_changes(review={"capacity": 11}, costs={"review": 4.0})
    assert (changed.review.capacity, changed.costs.review) == (11, 4.0)
    assert changed.review.overflow_action == s.review.overflow_action
    assert changed.costs.fn_fixed == s.costs.fn_fixed and changed.seed == s.seed
    assert s.with_changes() == s
    moved = s.with_policy(0.2, 0.4)
    assert (moved.policy.t_low, moved.policy.t_high) == (0.2, 0.4)
    assert moved.review == s.review
    with pytest.raises(ScenarioError) as err:
        s.with_changes(reviews={"capacity": 1})
    assert str(err.value) == ("reviews = {'capacity': 1} is invalid: unknown section; choose one "
                              "of population, model, review, costs, feedback, retrain, policy, "
                              "data_quality, impact")


def test_json_text_with_a_byte_order_mark_or_too_deep_nesting(tmp_path):
    from simulations.scenario import parse_json

    assert parse_json('\ufeff{"a": 1}') == {"a": 1}
    with pytest.raises(ScenarioError) as err:
        parse_json("[" * 100_000 + "]" * 100_000)
    assert str(err.value) == "scenario file is nested too deeply to be a scenario"
    with pytest.raises(ScenarioError) as err:
        parse_json("{", "preset x.json")
    assert str(err.value) == ("preset x.json is not valid JSON: Expecting property name "
                              "enclosed in double quotes at line 1, column 2")
    s = default_scenario("fraud", seed=4)
    path = tmp_path / "s.json"
    s.save(path)
    assert path.read_text(encoding="utf-8") == s.to_json() + "\n"
    path.write_bytes(b"\xef\xbb\xbf" + s.to_json().encode())
    assert Scenario.load(path) == s
    path.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(ScenarioError, match=r"^cannot read scenario file '.*s\.json': "):
        Scenario.load(path)
    with pytest.raises(ScenarioError) as err:
        Scenario.load(tmp_path / "none.json")
    assert str(err.value) == f"scenario file {str(tmp_path / 'none.json')!r} does not exist"


def test_a_value_of_sixty_characters_is_shown_whole_and_longer_ones_cut():
    for length, cut in ((58, False), (59, True)):  # repr adds the two quotes
        value = "y" * length
        with pytest.raises(ScenarioError) as err:
            Review(overflow_action=value)
        shown = repr(value)
        expected = f"{shown[:60]}… ({len(shown):,} characters)" if cut else shown
        assert str(err.value) == (f"review.overflow_action = {expected} is invalid: choose "
                                  "one of pass, flag, queue")


def test_what_survived_the_first_mutation_run_is_pinned():
    from simulations.domains import get_domain

    # a lognormal delay writes only its own fields, so the file reads back
    d = LabelDelay("lognormal", median_weeks=3.0, sigma=0.4, max_weeks=17)
    assert Feedback("full", d).to_dict() == {"mode": "full", "label_delay": d.to_dict()}
    s = default_scenario("fraud").with_changes(feedback={"label_delay": d})
    assert s.to_dict()["feedback"] == {"mode": "full", "label_delay": d.to_dict()}
    assert Scenario.from_json(s.to_json()) == s
    # knobs left out take the domain's own defaults
    knobs = {p.name: p.default for p in get_domain("assistant").world_params}
    assert Scenario("assistant").world_values == knobs
    # changes to the world and to a section in one call both apply
    both = default_scenario("assistant").with_changes(world={"answer_cache": True},
                                                      review={"capacity": 5})
    assert both.world_values["answer_cache"] is True and both.review.capacity == 5
    # only the path is renamed, not a value that happens to contain it
    with pytest.raises(ScenarioError) as err:
        Scenario.from_dict({"domain": "fraud", "drift": [{"kind": "drift.x"}]})
    assert str(err.value) == ("drift[0].kind = 'drift.x' is invalid: choose one of covariate, "
                              "prior, concept, cohort")
    for data, message in (
            ({"kind": "weekly"}, "feedback.label_delay.kind = 'weekly' is invalid: choose one "
             "of fixed, geometric, lognormal, discrete"),
            ({"kind": "lognormal", "p": 0.5}, "unknown key 'p' in feedback.label_delay; "
             "allowed keys: kind, median_weeks, sigma, max_weeks")):
        with pytest.raises(ScenarioError) as err:
            LabelDelay.from_dict(data)
        assert str(err.value) == message
    # shares may add up to 1 within rounding (1e-9), not beyond
    LabelDelay("discrete", shares=(0.5, 0.5 + 1e-9))
    with pytest.raises(ScenarioError):
        LabelDelay("discrete", shares=(0.5, 0.5 + 2e-9))
