"""Our label-free estimate side by side with NannyML's CBPE, on the same reference and analysis data.

    python benchmarks/nannyml_bench.py                  # 3 domains x 3 seeds, 26 weeks of 20k events
    python benchmarks/nannyml_bench.py --quick          # 1 seed, 5,000 events a week
    python benchmarks/nannyml_bench.py --peer-python /path/to/venv/bin/python

NannyML is a peer, not a dependency: it runs in its own virtual environment (created on first use
in ``~/.cache/tradeoff-lab/nannyml-venv`` with ``pip install nannyml==0.13.1 statsmodels``; its pins
never touch our requirements). For each domain and seed, one 26-week run without drift and without retraining
(so one model scores every week) gives:

- the reference: the labelled events the model was trained on, with the model's scores (what our
  Monitor tab calibrates on);
- the analysis: every event of the 26 weeks, scored, with one threshold (the scenario's ``t_high``,
  no review band, so both tools estimate the same confusion counts), chunked by week.

Both estimate weekly precision and recall without labels; the simulator knows the truth. Printed:
the mean absolute error of each against the true weekly metric, and the time each takes to fit
its calibration on the reference and estimate the 26 weeks. Ours is timed twice: the same work
as CBPE (``fit_calibration`` and ``estimate_weekly``: point estimates and their sampling
interval), checked to give the Monitor tab's numbers (to 1e-9: the sums run in another order);
and the Monitor tab's whole per-run build (``MonitorTables`` plus ``monitor_weekly``), which also
bootstraps the calibration for the interval and builds the realised and review-queue views.
NannyML: ``CBPE.fit`` plus ``CBPE.estimate``. Data handed over as files is written before either
clock starts. The targets: our error no worse than NannyML's, and at least 10x faster. No
pass/fail: the machine is shared, so read the times next to the load.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from simulations import default_scenario, run  # noqa: E402
from simulations.monitoring.estimates import (  # noqa: E402
    estimate_weekly,
    fit_calibration,
    label_free_costs,
)
from simulations.reporting.monitor import MonitorTables, monitor_weekly  # noqa: E402

DOMAINS = ("fraud", "triage", "recommendation")
# nannyml 0.13.1 imports statsmodels without declaring it as a dependency, so it comes too
PEER_PACKAGES = ("nannyml==0.13.1", "statsmodels")
PEER_VENV = Path.home() / ".cache" / "tradeoff-lab" / "nannyml-venv"

# Runs in NannyML's own environment: reads the two files, times fit + estimate, prints JSON.
PEER_SCRIPT = r"""
import json, sys, time, warnings
import pandas as pd
import nannyml as nml
warnings.filterwarnings("ignore")
ref = pd.read_parquet(sys.argv[1]) if sys.argv[1].endswith(".parquet") else pd.read_csv(sys.argv[1])
ana = pd.read_csv(sys.argv[2])
chunk = int(sys.argv[3])
t0, c0 = time.perf_counter(), time.process_time()
est = nml.CBPE(y_pred_proba="score", y_pred="pred", y_true="label",
               metrics=["precision", "recall"], chunk_size=chunk,
               problem_type="classification_binary", calibration="isotonic")
est.fit(ref)
res = est.estimate(ana)
seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
df = res.filter(period="analysis").to_df()
out = {"seconds": seconds, "cpu": cpu, "nannyml": nml.__version__,
       "precision": df[("precision", "value")].tolist(),
       "recall": df[("recall", "value")].tolist()}
print(json.dumps(out))
"""


def peer_python(given: str | None) -> str:
    """The Python of NannyML's environment: the one given, or ours, made on first use."""
    if given:
        return given
    python = PEER_VENV / "bin" / "python"
    if not python.exists():
        print(f"creating NannyML's own environment in {PEER_VENV} (once) ...", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(PEER_VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", *PEER_PACKAGES], check=True)
    return str(python)


def one_world(domain: str, seed: int, events: int):
    """A 26-week run without drift or retraining, at one threshold (no review band)."""
    base = default_scenario(domain)
    t = base.policy.t_high
    scenario = dataclasses.replace(
        base.with_changes(population={"weeks": 26, "events_per_week": events},
                          policy={"t_low": t, "t_high": t}, retrain={"trigger": "never"}),
        seed=seed, drift=())
    return run(scenario), t


def ours(result) -> tuple[pd.DataFrame, float]:
    """The Monitor tab's whole per-run work (it also bootstraps the calibration 20 times for
    the interval's calibration part, and builds the realised and review-queue views)."""
    t0 = time.perf_counter()
    view = monitor_weekly(MonitorTables(result), result.outcome)
    return view, time.perf_counter() - t0


def ours_like_for_like(result, t: float) -> tuple[pd.DataFrame, float, float]:
    """The same work as CBPE: fit the isotonic calibration on the reference, then the weekly
    estimates with their sampling interval (no calibration bootstrap, no realised views)."""
    cal, a = result.calibrations[0], result.arrays
    t0, c0 = time.perf_counter(), time.process_time()
    fitted = fit_calibration(cal.scores, cal.labels, "isotonic")
    flag = a["score"] >= t
    fn_cost, fp_cost = label_free_costs(a["value"], result.scenario.costs)
    view = estimate_weekly(a["week"], fitted(a["score"]), flag, np.zeros(len(flag), bool),
                           fn_cost, fp_cost, 0.0)
    return view, time.perf_counter() - t0, time.process_time() - c0


def world_rows(python: str, domain: str, seed: int, events: int, folder: Path) -> dict:
    result, t = one_world(domain, seed, events)
    cal, a = result.calibrations[0], result.arrays
    ref = pd.DataFrame({"score": cal.scores, "label": cal.labels.astype(int)})
    ref["pred"] = (ref["score"] >= t).astype(int)
    ana = pd.DataFrame({"week": a["week"], "score": a["score"], "label": a["label"].astype(int)})
    ana["pred"] = (ana["score"] >= t).astype(int)
    sizes = ana.groupby("week").size()
    if sizes.nunique() != 1:
        raise SystemExit(f"{domain}: weeks of unequal size {sorted(set(sizes))}; chunking by "
                         "size would not follow the weeks")
    ref_path, ana_path = folder / f"{domain}{seed}_ref.csv", folder / f"{domain}{seed}_ana.csv"
    ref.to_csv(ref_path, index=False)
    ana[["score", "label", "pred"]].to_csv(ana_path, index=False)
    view, our_s = ours(result)
    core, core_s, core_cpu = ours_like_for_like(result, t)
    out = subprocess.run([python, "-c", PEER_SCRIPT, str(ref_path), str(ana_path),
                          str(int(sizes.iloc[0]))], capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(f"NannyML failed on {domain} seed {seed}:\n{out.stderr[-2000:]}")
    peer = json.loads(out.stdout.strip().splitlines()[-1])
    row = {"domain": domain, "seed": seed, "reference": len(ref), "ours_s": core_s,
           "ours_cpu": core_cpu, "tab_s": our_s, "nannyml_s": peer["seconds"],
           "nannyml_cpu": peer["cpu"], "nannyml": peer["nannyml"]}
    for m in ("precision", "recall"):
        true = view[f"true_{m}"].to_numpy()
        mine = view[f"est_{m}"].to_numpy()
        same = core[f"est_{m}"].to_numpy()
        if not np.allclose(mine, same, equal_nan=True, rtol=0, atol=1e-9):
            raise SystemExit(f"{domain}: the like-for-like estimate of {m} differs from the "
                             "Monitor tab's")
        theirs = np.asarray(peer[m], dtype=float)
        if len(theirs) != len(true):
            raise SystemExit(f"{domain}: NannyML gave {len(theirs)} chunks for {len(true)} weeks")
        ok = np.isfinite(true) & np.isfinite(mine) & np.isfinite(theirs)
        row[f"{m}_weeks"] = int(ok.sum())
        row[f"{m}_mae_ours"] = float(np.mean(np.abs(mine[ok] - true[ok])))
        row[f"{m}_mae_nannyml"] = float(np.mean(np.abs(theirs[ok] - true[ok])))
        row[f"{m}_max_gap"] = float(np.max(np.abs(mine[ok] - theirs[ok])))
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--peer-python", help="a Python with nannyml installed")
    args = parser.parse_args()
    events, seeds = (5_000, 1) if args.quick else (20_000, 3)
    python = peer_python(args.peer_python)
    print(f"load average at start: {os.getloadavg()}")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for domain in DOMAINS:
            for seed in range(seeds):
                rows.append(world_rows(python, domain, seed, events, Path(tmp)))
    frame = pd.DataFrame(rows)
    print(f"NannyML {frame['nannyml'].iloc[0]}, {seeds} seed(s) per domain, 26 weeks of "
          f"{events:,} events, one threshold (t_high), no drift, no retraining\n")
    cols = ["domain", "seed", "reference", "precision_mae_ours", "precision_mae_nannyml",
            "recall_mae_ours", "recall_mae_nannyml", "precision_max_gap", "recall_max_gap",
            "ours_s", "nannyml_s", "ours_cpu", "nannyml_cpu", "tab_s"]
    print(frame[cols].round(4).to_string(index=False))
    print("\n*_s: wall seconds; *_cpu: CPU seconds of the process (what a shared machine's load "
          "inflates least)")
    print("ours_s: fit + weekly estimates with the sampling interval (CBPE's work); tab_s: the "
          "Monitor tab's whole build (adds a 20-refit calibration bootstrap and the realised "
          "views)")
    print("per domain (MAE: means over seeds; times and speed-ups: medians):")
    for domain, g in frame.groupby("domain", sort=False):
        speed = statistics.median(g["nannyml_s"] / g["ours_s"])
        cpu = statistics.median(g["nannyml_cpu"] / g["ours_cpu"])
        tab = statistics.median(g["nannyml_s"] / g["tab_s"])
        print(f"  {domain}: precision MAE ours {g['precision_mae_ours'].mean():.4f} vs NannyML "
              f"{g['precision_mae_nannyml'].mean():.4f}; recall MAE ours "
              f"{g['recall_mae_ours'].mean():.4f} vs {g['recall_mae_nannyml'].mean():.4f}; "
              f"time ours {g['ours_s'].median():.3f} s vs {g['nannyml_s'].median():.3f} s "
              f"({speed:.1f}x; in CPU seconds {cpu:.1f}x; the whole tab {g['tab_s'].median():.3f} s, "
              f"{tab:.1f}x)")
    print(f"load average at end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
