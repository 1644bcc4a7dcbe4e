"""Fairness strategies: exact against brute force on small inputs, prices never negative, gaps
within tolerance when feasible, infeasible requests that name the segment."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from simulations import run
from simulations.policy.fairness import METRIC_OF, STRATEGIES, FairnessProblem

from .conftest import small

GRID = np.array([0.0, 0.25, 0.5, 0.75, 1.0])
PAIRS = [(lo, hi) for lo in GRID for hi in GRID if lo <= hi]


def _world(seed, n_per_week=40, weeks=2, segments=2):
    rng = np.random.default_rng(seed)
    n = n_per_week * weeks
    seg = rng.integers(0, segments, n)
    label = rng.random(n) < 0.3
    # each segment's scores separate the classes differently, so the bands must differ
    score = np.clip(rng.normal(0.35 + 0.3 * label - 0.08 * seg, 0.2), 0, 1)
    return {"week": np.repeat(np.arange(1, weeks + 1), n_per_week), "score": score,
            "label": label.astype(int), "segment": seg,
            "fn_cost": np.where(label, rng.uniform(5, 15, n), 0.0),
            "fp_cost": np.where(label, 0.0, rng.uniform(0.5, 2, n)),
            "correct": rng.random(n) < 0.9}


def _slow(w, bands, capacity, overflow, review_cost):
    """The policy and its figures, event by event: each event's band is its segment's; each
    week the events in review queue highest score first (ties: earliest first) and the first
    ``capacity`` of them are reviewed, the rest take the overflow action."""
    n = len(w["score"])
    final = np.zeros(n, dtype=bool)
    reviewed = np.zeros(n, dtype=bool)
    fits = True
    for week in np.unique(w["week"]):
        queue = []
        for i in np.flatnonzero(w["week"] == week):
            lo, hi = bands[w["segment"][i]]
            if w["score"][i] >= hi:
                final[i] = True
            elif w["score"][i] >= lo:
                queue.append((-w["score"][i], i))
        fits = fits and len(queue) <= capacity
        for k, (_, i) in enumerate(sorted(queue)):
            if k < capacity:
                reviewed[i] = True
                final[i] = bool(w["label"][i]) == bool(w["correct"][i])
            else:
                final[i] = overflow == "flag"
    y = w["label"].astype(bool)
    cost = (w["fn_cost"][y & ~final].sum() + w["fp_cost"][~y & final].sum()
            + review_cost * reviewed.sum())
    segs = []
    for s in range(len(bands)):
        m = w["segment"] == s
        tp, fp = (y & final & m).sum(), (~y & final & m).sum()
        pos, neg, flagged = (y & m).sum(), (~y & m).sum(), (final & m).sum()
        segs.append({"recall": tp / pos if pos else np.nan,
                     "precision": tp / flagged if flagged else np.nan,
                     "pass_rate": 1 - flagged / m.sum() if m.sum() else np.nan,
                     "fpr": fp / neg if neg else np.nan})
    _slow.fits = fits  # every week's review demand within the capacity
    return float(cost), segs


def _brute(w, segments, strategy, tolerance, capacity, overflow, review_cost, fits=False):
    """The cheapest combination of grid bands meeting the strategy, tried one by one (with
    ``fits``: only those whose review demand fits the capacity every week)."""
    combos = ([(p,) * segments for p in PAIRS] if strategy == "single"
              else itertools.product(PAIRS, repeat=segments))
    metric = METRIC_OF.get(strategy)
    best = None
    for bands in combos:
        cost, segs = _slow(w, bands, capacity, overflow, review_cost)
        if fits and not _slow.fits:
            continue
        if metric:
            values = [s[metric] for s in segs]
            if not np.all(np.isfinite(values)) or max(values) - min(values) > tolerance + 1e-12:
                continue
        if best is None or cost < best[0] - 1e-9:
            best = (cost, bands)
    return best


def _problem(w, segments, capacity, overflow="pass", review_cost=0.7):
    return FairnessProblem(w["week"], w["score"], w["label"], w["fn_cost"], w["fp_cost"],
                           w["correct"], w["segment"], tuple(f"s{k}" for k in range(segments)),
                           capacity=capacity, overflow_action=overflow,
                           review_cost=review_cost, thresholds=GRID)


@pytest.mark.parametrize("strategy", STRATEGIES)
@pytest.mark.parametrize("seed, segments", [(1, 2), (2, 3)])
def test_equals_brute_force_when_capacity_does_not_bind(strategy, seed, segments):
    w = _world(seed, segments=segments)
    found = _problem(w, segments, capacity=10_000).solve(strategy, 0.05)
    brute = _brute(w, segments, strategy, 0.05, 10_000, "pass", 0.7)
    assert found.feasible == (brute is not None)
    if brute is not None:
        assert found.cost_total == pytest.approx(brute[0])
        assert found.exact
        # the reported figures are the slow loop's for the reported bands
        cost, segs = _slow(w, list(found.bands.values()), 10_000, "pass", 0.7)
        assert found.cost_total == pytest.approx(cost)
        for name, s in zip(found.bands, segs, strict=True):
            for k in ("recall", "precision", "pass_rate", "fpr"):
                assert found.segments[name][k] == pytest.approx(s[k], nan_ok=True)


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_with_a_binding_shared_capacity_figures_are_exact_and_the_distance_is_measured(
        strategy):
    """A capacity of 6 reviews a week for 40 events: segments compete for reviewers. Every
    answer's figures must be the slow loop's, its gap within tolerance, ``exact`` answers
    must equal brute force over the combinations that fit the capacity, and the distance to
    brute force is measured: on these
    twelve worlds (in the session that wrote this) the median was 0% and the worst 38%."""
    distances = []
    for seed in range(3, 9):
        w = _world(seed, segments=2)
        for overflow in ("pass", "flag"):
            found = _problem(w, 2, 6, overflow).solve(strategy, 0.05)
            brute = _brute(w, 2, strategy, 0.05, 6, overflow, 0.7)
            if not found.feasible:
                assert brute is None or strategy in METRIC_OF  # a missed feasible answer
                distances.append(np.inf if brute is not None else 0.0)
                continue
            assert brute is not None
            cost, segs = _slow(w, list(found.bands.values()), 6, overflow, 0.7)
            assert found.cost_total == pytest.approx(cost)
            metric = METRIC_OF.get(strategy)
            if metric:
                values = [s[metric] for s in segs]
                assert max(values) - min(values) <= 0.05 + 1e-12
            assert cost >= brute[0] - 1e-9
            if strategy == "single":
                assert cost == pytest.approx(brute[0])
            if found.exact and strategy != "single":  # optimum among those that fit
                fitting = _brute(w, 2, strategy, 0.05, 6, overflow, 0.7, fits=True)
                assert cost == pytest.approx(fitting[0])
            distances.append(cost / brute[0] - 1)
    assert np.median(distances) <= 0.02
    assert max(distances) <= 0.4


@pytest.fixture(scope="module")
def triage_problem():
    return FairnessProblem.from_run(run(small("triage", weeks=4, events=3000)))


def test_cheapest_per_segment_never_costs_more_than_the_best_single_band(triage_problem):
    single = triage_problem.solve("single")
    cheapest = triage_problem.solve("per_segment")
    assert cheapest.cost_total <= single.cost_total + 1e-6
    assert cheapest.price["vs_single"] <= 1e-6


@pytest.mark.parametrize("strategy", [s for s in STRATEGIES if s in METRIC_OF])
def test_every_constraint_has_a_price_at_least_zero_and_keeps_its_gap(triage_problem,
                                                                      strategy):
    found = triage_problem.solve(strategy, 0.02)
    assert found.price["vs_per_segment"] >= -1e-6
    if found.feasible:
        assert found.gap <= 0.02 + 1e-12
        values = [m[METRIC_OF[strategy]] for m in found.segments.values()]
        assert max(values) - min(values) == pytest.approx(found.gap)


def test_a_segment_without_positives_makes_equal_recall_infeasible_and_is_named():
    w = _world(4, segments=3)
    w["label"][w["segment"] == 2] = 0
    w["fn_cost"][w["segment"] == 2] = 0.0
    found = _problem(w, 3, 10_000).solve("equal_recall", 0.05)
    assert not found.feasible
    assert "Segment 's2'" in found.message and "no positives" in found.message


def test_a_gap_the_grid_cannot_close_names_the_segment_and_the_smallest_gap():
    w = _world(5, segments=2)
    coarse = np.array([0.0, 0.5, 1.0])
    problem = FairnessProblem(w["week"], w["score"], w["label"], w["fn_cost"], w["fp_cost"],
                              w["correct"], w["segment"], ("s0", "s1"), capacity=10_000,
                              overflow_action="pass", review_cost=0.7, thresholds=coarse)
    # pass rates reachable with t_high in {0, 0.5, 1}: 0 and 1 for both, and one value in
    # between each; a zero tolerance can still be met at 0 (flag all), so ask the precision
    found = problem.solve("equal_precision", 0.0)
    precisions = {}
    for lo in coarse:
        for hi in coarse:
            if lo <= hi:
                _, segs = _slow(w, [(lo, hi), (lo, hi)], 10_000, "pass", 0.7)
                precisions[(lo, hi)] = segs
    if not found.feasible:
        assert "cannot come closer" in found.message
        assert "'s0'" in found.message or "'s1'" in found.message
        assert "smallest gap reachable" in found.message
        assert found.gap > 0
