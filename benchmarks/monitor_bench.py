"""How good and how cheap the label-free monitoring is, printed as figures (no pass/fail).

    python benchmarks/monitor_bench.py            # everything (several minutes on 2 cores)
    python benchmarks/monitor_bench.py --quick    # fewer events and worlds, a smoke test

1. Coverage: per domain, a 26-week run without concept drift (no drift, and the domain's
   covariate drift, which keeps the feature-outcome relation only in recommendation: fraud's
   and triage's move features given the label); the share of weeks
   whose true precision and recall fall inside the estimate's 90 % interval (target >= 80 %)
   and the estimate's mean absolute error, over several seeds.
2. Alert rules over worlds: per domain, concept + covariate drift from week 9; per rule the
   median detection delay, the share of worlds that detected it, false alarms per year.
3. Cost of a band move on the Monitor tab, server side: the per-band work the tab does
   (estimates, realised and true views, label maturity of one week, the alert table and its
   figures) from the cached band-free tables, median over band moves; and the one-off build of
   those tables (calibration bootstrap, cumulative sums).
The load average is printed with the figures: the machine is shared.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import time

import numpy as np
import pandas as pd

from simulations import default_scenario, run
from simulations.reporting.monitor import MonitorTables, alert_quality, monitor_weekly
from simulations.scenario import DriftSpec

DOMAINS = ("fraud", "triage", "recommendation")


def coverage(domain: str, events: int, seeds: int, drift: tuple) -> dict:
    inside = {"precision": [], "recall": []}
    errors = {"precision": [], "recall": []}
    for seed in range(seeds):
        scenario = dataclasses.replace(default_scenario(domain).with_changes(
            population={"weeks": 26, "events_per_week": events}), seed=seed, drift=drift)
        result = run(scenario)
        view = monitor_weekly(MonitorTables(result), result.outcome)
        for m in inside:
            est, true = view[f"est_{m}"].to_numpy(), view[f"true_{m}"].to_numpy()
            ok = np.isfinite(est) & np.isfinite(true)
            lo, hi = view[f"est_{m}_low"].to_numpy()[ok], view[f"est_{m}_high"].to_numpy()[ok]
            inside[m] += list((true[ok] >= lo) & (true[ok] <= hi))
            errors[m] += list(np.abs(est[ok] - true[ok]))
    return {f"{m}_{k}": v for m in inside for k, v in (
        ("coverage", float(np.mean(inside[m]))), ("mae", float(np.mean(errors[m]))))}


def band_move_cost(domain: str, events: int, moves: int) -> dict:
    from dashboard import charts, monitor_charts
    from simulations.monitoring.alerts import alert_table
    from simulations.reporting.monitor import onset_week

    scenario = dataclasses.replace(default_scenario(domain).with_changes(
        population={"weeks": 26, "events_per_week": events}),
        drift=(DriftSpec("concept", 9, 1.0),))
    result = run(scenario)
    t0 = time.perf_counter()
    tables = MonitorTables(result)
    tables.realised(1)
    build = time.perf_counter() - t0
    lo, hi = scenario.policy.t_low, scenario.policy.t_high
    times = []
    for i in range(moves):
        band = (lo * (1 + 0.01 * i), min(1.0, hi * (1 + 0.01 * i)))
        outcome = result.at_policy(*band)  # what every tab pays for a band move
        outcome.core  # noqa: B018
        s = outcome.scenario
        t0 = time.perf_counter()
        view = monitor_weekly(tables, outcome, 1)
        tables.maturity(s, 8)
        table = alert_table(view, s, onset_week(s))
        m = charts.Markers((9,), tuple(result.retrain_weeks))
        monitor_charts.three_views(view, "precision", "t", "share", m, realised_name="r")
        charts.weekly_lines(view, {"score_psi": "score PSI"}, "t", "PSI", m)
        monitor_charts.maturity(tables.maturity(s, 8), 8)
        times.append(time.perf_counter() - t0)
        assert len(table)
    return {"build_s": build, "band_move_ms": 1000 * statistics.median(times)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    events, seeds, worlds, moves = (5000, 1, 2, 5) if args.quick else (20_000, 3, 5, 21)
    print(f"load average at start: {os.getloadavg()}")
    rows = []
    from simulations.domains import get_domain

    for domain in DOMAINS:
        keeps = get_domain(domain).covariate_keeps_relation
        shift = "covariate shift, " + ("relation kept" if keeps else "relation moved too")
        for name, drift in (("no drift", ()), (shift, (DriftSpec("covariate", 9, 1.0),))):
            rows.append({"domain": domain, "world": name,
                         **coverage(domain, events, seeds, drift)})
    print(f"\n1. The 90% interval over 26 weeks without concept drift ({seeds} seeds, "
          f"{events:,} events a week)")
    print(pd.DataFrame(rows).round(3).to_string(index=False))

    print(f"\n2. Alert rules over {worlds} worlds, concept + covariate drift from week 9")
    for domain in DOMAINS:
        scenario = dataclasses.replace(default_scenario(domain).with_changes(
            population={"weeks": 26, "events_per_week": events}),
            drift=(DriftSpec("concept", 9, 1.0), DriftSpec("covariate", 9, 1.0)))
        summary, _ = alert_quality(scenario, worlds)
        print(f"-- {domain}")
        print(summary.round(2).to_string(index=False))

    print(f"\n3. Monitor tab, server side, median of {moves} band moves (26 weeks)")
    for domain in DOMAINS:
        cost = band_move_cost(domain, events, moves)
        print(f"{domain}: band move {cost['band_move_ms']:.1f} ms; band-free tables built once "
              f"in {cost['build_s']:.2f} s")
    print(f"\nload average at end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
