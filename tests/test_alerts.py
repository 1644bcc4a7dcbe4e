"""Alert rules: the change detectors fire on a planted change and stay within their stated
false-alarm rate on a stationary stream; a rule's quality is scored against the planted onset;
the alert trigger retrains without labels."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from simulations import run
from simulations.monitoring.alerts import (
    cusum,
    page_hinkley,
    quality_over_worlds,
    rule_quality,
    standardised_cost,
)
from simulations.scenario import DriftSpec
from tests.conftest import small


def slow_cusum(z, k, h):
    s, out = 0.0, []
    for x in z:
        s = max(0.0, s + x - k)
        out.append(s > h)
        if s > h:
            s = 0.0
    return np.array(out)


def test_cusum_matches_its_definition_step_by_step():
    z = np.random.default_rng(1).normal(0.3, 1.0, 300)
    np.testing.assert_array_equal(cusum(z, 0.5, 3.0)[1], slow_cusum(z, 0.5, 3.0))


def first_firings(fired):
    """Per stream (column), the first step it fires (len if never)."""
    any_fire = fired.any(axis=0)
    return np.where(any_fire, fired.argmax(axis=0), len(fired))


def test_detectors_fire_soon_after_a_planted_change():
    rng = np.random.default_rng(2)
    z = rng.normal(size=(160, 300))
    z[100:] += 2.0  # a change of two standard deviations at step 100
    for detector in (cusum, page_hinkley):
        fired = detector(z)[1]
        quiet = fired[:100].any(axis=0)
        after = fired[100:]
        delay = first_firings(after)
        caught = ~quiet  # streams without a false alarm before the change
        assert np.mean(delay[caught] <= 10) >= 0.95, detector.__name__


def test_detectors_stay_within_their_stated_false_alarm_rate_on_a_stationary_stream():
    rng = np.random.default_rng(3)
    z = rng.normal(size=(3000, 200))
    # stated (module docstring): CUSUM k=0.5, h=5 about one alarm per 930 steps; Page-Hinkley
    # delta=0.5, lambda=5 about one per 900, held below one per 600
    assert cusum(z)[1].mean() <= 1.3 / 930
    assert page_hinkley(z)[1].mean() <= 1 / 600


def test_rule_quality_counts_delay_and_false_alarms_against_the_onset():
    weeks = np.arange(1, 11)
    fired = np.isin(weeks, [2, 7, 8])
    q = rule_quality(fired, weeks, onset=6)
    assert q == {"first_week": 2, "detection_delay": 1.0, "false_alarms": 1, "quiet_weeks": 5}
    assert np.isnan(rule_quality(np.zeros(10, bool), weeks, 6)["detection_delay"])
    table = quality_over_worlds([pd.DataFrame([{"rule": "r", **q}]),
                                 pd.DataFrame([{"rule": "r", **rule_quality(
                                     np.isin(weeks, [9]), weeks, 6)}])])
    row = table.iloc[0]
    assert row["median_detection_delay"] == 2.0  # delays 1 and 3
    assert row["false_alarms_per_year"] == 52 * 1 / 10


def test_standardised_cost_learns_a_baseline_per_model():
    view = pd.DataFrame({"est_cost": [10, 11, 9, 10, 30, 10, 10, 10, 10, 10.0],
                         "est_cost_spread": np.ones(10), "model_version": [0] * 5 + [1] * 5})
    z = standardised_cost(view, warmup=4)
    assert np.isnan(z[:4]).all() and np.isnan(z[5:9]).all()  # the baselines' own weeks
    assert z[4] > 10 and abs(z[9]) < 1e-9


def test_the_alert_trigger_retrains_without_labels_when_the_cost_estimate_jumps():
    base = dataclasses.replace(small("triage", weeks=14, events=6000),
                               drift=(DriftSpec("covariate", 7, 1.0),))
    never = run(base)
    alerted = run(base.with_changes(retrain={"trigger": "alert", "alert_rule": "cusum"}))
    assert alerted.retrain_weeks and min(alerted.retrain_weeks) >= 7
    assert any(m.reason.startswith("alert: CUSUM") for m in alerted.models)
    assert not never.retrain_weeks
    # same traffic up to the retraining: the trigger only reads, it draws nothing
    first = min(alerted.retrain_weeks)
    mask = alerted.arrays["week"] <= first
    np.testing.assert_array_equal(alerted.arrays["score"][mask], never.arrays["score"][mask])
