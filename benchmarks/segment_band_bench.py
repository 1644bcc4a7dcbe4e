"""How long a move of one segment's band takes, server-side, and what the fairness search costs.

    python benchmarks/segment_band_bench.py            # each domain's default run (520k events)
    python benchmarks/segment_band_bench.py --quick    # 4,000 events a week, 8 weeks

Per domain: the one-off build of the per-segment sorted tables; the median time to answer
the KPI row after one segment's band moves (the weekly table the page reads, and the metric
set alone), next to the single-band fast path; the same with the per-event decisions (what
the Segments and Data tabs add); and each fairness strategy over the domain's default
segments, and one followed week by week (the Over time tab's fairness section). Medians of
repeated runs; the load average is printed with them, since the
machine is shared.
"""

from __future__ import annotations

import argparse
import os
import time

from engine_bench import median_seconds  # benchmarks/ is on the path of a script here

from simulations import default_scenario, run
from simulations.domains import DOMAINS, get_domain
from simulations.policy.segment_bands import segment_table_of


def _median_ms(fn, repeat: int) -> float:
    return median_seconds(fn, repeat) * 1000


def bench(domain: str, quick: bool) -> None:
    scenario = default_scenario(domain)
    if quick:
        scenario = scenario.with_changes(population={"weeks": 8, "events_per_week": 4000})
    result = run(scenario)
    d = get_domain(domain)
    p = scenario.policy
    t0 = time.perf_counter()
    segment_table_of(result.table, scenario, d, result.arrays)
    build_ms = (time.perf_counter() - t0) * 1000
    moves = iter(range(10**6))

    def move_one():  # a fresh band for the first segment each time (no cache can answer it)
        k = next(moves) % 50
        return result.at_policy(p.t_low, p.t_high,
                                {d.segments[0]: (p.t_low * 0.5 + k * 1e-4, p.t_high)})

    def move_single():
        k = next(moves) % 50
        return result.at_policy(p.t_low + k * 1e-4, p.t_high)

    table = segment_table_of(result.table, scenario, d, result.arrays)
    bands = p.bands(d.segments)
    rv = scenario.review

    def query_one():  # the metric set alone, without building the weekly frame
        k = next(moves) % 50
        return table.query([(p.t_low * 0.5 + k * 1e-4, p.t_high), *bands[1:]], rv.capacity,
                           rv.overflow_action, scenario.costs.review)

    def query_single():
        k = next(moves) % 50
        return result.table.query(p.t_low + k * 1e-4, p.t_high, rv.capacity,
                                  rv.overflow_action, scenario.costs.review)

    def move_and_decide():
        return move_one().final

    n = len(result.arrays["score"])
    print(f"{domain}: {n:,} events, {len(d.segments)} segments; build {build_ms:.0f} ms; "
          f"one segment's band move {_median_ms(move_one, 30):.2f} ms "
          f"(single band {_median_ms(move_single, 30):.2f} ms); the metric set alone "
          f"{_median_ms(query_one, 50):.2f} ms (single band {_median_ms(query_single, 50):.2f}"
          f" ms); "
          f"with per-event decisions {_median_ms(move_and_decide, 10):.1f} ms")
    try:
        from simulations.policy.fairness import STRATEGIES, suggest_fair
    except ImportError:
        return
    for strategy in STRATEGIES:
        t0 = time.perf_counter()
        out = suggest_fair(result, strategy)
        ms = (time.perf_counter() - t0) * 1000
        print(f"  {strategy:<16} {ms:7.0f} ms  feasible={out.feasible}  "
              f"cost={out.cost_total:,.0f}  gap={out.gap}")
    from simulations.policy.fairness_weekly import weekly_fairness

    fit = max(1, scenario.population.weeks // 3)
    ms = _median_ms(lambda: weekly_fairness(result, "equal_recall", 0.02, fit_weeks=fit,
                                            pooled_weeks=4), 3)
    print(f"  over time: equal_recall chosen on weeks 1-{fit}, followed every week "
          f"{ms:7.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--domain", choices=tuple(DOMAINS))
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}")
    for domain in [args.domain] if args.domain else DOMAINS:
        bench(domain, args.quick)
    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}")


if __name__ == "__main__":
    main()
