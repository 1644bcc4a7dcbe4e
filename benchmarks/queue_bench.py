"""What the review queue costs in time, printed as figures (no pass/fail: machines are noisy).

    python benchmarks/queue_bench.py            # default 26-week runs, 5 repeats
    python benchmarks/queue_bench.py --quick    # 2 repeats

Per domain: the median wall time of a default 26-week run with its own overflow choice and
with the queue (same scenario otherwise; the queue's ratio is the target "< 1.15"), and the
median time of a band move (``RunResult.at_policy`` plus reading the weekly core) without and
with the queue (the target: the queue adds under 2 ms). Prints the load average beside them.
"""

from __future__ import annotations

import argparse
import os

from engine_bench import median_seconds  # benchmarks/ is on the path of a script here

from simulations import default_scenario, run


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
            runs[name + "_s"] = median_seconds(lambda s=scenario: run(s), repeat)
        p = plain.policy
        bands = [(p.t_low + d, p.t_high + d) for d in (0.01, -0.01, 0.02, -0.02, 0.005)]
        moves = {}
        for name in ("without", "queue"):
            result = runs[name]
            cycle = iter(bands * 40)

            def move(result=result, cycle=cycle):
                result.at_policy(*next(cycle)).core  # noqa: B018 - the core is what a drag reads

            moves[name] = median_seconds(move, 100) * 1000
        demand = runs["queue"].weekly["review_demand"].mean()
        backlog = runs["queue"].weekly["backlog"].mean()
        print(f"{domain}: run {runs['without_s']:.2f} s without, {runs['queue_s']:.2f} s with "
              f"the queue (ratio {runs['queue_s'] / runs['without_s']:.3f}); band move "
              f"{moves['without']:.2f} ms without, {moves['queue']:.2f} ms with "
              f"(+{moves['queue'] - moves['without']:.2f} ms); demand {demand:.0f}/week, "
              f"mean backlog {backlog:.0f}")
    print(f"load average at end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
