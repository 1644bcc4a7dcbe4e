"""Speed of the data plan: 4 strategies x 5 budget points x 20 worlds on 2 worker processes.

    python benchmarks/label_plan_bench.py            # the issue's target size (about a minute)
    python benchmarks/label_plan_bench.py --quick    # 3 worlds, for a smoke test

The scenario is the default fraud world at the page's ensemble size (5,000 events a week, so
a 20,000-row training set and a 100,000-event unlabelled pool per world), its reviewers 90%
accurate with hard cases near the boundary, and a budget buying 10,000 reviews. Prints the
wall time (target: under 60 s), the seconds per world, the longest gap between progress
updates and the load average before and after; then one world in this process, its CPU
seconds beside its wall seconds (on a machine shared by many, CPU time is the figure the load
does not inflate) and the wall time that CPU time projects for the plan on idle cores. No
pass/fail: the machine is shared, so read the figures next to the load average.
"""

from __future__ import annotations

import argparse
import os
import time

from simulations import default_scenario
from simulations.experiments.data_plan import DataPlan, plan_world, run_plan, verdict

PAGE_EVENTS = 5_000  # dashboard.seam.ENSEMBLE_EVENTS


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.1f}/{five:.1f} (1/5 min)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 worlds instead of 20")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    worlds = 3 if args.quick else 20
    scenario = default_scenario("fraud").with_changes(
        population={"events_per_week": PAGE_EVENTS},
        review={"reviewer_accuracy": 0.9, "hard_cases": 0.5})
    plan = DataPlan(scenario, budget=10_000 * scenario.costs.review, steps=5, worlds=worlds)
    stamps: list[float] = []
    print(f"before: {load()}")
    started = time.perf_counter()
    summary, _ = run_plan(plan, workers=args.workers,
                          progress=lambda done, total, s: stamps.append(s))
    seconds = time.perf_counter() - started
    gaps = [b - a for a, b in zip([0.0, *stamps], stamps, strict=False)]
    print(f"data plan, 4 strategies x 5 budget points x {worlds} worlds, {args.workers} "
          f"workers: {seconds:.1f} s ({seconds * args.workers / worlds:.2f} worker-seconds a "
          f"world; longest gap between progress updates {max(gaps):.1f} s)")
    print(f"after: {load()}")
    fields = {"strategies": plan.strategies, "budgets": tuple(plan.budgets)}
    cpu, wall = time.process_time(), time.perf_counter()
    plan_world(0, scenario, fields)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    print(f"one world in this process: {cpu:.2f} CPU s in {wall:.2f} s wall ({load()}); "
          f"{worlds} worlds on {args.workers} idle cores would take about "
          f"{cpu * worlds / args.workers:.0f} s plus the pool's start")
    print(verdict(summary, plan.budget, "$"))
    print(summary.to_string(index=False))


if __name__ == "__main__":
    main()
