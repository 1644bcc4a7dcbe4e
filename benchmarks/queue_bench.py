"""What the review queue costs in time, printed as figures (no pass/fail: machines are noisy).

    python benchmarks/queue_bench.py            # default 26-week runs, 5 repeats
    python benchmarks/queue_bench.py --quick    # 2 repeats

Per domain: the median wall time of a default 26-week run with its own overflow choice and
with the queue (same scenario otherwise; the queue's ratio is the target "< 1.15"), and the
median time of a band move (``RunResult.at_policy`` plus reading the weekly core) without and
with the queue (the target: the queue adds under 2 ms), each as wall time and as CPU time
(the process's own: on a shared, loaded machine the wall time also counts the waits for a
core). Prints the load average beside them.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from simulations import default_scenario, run


def median_wall_cpu(fn, repeat: int) -> tuple[float, float]:
    """Median wall and median CPU seconds of ``repeat`` calls of ``fn``."""
    wall, cpu = [], []
    for _ in range(repeat):
        w, c = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - w)
        cpu.append(time.process_time() - c)
    return statistics.median(wall), statistics.median(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--domains", default="fraud,triage")
    args = parser.parse_args()
    repeat = 2 if args.quick else 5
    print(f"load average at start: {os.getloadavg()}")
    for domain in args.domains.split(","):
        plain = default_scenario(domain)
        queued = plain.with_changes(review={"overflow_action": "queue",
                                            "abandon_per_day": 0.05, "overtime_hours": 0.0})
        runs = {}
        for name, scenario in (("without", plain), ("queue", queued)):
            runs[name] = run(scenario)
            runs[name + "_s"], runs[name + "_cpu"] = median_wall_cpu(
                lambda s=scenario: run(s), repeat)
        p = plain.policy
        bands = [(p.t_low + d, p.t_high + d) for d in (0.01, -0.01, 0.02, -0.02, 0.005)]
        moves = {}
        for name in ("without", "queue"):
            result = runs[name]
            cycle = iter(bands * 40)

            def move(result=result, cycle=cycle):
                result.at_policy(*next(cycle)).core  # noqa: B018 - the core is what a drag reads

            wall, cpu = median_wall_cpu(move, 100)
            moves[name], moves[name + "_cpu"] = wall * 1000, cpu * 1000
        demand = runs["queue"].weekly["review_demand"].mean()
        backlog = runs["queue"].weekly["backlog"].mean()
        print(f"{domain}: run {runs['without_s']:.2f} s without, {runs['queue_s']:.2f} s with "
              f"the queue (ratio {runs['queue_s'] / runs['without_s']:.3f}; CPU "
              f"{runs['without_cpu']:.2f} s, {runs['queue_cpu']:.2f} s, ratio "
              f"{runs['queue_cpu'] / runs['without_cpu']:.3f}); band move "
              f"{moves['without']:.2f} ms without, {moves['queue']:.2f} ms with "
              f"(+{moves['queue'] - moves['without']:.2f} ms; CPU {moves['without_cpu']:.2f} ms, "
              f"{moves['queue_cpu']:.2f} ms, +{moves['queue_cpu'] - moves['without_cpu']:.2f} "
              f"ms); demand {demand:.0f}/week, mean backlog {backlog:.0f}")
    print(f"load average at end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
