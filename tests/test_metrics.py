"""Threshold metrics agree with scikit-learn and with a slow per-event reference."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import metrics as skm

from simulations.policy.metrics import (
    BandTable,
    brier_score,
    confusion_counts,
    event_costs,
    expected_calibration_error,
    log_loss,
    reliability_bins,
    roc_auc,
    safe_ratio,
    threshold_curve,
)
from simulations.scenario import Costs

COSTS = Costs(fn_fixed=15, fn_per_value=1.0, fp_fixed=5, fp_per_value=0.02, review=3)


def random_case(seed, n=3000, weeks=4, rate=0.1, ties=False):
    rng = np.random.default_rng(seed)
    label = (rng.random(n) < rate).astype(int)
    score = np.clip(rng.normal(0.3 + 0.3 * label, 0.2), 0, 1)
    if ties:
        score = np.round(score, 1)  # heavy ties, including exact 0 and 1
    week = rng.integers(1, weeks + 1, n)
    value = rng.lognormal(3, 1, n)
    correct = rng.random(n) < 0.9
    return week, score, label, value, correct


def slow_reference(week, score, label, value, correct, t_low, t_high, capacity, overflow):
    """Per-week, per-event decisions written the obvious way."""
    fn_cost, fp_cost = event_costs(value, label, COSTS)
    rows = []
    for w in np.unique(week):
        m = week == w
        s, y, c, fnc, fpc = score[m], label[m], correct[m], fn_cost[m], fp_cost[m]
        band = np.flatnonzero((s >= t_low) & (s < t_high))
        band = band[np.argsort(-s[band], kind="stable")]
        reviewed = np.zeros(len(s), bool)
        reviewed[band[:capacity]] = True
        final = s >= t_high
        verdict = np.where(c, y == 1, y == 0)
        final = np.where(reviewed, verdict, final)
        overflow_mask = np.zeros(len(s), bool)
        overflow_mask[band[capacity:]] = True
        final = np.where(overflow_mask, overflow == "flag", final)
        tp = int(np.sum(final & (y == 1)))
        fp = int(np.sum(final & (y == 0)))
        rows.append({
            "tp": tp, "fp": fp, "fn": int(np.sum(~final & (y == 1))),
            "tn": int(np.sum(~final & (y == 0))), "reviewed": int(reviewed.sum()),
            "review_overflow": int(overflow_mask.sum()), "review_demand": len(band),
            "cost_fn": fnc[~final & (y == 1)].sum(), "cost_fp": fpc[final & (y == 0)].sum(),
        })
    return rows


@pytest.mark.parametrize("ties", [False, True])
@pytest.mark.parametrize("overflow", ["pass", "flag"])
@pytest.mark.parametrize(("t_low", "t_high", "capacity"), [
    (0.3, 0.6, 40), (0.0, 1.0, 10_000), (0.0, 0.0, 5), (1.0, 1.0, 0), (0.2, 0.5, 0),
    (0.5, 0.5, 100), (0.4, 0.7, 15),
])
def test_band_table_matches_slow_reference(ties, overflow, t_low, t_high, capacity):
    week, score, label, value, correct = random_case(1, ties=ties)
    fn_cost, fp_cost = event_costs(value, label, COSTS)
    table = BandTable.build(week, score, label, fn_cost, fp_cost, correct)
    got = table.query(t_low, t_high, capacity, overflow, COSTS.review)
    expected = slow_reference(week, score, label, value, correct, t_low, t_high, capacity,
                              overflow)
    for i, row in enumerate(expected):
        for key, value_ in row.items():
            assert got[key][i] == pytest.approx(value_, rel=1e-9, abs=1e-6), key
    # per-event decisions agree with the weekly counts
    action, reviewed, final = table.decisions(t_low, t_high, capacity, overflow, label, correct)
    for i, w in enumerate(table.weeks):
        m = week == w
        assert np.sum(final[m] & (label[m] == 1)) == got["tp"][i]
        assert np.sum(reviewed[m]) == got["reviewed"][i]
        assert np.sum(action[m] == 1) == got["review_demand"][i]


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("threshold", [0.0, 0.25, 0.5, 1.0])
def test_no_band_agrees_with_sklearn(seed, threshold):
    week, score, label, value, correct = random_case(seed, ties=seed % 2 == 0)
    fn_cost, fp_cost = event_costs(value, label, COSTS)
    table = BandTable.build(week, score, label, fn_cost, fp_cost, correct)
    got = table.query(threshold, threshold, 0, "pass", 0.0)
    for i, w in enumerate(table.weeks):
        m = week == w
        pred = (score[m] >= threshold).astype(int)
        tn, fp, fn, tp = skm.confusion_matrix(label[m], pred, labels=[0, 1]).ravel()
        assert (got["tp"][i], got["fp"][i], got["fn"][i], got["tn"][i]) == (tp, fp, fn, tn)
        sk_precision = skm.precision_score(label[m], pred, zero_division=np.nan)
        sk_recall = skm.recall_score(label[m], pred, zero_division=np.nan)
        np.testing.assert_allclose(got["precision"][i], sk_precision, equal_nan=True)
        np.testing.assert_allclose(got["recall"][i], sk_recall, equal_nan=True)
        assert got["pass_rate"][i] == pytest.approx(1 - pred.mean())


def test_precision_is_nan_when_nothing_is_flagged_and_recall_nan_without_positives():
    week = np.ones(4, int)
    score = np.array([0.1, 0.2, 0.3, 0.4])
    label = np.array([0, 1, 0, 1])
    table = BandTable.build(week, score, label, np.zeros(4), np.zeros(4), np.ones(4, bool))
    nothing = table.query(1.0, 1.0, 0, "pass", 0.0)
    assert np.isnan(nothing["precision"][0])
    assert nothing["recall"][0] == 0.0
    no_pos = BandTable.build(week, score, np.zeros(4), np.zeros(4), np.zeros(4), np.ones(4, bool))
    assert np.isnan(no_pos.query(0.0, 0.0, 0, "pass", 0.0)["recall"][0])


def test_hand_worked_band():
    # scores 0.1 .. 0.9, labels alternate; band [0.3, 0.7) holds 0.3, 0.5 (0.5 is positive)
    score = np.array([0.1, 0.3, 0.5, 0.7, 0.9])
    label = np.array([0, 0, 1, 0, 1])
    week = np.ones(5, int)
    table = BandTable.build(week, score, label, label * 100.0, (1 - label) * 10.0,
                            np.ones(5, bool))
    got = table.query(0.3, 0.7, 1, "pass", 2.0)
    # capacity 1: the reviewer takes 0.5 (highest in band), flags it correctly; 0.3 overflows
    # to pass. Flagged: 0.7 (negative), 0.9, 0.5 -> tp 2, fp 1; nothing missed.
    assert (got["tp"][0], got["fp"][0], got["fn"][0], got["tn"][0]) == (2, 1, 0, 2)
    assert (got["review_demand"][0], got["reviewed"][0], got["review_overflow"][0]) == (2, 1, 1)
    assert got["cost_fp"][0] == 10.0 and got["cost_fn"][0] == 0.0 and got["cost_review"][0] == 2.0
    assert got["cost_total"][0] == 12.0


def test_raising_t_high_never_flags_more():
    week, score, label, value, correct = random_case(3)
    fn_cost, fp_cost = event_costs(value, label, COSTS)
    table = BandTable.build(week, score, label, fn_cost, fp_cost, correct)
    flagged = [table.query(t, t, 0, "pass", 0)["flagged"].sum() for t in np.linspace(0, 1, 21)]
    assert all(a >= b for a, b in zip(flagged, flagged[1:], strict=False))


@pytest.mark.parametrize("seed", range(4))
def test_threshold_curve_and_auc_agree_with_sklearn(seed):
    _, score, label, _, _ = random_case(seed, ties=seed % 2 == 1)
    curve = threshold_curve(label, score)
    precision, recall, thresholds = skm.precision_recall_curve(label, score)
    # sklearn returns increasing thresholds; ours are decreasing
    np.testing.assert_allclose(curve["thresholds"][::-1], thresholds)
    np.testing.assert_allclose(curve["precision"][::-1], precision[:-1])
    np.testing.assert_allclose(curve["recall"][::-1], recall[:-1])
    assert roc_auc(label, score) == pytest.approx(skm.roc_auc_score(label, score), abs=1e-12)
    fpr, tpr, _ = skm.roc_curve(label, score, drop_intermediate=False)
    np.testing.assert_allclose(curve["fpr"], fpr[1:])
    np.testing.assert_allclose(curve["recall"], tpr[1:])


def test_auc_undefined_with_one_class():
    assert np.isnan(roc_auc([1, 1, 1], [0.2, 0.5, 0.9]))
    assert np.isnan(roc_auc([0, 0], [0.2, 0.5]))


@pytest.mark.parametrize("labels", ["mixed", "all_one", "all_zero"])
def test_calibration_metrics_agree_with_sklearn(labels):
    rng = np.random.default_rng(7)
    p = rng.random(500)
    p[:5] = [0.0, 1.0, 0.0, 1.0, 0.5]
    y = {"mixed": (rng.random(500) < p).astype(int), "all_one": np.ones(500, int),
         "all_zero": np.zeros(500, int)}[labels]
    assert brier_score(y, p) == pytest.approx(skm.brier_score_loss(y, p, pos_label=1))
    assert log_loss(y, p) == pytest.approx(skm.log_loss(y, p, labels=[0, 1]))


def test_reliability_bins_and_ece():
    y = np.array([0, 1, 1, 0])
    p = np.array([0.05, 0.15, 0.95, 0.95])
    bins = reliability_bins(y, p, n_bins=10)
    assert bins["count"].tolist() == [1, 1, 0, 0, 0, 0, 0, 0, 0, 2]
    assert np.isnan(bins["fraction_positive"][2])
    # |0.05-0| * 1/4 + |0.15-1| * 1/4 + |0.95-0.5| * 2/4
    assert expected_calibration_error(y, p) == pytest.approx(0.0125 + 0.2125 + 0.225)
    perfect = expected_calibration_error(np.array([0, 1]), np.array([0.0, 1.0]))
    assert perfect == 0.0


def test_small_helpers():
    assert confusion_counts([1, 0, 1, 0], [1, 1, 0, 0]) == {"tp": 1, "fp": 1, "tn": 1, "fn": 1}
    assert np.isnan(safe_ratio(1, 0))
    assert safe_ratio([1, 2], [2, 0])[0] == 0.5


def slow_final(week, score, label, correct, t_low, t_high, capacity, overflow):
    """Each event's final decision (1 flagged), event by event: a week's band is served
    highest score first, equal scores in arrival order, up to ``capacity``."""
    final = np.zeros(len(score), dtype=int)
    for w in np.unique(week):
        band = sorted((k for k in np.flatnonzero(week == w) if t_low <= score[k] < t_high),
                      key=lambda k: (-score[k], k))
        for k in np.flatnonzero(week == w):
            if score[k] >= t_high:
                final[k] = 1
            elif score[k] >= t_low:
                reviewed = band.index(k) < capacity
                final[k] = (label[k] if correct[k] else 1 - label[k]) if reviewed else (
                    overflow == "flag")
    return final


@pytest.mark.parametrize("ties", [False, True])
@pytest.mark.parametrize("overflow", ["pass", "flag"])
@pytest.mark.parametrize(("t_low", "t_high", "capacity"), [(0.3, 0.6, 25), (0.2, 0.5, 0),
                                                           (0.1, 0.9, 1000), (0.5, 0.5, 10)])
def test_banded_metrics_agree_with_sklearn_on_the_final_decisions(ties, overflow, t_low, t_high,
                                                                   capacity):
    week, score, label, value, correct = random_case(4, n=1200, ties=ties)
    fn_cost, fp_cost = event_costs(value, label, COSTS)
    table = BandTable.build(week, score, label, fn_cost, fp_cost, correct)
    got = table.query(t_low, t_high, capacity, overflow, COSTS.review)
    final = slow_final(week, score, label, correct, t_low, t_high, capacity, overflow)
    for i, w in enumerate(table.weeks):
        m = week == w
        y, pred = label[m], final[m]
        tn, fp, fn, tp = skm.confusion_matrix(y, pred, labels=[0, 1]).ravel()
        assert (got["tp"][i], got["fp"][i], got["tn"][i], got["fn"][i]) == (tp, fp, tn, fn)
        assert got["flagged"][i] == pred.sum() and got["passed"][i] == (1 - pred).sum()
        np.testing.assert_allclose(got["precision"][i],
                                   skm.precision_score(y, pred, zero_division=np.nan),
                                   equal_nan=True)
        np.testing.assert_allclose(got["recall"][i],
                                   skm.recall_score(y, pred, zero_division=np.nan),
                                   equal_nan=True)
        assert got["pass_rate"][i] == pytest.approx(1 - skm.accuracy_score(np.ones_like(pred),
                                                                            pred))
        in_band = (score[m] >= t_low) & (score[m] < t_high)
        reviews = min(capacity, int(in_band.sum()))
        # cost: every missed positive, every false alarm, every review, at per-event prices
        cost = (fn_cost[m][(y == 1) & (pred == 0)].sum() + fp_cost[m][(y == 0) & (pred == 1)].sum()
                + reviews * COSTS.review)
        assert got["cost_total"][i] == pytest.approx(cost, rel=1e-12)
        assert got["review_overflow"][i] == int(in_band.sum()) - reviews


def _costs_written_out(value, label):
    """COSTS per event, written out: a missed positive 15 + its value, a false alarm 5 + 2%."""
    fn = np.where(label == 1, 15 + 1.0 * value, 0.0)
    fp = np.where(label == 0, 5 + 0.02 * value, 0.0)
    return fn, fp


def test_event_costs_charge_each_kind_of_mistake_to_its_own_events():
    value, label = np.array([10.0, 200.0, 0.0, 50.0]), np.array([1, 0, 1, 0])
    fn, fp = event_costs(value, label, COSTS)
    want_fn, want_fp = _costs_written_out(value, label)
    np.testing.assert_array_equal(fn, want_fn)
    np.testing.assert_array_equal(fp, want_fp)
    fn, fp = event_costs([3.0], [1], Costs(fn_fixed=2, fn_per_value=0.5, fp_fixed=7,
                                           fp_per_value=0.1))
    assert (fn.tolist(), fp.tolist()) == ([3.5], [0.0])
    fn, fp = event_costs([3.0], [0], Costs(fn_fixed=2, fn_per_value=0.5, fp_fixed=7,
                                           fp_per_value=0.1))
    assert (fn.tolist(), fp.tolist()) == ([0.0], [7.3])


@pytest.mark.parametrize("overflow", ["pass", "flag"])
@pytest.mark.parametrize(("t_low", "t_high", "capacity"), [(0.3, 0.6, 40), (0.2, 0.2, 0),
                                                           (0.1, 0.8, 10_000)])
def test_every_weekly_column_agrees_with_a_loop_over_events(overflow, t_low, t_high, capacity):
    week, score, label, value, correct = random_case(3, ties=True)
    fn_cost, fp_cost = _costs_written_out(value, label)
    table = BandTable.build(week, score, label, fn_cost, fp_cost, correct)
    got = table.query(t_low, t_high, capacity, overflow, COSTS.review)
    assert got["week"].tolist() == sorted(set(week.tolist()))
    for i, w in enumerate(got["week"]):
        idx = [k for k in range(len(score)) if week[k] == w]
        band = sorted((k for k in idx if t_low <= score[k] < t_high), key=lambda k: (-score[k], k))
        reviewed = set(band[:capacity])
        row = {"events": 0, "positives": 0, "flagged": 0, "passed": 0, "auto_flagged": 0,
               "auto_passed": 0, "tp": 0, "fp": 0, "tn": 0, "fn": 0, "cost_fn": 0.0,
               "cost_fp": 0.0}
        for k in idx:
            y = label[k] == 1
            if score[k] >= t_high:
                final = True
                row["auto_flagged"] += 1
            elif score[k] < t_low:
                final = False
                row["auto_passed"] += 1
            elif k in reviewed:
                final = y if correct[k] else not y
            else:
                final = overflow == "flag"
            row["events"] += 1
            row["positives"] += y
            row["flagged"] += final
            row["passed"] += not final
            row["tp" if final and y else "fp" if final else "fn" if y else "tn"] += 1
            row["cost_fn"] += fn_cost[k] if y and not final else 0.0
            row["cost_fp"] += fp_cost[k] if final and not y else 0.0
        row["cost_review"] = COSTS.review * len(reviewed)
        row["cost_total"] = row["cost_fn"] + row["cost_fp"] + row["cost_review"]
        row["review_demand"], row["reviewed"] = len(band), len(reviewed)
        row["review_overflow"] = len(band) - len(reviewed)
        row["precision"] = row["tp"] / row["flagged"] if row["flagged"] else np.nan
        row["recall"] = row["tp"] / row["positives"] if row["positives"] else np.nan
        row["pass_rate"] = row["passed"] / row["events"]
        for key, want in row.items():
            np.testing.assert_allclose(got[key][i], want, rtol=1e-9, atol=1e-6,
                                       equal_nan=True, err_msg=key)
    assert set(got) == {"week", *row}
    assert got["tp"].dtype.kind == "i" and got["fn"].dtype.kind == "i"


def test_threshold_curve_counts_and_flag_rate_agree_with_a_loop():
    _, score, label, _, _ = random_case(2, n=400, ties=True)
    curve = threshold_curve(label, score)
    for k, t in enumerate(curve["thresholds"]):
        flagged = score >= t
        assert curve["tp"][k] == np.sum(flagged & (label == 1))
        assert curve["fp"][k] == np.sum(flagged & (label == 0))
        assert curve["flag_rate"][k] == pytest.approx(flagged.mean())
    assert curve["thresholds"].tolist() == sorted(set(score.tolist()), reverse=True)
    only_negatives = threshold_curve([0, 0], [0.3, 0.6])
    assert np.isnan(only_negatives["recall"]).all()
    assert only_negatives["fpr"].tolist() == [0.5, 1.0]


def test_reliability_bins_agree_with_sklearn_and_a_loop():
    from sklearn.calibration import calibration_curve

    rng = np.random.default_rng(11)
    p = rng.random(2000) ** 2
    y = (rng.random(2000) < p).astype(int)
    for n_bins in (5, 10, 15):
        bins = reliability_bins(y, p, n_bins)
        np.testing.assert_allclose(bins["lower"], np.arange(n_bins) / n_bins)
        np.testing.assert_allclose(bins["upper"], np.arange(1, n_bins + 1) / n_bins)
        true, predicted = calibration_curve(y, p, n_bins=n_bins, strategy="uniform")
        full = bins["count"] > 0
        np.testing.assert_allclose(bins["fraction_positive"][full], true)
        np.testing.assert_allclose(bins["mean_predicted"][full], predicted)
        counts = [np.sum((p >= k / n_bins) & ((p < (k + 1) / n_bins) | (k == n_bins - 1)))
                  for k in range(n_bins)]
        assert bins["count"].tolist() == counts
        ece = sum(c / len(p) * abs(pm - fp) for c, pm, fp in zip(
            bins["count"][full], predicted, true, strict=True))
        assert expected_calibration_error(y, p, n_bins) == pytest.approx(ece)
    edge = reliability_bins([1, 0, 1], [0.0, 0.5, 1.0], 2)  # 1.0 is in the top bin
    assert edge["count"].tolist() == [1, 2]
    assert edge["mean_predicted"].tolist() == [0.0, 0.75]
    assert np.isnan(expected_calibration_error([], []))


def test_scores_of_no_events_are_undefined_and_ratios_keep_their_shape():
    assert np.isnan(brier_score([], [])) and np.isnan(log_loss([], []))
    assert brier_score([1, 0], [0.75, 0.5]) == pytest.approx((0.0625 + 0.25) / 2)
    assert log_loss([1], [1.0]) == pytest.approx(-np.log(1 - np.finfo(float).eps))
    assert log_loss([0], [1.0]) == pytest.approx(-np.log(np.finfo(float).eps))
    r = safe_ratio(np.array([[1, 0], [3, 4]]), np.array([2, 0]))
    assert r.shape == (2, 2) and r[0, 0] == 0.5 and r[1, 0] == 1.5
    assert np.isnan(r[:, 1]).all()
    assert isinstance(safe_ratio(3, 4), float) and safe_ratio(3, 4) == 0.75
    assert safe_ratio(1, -2) == -0.5 and np.isnan(safe_ratio(0, 0))
    assert confusion_counts([], []) == {"tp": 0, "fp": 0, "tn": 0, "fn": 0}
    assert confusion_counts([True, True], [1, 0]) == {"tp": 1, "fp": 0, "tn": 0, "fn": 1}


def test_horizon_totals_sum_the_weeks_and_recompute_the_ratios_from_the_sums():
    import pandas as pd

    from simulations.policy.metrics import horizon_totals

    weekly = pd.DataFrame({
        "events": [100, 300], "positives": [10, 0], "tp": [6, 0], "fp": [4, 2], "tn": [86, 298],
        "fn": [4, 0], "flagged": [10, 2], "passed": [90, 298], "review_demand": [20, 50],
        "reviewed": [20, 30], "review_overflow": [0, 20], "cost_fn": [40.0, 0.0],
        "cost_fp": [4.0, 2.0], "cost_review": [10.0, 15.0], "cost_retrain": [0.0, 100.0],
        "cost_total": [54.0, 117.0], "precision": [0.6, 0.0], "other": [7, 8]})
    t = horizon_totals(weekly)
    sums = {"events": 400, "positives": 10, "tp": 6, "fp": 6, "tn": 384, "fn": 4,
            "flagged": 12, "passed": 388, "review_demand": 70, "reviewed": 50,
            "review_overflow": 20, "cost_fn": 40.0, "cost_fp": 6.0, "cost_review": 25.0,
            "cost_retrain": 100.0, "cost_total": 171.0}
    ratios = {"precision": 0.5, "recall": 0.6, "pass_rate": 388 / 400, "flag_rate": 12 / 400,
              "false_positive_rate": 6 / 390, "review_demand_per_week": 35.0,
              "reviewed_per_week": 25.0, "overflow_weeks": 1.0, "weeks": 2.0}
    assert set(t) == set(sums) | set(ratios)  # "other" is not a total
    for key, want in {**sums, **ratios}.items():
        assert t[key] == pytest.approx(want, rel=1e-12), key
        assert isinstance(t[key], float), key
    # a horizon where nothing is flagged and nothing is positive: undefined, not zero
    quiet = weekly.assign(positives=0, tp=0, fp=0, flagged=0, fn=0, tn=[100, 300])
    q = horizon_totals(quiet)
    assert np.isnan(q["precision"]) and np.isnan(q["recall"])
    assert q["flag_rate"] == 0.0 and q["false_positive_rate"] == 0.0
    # without a cost_retrain column (a band-free run) the other totals are unchanged
    t2 = horizon_totals(weekly.drop(columns="cost_retrain"))
    assert "cost_retrain" not in t2 and t2["cost_total"] == 171.0
    one = horizon_totals(weekly.iloc[:1])
    assert (one["weeks"], one["review_demand_per_week"], one["overflow_weeks"]) == (1.0, 20.0,
                                                                                   0.0)
    # the columns as arrays (what Outcome.totals passes) give the same totals, bit for bit,
    # with NaN skipped like the frame's sums skip it
    gappy = weekly.assign(cost_fp=[4.0, np.nan])
    for frame in (weekly, gappy, weekly.iloc[:1], quiet):
        arrays = {c: frame[c].to_numpy() for c in frame.columns}
        want, got = horizon_totals(frame), horizon_totals(arrays)
        assert set(got) == set(want)
        for key in want:
            assert got[key] == want[key] or (np.isnan(got[key]) and np.isnan(want[key])), key
    assert horizon_totals({c: gappy[c].to_numpy() for c in gappy.columns})["cost_fp"] == 4.0


def test_edges_the_second_mutation_run_found_untested():
    assert threshold_curve([1], [0.5])["flag_rate"].tolist() == [1.0]  # one event flagged
    assert roc_auc([0, 0, 1], [0.1, 0.2, 0.9]) == 1.0  # a single positive is enough
    assert roc_auc([1, 1, 0], [0.3, 0.9, 0.5]) == 0.5  # and a single negative
    assert confusion_counts([1, 1, 1, 0], [1, 0, 0, 0]) == {"tp": 1, "fp": 0, "tn": 1, "fn": 2}
    assert expected_calibration_error([1], [0.7]) == pytest.approx(0.3)  # one event
    np.testing.assert_array_equal(safe_ratio(3, np.array([1, 2])), [3.0, 1.5])
    # ten bins unless told otherwise, for the diagram and the ECE alike
    assert len(reliability_bins([0], [0.5])["count"]) == 10
    # 0.905 and 0.95 share the top tenth but not the top eleventh
    assert expected_calibration_error([1, 0], [0.95, 0.905]) == pytest.approx(0.4275)
