"""The reliability diagram is scikit-learn's, the weekly calibration error is the textbook
sum, and the sentence about the thresholds reads the direction of miscalibration right."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.calibration import calibration_curve

from simulations import run
from simulations.reporting.calibration import reliability, run_reliability, threshold_note

from .conftest import small
from .test_pages import app, small_params

WORDS = {"pass": "approve", "flag": "decline", "review": "manual review"}


@pytest.fixture(scope="module")
def triage_run():
    return run(small("triage", weeks=4, events=3000))


def test_reliability_diagram_equals_scikit_learns_on_the_same_model_and_data(triage_run):
    a = triage_run.arrays
    table = run_reliability(triage_run)
    prob_true, prob_pred = calibration_curve(a["label"], a["score"], n_bins=10)
    np.testing.assert_allclose(table["fraction_positive"], prob_true)
    np.testing.assert_allclose(table["mean_predicted"], prob_pred)
    # counts, by the rule written out: a score goes to the bin whose upper edge it does not
    # exceed (the first bin also takes 0)
    inner = np.linspace(0, 1, 11)[1:-1]
    slow = {}
    for s in a["score"]:
        k = sum(1 for e in inner if e < s)
        slow[k] = slow.get(k, 0) + 1
    assert table["count"].tolist() == [slow[k] for k in sorted(slow)]
    assert table["count"].sum() == len(a["score"])


def test_one_weeks_diagram_uses_only_that_week(triage_run):
    a = triage_run.arrays
    week2 = a["week"] == 2
    prob_true, _ = calibration_curve(a["label"][week2], a["score"][week2], n_bins=10)
    np.testing.assert_allclose(run_reliability(triage_run, 2)["fraction_positive"], prob_true)


def test_weekly_calibration_error_is_the_binned_gap_weighted_by_events(triage_run):
    a = triage_run.arrays
    for w, ece in zip(triage_run.weekly["week"], triage_run.weekly["calibration_error"],
                      strict=True):
        y, p = a["label"][a["week"] == w], a["score"][a["week"] == w]
        total = 0.0
        for k in range(10):
            lo, hi = k / 10, (k + 1) / 10
            inside = (p >= lo) & ((p < hi) if k < 9 else (p <= hi))
            if inside.any():
                total += inside.sum() / len(p) * abs(p[inside].mean() - y[inside].mean())
        assert ece == pytest.approx(total)


def test_the_threshold_sentence_says_which_way_the_score_is_wrong():
    rng = np.random.default_rng(0)
    truth = rng.uniform(0, 0.5, 50_000)
    label = rng.random(len(truth)) < truth
    inflated = reliability(label, np.minimum(truth * 1.8, 1.0))  # says 1.8x the real risk
    note = threshold_note(inflated, 0.2, 0.6, WORDS)
    assert note.count("over-states") == 2 and "under-states" not in note
    deflated = reliability(label, truth * 0.5)
    assert "under-states" in threshold_note(deflated, 0.1, 0.2, WORDS)
    fair = reliability(label, truth)
    assert "about right" in threshold_note(fair, 0.2, 0.3, WORDS)


def test_over_time_tab_shows_the_reliability_diagram_for_a_chosen_week():
    at = app("triage", **small_params("triage", triage_tab="Over time"))
    assert not at.exception
    assert any("calibrated model" in c.value for c in at.caption)
    at.select_slider(key="triage_calibration_week").set_value(3).run()
    assert not at.exception


def test_scores_on_a_bin_edge_fall_where_scikit_learn_puts_them():
    # calibration_curve puts a score equal to an inner edge in the lower bin
    table = reliability([0, 1, 0, 1, 1], [0.1, 0.1, 0.2, 0.5, 1.0])
    assert table["upper"].round(6).tolist() == [0.1, 0.2, 0.5, 1.0]
    assert table["count"].tolist() == [2, 1, 1, 1]
    prob_true, _ = calibration_curve([0, 1, 0, 1, 1], [0.1, 0.1, 0.2, 0.5, 1.0], n_bins=10)
    np.testing.assert_allclose(table["fraction_positive"], prob_true)
