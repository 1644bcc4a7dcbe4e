"""Mutation testing as the measure of the suite: mutmut on each core module with its own tests.

For every module in ``MODULES`` this copies the repository into a scratch folder, points mutmut
(3.x) at that one module and the test files listed with it, runs every mutant and prints how
many the tests killed, how many survived, and the total, with the machine's load average and
the time taken. Surviving mutants are either killed by a new test or explained as equivalent
in ``benchmarks/MUTATION_NOTES.md``.

    .venv/bin/python benchmarks/mutation_bench.py                  # every module (slow)
    .venv/bin/python benchmarks/mutation_bench.py metrics drift    # some modules
    .venv/bin/python benchmarks/mutation_bench.py metrics --survivors   # list what survived
    .venv/bin/python benchmarks/mutation_bench.py metrics --max-children 1 --keep /tmp/mm
        # one core left free; the scratch copy kept for `mutmut show NAME` / `mutmut run NAME`

Not part of CI (minutes per module); run it before a change to one of these modules lands.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# The one table to update when files move: module name -> (its path, the tests that check it).
MODULES: dict[str, tuple[str, tuple[str, ...]]] = {
    "metrics": ("simulations/policy/metrics.py", ("tests/test_metrics.py",
                                                  "tests/test_metrics_edges.py")),
    "optimize": ("simulations/policy/optimize.py", ("tests/test_optimize.py",
                                                     "tests/test_optimize_words.py",
                                                     "tests/test_optimize_from_run.py",
                                                     "tests/test_optimize_frontier.py",
                                                     "tests/test_optimize_edges.py",
                                                     "tests/test_optimize_large.py",
                                                     "tests/test_optimize_bounds.py")),
    "drift": ("simulations/monitoring/drift.py", ("tests/test_drift.py",)),
    "feedback": ("simulations/engine/feedback.py", ("tests/test_feedback.py",
                                                     "tests/test_feedback_weeks.py")),
    "guardrails": ("simulations/policy/guardrails.py", ("tests/test_guardrails.py",
                                                         "tests/test_percent_input.py",
                                                         "tests/test_guardrail_words.py")),
    "scenario": ("simulations/scenario.py", ("tests/test_scenario.py",
                                             "tests/test_scenario_bounds.py",
                                             "tests/test_segment_bands.py",
                                             "tests/test_data_quality_scenario.py",
                                             "tests/test_scenario_review_bounds.py")),
    "audit": ("simulations/labels/audit.py", ("tests/test_audit.py",)),
    "data_plan": ("simulations/experiments/data_plan.py", ("tests/test_data_plan.py",)),
    "fairness_weekly": ("simulations/policy/fairness_weekly.py",
                        ("tests/test_fairness_over_time.py",)),
}

# settings a module's tests read only under this benchmark: the optimizer's two hypothesis
# properties draw 150 examples each, which run once per mutant would take hours; 15 examples,
# the same ones every run (derandomized), keep the counts repeatable
MODULE_ENV: dict[str, dict[str, str]] = {"optimize": {"TRADEOFF_MUTATION_EXAMPLES": "15"}}

# what the copied tests may read besides the code and the tests themselves
COPY = ("simulations", "tests", "data", "dashboard", "pyproject.toml")


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _scratch_copy(module: str, tests: tuple[str, ...], into: Path) -> None:
    for name in COPY:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, into / name, ignore=shutil.ignore_patterns(
                "__pycache__", "*.pyc", ".hypothesis"))
        elif src.exists():
            shutil.copy2(src, into / name)
    # mutmut reads [tool.mutmut] from pyproject.toml first, else [mutmut] from setup.cfg
    lines = ["[mutmut]", "source_paths=simulations", f"only_mutate={module}",
             "use_git_change_detection=false", "also_copy=\n    data\n    dashboard",
             "pytest_add_cli_args_test_selection=" + "\n    ".join(["", *tests])]
    (into / "setup.cfg").write_text("\n".join(lines) + "\n")


def run_module(name: str, children: int, survivors: bool, keep: Path | None = None) -> dict:
    module, tests = MODULES[name]
    started = time.perf_counter()
    load_before = _load()
    with contextlib.ExitStack() as stack:
        if keep is None:
            work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix=f"mutmut_{name}_")))
        else:
            work = keep / name
            if work.exists():
                shutil.rmtree(work)
            work.mkdir(parents=True)
        _scratch_copy(module, tests, work)
        env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", **MODULE_ENV.get(name, {})}
        mutmut = [sys.executable, "-m", "mutmut"]
        subprocess.run([*mutmut, "run", "--max-children", str(children)], cwd=work, env=env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        subprocess.run([*mutmut, "export-cicd-stats"], cwd=work, env=env, check=False,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        stats_file = work / "mutants" / "mutmut-cicd-stats.json"
        if not stats_file.exists():
            raise SystemExit(f"{name}: mutmut produced no statistics (run it by hand in a copy "
                             "to see why)")
        stats = json.loads(stats_file.read_text())
        left = []
        if survivors:
            out = subprocess.run([*mutmut, "results"], cwd=work, env=env, capture_output=True,
                                 text=True, check=False).stdout
            for line in out.splitlines():
                if ": survived" in line or ": no tests" in line:
                    mutant = line.split(":")[0].strip()
                    diff = subprocess.run([*mutmut, "show", mutant], cwd=work, env=env,
                                          capture_output=True, text=True, check=False).stdout
                    left.append(diff)
    seconds = time.perf_counter() - started
    return {"module": name, "stats": stats, "seconds": seconds, "load_before": load_before,
            "load_after": _load(), "survivors": left}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", metavar="MODULE",
                        help=f"modules to mutate (default: all of {', '.join(MODULES)})")
    parser.add_argument("--max-children", type=int, default=2,
                        help="mutants tested at once (2: this machine's cores)")
    parser.add_argument("--survivors", action="store_true",
                        help="print the diff of every surviving mutant")
    parser.add_argument("--keep", type=Path, metavar="DIR",
                        help="keep each module's scratch copy in DIR/MODULE (replaced if there) "
                             "to read a mutant with `mutmut show NAME` or re-run some")
    args = parser.parse_args(argv)
    if args.max_children < 1:
        parser.error(f"--max-children must be 1 or more, got {args.max_children}")
    unknown = [m for m in args.modules if m not in MODULES]
    if unknown:
        parser.error(f"unknown module(s) {', '.join(unknown)}: choose from {', '.join(MODULES)}")
    print(f"mutmut per module; load average (1, 5, 15 min) at start: {_load()}")
    print(f"{'module':<12} {'killed':>7} {'survived':>9} {'other':>6} {'total':>6} "
          f"{'killed %':>9} {'seconds':>8}  load before -> after")
    for name in args.modules or list(MODULES):
        r = run_module(name, args.max_children, args.survivors, args.keep)
        s = r["stats"]
        killed, survived, total = s.get("killed", 0), s.get("survived", 0), s.get("total", 0)
        other = total - killed - survived  # timeouts, no tests, suspicious, skipped
        share = f"{killed / total:.1%}" if total else "undefined"
        print(f"{name:<12} {killed:>7} {survived:>9} {other:>6} {total:>6} {share:>9} "
              f"{r['seconds']:>8.0f}  {r['load_before']} -> {r['load_after']}", flush=True)
        for diff in r["survivors"]:
            print(diff)
    return 0


if __name__ == "__main__":
    sys.exit(main())
