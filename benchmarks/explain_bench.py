"""How long explaining one decision takes, printed as figures (no pass/fail).

    python benchmarks/explain_bench.py            # 20,000 events a week, 12 weeks
    python benchmarks/explain_bench.py --quick    # 4,000 events a week, 6 weeks

Per domain and model kind: the one-off feature space of a run (ranges, spreads, background),
then, over the quick picks and the first events of each action, the median time to explain
one event (reasons, nearest change to each threshold, sentence, advice under the other
models), one partial-dependence plot, and the recourse audit (200 events per segment).
Target: one event explained under 200 ms. The load average is printed: the machine is shared.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np

from simulations import default_scenario, run
from simulations.explain import (
    FeatureSpace,
    event_dependence,
    explain_event,
    quick_picks,
    recourse_audit,
)


def _ms(f) -> float:
    t = time.perf_counter()
    f()
    return (time.perf_counter() - t) * 1000


def measure(result) -> tuple[float, float, float, float]:
    """(feature space ms, median explain ms, median partial dependence ms, audit ms)."""
    outcome = result.outcome
    space_ms = _ms(lambda: FeatureSpace.of_run(result))
    space = FeatureSpace.of_run(result)
    rows = [r for r in quick_picks(result, outcome).values() if r is not None]
    for code in range(3):
        rows += [int(r) for r in np.flatnonzero(outcome.action == code)[:5]]
    explain = [_ms(lambda r=r: explain_event(result, outcome, r, space)) for r in rows]
    column = explain_event(result, outcome, rows[0], space).dependence_columns[0]
    pd_ms = [_ms(lambda: event_dependence(result, rows[0], column, space)) for _ in range(3)]
    audit_ms = _ms(lambda: recourse_audit(result, outcome, space))
    return space_ms, statistics.median(explain), statistics.median(pd_ms), audit_ms


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--domains", default="fraud,triage,recommendation,assistant")
    args = ap.parse_args()
    events, weeks = (4000, 6) if args.quick else (20000, 12)
    print(f"load average at start: {os.getloadavg()[0]:.2f} (2 cores, shared)")
    print(f"{'domain':15} {'model':18} {'space ms':>9} {'explain ms':>11} {'pd ms':>7} "
          f"{'audit s':>8}")
    for domain in args.domains.split(","):
        for kind in ("logistic", "gradient_boosting"):
            scenario = default_scenario(domain).with_changes(
                population={"events_per_week": events, "weeks": weeks}, model={"kind": kind})
            result = run(scenario)
            space_ms, explain_ms, pd_ms, audit_ms = measure(result)
            print(f"{domain:15} {kind:18} {space_ms:9.0f} {explain_ms:11.0f} "
                  f"{pd_ms:7.0f} {audit_ms / 1000:8.2f}")
    print(f"load average at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
