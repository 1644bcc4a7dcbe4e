"""Each control family of a domain page changes what the KPI row shows, in the direction a user
expects, and to the figures the public simulator gives for the same scenario.

Every test reads the cards the page shows (AppTest), moves one control, reads them again, and
compares both readings with ``simulations.run`` of the scenario written out here from the
domain's defaults (never through the page's own control-to-scenario code). The page rounds:
shares to 0.1 pp, money to whole units.
"""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from simulations import default_scenario, run
from simulations.policy.metrics import horizon_totals
from simulations.scenario import DriftSpec, Feedback, ModelConfig, Policy, Retrain
from tests.test_pages import SMALL, app, small_params

D = "fraud"  # its highlights name counts too: frauds caught, good customers declined


def scenario(**changes):
    """The fraud page's scenario at the SMALL size, with ``changes`` to its fields."""
    base = default_scenario(D)
    population = replace(base.population, events_per_week=int(SMALL["events"]),
                         weeks=int(changes.pop("weeks", SMALL["weeks"])))
    return replace(base, population=population, **changes)


def truth(s) -> dict[str, float]:
    return horizon_totals(run(s).weekly)


def shown(at) -> dict[str, float]:
    """The KPI row and the fraud highlights, parsed back into numbers."""
    cards = {m.label: m.value for m in at.metric}

    def share(label):
        return float(cards[label].rstrip("%")) / 100

    def money(text):
        number = float(re.sub(r"[^0-9.\-]", "", text))
        return number * {"k": 1e3, "M": 1e6}.get(text.rstrip()[-1], 1.0)

    caught, positives = (float(x.replace(",", "")) for x in cards["Frauds caught"].split(" of "))
    review = next(k for k in cards if k.startswith("Reviews / week"))
    unreviewed = [m.value for m in at.markdown if "a week unreviewed" in m.value]
    return {"precision": share("Precision"), "recall": share("Recall"),
            "pass_rate": share("'approve' rate"), "review_demand_per_week": float(
                cards[review].replace(",", "")), "cost_total": money(cards["Total cost"]),
            "tp": caught, "positives": positives,
            "fp": float(cards["Good customers declined"].replace(",", "")),
            "unreviewed": float(re.search(r"([\d,]+) a week unreviewed", unreviewed[0])
                                .group(1).replace(",", "")) if unreviewed else 0.0}


def same(page: dict, want: dict, capacity: int | None = None) -> None:
    """The page shows ``want`` (horizon totals), to the page's rounding; the unreviewed note
    appears where the weekly demand exceeds ``capacity`` (default: the domain's)."""
    for key in ("precision", "recall", "pass_rate"):
        assert page[key] == pytest.approx(want[key], abs=0.0005 + 1e-12), key
    assert page["review_demand_per_week"] == pytest.approx(want["review_demand_per_week"],
                                                           abs=0.5 + 1e-9)
    assert page["cost_total"] == pytest.approx(want["cost_total"], abs=0.5 + 1e-9)
    assert (page["tp"], page["positives"], page["fp"]) == (want["tp"], want["positives"],
                                                          want["fp"])
    capacity = scenario().review.capacity if capacity is None else capacity
    over = want["review_demand_per_week"] > capacity
    assert page["unreviewed"] == pytest.approx(
        want["review_overflow"] / want["weeks"] if over else 0.0, abs=0.5 + 1e-9)


@pytest.fixture(scope="module")
def default_page():
    at = app(D, **small_params(D))
    assert not at.exception
    page = shown(at)
    same(page, truth(scenario()))
    return page


def _fresh():
    at = app(D, **small_params(D))
    assert not at.exception
    return at


def test_band_raising_t_high_flags_fewer_and_passes_more(default_page):
    at = _fresh()
    low, high = scenario().policy.t_low, scenario().policy.t_high
    at.slider(key=f"{D}_band").set_value((low, 0.9)).run()
    assert not at.exception
    page = shown(at)
    same(page, truth(scenario(policy=Policy(low, 0.9))))
    assert high < 0.9
    assert page["fp"] < default_page["fp"]  # fewer good customers declined
    assert page["pass_rate"] > default_page["pass_rate"]
    assert page["tp"] <= default_page["tp"]


def test_more_review_capacity_leaves_fewer_unreviewed_and_catches_more():
    at = _fresh()
    pages = {}
    for capacity in (20, 45):
        at.number_input(key=f"{D}_capacity").set_value(capacity).run()
        assert not at.exception
        pages[capacity] = shown(at)
        same(pages[capacity], truth(replace(scenario(), review=replace(
            scenario().review, capacity=capacity))), capacity)
    tight, looser = pages[20], pages[45]
    assert 0 < tight["unreviewed"] and looser["unreviewed"] < tight["unreviewed"]
    assert looser["tp"] > tight["tp"]  # the overflow passes: reviewing more catches more
    assert looser["recall"] > tight["recall"]


def test_a_dearer_miss_raises_the_total_cost(default_page):
    at = _fresh()
    fn = scenario().costs.fn_fixed
    at.number_input(key=f"{D}_fn_fixed").set_value(fn + 100.0).run()
    assert not at.exception
    page = shown(at)
    same(page, truth(replace(scenario(), costs=replace(scenario().costs, fn_fixed=fn + 100.0))))
    missed = default_page["positives"] - default_page["tp"]
    # the decisions do not change, so the cost rises by 100 per missed fraud exactly
    assert page["cost_total"] - default_page["cost_total"] == pytest.approx(100.0 * missed,
                                                                            abs=1.0)


def test_drift_strength_moves_the_kpis_to_the_simulated_figures():
    at = _fresh()
    at.multiselect(key=f"{D}_drift").set_value(["concept"]).run()
    at.slider(key=f"{D}_onset").set_value(3).run()  # within the 8 weeks
    at.slider(key=f"{D}_strength").set_value(0.2).run()
    assert not at.exception
    mild = shown(at)
    same(mild, truth(scenario(drift=(DriftSpec("concept", 3, 0.2, 3),))))
    at.slider(key=f"{D}_strength").set_value(1.0).run()
    strong = shown(at)
    same(strong, truth(scenario(drift=(DriftSpec("concept", 3, 1.0, 3),))))
    assert strong["recall"] < mild["recall"]  # a stronger concept drift hides more fraud


def test_weeks_lengthen_the_horizon_and_its_cost(default_page):
    at = _fresh()
    at.slider(key=f"{D}_weeks").set_value(12).run()
    assert not at.exception
    page = shown(at)
    same(page, truth(scenario(weeks=12)))
    assert page["positives"] > default_page["positives"]
    assert page["cost_total"] > default_page["cost_total"]


def test_model_control_scores_with_another_model(default_page):
    at = _fresh()
    at.selectbox(key=f"{D}_model").set_value("gradient_boosting").run()
    assert not at.exception
    page = shown(at)
    same(page, truth(scenario(model=ModelConfig("gradient_boosting"))))
    assert page != default_page


def _retraining_page():
    at = _fresh()
    at.selectbox(key=f"{D}_retrain").set_value("every").run()
    at.slider(key=f"{D}_every").set_value(2).run()
    assert not at.exception
    return at


RETRAIN = Retrain(trigger="every", every_weeks=2)


def test_retraining_policy_changes_the_model_history_and_costs(default_page):
    page = shown(_retraining_page())
    s = scenario(retrain=RETRAIN)
    want = truth(s)
    same(page, want)
    assert want["cost_retrain"] > 0 and page["cost_total"] != default_page["cost_total"]
    assert len(run(s).retrain_weeks) >= 2


def test_label_delay_and_feedback_change_what_retraining_learns():
    at = _retraining_page()
    prompt = shown(at)
    at.slider(key=f"{D}_delay").set_value(3).run()
    late = shown(at)
    same(late, truth(scenario(retrain=RETRAIN, feedback=Feedback("full", 3))))
    at.selectbox(key=f"{D}_feedback").set_value("selective").run()
    selective = shown(at)
    same(selective, truth(scenario(retrain=RETRAIN, feedback=Feedback("selective", 3))))
    assert late != prompt and selective != late  # each models learnt from other labels


def test_seed_changes_the_numbers_and_the_same_seed_gives_the_same(default_page):
    at = _fresh()
    at.number_input(key=f"{D}_seed").set_value(3).run()
    other = shown(at)
    same(other, truth(scenario(seed=3)))
    assert other != default_page
    at.number_input(key=f"{D}_seed").set_value(scenario().seed).run()
    assert shown(at) == default_page
