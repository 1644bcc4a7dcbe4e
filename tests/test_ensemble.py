"""Ensembles of worlds: the specification (validation, JSON, draws) and running it anywhere
with the same tables, bit for bit."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from simulations import default_scenario, run
from simulations.experiments import Ensemble, Range, parse_range, run_ensemble
from simulations.scenario import DriftSpec, ScenarioError


def small(domain="fraud", **population):
    pop = {"events_per_week": 400, "weeks": 5, "reference_weeks": 2, **population}
    return default_scenario(domain).with_changes(population=pop)


def drifting():
    s = small()
    return replace(s, drift=(DriftSpec("concept", 3, 0.5),))


RANGES = (Range("population.base_rate", 0.005, 0.03), Range("feedback.label_delay", 0, 3),
          Range("drift[0].strength", 0.1, 0.9, "triangular", 0.7))


# -- the specification ---------------------------------------------------------------------


def test_json_round_trip_is_exact():
    e = Ensemble(drifting(), 7, RANGES)
    again = Ensemble.from_json(e.to_json())
    assert again == e
    assert json.loads(again.to_json()) == json.loads(e.to_json())


def test_draws_stay_in_range_and_integers_stay_integers():
    e = Ensemble(drifting(), 300, RANGES)
    worlds = e.scenarios()
    rates = [a["population.base_rate"] for _, a in worlds]
    delays = [a["feedback.label_delay"] for _, a in worlds]
    strengths = [a["drift[0].strength"] for _, a in worlds]
    assert min(rates) >= 0.005 and max(rates) <= 0.03
    assert all(isinstance(d, int) for d in delays) and set(delays) == {0, 1, 2, 3}
    assert all(isinstance(s.feedback.label_delay, int) for s, _ in worlds)
    # triangular peaking at 0.7: the mean is (0.1 + 0.7 + 0.9) / 3
    assert abs(np.mean(strengths) - 1.7 / 3) < 0.03
    # uniform: the mean is the middle of the range
    assert abs(np.mean(rates) - 0.0175) < 0.0012
    # the drawn values are the ones the world's scenario carries
    s, a = worlds[5]
    assert s.population.base_rate == a["population.base_rate"]
    assert s.drift[0].strength == a["drift[0].strength"]


def test_world_k_does_not_depend_on_how_many_worlds():
    few, many = Ensemble(drifting(), 3, RANGES), Ensemble(drifting(), 40, RANGES)
    assert few.scenarios() == many.scenarios()[:3]
    assert many.world(17) == many.scenarios()[17]
    seeds = [s.seed for s, _ in many.scenarios()]
    assert len(set(seeds)) == len(seeds)  # every world its own seed


@pytest.mark.parametrize("ranges, message", [
    ((Range("population.base_rat", 0.1, 0.2),), "range 'population.base_rat': unknown field"),
    ((Range("review.overflow_action", 0, 1),), "unknown field"),
    ((Range("drift[3].strength", 0.1, 0.2),), "the base scenario has only drift[0] to drift[0]"),
    ((Range("population.base_rate", 0.0, 0.2),),
     "range population.base_rate: population.base_rate = 0.0 is invalid: allowed range is (0, 1)"),
    ((Range("review.reviewer_accuracy", 0.3, 0.9),),
     "review.reviewer_accuracy = 0.3 is invalid: allowed range is [0.5, 1]"),
    ((Range("drift[0].strength", 0.5, 1.5),),
     "range drift[0].strength: drift[0].strength = 1.5 is invalid: allowed range is [0, 1]"),
    ((Range("feedback.label_delay", 0.5, 2),), "is a whole number, so give whole-number ends"),
    ((Range("costs.fp_fixed", 1, 2), Range("costs.fp_fixed", 1, 3)), "given twice"),
])
def test_bad_ranges_get_one_precise_line(ranges, message):
    with pytest.raises(ScenarioError) as err:
        Ensemble(drifting(), 5, ranges)
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_bad_range_values_and_worlds():
    with pytest.raises(ScenarioError, match="low = 0.3 is invalid: it must not exceed high = 0.1"):
        Range("population.base_rate", 0.3, 0.1)
    with pytest.raises(ScenarioError, match="shape = 'normal' is invalid"):
        Range("population.base_rate", 0.1, 0.3, "normal")
    with pytest.raises(ScenarioError, match="worlds = 1 is invalid"):
        Ensemble(small(), 1)
    with pytest.raises(ScenarioError, match="unknown key 'world'"):
        Ensemble.from_dict({"scenario": {"domain": "fraud"}, "world": 3})


@pytest.mark.parametrize("text, expected", [
    ("population.base_rate=0.005:0.02", Range("population.base_rate", 0.005, 0.02)),
    ("feedback.label_delay=0:3", Range("feedback.label_delay", 0, 3)),
    ("drift[0].strength=0.1:0.7:0.9", Range("drift[0].strength", 0.1, 0.9, "triangular", 0.7)),
])
def test_parse_range(text, expected):
    assert parse_range(text) == expected


@pytest.mark.parametrize("text", ["population.base_rate", "population.base_rate=0.1",
                                  "population.base_rate=a:b", "=0:1", "x=1:2:3:4"])
def test_parse_range_rejects_malformed_text(text):
    with pytest.raises(ScenarioError, match="is invalid"):
        parse_range(text)


# -- running it -------------------------------------------------------------------------------


def test_a_world_answers_bands_as_its_own_run_does():
    e = Ensemble(drifting(), 2, RANGES[:2])
    result = run_ensemble(e)
    world = result.worlds[1]
    reference = run(world.scenario).at_policy(0.2, 0.6).weekly
    got = pd.DataFrame(world.weekly((0.2, 0.6)))
    result.warm(np.round(np.arange(201) * 0.005, 3))  # the slider's grid, found in one search
    warmed = pd.DataFrame(world.weekly((0.2, 0.6)))
    for col in ("flagged", "reviewed", "tp", "fp", "precision", "recall", "cost_total", "auc"):
        np.testing.assert_array_equal(got[col].to_numpy(), reference[col].to_numpy(), err_msg=col)
        np.testing.assert_array_equal(warmed[col].to_numpy(), reference[col].to_numpy())


@pytest.fixture(scope="module")
def cluster():
    """A Dask LocalCluster of 2 worker processes on loopback, shut down after this module."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as made:
        yield made


def test_identical_tables_with_1_worker_2_workers_and_a_dask_cluster(cluster):
    e = Ensemble(drifting(), 6, RANGES)
    one = run_ensemble(e, workers=1).table((0.25, 0.6))
    two = run_ensemble(e, workers=2).table((0.25, 0.6))
    pd.testing.assert_frame_equal(one, two, check_exact=True)
    dask = run_ensemble(e, scheduler=cluster.scheduler_address).table((0.25, 0.6))
    pd.testing.assert_frame_equal(one, dask, check_exact=True)
    assert list(one["world"].unique()) == list(range(6))
    assert len(one) == 6 * 5


def _where_inner_jobs_run(index, scenario, assumptions):
    """(process, thread) of this job, and of two joblib jobs it starts, as scikit-learn's
    ColumnTransformer and LogisticRegression do inside every world."""
    import os
    import threading

    from joblib import Parallel, delayed

    here = (os.getpid(), threading.get_ident())
    inner = Parallel()(delayed(lambda: (os.getpid(), threading.get_ident()))() for _ in range(2))
    return here, inner


@pytest.mark.parametrize("where", ["local pool", "dask"])
def test_joblib_calls_inside_a_world_run_inline_in_its_worker(where, request):
    """On Dask, joblib's backend would send every scikit-learn joblib call inside a world back
    to the cluster as tasks of its own (the cause of Dask taking 5x the local pool's time)."""
    from simulations.experiments.worlds import map_jobs

    where_to = ({"workers": 2} if where == "local pool"
                else {"scheduler": request.getfixturevalue("cluster").scheduler_address})
    jobs = [(k, small(), {}) for k in range(2)]
    for here, inner in map_jobs(_where_inner_jobs_run, jobs, **where_to):
        assert inner == [here, here]


def test_progress_counts_every_world():
    seen = []
    run_ensemble(Ensemble(small(), 3), progress=lambda done, total, s: seen.append((done, total)))
    done = [d for d, _ in seen]
    assert done == sorted(done) and seen[-1] == (3, 3) and {t for _, t in seen} == {3}
    assert done.count(3) == 1  # all done is said once


def _slow_job(index, scenario, assumptions):
    import time

    time.sleep(3.0)
    return index


def test_progress_is_told_while_a_world_runs_and_from_the_calling_thread():
    import threading

    from simulations.experiments.worlds import map_jobs

    seen, threads = [], set()

    def progress(done, total, seconds):
        seen.append((done, total))
        threads.add(threading.get_ident())

    out = map_jobs(_slow_job, [(7, small(), {}), (8, small(), {})], progress=progress)
    assert out == [7, 8]
    assert (0, 2) in seen  # told before the first world finished: the bar can move
    assert seen[-1] == (2, 2) and threads == {threading.get_ident()}


def test_a_band_that_changes_learning_is_simulated_per_band():
    s = small().with_changes(feedback={"mode": "selective"},
                             retrain={"trigger": "every", "every_weeks": 2, "min_labels": 10,
                                      "min_positives": 1})
    e = Ensemble(s, 2)
    result = run_ensemble(e, bands=[(0.2, 0.6), (0.5, 0.5)])
    with pytest.raises(ValueError, match="needs its own simulation"):
        result.at((0.3, 0.7))
    world = result.at((0.5, 0.5))[0]
    reference = run(world.scenario).weekly
    np.testing.assert_array_equal(world.weekly((0.5, 0.5))["cost_total"],
                                  reference["cost_total"].to_numpy())


@pytest.mark.parametrize("domain", ["fraud", "triage", "recommendation"])
def test_default_ranges_are_valid_around_each_domains_values(domain):
    from simulations.experiments.ensemble import default_ranges

    s = replace(default_scenario(domain), drift=(DriftSpec("prior", 6, 2.9), DriftSpec()))
    ranges = default_ranges(s)
    e = Ensemble(s, 3, ranges)  # validated like any ensemble
    fields = [r.field for r in ranges]
    assert "population.base_rate" in fields and "drift[1].onset_week" in fields
    rate = next(r for r in ranges if r.field == "population.base_rate")
    assert rate.low < s.population.base_rate < rate.high
    assert Ensemble.from_json(e.to_json()) == e
