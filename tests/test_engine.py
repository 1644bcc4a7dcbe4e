"""The weekly loop: reproducibility, drift and retraining, capacity, feedback, tables agree."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from simulations import run
from simulations.engine import WEEKLY_CONTRACT
from simulations.experiments import compare_policies, monte_carlo
from simulations.scenario import DriftSpec, Policy
from tests.conftest import DOMAIN_NAMES, drifting, psi_reference, small


@pytest.mark.parametrize("name", DOMAIN_NAMES)
def test_same_seed_same_tables_different_seed_different(name):
    a = run(small(name, weeks=3, events=2000))
    b = run(small(name, weeks=3, events=2000))
    pd.testing.assert_frame_equal(a.weekly, b.weekly)
    pd.testing.assert_frame_equal(a.events, b.events)
    c = run(dataclasses.replace(small(name, weeks=3, events=2000), seed=1))
    assert not np.array_equal(a.events["score"].to_numpy(), c.events["score"].to_numpy())


@pytest.mark.parametrize("name", DOMAIN_NAMES)
def test_concept_drift_degrades_a_stale_model_and_drift_retraining_recovers(name):
    stale = run(drifting(name)).weekly
    before = stale["auc"].iloc[:4].mean()
    after_stale = stale["auc"].iloc[8:].mean()
    assert after_stale < before - 0.04, (before, after_stale)

    retrained = run(drifting(name, trigger="drift", drift_on="features", drift_metric="psi",
                             drift_threshold=0.1))
    assert retrained.weekly["retrained"].any()
    first = retrained.retrain_weeks[0]
    assert first >= 5  # not before the drift started
    after_retrained = retrained.weekly["auc"].iloc[8:].mean()
    assert after_retrained > after_stale + 0.02, (after_stale, after_retrained)
    assert retrained.weekly["cost_retrain"].sum() > 0


def test_fraud_concept_drift_is_invisible_to_unlabelled_monitors_but_caught_by_performance():
    # Adapted fraud is < 1 % of traffic: the score and feature distributions barely move.
    scenario = small("fraud", weeks=16, events=8000, drift=(DriftSpec("concept", 5, 1.0),))
    stale = run(scenario)
    assert stale.weekly["feature_psi_max"].max() < 0.05
    assert stale.weekly["auc"].iloc[8:].mean() < stale.weekly["auc"].iloc[:4].mean() - 0.1
    watched = run(scenario.with_changes(retrain={"trigger": "performance",
                                                 "performance_metric": "recall",
                                                 "performance_floor": 0.25}))
    assert watched.retrain_weeks and min(watched.retrain_weeks) >= 5
    assert watched.weekly["auc"].iloc[8:].mean() > stale.weekly["auc"].iloc[8:].mean() + 0.1


@pytest.mark.parametrize("name", DOMAIN_NAMES)
def test_review_never_exceeds_capacity_and_overflow_is_counted(name):
    scenario = small(name, weeks=3).with_policy(0.02, 0.9).with_changes(review={"capacity": 50})
    result = run(scenario)
    w = result.weekly
    assert (w["reviewed"] <= 50).all()
    assert (w["review_overflow"] > 0).all()
    assert (w["reviewed"] + w["review_overflow"] == w["review_demand"]).all()
    events = result.events
    assert events.groupby("week")["reviewed"].sum().max() <= 50


@pytest.mark.parametrize("name", DOMAIN_NAMES)
def test_selective_feedback_sees_fewer_labels_than_full(name):
    full = run(small(name, weeks=4).with_changes(feedback={"mode": "full", "label_delay": 0}))
    selective = run(small(name, weeks=4).with_changes(feedback={"mode": "selective",
                                                                "label_delay": 0}))
    assert selective.events["label_seen"].sum() < full.events["label_seen"].sum()
    assert full.events["label_seen"].all()


def test_selective_fraud_never_reveals_declined_unreviewed_labels():
    result = run(small("fraud", weeks=3).with_changes(feedback={"mode": "selective",
                                                                "label_delay": 0}))
    e = result.events
    declined_unreviewed = (e["final"] == "flag") & ~e["reviewed"]
    assert declined_unreviewed.any()
    assert not e.loc[declined_unreviewed, "label_seen"].any()


@pytest.mark.parametrize("name", DOMAIN_NAMES)
def test_weekly_table_agrees_with_events_table(small_runs, name):
    result = small_runs[name]
    w = result.weekly.set_index("week")
    e = result.events
    assert list(result.weekly.columns[: len(WEEKLY_CONTRACT)]) == list(WEEKLY_CONTRACT)
    flag = e["final"] == "flag"
    pos = e["label"] == 1
    g = e.assign(tp=flag & pos, fp=flag & ~pos, fn=~flag & pos, tn=~flag & ~pos, flag=flag,
                 demand=e["action"] == "review").groupby("week")
    costs = result.scenario.costs
    fn_cost = np.where(~flag & pos, costs.fn_fixed + costs.fn_per_value * e["value"], 0)
    fp_cost = np.where(flag & ~pos, costs.fp_fixed + costs.fp_per_value * e["value"], 0)
    by_week = e.assign(fn_cost=fn_cost, fp_cost=fp_cost).groupby("week")
    for col in ("tp", "fp", "fn", "tn"):
        assert (g[col].sum() == w[col]).all(), col
    assert (g["reviewed"].sum() == w["reviewed"]).all()
    assert (g["demand"].sum() == w["review_demand"]).all()
    assert (g.size() == w["events"]).all()
    np.testing.assert_allclose(g["tp"].sum() / g["flag"].sum(), w["precision"])
    np.testing.assert_allclose(1 - g["flag"].mean(), w["pass_rate"])
    np.testing.assert_allclose(by_week["fn_cost"].sum(), w["cost_fn"], rtol=1e-9)
    np.testing.assert_allclose(by_week["fp_cost"].sum(), w["cost_fp"], rtol=1e-9)
    np.testing.assert_allclose(
        w["cost_fn"] + w["cost_fp"] + w["reviewed"] * costs.review + w["cost_retrain"],
        w["cost_total"])


@pytest.mark.parametrize("name", DOMAIN_NAMES)
def test_band_move_from_cache_equals_a_fresh_run(small_runs, name):
    result = small_runs[name]
    outcome = result.at_policy(0.1, 0.5)
    fresh = run(result.scenario.with_policy(0.1, 0.5))
    pd.testing.assert_frame_equal(outcome.weekly, fresh.weekly)
    pd.testing.assert_frame_equal(outcome.events, fresh.events)


def test_band_move_refuses_when_labels_depend_on_the_band():
    scenario = small("fraud", weeks=3).with_changes(
        feedback={"mode": "selective"}, retrain={"trigger": "every", "every_weeks": 1,
                                                 "cooldown_weeks": 1})
    result = run(scenario)
    with pytest.raises(ValueError, match="run the simulation again"):
        result.at_policy(0.1, 0.5)


def test_selective_labels_make_the_policy_change_the_model_history():
    base = small("fraud", weeks=6).with_changes(
        feedback={"mode": "selective", "label_delay": 0},
        retrain={"trigger": "every", "every_weeks": 2, "min_labels": 100, "min_positives": 5})
    a = run(base.with_policy(0.05, 0.2))
    b = run(base.with_policy(0.3, 0.9))
    # same traffic (common random numbers) ...
    np.testing.assert_array_equal(a.events["label"], b.events["label"])
    np.testing.assert_array_equal(a.events["value"], b.events["value"])
    # ... scored identically until the first retraining, differently after it
    first = a.events["week"] <= 2
    np.testing.assert_array_equal(a.events.loc[first, "score"], b.events.loc[first, "score"])
    assert not np.array_equal(a.events.loc[~first, "score"], b.events.loc[~first, "score"])


def test_compare_identical_policies_gives_zero_differences():
    scenario = small("triage", weeks=4)
    comparison = compare_policies(scenario, scenario.policy, scenario.policy)
    assert (comparison.difference.drop(columns="week").fillna(0) == 0).all().all()
    other = compare_policies(scenario, scenario.policy, Policy(0.05, 0.2))
    assert (other.difference["flagged"] > 0).all()
    assert other.totals.set_index("metric").loc["flagged", "B - A"] > 0


def test_monte_carlo_gives_mean_and_interval():
    table = monte_carlo(small("fraud", weeks=3, events=2000), runs=4,
                        metrics=("recall", "cost_total"))
    assert set(table["metric"]) == {"recall", "cost_total"}
    assert (table["low"] <= table["mean"]).all() and (table["mean"] <= table["high"]).all()
    assert (table["high"] > table["low"]).all()
    with pytest.raises(ValueError):
        monte_carlo(small("fraud"), runs=1)


def test_retraining_is_skipped_and_recorded_without_enough_labels():
    scenario = small("fraud", weeks=4, events=2000).with_changes(
        retrain={"trigger": "every", "every_weeks": 2, "min_labels": 10_000_000})
    result = run(scenario)
    assert not result.weekly["retrained"].any()
    skipped = [m for m in result.models if m.status.startswith("skipped")]
    assert skipped and "need 10000000" in skipped[0].status
    assert (result.weekly["cost_retrain"] == 0).all()


def test_exploration_slots_show_the_item_and_reveal_the_true_outcome():
    scenario = small("recommendation", weeks=3).with_changes(
        feedback={"mode": "selective", "label_delay": 0}, review={"reviewer_accuracy": 0.5})
    result = run(scenario)
    e = result.events
    explored = e["reviewed"]
    assert explored.any()
    assert (e.loc[explored, "final"] == "flag").all()  # an explored item is shown
    assert e.loc[explored, "label_seen"].all()
    seen_label = result.outcome.seen_label[explored.to_numpy()]
    np.testing.assert_array_equal(seen_label, e.loc[explored, "label"])  # truth, not a verdict


@pytest.mark.parametrize("name", DOMAIN_NAMES)
def test_labels_the_loop_learnt_from_match_the_outcome(name):
    scenario = small(name, weeks=4).with_changes(feedback={"mode": "selective",
                                                          "label_delay": 1})
    result = run(scenario)
    np.testing.assert_array_equal(result.arrays["seen"], result.outcome.seen)
    np.testing.assert_array_equal(result.arrays["seen_label"], result.outcome.seen_label)
    np.testing.assert_array_equal(result.arrays["truth_week"], result.outcome.truth_week)
    np.testing.assert_array_equal(result.arrays["final"], result.outcome.final)


def test_after_a_retraining_drift_is_measured_against_the_new_training_window():
    # retrained at the end of weeks 3 and 6 on the last 4 weeks (the weeks that exist):
    # weeks 4-6 are compared with weeks 1-3, weeks 7-8 with weeks 3-6
    result = run(small("triage", weeks=8).with_changes(
        retrain={"trigger": "every", "every_weeks": 3, "window_weeks": 4}))
    assert result.retrain_weeks == [3, 6]
    events, domain = result.events, result.domain
    drift = result.drift.set_index(["week", "column"])["psi"]
    windows = {4: (1, 3), 5: (1, 3), 6: (1, 3), 7: (3, 6), 8: (3, 6)}
    for week, (first, last) in windows.items():
        ref = events[events["week"].between(first, last)]
        cur = events[events["week"] == week]
        for name in domain.numeric_features:
            assert drift[(week, name)] == pytest.approx(psi_reference(ref[name], cur[name]), rel=1e-9)
        for name, cats in domain.categorical_features:
            expected = psi_reference(ref[name].cat.codes, cur[name].cat.codes, len(cats))
            assert drift[(week, name)] == pytest.approx(expected, rel=1e-9)


def test_outcome_totals_sum_the_events_and_equal_the_weekly_tables_totals_bit_for_bit():
    from simulations.policy.metrics import horizon_totals

    base = small("triage", weeks=4, events=1500)
    queued = base.with_changes(review={"overflow_action": "queue", "analysts": 3})
    for scenario, band in ((base, (0.2, 0.5, ())), (queued, (0.1, 0.6, ())),
                           (base, (0.2, 0.5, {"child": (0.1, 0.3)}))):
        result = run(scenario)
        outcome = result.at_policy(*band)
        totals = outcome.totals
        want = horizon_totals(outcome.core)  # the frame's totals (pandas, not the arrays)
        assert set(totals) == set(want)
        for key in want:
            assert totals[key] == want[key] or (np.isnan(totals[key]) and np.isnan(want[key]))
        events = outcome.events  # counted event by event
        flagged = events["final"] == "flag"
        assert totals["events"] == len(events)
        assert totals["tp"] == (flagged & (events["label"] == 1)).sum()
        assert totals["fp"] == (flagged & (events["label"] == 0)).sum()
        assert totals["reviewed"] == events["reviewed"].sum()
        totals["extra"] = 1.0  # a caller's dict: the next reader does not see it
        assert "extra" not in outcome.totals
