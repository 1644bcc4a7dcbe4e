"""Label-free estimates: right in expectation when the scores are calibrated, intervals that
cover, the O(weeks) table agreeing with the per-event sums, and the documented failure under
concept drift."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from simulations import run
from simulations.monitoring.estimates import (
    estimate_weekly,
    fit_calibration,
    posterior_given_verdict,
)
from simulations.reporting.monitor import (
    MonitorTables,
    drift_case,
    estimate_gap,
    monitor_weekly,
    onset_week,
)
from simulations.scenario import DriftSpec
from tests.conftest import small


def test_a_hand_worked_week():
    # p = .9 .6 .2 .1, the first two flagged: E[TP] = 1.5, E[FN] = .3, E[FP] = .5
    # precision 1.5 / 2 = .75; recall 1.5 / 1.8; cost = .3 missed * 10 + .5 false * 2 + 0
    p = np.array([0.9, 0.6, 0.2, 0.1])
    est = estimate_weekly(np.ones(4, int), p, [1, 1, 0, 0], np.zeros(4, bool),
                          np.full(4, 10.0), np.full(4, 2.0), 1.0).iloc[0]
    assert est["est_precision"] == pytest.approx(0.75)
    assert est["est_recall"] == pytest.approx(1.5 / 1.8)
    assert est["est_cost"] == pytest.approx(0.3 * 10 + 0.5 * 2)
    sd = np.sqrt(0.9 * 0.1 + 0.6 * 0.4) / 2  # Var(TP) = sum p(1-p) over the flagged
    assert est["est_precision"] - est["est_precision_low"] == pytest.approx(1.6448536 * sd)
    assert est["est_precision_high"] == 1.0  # clipped to what a share can be
    assert np.isnan(estimate_weekly(np.ones(2, int), [0.1, 0.2], [0, 0], [False, False],
                                    np.ones(2), np.ones(2), 0.0)["est_precision"][0])


def synthetic(rng, n):
    """Probabilities, labels drawn from them, and a distorted score the model would output."""
    p = rng.beta(0.6, 4.0, n)
    label = (rng.random(n) < p).astype(int)
    return p, label, p ** 2  # a monotone distortion: the score ranks right, is not calibrated


def test_estimate_equals_the_truth_in_expectation_on_calibrated_scores():
    rng = np.random.default_rng(11)
    _, ref_label, ref_score = synthetic(rng, 200_000)
    cal = fit_calibration(ref_score, ref_label)
    p, label, score = synthetic(rng, 200_000)
    flag = score >= 0.09
    est = estimate_weekly(np.ones(len(p), int), cal(score), flag, np.zeros(len(p), bool),
                          np.full(len(p), 5.0), np.ones(len(p)), 0.0).iloc[0]
    tp, fl = np.sum(label & flag), flag.sum()
    var_tp = np.sum(p[flag] * (1 - p[flag]))  # the binomial variance of the true count
    assert abs(est["est_precision"] - tp / fl) <= 4 * np.sqrt(var_tp) / fl + 0.003
    assert abs(est["est_recall"] - tp / label.sum()) <= 0.01
    true_cost = 5.0 * np.sum(label & ~flag) + np.sum(~label.astype(bool) & flag)
    assert est["est_cost"] == pytest.approx(true_cost, rel=0.02)


def test_the_90_percent_interval_covers_about_nine_weeks_in_ten():
    rng = np.random.default_rng(5)
    weeks, n = 400, 2000
    p, label, _ = synthetic(rng, weeks * n)
    week = np.repeat(np.arange(1, weeks + 1), n)
    flag = p >= 0.3
    est = estimate_weekly(week, p, flag, np.zeros(len(p), bool), np.ones(len(p)),
                          np.ones(len(p)), 0.0)
    tp = np.bincount(week - 1, label & flag)
    truth = tp / np.bincount(week - 1, flag)
    inside = (truth >= est["est_precision_low"]) & (truth <= est["est_precision_high"])
    assert 0.86 <= inside.mean() <= 0.94


def test_a_reviewers_verdict_updates_the_probability_by_bayes():
    # p = .2, accuracy .9: P(pos | says fraud) = .18 / (.18 + .08); P(pos | says fine) = .02/.74
    post = posterior_given_verdict(np.array([0.2, 0.2, 0.2]), [True, True, False], [1, 0, 1],
                                   0.9, True)
    np.testing.assert_allclose(post, [0.18 / 0.26, 0.02 / 0.74, 0.2])


@pytest.fixture(scope="module")
def selective_run():
    scenario = small("fraud", weeks=6, events=4000).with_changes(
        feedback={"mode": "selective", "label_delay": {"kind": "geometric", "weeks": 1,
                                                       "p": 0.5, "max_weeks": 6}},
        review={"capacity": 10})
    return run(scenario)


@pytest.mark.parametrize("band,overflow", [((0.05, 0.3), "pass"), ((0.1, 0.6), "flag"),
                                           ((0.2, 0.2), "pass")])
def test_the_band_table_answers_like_the_per_event_sums(selective_run, band, overflow):
    result = dataclasses.replace(
        selective_run, scenario=selective_run.scenario.with_changes(
            review={"overflow_action": overflow}))
    tables = MonitorTables(result)
    outcome = result.at_policy(*band)
    view = monitor_weekly(tables, outcome, lag=1)
    s = outcome.scenario
    post = posterior_given_verdict(tables.p, outcome.reviewed, outcome.final,
                                   s.review.reviewer_accuracy, True)
    slow = estimate_weekly(result.arrays["week"], post, outcome.final, outcome.reviewed,
                           tables.fn_cost, tables.fp_cost, s.costs.review, tables.spread)
    for col in slow.columns:
        np.testing.assert_allclose(view[col], slow[col], rtol=1e-9, atol=1e-6, equal_nan=True)
    # realised: a loop over the events whose labels arrived within a week of their week, a
    # reviewed one with its verdict unless its outcome has arrived by then
    week, label = result.arrays["week"], result.arrays["label"]
    for w in range(1, 7):
        got = (week == w) & outcome.seen & (outcome.label_week <= w + 1)
        flagged = got & (outcome.final == 1)
        held = [label[i] if outcome.truth_week[i] <= w + 1 else outcome.seen_label[i]
                for i in np.flatnonzero(flagged)]
        tp = sum(1 for x in held if x == 1)
        expected = tp / flagged.sum() if flagged.sum() else np.nan
        np.testing.assert_allclose(view["realised_precision"][w - 1], expected, equal_nan=True)


def gap_after_onset(kind):
    scenario = dataclasses.replace(small("recommendation", weeks=12, events=8000),
                                   drift=(DriftSpec(kind, 6, 1.0),))
    result = run(scenario)
    view = monitor_weekly(MonitorTables(result), result.outcome)
    gap = estimate_gap(view, onset_week(scenario))
    after = gap[gap["period"] == "from the drift's onset"].set_index("metric")
    return after, drift_case(scenario)[0]


def test_concept_drift_breaks_the_estimate_and_covariate_shift_does_not():
    covariate, case_cov = gap_after_onset("covariate")
    concept, case_con = gap_after_onset("concept")
    assert (case_cov, case_con) == ("shift", "concept")
    for metric in ("precision", "recall"):
        assert concept.loc[metric, "mean_abs_error"] > 3 * covariate.loc[metric, "mean_abs_error"]
        assert concept.loc[metric, "mean_error"] > 0  # optimistic: the truth fell, not the guess
    assert covariate.loc["precision", "coverage"] >= 0.8


def test_the_tab_names_the_case_from_the_drift_kinds_and_the_domain():
    def case(domain, *kinds):
        return drift_case(dataclasses.replace(
            small(domain), drift=tuple(DriftSpec(k, 3, 0.5) for k in kinds)))[0]

    assert case("recommendation") == "none"
    assert case("recommendation", "covariate") == "shift"
    assert case("fraud", "covariate") == "relation"  # the season moves amounts of both classes
    assert case("recommendation", "cohort") == "relation"
    assert case("triage", "covariate", "concept") == "concept"
    assert case("fraud", "prior") == "prior"


# ---- calibrating only where it helps (NannyML's check), against outside references ----

def test_the_splits_are_scikit_learns_stratified_shuffle_splits():
    from sklearn.model_selection import StratifiedShuffleSplit

    from simulations.monitoring.estimates import stratified_splits

    rng = np.random.default_rng(5)
    for n, share in ((20_000, 0.01), (1_000, 0.3), (57, 0.5), (333, 0.07)):
        label = (rng.random(n) < share).astype(int)
        label[:2], label[2:4] = 1, 0
        theirs = StratifiedShuffleSplit(10, test_size=0.1, random_state=42).split(
            np.zeros(n), label)
        held_out = stratified_splits(label, 10, 0.1, seed=42, train=False)
        for (a_train, a_test), (b_train, b_test), (no_train, c_test) in zip(
                theirs, stratified_splits(label, 10, 0.1, seed=42), held_out, strict=True):
            assert np.array_equal(a_train, b_train) and np.array_equal(a_test, b_test)
            assert no_train is None and np.array_equal(a_test, c_test)


def test_the_shared_sort_isotonic_fits_predict_what_the_estimator_does():
    from sklearn.isotonic import IsotonicRegression

    from simulations.monitoring.estimates import _isotonic_fits, stratified_splits

    rng = np.random.default_rng(6)
    score = np.round(rng.beta(0.7, 5.0, 5_000), 3)  # many tied scores, as real scores have
    label = (rng.random(5_000) < score ** 0.7).astype(int)
    parts = stratified_splits(label, 10, 0.1, seed=42)
    tests = [test for _, test in parts]
    for (train, test), mine in zip(parts, _isotonic_fits(score, label, tests), strict=True):
        theirs = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(
            score[train], label[train]).predict(score[test])
        np.testing.assert_allclose(mine, theirs, rtol=0, atol=1e-12)


def test_expected_calibration_error_by_equal_count_bins():
    from simulations.monitoring.estimates import expected_calibration_error

    rng = np.random.default_rng(7)
    p = rng.random(1_003)
    label = (rng.random(1_003) < p ** 2).astype(int)
    order = np.argsort(p, kind="stable")
    sp, sl = p[order], label[order]
    width, total = len(p) // 10, 0.0
    for k in range(10):  # the last bin takes the 3 left over
        lo, hi = k * width, (len(p) if k == 9 else (k + 1) * width)
        total += (hi - lo) / len(p) * abs(sp[lo:hi].mean() - sl[lo:hi].mean())
    assert expected_calibration_error(label, p) == pytest.approx(total, abs=1e-12)


def _nannyml_rule(score, label):
    """NannyML's needs_calibration, written out with scikit-learn: pooled held-out ECE of the
    raw scores against the isotonic ones over 10 stratified 90/10 splits."""
    from sklearn.isotonic import IsotonicRegression
    from sklearn.model_selection import StratifiedShuffleSplit

    def ece(y, q):
        order = np.argsort(q, kind="stable")
        q, y = q[order], y[order]
        width, total = len(q) // 10, 0.0
        for k in range(10):
            lo, hi = k * width, (len(q) if k == 9 else (k + 1) * width)
            total += (hi - lo) / len(q) * abs(q[lo:hi].mean() - y[lo:hi].mean())
        return total

    ys, raw, fitted = [], [], []
    for train, test in StratifiedShuffleSplit(10, test_size=0.1, random_state=42).split(
            score, label):
        iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip")
        fitted.append(iso.fit(score[train], label[train]).predict(score[test]))
        raw.append(score[test])
        ys.append(label[test])
    y = np.concatenate(ys).astype(float)
    return ece(y, np.concatenate(raw)) > ece(y, np.concatenate(fitted))


def test_calibration_is_applied_exactly_where_nannymls_rule_says_it_helps():
    from simulations.monitoring.estimates import calibration_helps

    decisions = set()
    for seed in range(8, 14):
        rng = np.random.default_rng(seed)
        p = rng.beta(0.5, 30.0, 60_000)  # a rare class, as in fraud: about 1.6% positive
        label = (rng.random(60_000) < p).astype(int)
        for score in (p, p ** 0.5):  # calibrated already; ranking right but far too high
            helps = _nannyml_rule(score, label)
            assert calibration_helps(score, label, "isotonic") == helps
            cal = fit_calibration(score, label)
            assert cal.raw == (not helps)
            decisions.add(helps)
            probe = np.array([0.0, 0.013, 0.2, 1.0])
            if cal.raw:  # the model's own scores, untouched
                assert np.array_equal(cal(probe), probe)
            else:
                assert np.array_equal(cal(probe), cal.model.predict(probe))
    assert decisions == {True, False}  # both outcomes were met
    bent = fit_calibration(p ** 0.5, label)
    assert not bent.raw and abs(np.mean(bent(p ** 0.5)) - label.mean()) < 0.002
