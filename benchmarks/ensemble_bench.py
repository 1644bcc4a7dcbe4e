"""Speed and memory of ensembles of worlds, printed as figures with the load average at the time.

    python benchmarks/ensemble_bench.py            # everything (several minutes on 2 cores)
    python benchmarks/ensemble_bench.py --quick    # smaller sizes, for a smoke test

Prints: the same ensemble serially and on 2 local worker processes, side by side (the ratio),
with where the pool's extra time goes (per world: bytes held and sent back, page faults and
CPU seconds, serially and in a worker; the caller's CPU during the pool's run);
a Dask LocalCluster of 2 worker processes against the local pool on that ensemble, started as
the README starts workers (``worlds.DASK_WORKER_CONFIG``) and with Dask's defaults; a 50-world
ensemble at the dashboard's ensemble settings (its time, its memory, and how long a band move
takes to re-answer all 50 worlds: weekly ranges plus the paired verdict); and a 30-world
ensemble of the default fraud scenario at full size (its time and the longest gap between
progress updates). Pools are warmed first, so worker start-up is reported on its own line.
No pass/fail: the machine is shared, so read the figures next to the load average.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import time

from simulations import default_scenario
from simulations.experiments import Ensemble, Range, paired, run_ensemble, weekly_bands

PAGE_EVENTS = 5_000  # dashboard.seam.ENSEMBLE_EVENTS: events per week in each world of a page


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.1f}/{five:.1f} (1/5 min)"


def ensemble(worlds: int, events: int, weeks: int = 26) -> Ensemble:
    s = default_scenario("fraud").with_changes(population={"events_per_week": events,
                                                            "weeks": weeks})
    return Ensemble(s, worlds, (Range("population.base_rate", 0.005, 0.02),
                                Range("review.reviewer_accuracy", 0.8, 0.99)))


def _warm_worker() -> bool:
    """Import what a world needs (run on every Dask worker before the timed ensemble)."""
    import simulations.experiments.worlds  # noqa: F401

    return True


def timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def tree_cpu() -> dict[int, float]:
    """CPU seconds so far of this process and every process under it (pool workers, a
    LocalCluster's scheduler, nannies and workers), by process id."""
    import psutil

    me = psutil.Process()
    out = {}
    for proc in [me, *me.children(recursive=True)]:
        try:
            t = proc.cpu_times()
        except psutil.Error:  # ended meanwhile
            continue
        out[proc.pid] = t.user + t.system
    return out


def own_cpu() -> float:
    """CPU seconds so far of this process alone (all its threads, none of its children)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def cpu_timed(fn):
    """(result, wall seconds, CPU seconds of the whole process tree): the CPU figure is what a
    busy machine inflates least."""
    before = tree_cpu()
    out, seconds = timed(fn)
    after = tree_cpu()
    return out, seconds, sum(v - before.get(pid, 0.0) for pid, v in after.items())


def _world_cost(index, scenario, assumptions):
    """One world as a worker (or the calling process) computes it, with what it cost there:
    (world, bytes held, bytes pickled to send, minor page faults, CPU seconds)."""
    import pickle

    from simulations.experiments.worlds import simulate_world

    faults, cpu = resource.getrusage(resource.RUSAGE_SELF).ru_minflt, time.process_time()
    world = simulate_world(index, scenario, assumptions)
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults
    cpu = time.process_time() - cpu
    return world, world.nbytes, len(pickle.dumps(world, pickle.HIGHEST_PROTOCOL)), faults, cpu


def where_time_goes(e: Ensemble) -> str:
    """Per world, serially and in 2 workers: bytes held and sent, page faults, CPU seconds
    (the worlds are kept, as ``run_ensemble`` keeps them: that shapes the caller's heap)."""
    from simulations.experiments.worlds import map_jobs

    jobs = [(k, s, a) for k, (s, a) in enumerate(e.scenarios())]
    here = map_jobs(_world_cost, jobs, workers=1)
    there = map_jobs(_world_cost, jobs, workers=2)

    def med(rows, k):
        return statistics.median(r[k] for r in rows)

    return (f"a world holds {med(here, 1) / 2**20:.1f} MiB and a worker sends "
            f"{med(there, 2) / 2**20:.1f} MiB; minor page faults a world serially "
            f"{med(here, 3):,.0f}, in a worker {med(there, 3):,.0f}; CPU a world serially "
            f"{med(here, 4):.2f} s, in a worker {med(there, 4):.2f} s (medians)")


def dask_run(e: Ensemble, config: dict):
    """``e`` on a fresh LocalCluster of 2 single-threaded worker processes started under the
    Dask ``config``, every worker warmed first (as the pool is); (result, seconds)."""
    import dask
    from distributed import Client, LocalCluster

    with dask.config.set(config), \
            LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                         dashboard_address=None) as cluster:
        address = cluster.scheduler_address
        # warm EVERY worker, as the pool was: a small ensemble may land on one worker only
        # and leave the other to import the simulator inside the timed run
        with Client(address) as client:
            client.run(_warm_worker)
        run_ensemble(ensemble(2, 500, 2), scheduler=address)
        return cpu_timed(lambda: run_ensemble(e, scheduler=address))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    q = args.quick
    n, events = (4, 1_000) if q else (8, PAGE_EVENTS)
    e = ensemble(n, events)

    _, warm = timed(lambda: run_ensemble(ensemble(2, 500, 2), workers=2))
    print(f"warm-up of 2 loky workers (start-up, imports): {warm:.1f} s   [{load()}]")
    serial_res, serial = timed(lambda: run_ensemble(e, workers=1))
    before = own_cpu()
    pool_res, pool = timed(lambda: run_ensemble(e, workers=2))
    parent_cpu = own_cpu() - before
    same = serial_res.table((0.3, 0.7)).equals(pool_res.table((0.3, 0.7)))
    per_world = serial / n
    print(f"{n} worlds x {events:,} events x 26 weeks: serial {serial:.1f} s, 2 workers "
          f"{pool:.1f} s, speed-up {serial / pool:.2f}x; identical tables: {same}; "
          f"{per_world:.2f} s per world serially; the caller's CPU during the pool's run "
          f"{parent_cpu:.2f} s   [{load()}]")
    print(f"  {where_time_goes(e)}   [{load()}]")

    try:
        import distributed  # noqa: F401
    except ImportError:
        print("Dask distributed not installed: skipped the LocalCluster comparison")
    else:
        from simulations.experiments.worlds import DASK_WORKER_CONFIG

        for label, config in (("as the README starts workers", DASK_WORKER_CONFIG),
                              ("with Dask's default worker settings", {})):
            # the pool timed again just before, so that both see the same load
            _, pool, pool_cpu = cpu_timed(lambda: run_ensemble(e, workers=2))
            dask_res, dask_s, dask_cpu = dask_run(e, config)
            same = dask_res.table((0.3, 0.7)).equals(serial_res.table((0.3, 0.7)))
            print(f"Dask LocalCluster (2 worker processes, {label}) {dask_s:.1f} s vs local "
                  f"pool {pool:.1f} s: {dask_s / pool:.2f}x the pool's time (CPU seconds of all "
                  f"processes {dask_cpu:.1f} vs {pool_cpu:.1f}: {dask_cpu / pool_cpu:.2f}x); "
                  f"identical tables: {same}   [{load()}]")

    m = 10 if q else 50
    big, seconds = timed(lambda: run_ensemble(ensemble(m, events), workers=2))
    print(f"{m} worlds at the page's settings ({events:,} events a week, 26 weeks), 2 workers: "
          f"{seconds:.1f} s; held in memory: {big.nbytes / 2**20:,.0f} MiB   [{load()}]")
    moves = []
    for k in range(21):
        lo = 0.05 + 0.01 * k
        t0 = time.perf_counter()
        weekly_bands(big, (lo, 0.7))
        paired(big, (lo, 0.7), (0.5, 0.5))
        moves.append(time.perf_counter() - t0)
    print(f"band move re-answering all {m} worlds (weekly ranges + paired verdict): median "
          f"{statistics.median(moves) * 1000:.0f} ms, slowest {max(moves) * 1000:.0f} ms "
          f"   [{load()}]")

    full = ensemble(6 if q else 30, 2_000 if q else 20_000)
    stamps: list[float] = []
    res, seconds = timed(lambda: run_ensemble(full, workers=2,
                                              progress=lambda d, t, s: stamps.append(s)))
    gaps = [b - a for a, b in zip([0.0, *stamps], stamps, strict=False)]
    print(f"{full.worlds} worlds of the default fraud scenario "
          f"({full.base.population.events_per_week:,} events a week), 2 workers: {seconds:.1f} s "
          f"({seconds / full.worlds:.2f} s a world); longest gap between progress updates "
          f"{max(gaps):.1f} s   [{load()}]")


if __name__ == "__main__":
    main()
