"""``python -m simulations label-plan``: one labelling budget spent four ways, as a CSV.

One row per strategy and budget point (0 to ``--budget`` in ``--steps`` points) with
``strategy, budget, labels, label_error, auc, cost_total, cost_low, cost_high``: the budget
in the domain's money unit (one review costs the scenario's ``costs.review``), the reviews it
bought, and over ``--worlds`` worlds the median label error of the training set, the next
model's AUC and its cost per production week on the true labels, with the 5th-95th percentile
of that cost. The rule behind each strategy is in ``simulations.experiments.data_plan``.
"""

from __future__ import annotations

import sys
import time
from dataclasses import replace

from ..domains import get_domain
from ..experiments.data_plan import STRATEGIES, DataPlan, run_plan, verdict
from .common import (
    WorldsProgress,
    add_scenario_argument,
    check_parallel,
    check_writable,
    number,
    whole,
    write_output,
)
from .run import resolve_scenario


def add_parser(sub) -> None:
    p = sub.add_parser("label-plan", help="one labelling budget spent four ways, each scored as "
                                          "the next model's cost over worlds")
    add_scenario_argument(p)
    p.add_argument("--budget", type=number, required=True,
                   help="the labelling budget in the domain's money unit (one review costs "
                        "the scenario's costs.review)")
    p.add_argument("--strategies", default=",".join(STRATEGIES), metavar="LIST",
                   help=f"comma-separated, from {', '.join(STRATEGIES)} (default: all)")
    p.add_argument("--steps", type=whole, default=5,
                   help="budget points from 0 to the budget, both included (default 5)")
    p.add_argument("--worlds", type=whole, default=20, help="number of worlds (default 20)")
    p.add_argument("--seed", type=whole, help="the root seed (same seed, same plan)")
    p.add_argument("--workers", type=whole, default=1, help="local worker processes (default 1)")
    p.add_argument("--dask-scheduler", metavar="ADDRESS",
                   help="run the worlds on a Dask cluster, e.g. tcp://10.0.0.5:8786")
    p.add_argument("--out", required=True, help="CSV path (- for standard output)")


def command(args) -> None:
    scenario = resolve_scenario(args.scenario)
    if args.seed is not None:
        scenario = replace(scenario, seed=args.seed)
    strategies = tuple(s.strip() for s in args.strategies.split(",") if s.strip())
    check_parallel(args.workers, args.dask_scheduler)
    plan = DataPlan(scenario, args.budget, strategies, args.steps, args.worlds)
    check_writable(args.out, "--out")
    started = time.perf_counter()
    summary, _ = run_plan(plan, workers=args.workers, scheduler=args.dask_scheduler,
                          progress=WorldsProgress())
    write_output(summary, args.out, "--out")
    unit = get_domain(scenario.domain).unit
    print(f"{scenario.domain}: {len(strategies)} strategies x {args.steps} budget points x "
          f"{args.worlds} worlds in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    print(verdict(summary, args.budget, unit), file=sys.stderr)
