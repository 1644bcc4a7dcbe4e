"""Speed and memory of analysing your own scores and of the policy optimizer, on a 1M-row file.

    python benchmarks/analyze_bench.py            # 1,000,000 rows (about a minute on 2 cores)
    python benchmarks/analyze_bench.py --quick    # 100,000 rows, for a smoke test

Writes a synthetic scores file (score, label at a 5% base rate, value, segment, week over 26
weeks; every score distinct, so the exact grid has one cut per row) and prints medians of
repeated runs of each step: reading the CSV and the Parquet file, validating, building the
per-week table, answering one band, building the optimizer's grid, and the optimizer itself
with and without its frontier under several guardrail sets (feasible and infeasible), next to
a brute-force count of the cut pairs it did not have to try. Then the whole
``python -m simulations analyze`` command in a fresh process, with its peak memory.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from simulations.own_scores.analysis import Analysis, Setup  # noqa: E402
from simulations.own_scores.read import guess_columns, prepare, read_table  # noqa: E402
from simulations.policy.guardrails import Guardrails  # noqa: E402
from simulations.policy.optimize import optimize_policy  # noqa: E402

GUARDRAILS = {
    "none": Guardrails(),
    "precision >= 50%": Guardrails(min_precision=0.5),
    "precision >= 50%, <= 1,000 reviews/week": Guardrails(min_precision=0.5,
                                                            max_review_per_week=1000),
    "recall >= 80%, pass rate >= 90%": Guardrails(min_recall=0.8, min_pass_rate=0.9),
    "infeasible: precision >= 90%, recall >= 90%": Guardrails(min_precision=0.9, min_recall=0.9),
}


def make_file(rows: int, folder: Path) -> tuple[Path, Path]:
    rng = np.random.default_rng(0)
    label = rng.random(rows) < 0.05
    z = rng.normal(0.0, 1.0, rows) + 2.2 * label - 2.5
    frame = pd.DataFrame({
        "score": 1.0 / (1.0 + np.exp(-z)),
        "label": label.astype(int),
        "value": np.round(rng.lognormal(4.0, 1.0, rows), 2),
        "segment": rng.choice(["web", "store", "app"], rows),
        "week": np.sort(rng.integers(1, 27, rows)),
    })
    csv, parquet = folder / "scores.csv", folder / "scores.parquet"
    frame.to_csv(csv, index=False)
    frame.to_parquet(parquet)
    return csv, parquet


def median(fn, repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def cli_run(csv: Path, capacity: int) -> dict:
    argv = ["analyze", "--input", str(csv), "--value-col", "value", "--segment-col", "segment",
            "--time-col", "week", "--t-low", "0.2", "--t-high", "0.3", "--review-capacity",
            str(capacity), "--reviewer-accuracy", "0.95", "--min-precision", "0.5"]
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from this (large) parent through
    # fork and exec, while VmHWM belongs to the new process's own memory map
    code = ("import time, sys; from simulations.cli import main; "
            f"t = time.perf_counter(); rc = main({argv!r}); "
            "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0]; "
            "print('BENCH', rc, time.perf_counter() - t, hwm.split()[1], file=sys.stderr)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parents[1])
    line = next(x for x in proc.stderr.splitlines() if x.startswith("BENCH"))
    _, rc, seconds, rss_kb = line.split()
    return {"exit": int(rc), "seconds": float(seconds), "peak_rss_mb": int(rss_kb) / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    rows = 100_000 if args.quick else 1_000_000
    repeat = 1 if args.quick else 3
    with tempfile.TemporaryDirectory() as tmp:
        csv, parquet = make_file(rows, Path(tmp))
        print(f"{rows:,} rows: CSV {csv.stat().st_size / 2**20:.1f} MB, Parquet "
              f"{parquet.stat().st_size / 2**20:.1f} MB")
        t_csv, frame = median(lambda: read_table(csv), repeat)
        t_pq, _ = median(lambda: read_table(parquet), repeat)
        columns = {**guess_columns(frame), "value": "value", "segment": "segment"}
        t_prep, data = median(lambda: prepare(frame, columns), repeat)
        setup = Setup(cost_fn=15.0, cost_fp=5.0, cost_review=3.0, capacity=rows // 500,
                      reviewer_accuracy=0.95)
        t_table, analysis = median(lambda: Analysis(data, setup), repeat)
        t_band, _ = median(lambda: analysis.totals(0.2, 0.3), max(repeat, 5))
        t_grid, grid = median(lambda: analysis.grid(), repeat)
        print(f"read CSV {t_csv:.2f} s | read Parquet {t_pq:.2f} s | validate {t_prep:.2f} s | "
              f"per-week table {t_table:.2f} s | one band {t_band * 1000:.1f} ms | optimizer "
              f"grid ({len(grid):,} cuts) {t_grid:.2f} s")
        pairs = len(grid) * (len(grid) + 1) // 2
        print(f"cut pairs a brute force would evaluate: {pairs:,.0f}")
        for name, g in GUARDRAILS.items():
            plain, full = [], []
            for _ in range(repeat):  # a fresh grid each time: no block minima kept from before
                for points, times in ((0, plain), (12, full)):
                    fresh = analysis.grid()
                    t0 = time.perf_counter()
                    s = optimize_policy(fresh, g, points)
                    times.append(time.perf_counter() - t0)
            t_opt, t_full = statistics.median(plain), statistics.median(full)
            answer = (f"band {s.policy[0]:g}-{s.policy[1]:g}, cost {s.metrics['cost_total']:,.0f}"
                      if s.feasible else s.message()[:90])
            print(f"  {name:<44} optimize {t_opt:.2f} s, with 12-point frontier "
                  f"{t_full:.2f} s: {answer}")
        print("CLI analyze (fresh process):", json.dumps(cli_run(csv, rows // 500)))


if __name__ == "__main__":
    main()
