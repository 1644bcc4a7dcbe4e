"""Worlds simulated in worker processes come back small and arrive whole: the table a worker
sends is a fraction of the table's size, and the caller holds, bit for bit, the table the
engine builds for that world in the caller's own process. Also: a worker keeps one world's
freed memory for the next instead of page-faulting it afresh."""

from __future__ import annotations

import pickle
import subprocess
import sys

import numpy as np
import pytest

from simulations import default_scenario, run
from simulations.domains import DOMAINS
from simulations.experiments import Ensemble, Range
from simulations.experiments.worlds import CutTable, map_jobs, map_worlds, simulate_world
from simulations.policy.metrics import BandTable

ARRAYS = [f for f in BandTable.__dataclass_fields__ if f != "order"]


def small(domain: str):
    return default_scenario(domain).with_changes(
        population={"events_per_week": 600, "weeks": 4, "reference_weeks": 2})


def assert_same_bits(got: BandTable, want: BandTable) -> None:
    for name in ARRAYS:
        a, b = getattr(got, name), getattr(want, name)
        assert a.dtype == b.dtype and a.shape == b.shape, name
        assert a.tobytes() == b.tobytes(), name  # bits: -0.0 and NaN count


def _sizes_in_worker(index, scenario, assumptions):
    """In a worker: a world's size in memory and as it is pickled for the journey back."""
    world = simulate_world(index, scenario, assumptions)
    return world.nbytes, len(pickle.dumps(world, protocol=pickle.HIGHEST_PROTOCOL))


@pytest.mark.parametrize("domain", sorted(DOMAINS))
def test_worlds_from_workers_hold_the_engines_own_table(domain):
    e = Ensemble(small(domain), 3, (Range("population.base_rate", 0.01, 0.2),))
    jobs = [(k, s, a) for k, (s, a) in enumerate(e.scenarios())]
    for world in map_worlds(jobs, workers=2):
        assert_same_bits(world.table, run(world.scenario).table)
    sizes = map_jobs(_sizes_in_worker, jobs[:2], workers=2)
    for in_memory, pickled in sizes:
        assert pickled < 0.3 * in_memory  # sorted scores, two bits and one cost an event


def test_a_table_whose_costs_fit_no_pattern_still_travels_exactly():
    """Costs charged to both classes, negative zeros, one shared value, an empty week's
    neighbours: whatever the packing can or cannot drop, the table arrives the same."""
    rng = np.random.default_rng(5)
    n = 3_000
    week = np.repeat([1, 2, 4], n // 3)
    score = np.round(rng.random(n), 2)  # ties
    label = rng.random(n) < 0.1
    correct = rng.random(n) < 0.85
    cases = {
        "both classes charged": (rng.random(n) * 10, rng.random(n)),
        "negative zeros": (np.where(label, rng.random(n), -0.0), np.where(label, 0.0, 5.0)),
        "one value": (np.where(label, 3.5, 0.0), np.where(label, 0.0, 1.25)),
        "no costs": (np.zeros(n), np.zeros(n)),
    }
    for case, (fn, fp) in cases.items():
        table = BandTable.build(week, score, label, fn, fp, correct)
        shipped = CutTable.of(table, fn, fp)
        shipped.warm([0.3, 0.5])
        back = pickle.loads(pickle.dumps(shipped, protocol=pickle.HIGHEST_PROTOCOL))
        assert_same_bits(back, table)
        assert back.memo.keys() == {0.3, 0.5}, case
        for band in ((0.2, 0.7), (0.5, 0.5)):
            for key, value in table.query(*band, 40, "pass", 2.0).items():
                np.testing.assert_array_equal(back.query(*band, 40, "pass", 2.0)[key], value,
                                              err_msg=f"{case}: {key}")


def test_no_events_at_all_travel_too():
    empty = np.zeros(0)
    table = BandTable.build(np.zeros(0, dtype=int), empty, empty.astype(bool), empty, empty,
                            empty.astype(bool))
    assert_same_bits(pickle.loads(pickle.dumps(CutTable.of(table, empty, empty))), table)


_FAULTS = """
import resource, sys
import numpy as np
if sys.argv[1] == "keep":
    from simulations.experiments.worker_heap import keep_freed_heap
    assert keep_freed_heap() and not keep_freed_heap()
rounds = []
for _ in range(3):
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    arrays = [np.ones(130_000) for _ in range(40)]  # 40 MB of week-sized arrays, then freed
    del arrays
    rounds.append(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
print(rounds[1] + rounds[2])
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc only")
def test_a_worker_keeps_freed_memory_for_the_next_world():
    def faults(mode: str) -> int:
        done = subprocess.run([sys.executable, "-c", _FAULTS, mode], capture_output=True,
                              text=True, check=True)
        return int(done.stdout)

    # 40 MB a round is about 10,000 pages: given back and faulted again without, kept with
    assert faults("plain") > 5_000
    assert faults("keep") < 500
