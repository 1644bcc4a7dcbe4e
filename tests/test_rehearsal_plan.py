"""The data collection case of the rehearsal: the candidate commits to an agreement target and
a budget split (which must add up) before the lab's data plan is revealed, and the debrief
reads the target against the kappa such reviewers reach on this traffic."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard import seam
from dashboard.teaching.rehearsal import PlanAnswer, plan_debrief, plan_markdown, split_problem
from simulations.experiments.data_plan import PLAN_COLUMNS
from simulations.presets import Preset, load_preset
from simulations.scenario import ScenarioError
from tests.test_pages import app


def _kappa(pi, a):
    """Two independent reviewers, each right with probability a, base rate pi (written out)."""
    both_yes = pi * a * a + (1 - pi) * (1 - a) * (1 - a)
    both_no = pi * (1 - a) * (1 - a) + (1 - pi) * a * a
    yes = pi * a + (1 - pi) * (1 - a)
    p_o, p_e = both_yes + both_no, yes * yes + (1 - yes) * (1 - yes)
    return (p_o - p_e) / (1 - p_e)


def _summary():
    rows = [("more_labels", 0.0, 0, 0.1, 0.9, 900.0, 800.0, 990.0),
            ("more_labels", 300.0, 100, 0.1, 0.9, 850.0, 800.0, 900.0),
            ("uncertainty", 300.0, 100, 0.1, 0.9, 700.0, 650.0, 760.0),
            ("clean", 300.0, 40, 0.05, 0.9, 990.0, 900.0, 1100.0)]
    return pd.DataFrame(rows, columns=PLAN_COLUMNS)


def test_the_split_must_add_up_to_the_whole_budget():
    assert split_problem({"a": 50.0, "b": 50.0}) == ""
    assert split_problem({"a": 60.0, "b": 55.0}) == "The budget split adds up to 115%: make it 100%."
    assert "at least 0" in split_problem({"a": 120.0, "b": -20.0})


def test_the_debrief_reads_the_target_against_the_paradox_and_the_split_against_the_cheapest():
    plan = PlanAnswer(0.8, {"more_labels": 0.6, "clean": 0.4})
    lines = plan_debrief(plan, _summary(), 0.9, 0.008, "$")
    assert f"reach about {_kappa(0.008, 0.9):.2f} on labels of this traffic (0.8% positive)" \
        in lines[0]
    assert f"but {_kappa(0.5, 0.9):.2f} on a balanced set" in lines[0]
    assert "out of reach" in lines[0]
    assert lines[1] == ("You put 60% of the budget into more single labels: spent on that alone, "
                        "the whole budget gives a next model costing $850 a production week, "
                        "against $700 for the cheapest, uncertainty sampling.")
    easy = plan_debrief(PlanAnswer(0.05, {"uncertainty": 1.0}), _summary(), 0.9, 0.5, "$")
    assert "within reach" in easy[0] and "the cheapest of the four ways" in easy[1]
    text = plan_markdown(plan, lines)
    assert "kappa 0.80" in text and "- more single labels: 60%" in text and lines[1] in text


@pytest.mark.parametrize("plan, message", [
    ({"budget": 0}, "needs a budget above 0"),
    ({"budget": 100, "worlds": 1}, "from 2 to 100"),
    ({"budget": 100, "split": 1}, "unknown key 'split'"),
])
def test_a_broken_label_plan_gets_a_one_line_error(plan, message):
    data = {k: "x" for k in ("title", "story", "question", "look_at", "facilitator_notes",
                             "expected_finding")}
    with pytest.raises(ScenarioError, match=message):
        Preset.from_dict("case", {**data, "scenario": {"domain": "fraud"}, "label_plan": plan})


def test_the_candidate_commits_a_plan_before_the_lab_reveals_its_own(monkeypatch):
    monkeypatch.setattr(seam, "ENSEMBLE_WORKERS", 1)
    small_plan = seam.plan_spec

    def quick(scenario, budget, strategies, worlds, steps=5):  # a small lab plan for the test
        return small_plan(scenario.with_changes(population={"events_per_week": 800}),
                          budget / 10, strategies, 2, 3)

    monkeypatch.setattr(seam, "plan_spec", quick)
    preset = load_preset("label_budget")
    at = app("rehearsal", rehearse_case=preset.title)
    assert not at.exception
    assert not any("The lab's data plan" in h.value for h in at.subheader)
    at.number_input(key="rehearse_label_budget_kappa").set_value(0.8)
    at.number_input(key="rehearse_label_budget_more_labels").set_value(40.0)
    at.text_area[0].input("Weekly cost down 10% after the next retraining")
    at.button[0].click().run()  # 40 + 25 + 25 + 25: does not add up
    assert any("adds up to 115%" in e.value for e in at.error)
    assert not any("The lab's data plan" in h.value for h in at.subheader)
    at.number_input(key="rehearse_label_budget_uncertainty").set_value(10.0)
    at.button[0].click().run()
    assert not at.exception
    assert any("The lab's data plan" in h.value for h in at.subheader)
    text = " ".join(m.value for m in at.markdown)
    assert "gives the cheapest next model" in text
    assert "Your agreement target: a kappa of 0.80" in text and "out of reach" in text
    assert "You put 40% of the budget into more single labels" in text
    assert any("Learning curves" in c.proto.spec for c in at.get("plotly_chart"))


def test_the_label_budget_case_finds_what_it_says():
    from simulations.engine.reviewers import expected_kappa
    from simulations.experiments.data_plan import DataPlan, run_plan

    preset = load_preset("label_budget")
    case, s = preset.label_plan, preset.scenario
    summary, _ = run_plan(DataPlan(s, case.budget, steps=2, worlds=case.worlds), workers=2)
    full = summary[summary["budget"] == case.budget].set_index("strategy")
    zero = summary[summary["budget"] == 0].iloc[0]
    # cleaning cuts the wrong labels the most, yet uncertainty sampling buys the cheapest model
    assert full["label_error"].idxmin() == "clean"
    assert full["cost_total"].idxmin() == "uncertainty"
    assert full.loc["clean", "cost_total"] > zero["cost_total"]  # "costs more at the old band"
    # a good reviewer's kappa on rare fraud: about five hundredths, far below 0.6 or 0.8
    assert round(expected_kappa(s.population.base_rate, s.review.reviewer_accuracy), 2) == 0.05
