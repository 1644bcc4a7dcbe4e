"""``python -m simulations sweep``: an ensemble of worlds written as one row per world and week.

Each row holds the world's number, the values drawn for its uncertain assumptions (one column
per ``--vary`` field) and the weekly contract columns. ``--compare T_LOW,T_HIGH`` adds band B
on the same worlds (a ``policy`` column says A or B) and prints the paired verdict;
``--summary-out`` writes the per-week median and 90 % range of each metric. Worlds run on
``--workers`` local processes, or on a Dask cluster with ``--dask-scheduler``.
"""

from __future__ import annotations

import sys
import time

import pandas as pd

from ..experiments.answers import paired, weekly_bands
from ..experiments.ensemble import Ensemble, parse_range
from ..experiments.worlds import run_ensemble
from ..reporting.safe_csv import write_csv
from .common import (
    UsageError,
    WorldsProgress,
    add_scenario_argument,
    check_parallel,
    check_writable,
)
from .run import _apply_overrides, resolve_scenario


def add_parser(sub) -> None:
    p = sub.add_parser("sweep", help="simulate an ensemble of worlds and write one row per world "
                                     "and week")
    add_scenario_argument(p)
    p.add_argument("--worlds", type=int, required=True, help="number of worlds (at least 2)")
    p.add_argument("--vary", action="append", default=[], metavar="FIELD=LOW:HIGH",
                   help="an uncertain assumption drawn uniformly over [LOW, HIGH] "
                        "(FIELD=LOW:MODE:HIGH: triangular), e.g. population.base_rate=0.005:0.02 "
                        "or drift[0].strength=0.3:0.9; repeatable")
    p.add_argument("--weeks", type=int, help="number of simulated weeks")
    p.add_argument("--seed", type=int, help="the ensemble's root seed (same seed, same worlds)")
    p.add_argument("--t-low", type=float, help="band A: scores below this pass")
    p.add_argument("--t-high", type=float, help="band A: scores at or above this are flagged")
    p.add_argument("--review-capacity", type=int, help="reviews per week")
    p.add_argument("--compare", metavar="T_LOW,T_HIGH",
                   help="band B, compared with band A on the same worlds")
    p.add_argument("--workers", type=int, default=1, help="local worker processes (default 1)")
    p.add_argument("--dask-scheduler", metavar="ADDRESS",
                   help="run the worlds on a Dask cluster, e.g. tcp://10.0.0.5:8786")
    p.add_argument("--out", required=True, help="CSV path: one row per world and week")
    p.add_argument("--summary-out", help="CSV path: per week and metric, median and 90%% range")


def _band(text: str) -> tuple[float, float]:
    parts = text.split(",")
    try:
        lo, hi = (float(x) for x in parts)
    except ValueError:
        raise UsageError(f"--compare {text!r}: give two numbers T_LOW,T_HIGH, e.g. "
                         f"0.2,0.6") from None
    if not (0 <= lo <= hi <= 1):
        raise UsageError(f"--compare {text!r}: need 0 <= T_LOW <= T_HIGH <= 1")
    return lo, hi


def command(args) -> None:
    scenario = _apply_overrides(resolve_scenario(args.scenario), args)
    ranges = tuple(parse_range(text) for text in args.vary)
    ensemble = Ensemble(scenario, args.worlds, ranges)
    b = _band(args.compare) if args.compare else None
    check_parallel(args.workers, args.dask_scheduler)
    check_writable(args.out, "--out")
    check_writable(args.summary_out, "--summary-out")
    a = (scenario.policy.t_low, scenario.policy.t_high)
    started = time.perf_counter()
    result = run_ensemble(ensemble, workers=args.workers, scheduler=args.dask_scheduler,
                          bands=[a] + ([b] if b else []), progress=WorldsProgress())
    table = result.table(a)
    summary = weekly_bands(result, a)
    if b:
        table.insert(1, "policy", "A")
        other = result.table(b)
        other.insert(1, "policy", "B")
        table = pd.concat([table, other], ignore_index=True)
        summary.insert(0, "policy", "A")
        other_summary = weekly_bands(result, b)
        other_summary.insert(0, "policy", "B")
        summary = pd.concat([summary, other_summary], ignore_index=True)
    write_csv(table, args.out)
    if args.summary_out:
        write_csv(summary, args.summary_out)
    print(f"{scenario.domain}: {args.worlds} worlds x {scenario.population.weeks} weeks in "
          f"{time.perf_counter() - started:.1f} s", file=sys.stderr)
    if b:
        print(f"A = {a[0]:g}-{a[1]:g}, B = {b[0]:g}-{b[1]:g}: "
              f"{paired(result, a, b).verdict}", file=sys.stderr)
