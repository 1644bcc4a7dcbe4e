"""The optimizer's branch and bound on grids large enough for its bounds to decide the answer.

The brute-force tests elsewhere use grids of a dozen thresholds, where the first candidate
pairs the search tries already include the best one, so a wrong bound (or a lost block) goes
unseen. Here the grids have one to three hundred thresholds (thousands to tens of thousands of
cut pairs), guardrails placed where they bind, review capacity that makes bands overflow, free
review (many equally cheap policies) and capacity that binds week by week.

The reference decides every band event by event (vectorised over the events, never the
optimizer's cumulative sums): which events fall in the band, which of them the week's
reviewers reach (riskiest first, equal scores in arrival order), what each event's final
decision is, and what that costs.
"""

from __future__ import annotations

import numpy as np
import pytest

from simulations.policy import optimize
from simulations.policy.guardrails import Guardrails
from simulations.policy.optimize import OutOfBudget, PolicyGrid, optimize_policy

KEYS = ("tp", "fp", "demand", "reviewed", "cost")


def world(seed: int, n: int, *, weeks: int = 1, capacity=None, overflow: str = "pass",
          review_cost=None, digits: int = 2, correct: float = 0.85):
    """``n`` events whose scores (rounded, so they tie) separate the labels only in part,
    spread over ``weeks`` weeks of unequal sizes. ``capacity="max"`` is the biggest week's
    size: no week's band can overflow it, though the horizon's band can."""
    rng = np.random.default_rng(seed)
    label = rng.random(n) < 0.3
    z = rng.normal(size=n) * 1.2 + 1.8 * label - 0.9
    e = {"score": np.round(1 / (1 + np.exp(-z)), digits), "label": label,
         "fn": rng.random(n) * 10, "fp": rng.random(n) * 3, "correct": rng.random(n) < correct,
         "week": np.sort(rng.integers(0, weeks, n)),
         "review_cost": float(rng.random()) if review_cost is None else float(review_cost)}
    if capacity == "max":
        capacity = int(np.bincount(e["week"]).max())
    e["capacity"], e["overflow"] = capacity, overflow
    grid = PolicyGrid(e["score"], e["label"], e["fn"], e["fp"], review_cost=e["review_cost"],
                      reviewer_correct=e["correct"], capacity=capacity, overflow_action=overflow,
                      week=e["week"])
    return grid, e


def every_band(e, t) -> dict[str, np.ndarray]:
    """Every band (t[i], t[j]), i <= j, decided event by event, as arrays in the order of
    ``np.triu_indices(len(t))``."""
    n = len(e["score"])
    order = np.lexsort((np.arange(n), -e["score"]))  # the review queue: riskiest first
    s, y = e["score"][order], e["label"][order].astype(bool)
    fn, fp, week = e["fn"][order], e["fp"][order], e["week"][order]
    verdict = np.where(e["correct"][order], y, ~y)  # what a reviewer decides
    capacity, flag_rest = e["capacity"], e["overflow"] == "flag"
    i, j = np.triu_indices(len(t))
    out = {k: np.empty(len(i)) for k in KEYS}
    step = max(1, 1_000_000 // n)
    for k in range(0, len(i), step):
        lo, hi = t[i[k:k + step], None], t[j[k:k + step], None]
        band = (s >= lo) & (s < hi)
        if capacity is None:
            reviewed = band
        else:
            reviewed = np.zeros_like(band)
            for w in np.unique(week):
                m = week == w
                reviewed[:, m] = band[:, m] & (np.cumsum(band[:, m], axis=1) <= capacity)
        flagged = (s >= hi) | (reviewed & verdict) | (band & ~reviewed & flag_rest)
        part = slice(k, k + step)
        out["tp"][part] = (flagged & y).sum(axis=1)
        out["fp"][part] = (flagged & ~y).sum(axis=1)
        out["demand"][part] = band.sum(axis=1)
        out["reviewed"][part] = reviewed.sum(axis=1)
        out["cost"][part] = ((fn * (y & ~flagged)).sum(axis=1) + (fp * (~y & flagged)).sum(axis=1)
                             + e["review_cost"] * reviewed.sum(axis=1))
    flagged = out["tp"] + out["fp"]
    positives = int(y.sum())
    with np.errstate(invalid="ignore", divide="ignore"):
        out["precision"] = np.where(flagged > 0, out["tp"] / flagged, np.nan)
        out["recall"] = out["tp"] / positives if positives else np.full(len(i), np.nan)
    out["pass_rate"] = (n - flagged) / n
    out["per_week"] = out["demand"] / len(np.unique(e["week"]))
    out["i"], out["j"] = i, j
    return out


def feasible(r, g: Guardrails) -> np.ndarray:
    """Every guardrail, written out; an undefined ratio meets no floor."""
    ok = np.ones(len(r["tp"]), dtype=bool)
    for key, floor in (("precision", g.min_precision), ("recall", g.min_recall),
                       ("pass_rate", g.min_pass_rate)):
        if floor is not None:
            ok &= np.isfinite(r[key]) & (np.nan_to_num(r[key]) >= floor)
    if g.max_review_per_week is not None:
        ok &= r["per_week"] <= g.max_review_per_week
    return ok


def value(r, weights) -> np.ndarray:
    return sum(w * r[k] for k, w in weights.items())


def row(r, grid, i: int, j: int) -> int:
    """Where the pair (i, j) sits in the reference's arrays."""
    K = len(grid)
    return int(i * K - i * (i - 1) // 2 + (j - i))


WORLDS = {
    "unlimited review": dict(seed=1, n=320),
    "capacity, overflow flagged": dict(seed=2, n=320, capacity=25, overflow="flag"),
    "capacity, overflow passed": dict(seed=3, n=320, capacity=25),
    "two weeks within capacity": dict(seed=4, n=300, weeks=2, capacity="max"),
    "free review": dict(seed=5, n=300, review_cost=0.0),
    "free review, capacity, flagged": dict(seed=6, n=300, capacity=30, overflow="flag",
                                           review_cost=0.0),
    "free review, capacity, passed": dict(seed=10, n=300, capacity=30, review_cost=0.0),
    "fine scores, capacity": dict(seed=7, n=400, digits=3, capacity=40, overflow="flag"),
}
# capacity that binds week by week: every pair is tried week by week (not branch and bound)
WEEKLY = {"weekly capacity, free review": dict(seed=8, n=240, weeks=3, capacity=20,
                                               review_cost=0.0),
          "weekly capacity, flagged": dict(seed=9, n=240, weeks=3, capacity=15, overflow="flag")}

_CACHE: dict[str, tuple] = {}


def solved(name: str):
    """(grid, events, reference over every band) of a named world, made once."""
    if name not in _CACHE:
        grid, e = world(**{**WORLDS, **WEEKLY}[name])
        _CACHE[name] = grid, e, every_band(e, grid.thresholds)
    return _CACHE[name]


def binding(r) -> list[Guardrails]:
    """No guardrail, then floors (and a ceiling) at levels some bands reach and others not."""
    def q(key, share):
        return float(np.nanquantile(r[key], share))
    return [Guardrails(),
            Guardrails(min_precision=q("precision", 0.8)),
            Guardrails(min_recall=q("recall", 0.7), min_pass_rate=q("pass_rate", 0.4)),
            Guardrails(min_precision=q("precision", 0.6), min_recall=q("recall", 0.5),
                       max_review_per_week=q("per_week", 0.3))]


OBJECTIVES = [{"cost": 1.0}, {"tp": -1.0}, {"demand": 1.0}, {"tp": 1.0, "fp": 1.0},
              {"tp": -0.4, "fp": 0.6}, {"tp": -0.7, "fp": 0.3}]


def check_search(grid, r, weights, g: Guardrails) -> None:
    ok = feasible(r, g)
    pair = grid.search(weights, g)
    if not ok.any():
        assert pair is None
        return
    assert pair is not None
    k = row(r, grid, *pair)
    assert (r["i"][k], r["j"][k]) == pair
    assert ok[k], f"{pair} breaks {g}"
    assert value(r, weights)[k] == pytest.approx(value(r, weights)[ok].min(), rel=1e-9, abs=1e-5)


@pytest.mark.parametrize("name", list(WORLDS) + list(WEEKLY))
def test_the_search_finds_the_best_band_of_a_large_grid(name):
    grid, e, r = solved(name)
    assert len(grid) >= 60
    answers = set()
    for g in binding(r):
        for weights in OBJECTIVES:
            check_search(grid, r, weights, g)
        ok = feasible(r, g)
        answers.add(round(float(r["cost"][ok].min()), 9) if ok.any() else None)
    assert len(answers) >= 3  # the guardrails bind: they move the cheapest band


@pytest.mark.parametrize("name", list(WORLDS) + list(WEEKLY))
def test_the_suggestion_is_the_cheapest_band_then_the_least_reviewed(name):
    grid, e, r = solved(name)
    index = {float(t): k for k, t in enumerate(grid.thresholds)}
    weeks = len(np.unique(e["week"]))
    for g in binding(r):
        ok = feasible(r, g)
        s = optimize_policy(grid, g, frontier_points=0)
        assert s.guardrails == g
        if not ok.any():
            assert not s.feasible and s.blockers
            continue
        cheapest = r["cost"][ok].min()
        tied = ok & (r["cost"] <= cheapest + 1e-9 * (1 + abs(cheapest)))
        k = row(r, grid, index[s.policy[0]], index[s.policy[1]])
        assert ok[k]
        assert r["cost"][k] == pytest.approx(cheapest, rel=1e-9, abs=1e-9)
        assert r["demand"][k] == r["demand"][tied].min()  # the least review among the cheapest
        # what the suggestion reports is what the band yields, decided event by event
        assert s.metrics["cost_total"] == pytest.approx(r["cost"][k], rel=1e-9, abs=1e-9)
        for key in ("precision", "recall", "pass_rate"):
            np.testing.assert_allclose(s.metrics[key], r[key][k], rtol=1e-12, equal_nan=True)
        assert s.metrics["review_demand_per_week"] == pytest.approx(r["demand"][k] / weeks)
        assert s.metrics["reviewed_per_week"] == pytest.approx(r["reviewed"][k] / weeks)


@pytest.mark.parametrize("name", list(WORLDS))
def test_the_search_is_exact_on_its_bounds_alone_however_its_blocks_are_split(name,
                                                                             monkeypatch):
    """With no candidate pairs beyond the best block's (they find good pairs early and hide a
    wrong bound), every answer rests on the bounds: a block is dropped only if no pair in it
    can be better. The stack of blocks is split in chunks (best bound first) only on large
    grids; made small here, so that this path runs too."""
    monkeypatch.setattr(optimize, "_CHUNK", 6)
    monkeypatch.setattr(optimize, "_CANDIDATES", 0)
    grid, e, r = solved(name)
    for g in binding(r):
        for weights in OBJECTIVES:
            check_search(grid, r, weights, g)


def test_a_matrix_of_cut_pairs_is_answered_in_its_shape_week_by_week_too():
    grid, e, r = solved("weekly capacity, flagged")
    assert grid.by_week
    rng = np.random.default_rng(0)
    i = rng.integers(0, len(grid), (4, 5))
    j = np.maximum(i, rng.integers(0, len(grid), (4, 5)))
    got = grid.evaluate(i, j)
    rows = np.vectorize(lambda a, b: row(r, grid, a, b))(i, j)
    for key in ("tp", "fp", "demand", "reviewed"):
        assert got[key].shape == (4, 5)
        np.testing.assert_array_equal(got[key], r[key][rows])
    np.testing.assert_allclose(got["cost"], r["cost"][rows], rtol=1e-12)


def test_a_search_that_finds_nothing_feasible_within_its_budget_says_so():
    grid, e, r = solved("capacity, overflow flagged")
    g = Guardrails(min_precision=1.0, min_recall=1.0)  # no band flags every positive and only them
    assert not feasible(r, g).any()
    with pytest.raises(OutOfBudget, match="no feasible policy found in 1 blocks"):
        grid.search({"cost": 1.0}, g, budget=0)
    assert grid.search({"cost": 1.0}, g) is None  # without a budget it proves there is none


def test_a_budget_only_limits_a_search_that_has_found_nothing_feasible():
    grid, e, r = solved("capacity, overflow flagged")
    g = Guardrails(min_recall=0.6, min_precision=0.3)
    ok = feasible(r, g)
    assert ok[r["i"] == r["j"]].any() and not ok[r["i"] == r["j"]].all()  # thresholds alone can
    pair = grid.search({"cost": 1.0}, g, budget=0)  # meet g: found before any block is visited
    assert ok[row(r, grid, *pair)]
    assert r["cost"][row(r, grid, *pair)] == pytest.approx(r["cost"][ok].min(), abs=1e-9)
