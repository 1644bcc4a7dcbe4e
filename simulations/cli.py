"""Command line: ``python -m simulations list``, ``run ...`` and ``analyze ...``.

Bad arguments and bad scenario files exit with status 2 and one line on stderr (no traceback).
Without ``--out`` the weekly table goes to standard output as CSV, so it can be piped.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from dataclasses import replace
from pathlib import Path

from .domains import DOMAINS
from .engine import estimate_size, run
from .export import write_csv
from .presets import load_preset, preset_names
from .scenario import Scenario, ScenarioError, default_scenario
from .text import clip

# The largest run the command line starts: the link's maxima (200k events x 52 weeks) peak
# near 4.5 GB; the scenario's own maxima (5M x 260) would need hundreds of GB. Set
# TRADEOFF_MAX_RUN_GB to allow more on a bigger machine.
MAX_RUN_GB = 8.0


def max_run_bytes() -> int:
    try:
        gb = float(os.environ.get("TRADEOFF_MAX_RUN_GB", MAX_RUN_GB))
    except ValueError:
        gb = MAX_RUN_GB
    return int(gb * 2**30)


class UsageError(Exception):
    """A problem with the command line or its inputs, reported as one line with exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one clear line instead of usage + error
        raise UsageError(f"{self.prog}: {message} (see --help)")


def _whole(text: str) -> int:
    """A whole number from the command line; a long one is refused without being repeated."""
    if len(text.strip()) > 30:
        raise argparse.ArgumentTypeError(f"{clip(text, 30)!r} is not a whole number in range")
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{clip(text, 30)!r} is not a whole number") from None


def _number(text: str) -> float:
    """A finite number from the command line (inf, nan and 1e400 are refused)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{clip(text, 30)!r} is not a number") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{clip(text, 30)!r} is not a finite number")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m simulations",
                     description="Tradeoff Lab simulator: domains, presets, runs and your own "
                                 "scores.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    sub.add_parser("list", help="names of domains and presets")
    r = sub.add_parser("run", help="simulate a scenario and write the weekly (and events) CSV")
    r.add_argument("--scenario", required=True,
                   help="a domain name, a preset name, a path to a scenario or preset JSON "
                        "file, or a JSON object")
    r.add_argument("--weeks", type=_whole, help="number of simulated weeks")
    r.add_argument("--seed", type=_whole, help="random seed (same seed, same results)")
    r.add_argument("--t-low", type=_number, help="scores below this pass")
    r.add_argument("--t-high", type=_number, help="scores at or above this are flagged")
    r.add_argument("--review-capacity", type=_whole, help="reviews per week")
    r.add_argument("--out", help="weekly CSV path (default: standard output)")
    r.add_argument("--events-out", help="events CSV path")
    from .analyze_cli import add_parser

    add_parser(sub)
    return parser


def resolve_scenario(text: str) -> Scenario:
    """A scenario from a domain name, preset name, JSON file path or inline JSON object."""
    if text in DOMAINS:
        return default_scenario(text)
    if text.lstrip().startswith("{"):
        return _from_json_data(text, "the --scenario JSON")
    path = Path(text)
    shown = clip(text, 80)
    if path.suffix.lower() == ".json" or path.exists():
        if path.is_dir():
            raise ScenarioError(f"scenario {shown!r} is a folder: give a JSON file, a domain "
                                "or a preset name")
        if not path.is_file():
            raise ScenarioError(f"scenario file {shown!r} does not exist")
        try:
            content = path.read_text(encoding="utf-8-sig")  # a byte-order mark is fine
        except (OSError, UnicodeDecodeError) as err:
            raise ScenarioError(f"cannot read scenario file {shown!r}: {err}") from None
        return _from_json_data(content, f"scenario file {shown!r}")
    if text in preset_names():
        return load_preset(text).scenario
    known = ", ".join([*DOMAINS, *preset_names()])
    raise ScenarioError(f"unknown scenario {shown!r}: give a domain or preset ({known}) "
                        f"or a path to a JSON file")


def _from_json_data(text: str, where: str) -> Scenario:
    from .scenario import parse_json

    data = parse_json(text, where)
    if isinstance(data, dict) and "scenario" in data:  # a preset file
        from .presets import Preset
        return Preset.from_dict(where, data).scenario
    return Scenario.from_dict(data)


def _apply_overrides(scenario: Scenario, args) -> Scenario:
    if args.weeks is not None:
        scenario = scenario.with_changes(population={"weeks": args.weeks})
    if args.seed is not None:
        scenario = replace(scenario, seed=args.seed)
    if args.t_low is not None or args.t_high is not None:
        t_low = scenario.policy.t_low if args.t_low is None else args.t_low
        t_high = scenario.policy.t_high if args.t_high is None else args.t_high
        scenario = scenario.with_policy(t_low, t_high)
    if args.review_capacity is not None:
        scenario = scenario.with_changes(review={"capacity": args.review_capacity})
    return scenario


class _Progress:
    """Prints 'week k/W' to stderr once a run has taken more than a second."""

    def __init__(self, label: str):
        self.label = label
        self.start = time.perf_counter()
        self.last = 0.0
        self.shown = False
        self.tty = sys.stderr.isatty()

    def __call__(self, week: int, weeks: int) -> None:
        now = time.perf_counter() - self.start
        if now < 1.0 or (not self.tty and now - self.last < 2.0 and week < weeks):
            return
        self.last = now
        self.shown = True
        end = "" if self.tty else "\n"
        print(f"\r{self.label}: week {week}/{weeks} ({now:.1f} s)", end=end, file=sys.stderr,
              flush=True)

    def close(self) -> None:
        if self.shown and self.tty:
            print(file=sys.stderr)


def _check_writable(path: str | None, flag: str) -> None:
    """Refuse, before any work, an output that cannot be written (opening it for appending
    is the test; a file this creates is removed again)."""
    if path and path != "-":
        shown = clip(path, 80)
        parent = Path(path).resolve().parent
        if not parent.is_dir():
            raise UsageError(f"{flag}: folder {clip(parent, 80)!r} does not exist")
        if Path(path).is_dir():
            raise UsageError(f"{flag}: {shown!r} is a folder, give a file name")
        existed = os.path.lexists(path)
        try:
            with open(path, "a", encoding="utf-8"):
                pass
        except OSError as err:
            raise UsageError(f"{flag}: cannot write {shown!r}: "
                             f"{err.strerror or err}") from None
        if not existed:
            os.remove(path)


def _write(frame, path: str | None, flag: str) -> None:
    if not path or path == "-":
        write_csv(frame, sys.stdout)
        return
    try:
        write_csv(frame, path)
    except OSError as err:
        raise UsageError(f"{flag}: writing {clip(path, 80)!r} failed: "
                         f"{err.strerror or err}") from None


def _command_list() -> None:
    print("domains:")
    for d in DOMAINS.values():
        print(f"  {d.name:<24} {d.question}")
    names = preset_names()
    print("presets:" if names else "presets: (none)")
    for name in names:
        try:
            title = load_preset(name).title
        except ScenarioError as err:
            title = f"(invalid: {err})"
        print(f"  {name:<24} {title}")


def _command_run(args) -> None:
    scenario = _apply_overrides(resolve_scenario(args.scenario), args)
    if args.events_out == "-" and (not args.out or args.out == "-"):
        raise UsageError("--events-out -: standard output already carries the weekly table; "
                         "give --out FILE for it (or --events-out FILE)")
    _check_writable(args.out, "--out")
    _check_writable(args.events_out, "--events-out")
    size = estimate_size(scenario)
    if size.peak > max_run_bytes():
        raise UsageError(
            f"this run is too large for memory: {size.describe()}; the limit is "
            f"{max_run_bytes() / 2**30:g} GB (TRADEOFF_MAX_RUN_GB): use fewer events per week "
            f"or fewer weeks")
    progress = _Progress(f"simulating {scenario.domain}")
    result = run(scenario, progress=progress)
    progress.close()
    _write(result.weekly, args.out, "--out")
    if args.events_out:
        _write(result.events, args.events_out, "--events-out")
    w = result.weekly
    retrains = int(w["retrained"].sum())
    print(f"{scenario.domain}: {len(w)} weeks, {int(w['events'].sum())} events, "
          f"total cost {w['cost_total'].sum():,.0f} {result.domain.unit}, "
          f"{retrains} retraining(s), {result.seconds:.1f} s", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    try:
        args = _parser().parse_args(argv)
        if args.command == "list":
            _command_list()
        elif args.command == "analyze":
            from .analyze_cli import command

            command(args)
        else:
            _command_run(args)
    except (UsageError, ScenarioError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except OSError as err:
        print(f"error: {err.strerror or err}: {getattr(err, 'filename', '') or ''}".rstrip(": "),
              file=sys.stderr)
        return 2
    except RecursionError:
        print("error: the input is nested too deeply to be a scenario", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    return 0
