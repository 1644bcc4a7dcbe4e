"""Speed and memory of the simulator, printed as figures (no pass/fail: machines are noisy).

    python benchmarks/engine_bench.py            # everything (about two minutes on 2 cores)
    python benchmarks/engine_bench.py --quick    # smaller sizes, for a smoke test

Prints, per domain: wall time, CPU time (``time.process_time``: what the run costs the machine,
which other people's load inflates far less than the wall time) and peak memory (max RSS of a
fresh process) of a default run and of a 1,000,000-event run over 26 weeks, each the median
of ``--repeat`` fresh processes; the time to re-answer a band change for all 26
weeks of the 1M-event run from its cached, sorted scores, next to scikit-learn's
confusion_matrix + precision_score + recall_score on the same weekly slices (and the ratio);
and the time of weekly drift monitoring (PSI, KL, JS of 10 numeric features and the score,
26 weeks of 50k events against a 50k reference) next to a plain numpy loop doing the same.
Timings are medians of repeated runs.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np

WEEKS = 26


def median_seconds(fn, repeat: int) -> float:
    """Median wall time of ``repeat`` calls of ``fn`` (the other benchmarks use it too)."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def one_run(domain: str, events_per_week: int) -> dict:
    """Runs in a child process so that its peak RSS is its own."""
    import resource

    from simulations import default_scenario, run

    scenario = default_scenario(domain).with_changes(
        population={"events_per_week": events_per_week, "weeks": WEEKS})
    t0, cpu0 = time.perf_counter(), time.process_time()
    run(scenario)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": seconds, "cpu_seconds": cpu, "peak_mb": peak_mb}


def _child(domain: str, events_per_week: int, repeat: int = 1) -> dict:
    """Medians over ``repeat`` fresh processes of ``one_run``'s figures."""
    runs = []
    for _ in range(repeat):
        out = subprocess.run([sys.executable, __file__, "--child", domain, str(events_per_week)],
                             capture_output=True, text=True, check=True)
        runs.append(json.loads(out.stdout))
    return {k: statistics.median(r[k] for r in runs) for k in runs[0]}


def band_requery(domain: str, events_per_week: int) -> dict:
    from sklearn.metrics import confusion_matrix, precision_score, recall_score

    from simulations import default_scenario, run

    scenario = default_scenario(domain).with_changes(
        population={"events_per_week": events_per_week, "weeks": WEEKS})
    result = run(scenario)
    table, review, costs = result.table, scenario.review, scenario.costs
    rng = np.random.default_rng(0)
    bands = np.sort(rng.uniform(0, 1, (200, 2)), axis=1)
    it = iter(np.tile(bands, (50, 1)))

    def ours():
        t_low, t_high = next(it)
        table.query(t_low, t_high, review.capacity, review.overflow_action, costs.review)

    ours_s = median_seconds(ours, 200)
    week = result.arrays["week"]
    label = result.arrays["label"]
    score = result.arrays["score"]
    slices = [np.flatnonzero(week == w) for w in range(1, WEEKS + 1)]

    def sklearn_way():
        t = 0.3
        for idx in slices:
            pred = score[idx] >= t
            confusion_matrix(label[idx], pred, labels=[0, 1])
            precision_score(label[idx], pred, zero_division=np.nan)
            recall_score(label[idx], pred, zero_division=np.nan)

    sk_s = median_seconds(sklearn_way, 5)
    sort_s = median_seconds(lambda: result.table.build(
        week, score, label, np.zeros(len(week)), np.zeros(len(week)), np.ones(len(week), bool)), 3)
    return {"ours_ms": ours_s * 1e3, "sklearn_ms": sk_s * 1e3, "ratio": sk_s / ours_s,
            "sort_ms": sort_s * 1e3, "events": len(week)}


def drift_monitoring(per_week: int) -> dict:
    from simulations.monitoring.drift import DriftReference, kl_from_counts, psi_from_counts

    rng = np.random.default_rng(1)
    n_features = 11  # 10 numeric features and the score
    reference = rng.normal(size=(per_week, n_features))
    # columnar, as a DataFrame or Arrow table holds its columns
    weeks = np.asfortranarray(rng.normal(0.05, 1.0, size=(WEEKS * per_week, n_features)))
    group = np.repeat(np.arange(WEEKS), per_week)
    names = tuple(f"f{j}" for j in range(n_features))

    def ours():
        ref = DriftReference.build(reference, names)
        ref.measure(weeks, None, group, WEEKS)

    def numpy_loop():
        for j in range(n_features):
            edges = np.quantile(reference[:, j], np.arange(1, 10) / 10)
            full = np.r_[-np.inf, edges, np.inf]
            q, _ = np.histogram(reference[:, j], full)
            for w in range(WEEKS):
                p, _ = np.histogram(weeks[w * per_week:(w + 1) * per_week, j], full)
                psi_from_counts(q, p)
                kl_from_counts(q, p)
                pp, qq = (p + 0.5) / (p + 0.5).sum(), (q + 0.5) / (q + 0.5).sum()
                m = (pp + qq) / 2
                0.5 * np.sum(pp * np.log(pp / m)) + 0.5 * np.sum(qq * np.log(qq / m))

    return {"ours_ms": median_seconds(ours, 5) * 1e3,
            "numpy_loop_ms": median_seconds(numpy_loop, 3) * 1e3}


def n_total(per_week: int) -> str:
    """The run's size in words: 26 weeks of ``per_week`` events ("1M", "104k")."""
    total = per_week * WEEKS
    return f"{total / 1e6:.0f}M" if total >= 999_000 else f"{total // 1000}k"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (smoke test)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="fresh processes per run size (medians are printed; default 3)")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(one_run(args.child[0], int(args.child[1]))))
        return
    default_n = 2_000 if args.quick else 20_000
    million_n = 4_000 if args.quick else round(1_000_000 / WEEKS)
    drift_n = 5_000 if args.quick else 50_000
    from simulations.domains import DOMAINS

    if args.repeat < 1:
        parser.error(f"--repeat must be at least 1, not {args.repeat}")
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
          f"medians of {args.repeat} fresh processes")
    print(f"{'domain':<15} {'run':<22} {'wall s':>8} {'CPU s':>8} {'peak MB':>8}")
    for domain in DOMAINS:
        for label, n in ((f"default ({default_n // 1000}k/week)", default_n),
                         (f"{n_total(million_n)} events", million_n)):
            r = _child(domain, n, args.repeat)
            print(f"{domain:<15} {label:<22} {r['seconds']:>8.2f} {r['cpu_seconds']:>8.2f} "
                  f"{r['peak_mb']:>8.0f}")
    print()
    print("band change, all 26 weeks, from cached sorted scores (median):")
    for domain in DOMAINS:
        r = band_requery(domain, million_n)
        print(f"  {domain:<15} {r['events']:>9,} events: ours {r['ours_ms']:.3f} ms, "
              f"scikit-learn {r['sklearn_ms']:.1f} ms, ratio {r['ratio']:,.0f}x "
              f"(one-off sort {r['sort_ms']:.0f} ms)")
    print()
    r = drift_monitoring(drift_n)
    print(f"drift monitoring, PSI+KL+JS, 11 columns x {WEEKS} weeks x {drift_n:,} events: "
          f"ours {r['ours_ms']:.0f} ms, plain numpy loop {r['numpy_loop_ms']:.0f} ms "
          f"({r['numpy_loop_ms'] / r['ours_ms']:.1f}x)")


if __name__ == "__main__":
    main()
