"""The domains' shared sampling helpers against plain reference formulas: a faster helper
must draw the same codes from the same generator and give the same numbers, bit for bit,
or every run would change."""

import gc

import numpy as np
import pytest

from simulations.domains.base import (
    _REFERENCE_MEANS,
    categorical_draw,
    centroid_cosine_distance,
    intercept_for_rate,
)


def _reference_draw(probs, rng):
    cumulative = np.cumsum(probs, axis=1)
    cumulative /= cumulative[:, -1:]
    u = rng.random((probs.shape[0], 1))
    return (u > cumulative).sum(axis=1).astype(np.int16)


@pytest.mark.parametrize("k", [1, 2, 3, 7])
def test_categorical_draw_gives_the_cumsum_formulas_codes(k):
    rng = np.random.default_rng(k)
    probs = rng.dirichlet(np.ones(k), size=5000) * rng.uniform(0.5, 2.0, (5000, 1))
    probs[::11] = probs[0]  # repeated rows, as a label-dependent mix gives
    ours, theirs = np.random.default_rng(9), np.random.default_rng(9)
    codes = categorical_draw(probs, ours)
    assert codes.dtype == np.int16
    assert np.array_equal(codes, _reference_draw(probs, theirs))
    assert ours.random() == theirs.random()  # the generator moved on by the same draws
    assert set(np.unique(codes)) <= set(range(k))


def test_intercept_for_rate_is_the_plain_bisection():
    logits = np.random.default_rng(2).normal(0.0, 1.5, 3000)
    lo, hi = -30.0, 30.0
    for _ in range(50):
        mid = 0.5 * (lo + hi)
        if (1.0 / (1.0 + np.exp(-(logits + mid)))).mean() < 0.07:
            lo = mid
        else:
            hi = mid
    assert intercept_for_rate(logits, 0.07) == 0.5 * (lo + hi)


def test_the_reference_centroid_is_remembered_only_while_its_array_lives():
    rng = np.random.default_rng(4)
    reference = rng.normal(size=(400, 8)).astype(np.float32)
    current = rng.normal(0.3, 1.0, size=(300, 8)).astype(np.float32)

    def plain(cur, ref):
        now, was = cur.mean(axis=0, dtype=np.float64), ref.mean(axis=0, dtype=np.float64)
        return 1 - float(now @ was / (np.linalg.norm(now) * np.linalg.norm(was)))

    assert centroid_cosine_distance(current, reference) == plain(current, reference)
    assert centroid_cosine_distance(current, reference) == plain(current, reference)
    assert id(reference) in _REFERENCE_MEANS
    key = id(reference)
    del reference
    gc.collect()
    assert key not in _REFERENCE_MEANS
    other = rng.normal(size=(400, 8))
    assert centroid_cosine_distance(current, other) == plain(current, other)
