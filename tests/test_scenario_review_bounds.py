"""The review queue's and the staffing's fields, per-segment bands, data quality and delayed
impact: every bound at the edge and just past it, and every refusal with its exact message.

These are the sections added after tests/test_scenario_bounds.py was written (its table holds
the older fields). A scenario file's author reads these messages as they are, so a bound moved
by one, an open end closed, a message that loses the field's path or its allowed range, or a
staffing capacity computed with the wrong rounding each makes a case here fail. The capacity
reference is exact rational arithmetic on the decimals the author typed.
"""

from __future__ import annotations

import math
from fractions import Fraction

import pytest

from simulations.scenario import (
    DataQuality,
    DriftSpec,
    Impact,
    Policy,
    Retrain,
    Review,
    Scenario,
    ScenarioError,
    default_scenario,
)
from tests.test_scenario_bounds import _range, _refused  # one message format, one checker

HOURS_A_YEAR = 24 * 365

# (path, make(value) -> object, lo, hi, open at lo, open at hi, whole number)
NUMBERS = [
    ("review.hours_per_day", lambda v: Review(hours_per_day=v), 0, 24, True, False, False),
    ("review.items_per_hour", lambda v: Review(items_per_hour=v), 0, 10_000, True, False, False),
    ("review.shrinkage", lambda v: Review(shrinkage=v), 0, 1, False, True, False),
    ("review.working_days", lambda v: Review(working_days=v), 1, 7, False, False, True),
    ("review.target_hours", lambda v: Review(target_hours=v), 0, HOURS_A_YEAR, True, False,
     False),
    ("review.max_wait_hours", lambda v: Review(max_wait_hours=v), 0, HOURS_A_YEAR, True, False,
     False),
    ("review.abandon_per_day", lambda v: Review(abandon_per_day=v), 0, 1, False, True, False),
    ("review.abandon_cost", lambda v: Review(abandon_cost=v), 0, 1e9, False, False, False),
    # overtime fills the rest of the day: 24 - hours_per_day (8 by default)
    ("review.overtime_hours", lambda v: Review(overtime_hours=v), 0, 16, False, False, False),
    ("review.overtime_hours", lambda v: Review(hours_per_day=20.0, overtime_hours=v), 0, 4,
     False, False, False),
    ("review.overtime_premium", lambda v: Review(overtime_premium=v), 1, 10, False, False,
     False),
    ("review.hard_cases", lambda v: Review(hard_cases=v), 0, 1, False, False, False),
    ("review.double_share", lambda v: Review(double_share=v), 0, 1, False, False, False),
    ("review.analysts", lambda v: Review(analysts=v), 0, 100_000, True, False, False),
    ("data_quality.duplicate_share", lambda v: DataQuality(duplicate_share=v), 0, 1,
     False, True, False),
    ("data_quality.label_noise", lambda v: DataQuality(label_noise=v), 0, 0.5, False, True,
     False),
    ("data_quality.undersample_keep", lambda v: DataQuality(undersample_keep=v), 0, 1,
     True, False, False),
    ("data_quality.bias_ratio", lambda v: DataQuality(bias_ratio=v), 0, 1, True, False, False),
    ("data_quality.clean_cost", lambda v: DataQuality(clean_cost=v), 0, 1e9, False, False,
     False),
    ("policy.by_segment.child[0] (t_low)", lambda v: Policy(by_segment={"child": [v, 1.0]}),
     0, 1, False, False, False),
    ("policy.by_segment.child[1] (t_high)", lambda v: Policy(by_segment={"child": [0.0, v]}),
     0, 1, False, False, False),
]


@pytest.mark.parametrize(("path", "make", "lo", "hi", "open_lo", "open_hi", "whole"), NUMBERS,
                         ids=[f"{row[0]}[{row[3]}]" for row in NUMBERS])
def test_each_bound_holds_at_the_edge_and_refuses_past_it(path, make, lo, hi, open_lo, open_hi,
                                                         whole):
    allowed = _range(lo, hi, open_lo, open_hi)
    step = 1 if whole else max(abs(hi - lo) * 1e-6, 1e-9)
    for edge, past, is_open in ((lo, lo - step, open_lo), (hi, hi + step, open_hi)):
        if is_open:
            _refused(make, edge, f"{path} = {edge!r} is invalid: allowed range is {allowed}")
        else:
            make(edge)  # the edge itself is allowed
        _refused(make, past, f"{path} = {past!r} is invalid: allowed range is {allowed}")
    if whole:
        _refused(make, lo + 0.5, f"{path} = {lo + 0.5!r} is invalid: must be a whole number")
    else:
        make((lo + hi) / 2)
        _refused(make, math.nan, f"{path} = nan is invalid: must be a finite number")
        _refused(make, math.inf, f"{path} = inf is invalid: must be a finite number")
    kind = "a whole number" if whole else "a number"
    for bad in (True, "3") if path == "review.analysts" else (True, "3", None):  # null: none
        _refused(make, bad, f"{path} = {bad!r} is invalid: must be {kind}")


def test_overtime_cannot_outlast_the_day():
    Review(hours_per_day=24.0, overtime_hours=0.0)
    _refused(lambda v: Review(hours_per_day=24.0, overtime_hours=v), 0.5,
             "review.overtime_hours = 0.5 is invalid: allowed range is [0, 0]")


def test_choices_and_switches_name_what_they_take():
    for action in ("pass", "flag"):
        assert Review(overflow_action="queue", default_action=action).unreviewed_action == action
    _refused(lambda v: Review(default_action=v), "queue",
             "review.default_action = 'queue' is invalid: choose one of pass, flag")
    for name in ("audit", "clean"):
        DataQuality(**{name: True})
        for bad in (1, "yes", None):
            _refused(lambda v, name=name: DataQuality(**{name: v}), bad,
                     f"data_quality.{name} = {bad!r} is invalid: must be true or false")
    for bad in (3, None):
        _refused(lambda v: DataQuality(undersample_segment=v), bad,
                 f"data_quality.undersample_segment = {bad!r} is invalid: must be a segment's "
                 'name, or "" for none')
    assert DataQuality(undersample_segment="online").planted
    Impact(enabled=True)
    for bad in (1, "true", None):
        _refused(lambda v: Impact(enabled=v), bad,
                 f"impact.enabled = {bad!r} is invalid: must be true or false")
    assert Impact(response=None).response is None  # null: the domain's default


def _capacity(analysts: str, hours: str, items: str, shrinkage: str, days: int) -> int:
    exact = Fraction(analysts) * Fraction(hours) * Fraction(items) * (1 - Fraction(shrinkage))
    return days * math.floor(exact)


@pytest.mark.parametrize(("analysts", "hours", "items", "shrinkage", "days"), [
    ("3", "8", "4", "0.3", 5),     # 67.2 reviews a day: the fraction is dropped
    ("1", "8", "4", "0.5", 5),     # exactly 16 a day: kept whole
    ("3", "7.5", "4", "0.3", 5),   # exactly 63, which floats make 62.999...: still 63
    ("9", "8", "5", "0.3", 7),     # 252 a day, 7 days
    ("2.5", "24", "6", "0", 7),    # no shrinkage, fractional analysts
    ("0.1", "1", "1", "0.95", 1),  # less than one review a day: none
])
def test_capacity_from_staffing_is_the_floor_of_the_exact_product(analysts, hours, items,
                                                                  shrinkage, days):
    review = Review(analysts=float(analysts), hours_per_day=float(hours),
                    items_per_hour=float(items), shrinkage=float(shrinkage), working_days=days)
    expected = _capacity(analysts, hours, items, shrinkage, days)
    assert review.capacity == expected and type(review.capacity) is int
    assert review.daily_staffed() * days == expected
    s = default_scenario("fraud").with_changes(review={
        "analysts": float(analysts), "hours_per_day": float(hours),
        "items_per_hour": float(items), "shrinkage": float(shrinkage), "working_days": days})
    assert s.review.capacity == expected
    assert Scenario.from_json(s.to_json()) == s


def test_capacity_and_analysts_together_are_refused_and_null_analysts_is_none():
    message = ("review.capacity = 40 is invalid beside review.analysts = 3: give one of them "
               "(analysts x hours x items per hour x (1 - shrinkage) x working days is the "
               "capacity)")
    for review in ({"capacity": 40, "analysts": 3}, {"analysts": 3, "capacity": 40}):
        with pytest.raises(ScenarioError) as err:
            Scenario.from_dict({"domain": "fraud", "review": review})
        assert str(err.value) == message
    s = Scenario.from_dict({"domain": "fraud", "review": {"capacity": 40, "analysts": None}})
    assert (s.review.capacity, s.review.analysts) == (40, None)
    staffed = Scenario.from_dict({"domain": "fraud", "review": {"analysts": 3}})
    assert staffed.review.capacity == _capacity("3", "8", "4", "0.3", 5) == 335
    # over a staffed default, a stated capacity replaces the staffing, not the other way
    over = Review.from_dict({"capacity": 40}, Review(analysts=3.0))
    assert (over.capacity, over.analysts) == (40, None)
    assert Review.from_dict({"shrinkage": 0.5}, Review(analysts=3.0)).capacity == 3 * 16 * 5


QUEUE_KEYS = ["default_action", "analysts", "hours_per_day", "items_per_hour", "shrinkage",
              "working_days", "target_hours", "max_wait_hours", "abandon_per_day",
              "abandon_cost", "overtime_hours", "overtime_premium"]


def test_the_review_section_writes_only_what_it_uses_and_reads_it_back():
    fraud = default_scenario("fraud")
    plain = fraud.to_dict()["review"]
    assert plain == {"capacity": 350, "reviewer_accuracy": 0.95, "overflow_action": "pass"}
    every = {"capacity": 120, "reviewer_accuracy": 0.9, "overflow_action": "queue",
             "default_action": "flag", "analysts": None, "hours_per_day": 10.0,
             "items_per_hour": 3.0, "shrinkage": 0.2, "working_days": 6, "target_hours": 12.0,
             "max_wait_hours": 48.0, "abandon_per_day": 0.05, "abandon_cost": 2.0,
             "overtime_hours": 2.0, "overtime_premium": 2.0, "hard_cases": 0.4,
             "double_share": 0.25}
    queued = Scenario.from_dict({"domain": "fraud", "review": every})
    assert queued.to_dict()["review"] == every  # every key, in the dataclass's order
    assert list(queued.to_dict()["review"]) == list(every)
    assert Scenario.from_json(queued.to_json()) == queued
    # staffing given: the capacity is computed, so it is not written, and the queue's
    # fields are (they compute it)
    staffed = fraud.with_changes(review={"analysts": 2.0})
    written = staffed.to_dict()["review"]
    assert list(written) == ["reviewer_accuracy", "overflow_action", *QUEUE_KEYS]
    assert written["analysts"] == 2.0 and staffed.review.capacity == 2 * 22 * 5
    assert Scenario.from_json(staffed.to_json()) == staffed
    # the reviewers' fields only when changed, each on its own
    for name, value in (("hard_cases", 0.3), ("double_share", 0.5), ("double_share", 0.0)):
        changed = fraud.with_changes(review={name: value})
        assert changed.to_dict()["review"] == {**plain, name: value}
        assert Scenario.from_json(changed.to_json()) == changed
    for name, value in (("hard_cases", 0.0), ("double_share", 0.1)):  # the defaults
        assert fraud.with_changes(review={name: value}).to_dict()["review"] == plain


def test_review_keys_read_from_a_file_each_land_in_their_field():
    values = {"reviewer_accuracy": 0.8, "default_action": "flag", "hours_per_day": 6.0,
              "items_per_hour": 5.0, "shrinkage": 0.1, "working_days": 4, "target_hours": 2.0,
              "max_wait_hours": 5.0, "abandon_per_day": 0.2, "abandon_cost": 3.0,
              "overtime_hours": 1.0, "overtime_premium": 1.25, "hard_cases": 0.6,
              "double_share": 0.7}
    for name, value in values.items():
        s = Scenario.from_dict({"domain": "fraud", "review": {name: value}})
        assert getattr(s.review, name) == value
        others = {f: getattr(s.review, f) for f in values if f != name}
        base = default_scenario("fraud").review
        assert others == {f: getattr(base, f) for f in values if f != name}
    _refused(lambda v: Scenario.from_dict({"domain": "fraud", "review": {"working_days": v}}),
             "5", "review.working_days = '5' is invalid: must be a whole number")


def test_per_segment_bands_refuse_each_malformed_shape_with_its_own_message():
    shape = 'must be an object such as {"SEGMENT": [t_low, t_high]}'
    cases = [
        (5, f"policy.by_segment = 5 is invalid: {shape}"),
        ("child", f"policy.by_segment = 'child' is invalid: {shape}"),
        ([("child", 0.1)], f"policy.by_segment = [('child', 0.1)] is invalid: {shape}"),
        ([("child", 0.1, 0.2, 0.3)],
         f"policy.by_segment = [('child', 0.1, 0.2, 0.3)] is invalid: {shape}"),
        (["abc"], f"policy.by_segment = ['abc'] is invalid: {shape}"),
        ({3: [0.1, 0.2]}, "policy.by_segment = 3 is invalid: segment names must be non-empty "
         "text"),
        ({"": [0.1, 0.2]}, "policy.by_segment = '' is invalid: segment names must be non-empty "
         "text"),
        ([("child", 0.1, 0.2), ("child", 0.2, 0.3)],
         "policy.by_segment = 'child' is invalid: names a segment twice"),
        ({"child": [0.1]}, "policy.by_segment.child = [0.1] is invalid: must be a pair "
         "[t_low, t_high]"),
        ({"child": [0.1, 0.2, 0.3]}, "policy.by_segment.child = [0.1, 0.2, 0.3] is invalid: "
         "must be a pair [t_low, t_high]"),
        ({"child": 0.1}, "policy.by_segment.child = 0.1 is invalid: must be a pair "
         "[t_low, t_high]"),
        ({"child": "ab"}, "policy.by_segment.child = 'ab' is invalid: must be a pair "
         "[t_low, t_high]"),
        ({"child": [0.5, 0.2]}, "policy.by_segment.child = [0.5, 0.2] is invalid: its t_low "
         "must not exceed its t_high (the band is crossed)"),
        ({"child": [0.2, "x"]}, "policy.by_segment.child[1] (t_high) = 'x' is invalid: must be "
         "a number"),
    ]
    for value, message in cases:
        _refused(lambda v: Policy(by_segment=v), value, message)
    for value, message in cases[-2:]:  # the same words from a file
        _refused(lambda v: Scenario.from_dict({"domain": "triage", "policy": {"by_segment": v}}),
                 value, message)


def test_per_segment_bands_are_kept_as_float_triples_in_any_accepted_form():
    for given in ({"child": [0, 1], "adult": (0.5, 0.5)},
                  [("child", 0, 1), ["adult", 0.5, 0.5]],
                  (("child", 0, 1), ("adult", 0.5, 0.5))):
        bands = Policy(by_segment=given).by_segment
        assert bands == (("child", 0.0, 1.0), ("adult", 0.5, 0.5))
        assert all(type(x) is float for _, lo, hi in bands for x in (lo, hi))
    assert Policy().by_segment == () and Policy(by_segment={}).by_segment == ()
    p = Policy(0.3, 0.6, by_segment={"child": [0.1, 0.2]})
    assert p.band_of("child") == (0.1, 0.2) and p.band_of("adult") == (0.3, 0.6)
    assert not p.is_uniform() and Policy(0.3, 0.6, {"child": [0.3, 0.6]}).is_uniform()


def test_sections_that_cannot_work_together_are_refused_with_what_to_do():
    queue = {"overflow_action": "queue"}
    bands = {"by_segment": {"child": [0.1, 0.2]}}
    with pytest.raises(ScenarioError) as err:
        Scenario.from_dict({"domain": "triage", "review": queue, "policy": bands})
    assert str(err.value) == (
        "policy.by_segment cannot be combined with review.overflow_action = 'queue': the "
        "carried-over queue serves one band; drop the per-segment bands or let unreviewed "
        "cases 'pass' or 'flag'")
    # a per-segment band equal to the main band is one band: the queue may serve it
    p = default_scenario("triage").policy
    Scenario.from_dict({"domain": "triage", "review": queue,
                        "policy": {"by_segment": {"child": [p.t_low, p.t_high]}}})
    for domain in ("fraud", "triage"):
        with pytest.raises(ScenarioError) as err:
            Scenario(domain, retrain=Retrain(drift_on="semantic"))
        assert str(err.value) == (
            f"retrain.drift_on = 'semantic' is invalid: the {domain} world has no "
            "semantic-drift monitor (only recommendation, assistant do); watch 'score' or "
            "'features'")
    for domain in ("recommendation", "assistant"):
        assert Scenario(domain, retrain=Retrain(drift_on="semantic")).retrain.drift_on == (
            "semantic")
    for domain in ("triage", "assistant"):
        with pytest.raises(ScenarioError) as err:
            Scenario(domain, impact=Impact(enabled=True))
        assert str(err.value) == (
            f"impact.enabled = True is invalid: the {domain} world declares no delayed impact "
            "(its decisions do not change who arrives); only fraud, recommendation do")
        assert Scenario(domain, impact=Impact(recovery=0.5)).impact.recovery == 0.5  # off
    for domain in ("fraud", "recommendation"):
        assert Scenario(domain, impact=Impact(enabled=True)).impact.enabled
        with pytest.raises(ScenarioError) as err:
            Scenario(domain, review=Review(overflow_action="queue"),
                     impact=Impact(enabled=True))
        assert str(err.value) == (
            "impact cannot be combined with review.overflow_action = 'queue': a queued case's "
            "decision can fall in a later week; let unreviewed cases 'pass' or 'flag'")
        Scenario(domain, review=Review(overflow_action="queue"), impact=Impact())


def test_data_quality_needs_a_segment_of_its_world_and_a_retraining():
    every = Retrain(trigger="every")
    with pytest.raises(ScenarioError) as err:
        Scenario("triage", retrain=every,
                 data_quality=DataQuality(undersample_segment="online"))
    assert str(err.value) == (
        "data_quality.undersample_segment = 'online' is not a triage segment; choose among "
        'adult, older_adult, child (or "" for none)')
    assert Scenario("triage", retrain=every,
                    data_quality=DataQuality(undersample_segment="child")).data_quality.planted
    message = ("data_quality acts on the training sets of retrainings, and retrain.trigger is "
               "'never': choose a trigger (e.g. 'every') or leave data_quality at its defaults")
    for dq in (DataQuality(label_noise=0.1), DataQuality(duplicate_share=0.1),
               DataQuality(undersample_segment="online"), DataQuality(audit=True),
               DataQuality(clean=True)):
        with pytest.raises(ScenarioError) as err:
            Scenario("fraud", data_quality=dq)
        assert str(err.value) == message
        assert Scenario("fraud", retrain=every, data_quality=dq).data_quality == dq
    Scenario("fraud", data_quality=DataQuality(bias_ratio=0.9, clean_cost=5.0))  # not active


def test_a_scenario_keeps_drift_as_a_tuple_and_checks_its_sections():
    s = Scenario("fraud", drift=[DriftSpec("prior", 2, 1.0), DriftSpec()])
    assert s.drift == (DriftSpec("prior", 2, 1.0), DriftSpec()) and type(s.drift) is tuple
    for name in ("population", "model", "review", "costs", "feedback", "retrain", "policy",
                 "data_quality", "impact"):
        with pytest.raises(ScenarioError) as err:
            Scenario("fraud", **{name: None})
        assert str(err.value).startswith(f"{name} = None is invalid: must be a ")


def test_each_domains_review_queue_defaults_are_its_own():
    """The queue's people and promises per world, written out (a fraud team's are the
    Review defaults); an unreviewed case in a queue ends as the world's overflow action."""
    expected = {
        "fraud": ("pass", "pass", 8.0, 5, 4.0, 24.0, 72.0),
        "triage": ("flag", "flag", 24.0, 7, 6.0, 0.5, 12.0),
        "assistant": ("flag", "flag", 8.0, 5, 6.0, 8.0, 72.0),
        "recommendation": ("pass", "pass", 24.0, 7, 1000.0, 24.0, 24.0),
    }
    for domain, values in expected.items():
        r = default_scenario(domain).review
        assert (r.overflow_action, r.default_action, r.hours_per_day, r.working_days,
                r.items_per_hour, r.target_hours, r.max_wait_hours) == values, domain
        queued = Scenario.from_dict({"domain": domain, "review": {"overflow_action": "queue"}})
        assert queued.review.unreviewed_action == values[1]


def test_impact_is_written_when_changed_and_reads_back():
    fraud = default_scenario("fraud")
    assert "impact" not in fraud.to_dict()
    for impact in ({"enabled": True, "response": 0.2, "recovery": 0.1},
                   {"enabled": False, "response": None, "recovery": 0.5}):
        s = fraud.with_changes(impact=impact)
        assert s.to_dict()["impact"] == impact
        assert list(s.to_dict())[-1] == "impact"
        assert Scenario.from_json(s.to_json()) == s


def test_an_unknown_segment_is_named_with_the_worlds_segments():
    with pytest.raises(ScenarioError) as err:
        Scenario.from_dict({"domain": "triage",
                            "policy": {"by_segment": {"child": [0.1, 0.2], "nobody": [0, 1]}}})
    assert str(err.value) == ("policy.by_segment names 'nobody', which is not a triage "
                              "segment; choose among adult, older_adult, child")


def test_a_saved_scenario_is_indented_for_people_to_read_and_edit(tmp_path):
    s = default_scenario("fraud").with_changes(review={"capacity": 7})
    path = tmp_path / "s.json"
    s.save(path)
    text = path.read_text(encoding="utf-8")
    assert text == s.to_json() + "\n"
    lines = text.splitlines()
    assert lines[:3] == ["{", '  "domain": "fraud",', '  "seed": 0,']
    assert '    "capacity": 7,' in lines
    assert Scenario.load(path) == s
