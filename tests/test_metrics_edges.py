"""Edges of the metrics module that the mutation benchmark found untested (issue 16): a run's
events sorted week by week (equal scores first come, first reviewed), the order joined from
its weeks' sorts, a week's AUC from an already sorted table, the weeks with an overflow,
integer scores and integer counts, and undefined values given as NaN without numpy warnings.

Every expected value comes from a loop written here or from scikit-learn."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn import metrics as skm

from simulations.policy.metrics import (
    BandTable,
    brier_score,
    expected_calibration_error,
    horizon_totals,
    log_loss,
    roc_auc,
    roc_auc_sorted,
    week_orders,
)


def slow_order(week, score):
    """Event indices by week, then score, equal scores latest arrival first, one key each."""
    return sorted(range(len(score)), key=lambda k: (week[k], score[k], -k))


def test_week_orders_join_each_weeks_sort_into_the_order_of_the_whole_run():
    rng = np.random.default_rng(21)
    sizes = [5, 0, 1, 12, 7]  # a week with no events and one with a single event among them
    week = np.repeat(np.arange(1, len(sizes) + 1), sizes)
    score = np.round(rng.random(len(week)), 1)  # ties within weeks
    per_week, start = [], 0
    for size in sizes:
        s = score[start:start + size]
        per_week.append(np.array(sorted(range(size), key=lambda k: (s[k], -k)), dtype=np.int64))
        start += size
    got = week_orders(per_week)
    assert got.tolist() == slow_order(week, score)
    assert week[got].tolist() == sorted(week.tolist())  # it reads as an index
    # no weeks at all: an empty order that still indexes an array
    empty = week_orders([])
    assert len(empty) == 0 and np.issubdtype(empty.dtype, np.integer)
    assert score[empty].tolist() == []


def test_overflow_weeks_count_every_week_with_an_overflow_even_of_one_event():
    overflow = [0, 1, 3, 0, 1]
    weekly = {"events": [10] * 5, "positives": [1] * 5, "tp": [1] * 5, "fp": [0] * 5,
              "tn": [9] * 5, "fn": [0] * 5, "flagged": [1] * 5, "passed": [9] * 5,
              "review_demand": [2] * 5, "reviewed": [2] * 5, "review_overflow": overflow,
              "cost_fn": [0.0] * 5, "cost_fp": [0.0] * 5, "cost_review": [1.0] * 5,
              "cost_total": [1.0] * 5}
    want = sum(1 for x in overflow if x > 0)
    assert horizon_totals({k: np.array(v) for k, v in weekly.items()})["overflow_weeks"] == want
    assert horizon_totals(pd.DataFrame(weekly))["overflow_weeks"] == want


@pytest.mark.parametrize("seed", range(3))
def test_auc_from_a_sorted_table_agrees_with_sklearn_whatever_the_order_within_ties(seed):
    rng = np.random.default_rng(seed)
    score = np.round(rng.random(300), 1)
    label = (rng.random(300) < score).astype(int)
    ascending = np.argsort(score, kind="stable")
    # the same ascending sort with each tie group reversed
    other = np.lexsort((-np.arange(300), score))
    want = skm.roc_auc_score(label, score)
    for order in (ascending, other):
        assert roc_auc_sorted(score[order], label[order]) == pytest.approx(want, abs=1e-12)
    assert roc_auc_sorted(score[ascending], label[ascending].astype(bool)) == pytest.approx(
        want, abs=1e-12)


def test_a_week_of_one_class_has_an_undefined_auc_and_no_warning():
    # the weekly loop ranks each week from its table's sort; a week with no positives (or
    # nothing but positives) is common in a small world and must give NaN, not an error
    score = np.array([0.1, 0.2, 0.2, 0.7])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for label in ([0, 0, 0, 0], [1, 1, 1, 1], [True] * 4):
            assert np.isnan(roc_auc_sorted(score, np.array(label)))
            assert np.isnan(roc_auc(np.array(label), score))
        assert np.isnan(roc_auc_sorted([], []))


def test_undefined_scores_are_nan_without_numpy_warnings():
    # undefined is computed as such, not left to a 0 / 0 that prints a RuntimeWarning on the
    # CLI's stderr; the defined values agree with scikit-learn under the same setting
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.isnan(brier_score([], []))
        assert np.isnan(log_loss([], []))
        assert np.isnan(expected_calibration_error([], []))
        y, p = np.array([1, 0, 1, 1]), np.array([0.9, 0.0, 1.0, 0.4])
        assert log_loss(y, p) == pytest.approx(skm.log_loss(y, p, labels=[0, 1]))
        assert log_loss(y.astype(bool), p) == pytest.approx(skm.log_loss(y, p, labels=[0, 1]))
        assert brier_score(y, p) == pytest.approx(skm.brier_score_loss(y, p))


def run_shaped_case(seed, weeks=4, per_week=300):
    """Events as a simulated run stores them: week after week, scores with heavy ties."""
    rng = np.random.default_rng(seed)
    n = weeks * per_week
    week = np.repeat(np.arange(1, weeks + 1), per_week)
    label = (rng.random(n) < 0.2).astype(int)
    score = np.round(np.clip(rng.normal(0.3 + 0.3 * label, 0.2), 0, 1), 1)
    correct = rng.random(n) < 0.7
    value = rng.lognormal(3, 1, n)
    return week, score, label, correct, value


def slow_reviewed(week, score, t_low, t_high, capacity):
    """The events a reviewer reaches: each week's band highest score first, equal scores in
    order of arrival, the first ``capacity`` of them."""
    reviewed = np.zeros(len(score), dtype=bool)
    for w in np.unique(week):
        band = sorted((k for k in np.flatnonzero(week == w) if t_low <= score[k] < t_high),
                      key=lambda k: (-score[k], k))
        reviewed[band[:capacity]] = True
    return reviewed


@pytest.mark.parametrize("seed", range(2))
def test_a_runs_events_sorted_week_by_week_queue_equal_scores_first_come_first(seed):
    # the weekly loop stores events week after week: BandTable sorts each week on its own,
    # and a tie group split by the capacity must send its earliest events to the reviewer
    week, score, label, correct, value = run_shaped_case(seed)
    fn_cost, fp_cost = np.where(label == 1, value, 0.0), np.where(label == 0, 1.0, 0.0)
    table = BandTable.build(week, score, label, fn_cost, fp_cost, correct)
    assert table.order.tolist() == slow_order(week, score)
    assert table.weeks.tolist() == [1, 2, 3, 4]
    names = np.array(["pass", "review", "flag"])
    for t_low, t_high, capacity in ((0.3, 0.7, 25), (0.2, 0.5, 40), (0.4, 0.4, 0)):
        reviewed_want = slow_reviewed(week, score, t_low, t_high, capacity)
        action, reviewed, final = table.decisions(t_low, t_high, capacity, "pass", label,
                                                  correct)
        assert score[reviewed].tolist() == score[reviewed_want].tolist()  # a boolean mask
        assert reviewed.tolist() == reviewed_want.tolist()
        assert names[action].tolist() == [
            "flag" if s >= t_high else "pass" if s < t_low else "review" for s in score]
        got = table.query(t_low, t_high, capacity, "pass", 0.0)
        for i, w in enumerate(table.weeks):
            m = week == w
            final_want = np.where(score[m] >= t_high, 1, np.where(
                reviewed_want[m], np.where(correct[m], label[m], 1 - label[m]), 0))
            assert final[m].tolist() == final_want.tolist()
            assert got["tp"][i] == np.sum((final_want == 1) & (label[m] == 1))
            assert got["cost_fn"][i] == pytest.approx(
                fn_cost[m][(final_want == 0) & (label[m] == 1)].sum(), rel=1e-12)


def test_hard_predictions_given_as_integers_answer_a_threshold_like_probabilities():
    # 0/1 scores read as integers (a model's hard predictions): t = 0.5 flags the ones only
    score = np.array([0, 1, 1, 0, 1, 0])
    label = np.array([0, 1, 0, 0, 1, 1])
    week = np.ones(6, dtype=int)
    table = BandTable.build(week, score, label, label * 10.0, (1 - label) * 1.0,
                            np.ones(6, bool))
    got = table.query(0.5, 0.5, 0, "pass", 0.0)
    flagged = [s >= 0.5 for s in score]
    assert got["flagged"][0] == sum(flagged) == 3
    assert got["tp"][0] == sum(f and y for f, y in zip(flagged, label, strict=True)) == 2
    band = table.query(0.5, 1.5, 1, "pass", 1.0)  # the ones in the band, one reviewed
    assert (band["review_demand"][0], band["reviewed"][0], band["auto_passed"][0]) == (3, 1, 3)


def test_the_weekly_tables_counts_are_integers_as_the_csv_export_writes_them():
    week, score, label, correct, value = run_shaped_case(5, weeks=2, per_week=50)
    table = BandTable.build(week, score, label, value * label, 1.0 - label, correct)
    for overflow in ("pass", "flag"):
        got = table.query(0.3, 0.6, 5, overflow, 2.0)
        counts = ("week", "events", "positives", "flagged", "passed", "auto_flagged",
                  "auto_passed", "review_demand", "reviewed", "review_overflow", "tp", "fp",
                  "tn", "fn")
        for key in counts:
            assert np.issubdtype(np.asarray(got[key]).dtype, np.integer), key
        first = pd.DataFrame({k: got[k] for k in counts}).to_csv(index=False).splitlines()[1]
        assert "." not in first  # "12", not "12.0"
        m = week == 1
        assert got["positives"][0] == label[m].sum()
        assert got["tn"][0] + got["fp"][0] == (label[m] == 0).sum()
