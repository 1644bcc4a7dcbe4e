"""Drift measures agree with independent computations and behave as alarms should."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from scipy.spatial.distance import jensenshannon

from simulations.monitoring import drift


def corrected(counts):
    c = np.asarray(counts, float) + 0.5
    return c / c.sum()


def test_psi_kl_js_match_scipy_on_the_reference_bins():
    rng = np.random.default_rng(0)
    ref = rng.normal(0, 1, 5000)
    cur = rng.normal(0.4, 1.2, 3000)
    edges = np.quantile(ref, np.arange(1, 10) / 10, method="inverted_cdf")
    q = corrected(np.bincount(np.searchsorted(edges, ref), minlength=10))
    p = corrected(np.bincount(np.searchsorted(edges, cur), minlength=10))
    assert drift.kl(ref, cur) == pytest.approx(stats.entropy(p, q))
    assert drift.psi(ref, cur) == pytest.approx(stats.entropy(p, q) + stats.entropy(q, p))
    assert drift.js(ref, cur) == pytest.approx(jensenshannon(p, q) ** 2)


def test_ks_matches_scipy():
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=800), rng.normal(0.3, size=1100)
    assert drift.ks(a, b) == pytest.approx(stats.ks_2samp(a, b).statistic)
    ties_a, ties_b = np.round(a), np.round(b)
    assert drift.ks(ties_a, ties_b) == pytest.approx(stats.ks_2samp(ties_a, ties_b).statistic)


def test_identical_samples_give_zero_and_shifts_give_large_values():
    rng = np.random.default_rng(2)
    x = rng.normal(size=4000)
    for f in (drift.psi, drift.kl, drift.js, drift.ks):
        assert f(x, x) == pytest.approx(0.0, abs=1e-12)
    shifted = x + 2.0
    assert drift.psi(x, shifted) > 1.0
    assert drift.kl(x, shifted) > 1.0
    assert drift.js(x, shifted) > 0.3
    assert drift.ks(x, shifted) > 0.6
    same_distribution = rng.normal(size=4000)
    assert drift.psi(x, same_distribution) < 0.02


def test_binary_feature_gets_two_bins_and_empty_bins_stay_finite():
    ref = np.array([0.0] * 900 + [1.0] * 100)
    assert len(drift.quantile_edges(ref)) == 1
    cur = np.array([0.0] * 500 + [1.0] * 500)
    value = drift.psi(ref, cur)
    q, p = corrected([900, 100]), corrected([500, 500])
    assert value == pytest.approx(np.sum((p - q) * np.log(p / q)))
    assert np.isfinite(drift.psi(np.zeros(100), np.ones(100)))


def test_categorical_family():
    ref = np.array([0] * 50 + [1] * 30 + [2] * 20)
    cur = np.array([0] * 20 + [1] * 30 + [2] * 50)
    q, p = corrected([50, 30, 20]), corrected([20, 30, 50])
    assert drift.kl_categorical(ref, cur, 3) == pytest.approx(stats.entropy(p, q))
    assert drift.js_categorical(ref, cur, 3) == pytest.approx(jensenshannon(p, q) ** 2)
    assert drift.psi_categorical(ref, ref, 3) == 0.0


def test_reference_measures_many_groups_like_single_calls():
    rng = np.random.default_rng(3)
    ref = rng.normal(size=(2000, 2))
    ref_cat = rng.integers(0, 4, (2000, 1))
    ref_obj = drift.DriftReference.build(ref, ("a", "b"), ref_cat, (("c", 4),))
    cur = rng.normal(0.5, 1, size=(3000, 2))
    cur_cat = rng.integers(0, 4, (3000, 1))
    group = rng.integers(0, 3, 3000)
    got = ref_obj.measure(cur, cur_cat, group, 3)
    for g in range(3):
        m = group == g
        assert got["psi"][g, 0] == pytest.approx(drift.psi(ref[:, 0], cur[m, 0]))
        assert got["kl"][g, 1] == pytest.approx(drift.kl(ref[:, 1], cur[m, 1]))
        assert got["js"][g, 2] == pytest.approx(
            drift.js_categorical(ref_cat[:, 0], cur_cat[m, 0], 4))


def test_edge_cases_the_monitors_meet():
    # an empty sample has no distribution: KS is undefined, not 0
    assert np.isnan(drift.ks([], [0.1, 0.2])) and np.isnan(drift.ks([0.1, 0.2], []))
    # every bin is counted, also the empty ones at the end
    assert drift.bin_counts([0.1, 0.1], np.array([0.5, 0.7])).tolist() == [2, 0, 0]
    assert drift.category_counts([0, 0], 3).tolist() == [2, 0, 0]
    # the number of bins is the caller's: 4 quantile bins, 3 interior edges
    x = np.arange(100.0)
    assert len(drift.quantile_edges(x, 4)) == 3
    q = corrected([25, 25, 25, 25])
    p = corrected([0, 0, 0, 100])
    assert drift.psi(x, x + 1000, n_bins=4) == pytest.approx(np.sum((p - q) * np.log(p / q)))
    assert drift.kl(x, x + 1000, n_bins=4) == pytest.approx(stats.entropy(p, q))
    assert drift.js(x, x + 1000, n_bins=4) == pytest.approx(jensenshannon(p, q) ** 2)


def test_many_bins_count_past_the_small_integer_range():
    rng = np.random.default_rng(5)
    ref, cur = rng.normal(size=5000), rng.normal(0.2, 1, size=5000)
    edges = drift.quantile_edges(ref, 300)  # 299 edges: bin numbers beyond 127
    expected = np.bincount(np.searchsorted(edges, cur, side="left"), minlength=len(edges) + 1)
    assert drift.bin_counts(cur, edges).tolist() == expected.tolist()


def test_a_reference_names_its_columns_and_measures_one_group_by_default():
    rng = np.random.default_rng(6)
    ref = drift.DriftReference.build(rng.normal(size=(500, 2)), ("a", "b"),
                                     rng.integers(0, 3, (500, 1)), (("c", 3),), n_bins=5)
    assert ref.columns == ("a", "b", "c") and ref.n_bins == (5, 5, 3)
    cur, cur_cat = rng.normal(size=(300, 2)), rng.integers(0, 3, (300, 1))
    got = ref.measure(cur, cur_cat)
    assert got["psi"].shape == (1, 3)
    grouped = ref.measure(cur, cur_cat, np.zeros(300, dtype=np.int64), 1)
    np.testing.assert_array_equal(got["kl"], grouped["kl"])
