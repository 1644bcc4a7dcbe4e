"""What the optimizer's branch and bound rests on: every metric of a band, and every guardrail,
splits exactly into a part of the low cut plus a part of the high cut.

The search bounds whole blocks of cut pairs from these two parts (per regime: the band within
review capacity, or overflowing it), and drops a block when its bound says no pair in it can
be better or meet a floor. A part that is wrong by a constant, a sign or one event makes the
bound wrong: it either drops the block holding the best band, or stops dropping any block and
the search slows to every pair. The answers' tests (tests/test_optimize_large.py) see the
first kind only where the best band happens to sit; here every pair is checked against the
band decided event by event.
"""

from __future__ import annotations

import numpy as np
import pytest

from simulations.policy.guardrails import Guardrails
from simulations.policy.optimize import PolicyGrid
from tests.test_optimize_large import every_band, solved

# worlds in which bands overflow the review capacity (flagged or passed), and one without it
NAMES = ("capacity, overflow flagged", "capacity, overflow passed",
         "free review, capacity, flagged", "unlimited review")


def pair_values(grid, weights: dict[str, float], const: float, r) -> np.ndarray:
    """low(i) + high(j) of sum(weight * metric) + const, in each pair's own regime, for every
    pair (i, j) of the reference, in its order."""
    parts = grid._combine(weights, const)
    i, j = r["i"], r["j"]
    overflow = grid.pos[j] - grid.pos[i] > grid.pooled_capacity
    within = parts[0][0][i] + parts[0][1][j]
    if len(parts) < 2 or not overflow.any():
        return within
    over = parts[1][0][i] + parts[1][1][j]
    return np.where(overflow, over, within)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("metric", ["tp", "fp", "demand", "cost"])
def test_each_metric_of_every_band_is_a_low_part_plus_a_high_part(name, metric):
    grid, e, r = solved(name)
    if name != "unlimited review":  # the overflowing regime is really exercised
        assert (grid.pos[r["j"]] - grid.pos[r["i"]] > grid.pooled_capacity).mean() > 0.2
    got = pair_values(grid, {metric: 1.0}, 0.0, r)
    np.testing.assert_allclose(got, r[metric], rtol=1e-9, atol=1e-7)


@pytest.mark.parametrize("name", NAMES)
def test_a_weighted_sum_with_a_constant_splits_the_same_way(name):
    grid, e, r = solved(name)
    weights = {"tp": -0.7, "fp": 0.3, "cost": 0.01, "demand": 0.2}
    got = pair_values(grid, weights, 12.5, r)
    want = sum(w * r[k] for k, w in weights.items()) + 12.5
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-7)


@pytest.mark.parametrize("name", NAMES)
def test_every_floor_is_a_linear_constraint_that_holds_exactly_when_the_band_meets_it(name):
    """min_precision p: tp - p (tp + fp) >= 0; min_recall q: tp - q * positives >= 0;
    min_pass_rate s: (n - tp - fp) - s * n >= 0; each written here from the band's own counts."""
    grid, e, r = solved(name)
    n, positives = len(e["score"]), int(np.sum(e["label"]))
    p, q, s = (float(np.nanquantile(r[k], 0.5)) for k in ("precision", "recall", "pass_rate"))
    floors = {"min_precision": (p, r["tp"] - p * (r["tp"] + r["fp"])),
              "min_recall": (q, r["tp"] - q * positives),
              "min_pass_rate": (s, (n - r["tp"] - r["fp"]) - s * n)}
    for name_, (level, want) in floors.items():
        (weights, const), = grid._linear_guardrails(Guardrails(**{name_: level}))
        got = pair_values(grid, weights, const, r)
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-7, err_msg=name_)
        assert 0.2 < (got >= -1e-9).mean() < 0.8, name_  # the floor splits the bands
    assert len(grid._linear_guardrails(Guardrails(min_precision=p, min_recall=q,
                                                  min_pass_rate=s))) == 3
    assert grid._linear_guardrails(Guardrails(max_review_per_week=10.0)) == []  # not a floor


def test_the_parts_hold_when_the_riskiest_event_is_a_negative_and_reviewers_err():
    """The ends of the cumulative sums matter: here the highest score belongs to a negative
    (an event the reference counts only if a band's top edge is above it)."""
    rng = np.random.default_rng(11)
    n = 120
    score = np.round(rng.random(n), 2)
    label = rng.random(n) < 0.4
    label[np.argmax(score)] = False
    e = {"score": score, "label": label, "fn": rng.random(n) * 10, "fp": rng.random(n) * 3,
         "correct": rng.random(n) < 0.7, "week": np.zeros(n, dtype=int), "review_cost": 0.4,
         "capacity": 9, "overflow": "flag"}
    grid = PolicyGrid(score, label, e["fn"], e["fp"], review_cost=0.4,
                      reviewer_correct=e["correct"], capacity=9, overflow_action="flag",
                      week=e["week"])
    r = every_band(e, grid.thresholds)
    for metric in ("tp", "fp", "demand", "cost"):
        np.testing.assert_allclose(pair_values(grid, {metric: 1.0}, 0.0, r), r[metric],
                                   rtol=1e-9, atol=1e-7, err_msg=metric)


@pytest.mark.parametrize("name", [*NAMES, "fine scores, capacity"])
def test_the_bounds_spare_the_search_almost_every_pair(name, monkeypatch):
    """What the bounds are for: the search evaluates few of the cut pairs, whatever the
    objective and the guardrails. A bound that is right but loose (a floor scaled up, a regime
    said possible where it is not) keeps the answers and loses this: the search then tries a
    large share of every pair, which a 500-threshold grid on the page would feel."""
    from tests.test_optimize_large import OBJECTIVES, binding

    grid, e, r = solved(name)
    offered = []
    real = PolicyGrid._offer

    def counting(self, best, i, j, *args, **kwargs):
        offered.append(np.size(i))
        return real(self, best, i, j, *args, **kwargs)

    monkeypatch.setattr(PolicyGrid, "_offer", counting)
    pairs = len(grid) * (len(grid) + 1) // 2
    limit = 0.015 if len(grid) > 200 else 0.10  # the single thresholds alone are ~2% of 90
    for g in binding(r):
        for weights in OBJECTIVES:
            offered.clear()
            grid.search(weights, g)
            assert sum(offered) <= limit * pairs, (weights, g, sum(offered), pairs)
