"""What an ensemble answers: honest weekly ranges, paired verdicts, the tornado and the robust
band, each checked against an independent reference (held-out worlds, scipy, brute force over
every band with the engine's own weekly tables and ``check``)."""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np
import pytest
from scipy import stats

from simulations import default_scenario, run
from simulations.experiments import (
    Ensemble,
    Range,
    paired,
    robust_band,
    run_ensemble,
    suggest_in_world,
    tornado,
    weekly_bands,
)
from simulations.experiments.answers import CHANCE
from simulations.policy.guardrails import Guardrails, check
from simulations.policy.metrics import horizon_totals


def small(capacity: int | None = 6):
    """A small world; by default its review team is often full (so overflow is exercised)."""
    pop = {"events_per_week": 400, "weeks": 5, "reference_weeks": 2}
    review = {} if capacity is None else {"capacity": capacity}
    return default_scenario("fraud").with_changes(population=pop, review=review)


RANGES = (Range("population.base_rate", 0.005, 0.03), Range("review.reviewer_accuracy", 0.6, 1.0))


@pytest.fixture(scope="module")
def ensemble_result():
    return run_ensemble(Ensemble(small(), 12, RANGES))


@pytest.fixture(scope="module")
def runs(ensemble_result):
    """Each world simulated again by the engine: the reference the answers are checked against."""
    return [run(w.scenario) for w in ensemble_result.worlds]


def test_the_90_percent_band_holds_about_90_percent_of_held_out_worlds():
    band = (0.2, 0.6)
    fitted = run_ensemble(Ensemble(small(None), 60, RANGES))
    held_out = run_ensemble(Ensemble(replace(small(None), seed=991), 60, RANGES))
    for metric in ("cost_total", "auc"):  # continuous, so no ties at the band's ends
        b = weekly_bands(fitted, band, [metric])
        values = held_out.stack(band, [metric])[metric]  # (worlds, weeks)
        inside = (values >= b["low"].to_numpy()) & (values <= b["high"].to_numpy())
        assert abs(inside.mean() - 0.90) < 0.06, (metric, inside.mean())
        assert (b["low"] <= b["median"]).all() and (b["median"] <= b["high"]).all()


def test_paired_verdict_is_within_chance_for_the_same_band(ensemble_result):
    p = paired(ensemble_result, (0.3, 0.7), (0.3, 0.7))
    assert CHANCE in p.verdict.lower()
    assert (p.summary["mean_diff"] == 0).all()


def test_paired_interval_matches_scipy_and_verdict_names_the_cheaper_band(ensemble_result):
    # flagging everything from 0.5 up costs more than reviewing the uncertain band
    p = paired(ensemble_result, (0.1, 0.5), (0.5, 0.5))
    diff = p.per_world["cost_total_b"] - p.per_world["cost_total_a"]
    np.testing.assert_allclose(p.per_world["cost_total_diff"], diff)
    ci = stats.ttest_1samp(diff, 0.0).confidence_interval(0.90)
    row = p.summary.set_index("metric").loc["cost_total"]
    assert row["low"] == pytest.approx(ci.low) and row["high"] == pytest.approx(ci.high)
    assert row["worlds"] == 12
    if ci.low > 0:
        assert p.verdict.startswith(f"B costs more in {int((diff > 0).sum())} of 12 worlds")
    elif ci.high < 0:
        assert p.verdict.startswith(f"B is cheaper in {int((diff < 0).sum())} of 12 worlds")
    else:
        assert CHANCE in p.verdict.lower()
    # the per-world totals are each world's own horizon totals
    w = ensemble_result.worlds[3]
    ref = horizon_totals(run(w.scenario).at_policy(0.5, 0.5).core)
    got = p.per_world.iloc[3]
    assert got["cost_total_b"] == pytest.approx(ref["cost_total"])
    assert got["recall_b"] == pytest.approx(ref["recall"])
    assert got["reviewed_b"] == ref["reviewed"]


def test_tornado_ranks_a_strong_assumption_first_and_a_no_effect_one_last_at_zero():
    ranges = (Range("costs.retrain", 0, 5000),  # never retrained: this cost is never paid
              Range("review.reviewer_accuracy", 0.8, 0.9),
              Range("population.base_rate", 0.005, 0.05))
    e = Ensemble(small(None), 8, ranges)
    table = tornado(e, (0.3, 0.7), compare=((0.2, 0.6), (0.5, 0.5)), worlds=3)
    assert list(table["assumption"])[0] == "population.base_rate"
    assert list(table["assumption"])[-1] == "costs.retrain"
    last = table.iloc[-1]
    assert last["diff_swing"] == 0.0 and last["cost_swing"] == 0.0
    assert table["diff_swing"].is_monotonic_decreasing
    assert table.iloc[0]["diff_swing"] > 0


GRID = np.round(np.linspace(0, 1, 11), 3)


@pytest.fixture(scope="module")
def cores(runs):
    """Every band of GRID in every world: the engine's weekly tables (the brute force)."""
    return {(lo, hi): [r.at_policy(lo, hi).core for r in runs]
            for lo, hi in itertools.combinations_with_replacement(GRID, 2)}


def _brute_force(cores, g, share):
    """Every band, every world, through the engine's weekly table and ``check``."""
    rows = []
    for (lo, hi), weeklies in cores.items():
        costs, met = [], []
        for weekly in weeklies:
            costs.append(horizon_totals(weekly)["cost_total"])
            met.append(all(check(weekly, g)[0].values()))
        rows.append(((lo, hi), float(np.mean(costs)), float(np.mean(met))))
    feasible = [row for row in rows if row[2] >= share]
    return rows, (min(feasible, key=lambda row: row[1]) if feasible else None)


@pytest.mark.parametrize("g, share", [
    (Guardrails(), 0.9),
    (Guardrails(min_recall=0.3, max_review_per_week=25), 0.9),
    (Guardrails(min_precision=0.4, min_pass_rate=0.97), 0.75),
])
def test_robust_band_equals_brute_force_on_a_small_grid(ensemble_result, cores, g, share):
    rows, best = _brute_force(cores, g, share)
    got = robust_band(ensemble_result, GRID, g, share=share)
    if best is None:
        assert not got.feasible
        assert got.best_share == pytest.approx(max(r[2] for r in rows))
        return
    assert got.feasible
    assert got.expected_cost == pytest.approx(best[1], rel=1e-9)
    by_band = {r[0]: r for r in rows}
    chosen = by_band[got.band]
    assert chosen[1] == pytest.approx(best[1], rel=1e-9)
    assert chosen[2] >= share and got.share_met == pytest.approx(chosen[2])


def test_worst_ten_percent_objective_against_brute_force(ensemble_result, runs):
    thresholds = [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]
    best = None
    for lo, hi in itertools.combinations_with_replacement(thresholds, 2):
        costs = sorted(horizon_totals(r.at_policy(lo, hi).core)["cost_total"] for r in runs)
        worst = float(np.mean(costs[-2:]))  # ceil(10 % of 12 worlds) = 2
        if best is None or worst < best[1] - 1e-9:
            best = ((lo, hi), worst)
    got = robust_band(ensemble_result, thresholds, objective="worst10")
    assert got.worst10_cost == pytest.approx(best[1], rel=1e-9)


def test_the_robust_band_is_never_costlier_than_a_single_world_suggestion(ensemble_result):
    thresholds = np.round(np.linspace(0, 1, 21), 3)
    g = Guardrails(min_recall=0.4)
    for share in (0.5, 0.9):
        for world in ensemble_result.worlds[:6]:
            single = suggest_in_world(world, thresholds, g)
            r = robust_band(ensemble_result, thresholds, g, share=share, single=single)
            assert r.feasible and r.share_met >= share
            if single is not None and r.single_share_met >= share:
                assert r.regret >= -1e-9 * abs(r.expected_cost)
    no_rails = robust_band(ensemble_result, thresholds, single=(0.3, 0.7))
    assert no_rails.regret >= 0
    assert no_rails.single_share_met == 1.0


def test_suggest_in_world_is_that_worlds_brute_force_optimum(ensemble_result, runs):
    world = ensemble_result.worlds[0]
    thresholds = [0.0, 0.25, 0.5, 0.75, 1.0]
    g = Guardrails(min_recall=0.3)
    r = runs[0]
    best = min(((lo, hi) for lo, hi in itertools.combinations_with_replacement(thresholds, 2)
                if all(check(r.at_policy(lo, hi).core, g)[0].values())),
               key=lambda b: horizon_totals(r.at_policy(*b).core)["cost_total"])
    got = suggest_in_world(world, thresholds, g)
    assert horizon_totals(r.at_policy(*got).core)["cost_total"] == pytest.approx(
        horizon_totals(r.at_policy(*best).core)["cost_total"], rel=1e-9)


def test_nan_percentiles_match_numpy_with_and_without_missing_values():
    from simulations.experiments.answers import nan_percentiles

    rng = np.random.default_rng(3)
    values = rng.normal(size=(17, 6))
    np.testing.assert_allclose(nan_percentiles(values, (5, 50, 95)),
                               np.percentile(values, (5, 50, 95), axis=0))
    values[rng.random(values.shape) < 0.3] = np.nan
    values[:, 2] = np.nan  # a week where nothing is defined stays undefined
    values[:, 4] = np.nan
    values[0, 4] = 1.5  # one defined value: every percentile is that value
    with np.errstate(all="ignore"), pytest.warns(RuntimeWarning):
        expected = np.nanpercentile(values, (5, 50, 95), axis=0)
    np.testing.assert_allclose(nan_percentiles(values, (5, 50, 95)), expected)
