"""``python -m simulations list`` and ``run``: the named worlds and presets, and one simulated
scenario written as the weekly (and events) CSV of the command-line contract."""

from __future__ import annotations

import os
import sys
from dataclasses import replace
from pathlib import Path

from ..domains import DOMAINS, get_domain
from ..engine import estimate_size, run
from ..presets import load_preset, preset_names
from ..reporting.money import exact_money
from ..reporting.text import clip
from ..scenario import Scenario, ScenarioError, default_scenario, parse_json
from .common import (
    Progress,
    UsageError,
    add_scenario_argument,
    check_writable,
    number,
    whole,
    write_output,
)

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


def add_parsers(sub) -> None:
    """The ``list`` and ``run`` subcommands."""
    sub.add_parser("list", help="names of domains and presets")
    r = sub.add_parser("run", help="simulate a scenario and write the weekly (and events) CSV")
    add_scenario_argument(r)
    r.add_argument("--weeks", type=whole, help="number of simulated weeks")
    r.add_argument("--seed", type=whole, help="random seed (same seed, same results)")
    r.add_argument("--t-low", type=number, help="scores below this pass")
    r.add_argument("--t-high", type=number, help="scores at or above this are flagged")
    r.add_argument("--review-capacity", type=whole, help="reviews per week")
    r.add_argument("--segment-band", action="append", type=segment_band, default=[],
                   metavar="SEGMENT=T_LOW:T_HIGH",
                   help="give one segment its own band (repeatable); segments not named use "
                        "the main band")
    r.add_argument("--out", help="weekly CSV path (default: standard output)")
    r.add_argument("--events-out", help="events CSV path")


def segment_band(text: str) -> tuple[str, float, float]:
    """``SEGMENT=T_LOW:T_HIGH`` as (segment, t_low, t_high); the scenario checks the rest."""
    name, eq, band = text.partition("=")
    lo, colon, hi = band.partition(":")
    try:
        if not (eq and colon and name):
            raise ValueError
        t_low, t_high = float(lo), float(hi)
    except ValueError:
        raise UsageError(f"--segment-band {clip(text, 60)!r}: write SEGMENT=T_LOW:T_HIGH, "
                         "for example child=0.05:0.3") from None
    return name, t_low, t_high


def with_segment_bands(scenario: Scenario, bands: list[tuple[str, float, float]]) -> Scenario:
    """``scenario`` with these segments' bands set (others keep theirs)."""
    if not bands:
        return scenario
    p = scenario.policy
    segments = get_domain(scenario.domain).segments
    merged = {name: [lo, hi] for name, lo, hi in p.by_segment}
    named: set[str] = set()
    for name, lo, hi in bands:
        shown = f"--segment-band {clip(name, 40)}={lo:g}:{hi:g}"
        if name not in segments:
            raise UsageError(f"{shown}: {clip(name, 40)!r} is not a {scenario.domain} segment; "
                             f"choose among {', '.join(segments)}")
        if name in named:
            raise UsageError(f"{shown}: {name!r} is named twice; give each segment once")
        if not (0 <= lo <= 1 and 0 <= hi <= 1):
            raise UsageError(f"{shown}: thresholds must lie between 0 and 1")
        if lo > hi:
            raise UsageError(f"{shown}: the band is crossed (T_LOW must not exceed T_HIGH)")
        named.add(name)
        merged[name] = [lo, hi]
    return scenario.with_policy(p.t_low, p.t_high, merged)


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
    data = parse_json(text, where)
    if isinstance(data, dict) and "scenario" in data:  # a preset file
        from ..presets import Preset
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
        scenario = scenario.with_policy(t_low, t_high, scenario.policy.by_segment)
    scenario = with_segment_bands(scenario, getattr(args, "segment_band", []))
    if args.review_capacity is not None:
        scenario = scenario.with_changes(review={"capacity": args.review_capacity,
                                                  "analysts": None})
    return scenario


def command_list() -> None:
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


def command_run(args) -> None:
    scenario = _apply_overrides(resolve_scenario(args.scenario), args)
    if args.events_out == "-" and (not args.out or args.out == "-"):
        raise UsageError("--events-out -: standard output already carries the weekly table; "
                         "give --out FILE for it (or --events-out FILE)")
    check_writable(args.out, "--out")
    check_writable(args.events_out, "--events-out")
    size = estimate_size(scenario)
    if size.peak > max_run_bytes():
        raise UsageError(
            f"this run is too large for memory: {size.describe()}; the limit is "
            f"{max_run_bytes() / 2**30:g} GB (TRADEOFF_MAX_RUN_GB): use fewer events per week "
            f"or fewer weeks")
    progress = Progress(f"simulating {scenario.domain}")
    result = run(scenario, progress=progress)
    progress.close()
    write_output(result.weekly, args.out, "--out")
    if args.events_out:
        write_output(result.events, args.events_out, "--events-out")
    w = result.weekly
    retrains = int(w["retrained"].sum())
    print(f"{scenario.domain}: {len(w)} weeks, {int(w['events'].sum())} events, "
          f"total cost {exact_money(w['cost_total'].sum(), result.domain.unit)}, "
          f"{retrains} retraining(s), {result.seconds:.1f} s", file=sys.stderr)
