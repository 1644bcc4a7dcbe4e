"""``python -m simulations suggest``: bands per segment under a fairness strategy, priced.

Simulates the scenario once, then searches the slider's grid of bands for the strategy
(``policy.fairness``) and writes one JSON object: the bands, the total cost, the price of the
constraint, the gap reached, the four-fifths ratio with its note and the per-segment figures,
all as ``run --segment-band ...`` reports them over the scenario's horizon.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

from ..engine import run
from ..policy.fairness import DEFAULT_TOLERANCE, STRATEGIES, FairnessProblem
from ..policy.guardrails import Guardrails
from ..reporting.text import clip
from .common import Progress, UsageError, add_scenario_argument, check_writable, number, whole
from .run import resolve_scenario


def add_parser(sub) -> None:
    s = sub.add_parser("suggest", help="bands per segment under a fairness strategy, with the "
                                       "price of the constraint in money")
    add_scenario_argument(s)
    s.add_argument("--weeks", type=whole, help="number of simulated weeks")
    s.add_argument("--seed", type=whole, help="random seed (same seed, same results)")
    s.add_argument("--fairness", default="single", metavar="STRATEGY",
                   help=f"one of {', '.join(STRATEGIES)} (default: single)")
    s.add_argument("--tolerance", type=number, default=DEFAULT_TOLERANCE,
                   help="largest gap allowed between segments, as a share (0.02 = 2 "
                        "percentage points)")
    s.add_argument("--min-precision", type=number, help="guardrail: precision at least this")
    s.add_argument("--min-recall", type=number, help="guardrail: recall at least this")
    s.add_argument("--min-pass-rate", type=number, help="guardrail: pass rate at least this")
    s.add_argument("--max-review", type=number,
                   help="guardrail: weekly review demand at most this")
    s.add_argument("--out", help="JSON path (default: standard output)")


def _share(flag: str, value: float | None) -> None:
    if value is not None and not 0 <= value <= 1:
        raise UsageError(f"{flag} = {value:g} is invalid: give a share within [0, 1] "
                         "(0.02 = 2 percentage points)")


def command(args) -> None:
    if args.fairness not in STRATEGIES:
        raise UsageError(f"--fairness {clip(args.fairness, 40)!r}: choose one of "
                         f"{', '.join(STRATEGIES)}")
    for flag in ("tolerance", "min_precision", "min_recall", "min_pass_rate"):
        _share("--" + flag.replace("_", "-"), getattr(args, flag))
    if args.max_review is not None and args.max_review < 0:
        raise UsageError(f"--max-review = {args.max_review:g} is invalid: it must be >= 0")
    scenario = resolve_scenario(args.scenario)
    if args.weeks is not None:
        scenario = scenario.with_changes(population={"weeks": args.weeks})
    if args.seed is not None:
        from dataclasses import replace
        scenario = replace(scenario, seed=args.seed)
    if scenario.impact.enabled:
        raise UsageError("in this scenario the decisions change who arrives (delayed impact), "
                         "so every set of bands has its own traffic: suggest needs fixed "
                         "scores (set impact.enabled to false)")
    if scenario.policy_changes_labels:
        raise UsageError("this scenario retrains on the labels its own decisions reveal, so "
                         "every set of bands has its own model history: suggest needs fixed "
                         "scores (retrain never, or use full feedback with label_delay 0 and "
                         "retrain every/drift)")
    check_writable(args.out, "--out")
    guardrails = Guardrails(args.min_precision, args.min_recall, args.min_pass_rate,
                            args.max_review)
    progress = Progress(f"simulating {scenario.domain}")
    result = run(scenario, progress=progress)
    progress.close()
    found = FairnessProblem.from_run(result, guardrails).solve(args.fairness, args.tolerance)
    out = {"scenario": scenario.domain, "weeks": scenario.population.weeks,
           "seed": scenario.seed, "guardrails": guardrails.describe(), **found.to_dict()}
    text = json.dumps(out, indent=2, allow_nan=False) + "\n"
    if not args.out or args.out == "-":
        sys.stdout.write(text)
    else:
        try:
            Path(args.out).write_text(text, encoding="utf-8")
        except OSError as err:
            raise UsageError(f"--out: writing {clip(args.out, 80)!r} failed: "
                             f"{err.strerror or err}") from None
    cost = found.cost_total
    shown = f"{cost:,.0f} {result.domain.unit}" if math.isfinite(cost) else "undefined"
    state = "feasible" if found.feasible else "infeasible"
    print(f"{scenario.domain}: {args.fairness} {state}, total cost {shown}"
          + (f"; {found.message}" if found.message else ""), file=sys.stderr)
