"""Server-side page timings, driven through Streamlit's AppTest (figures only, no pass/fail).

    python benchmarks/page_bench.py

For each domain page on defaults (20k events a week, 26 weeks): the first load (simulates),
a band move (answered from cached scores), and a scenario change (a new seed: simulates
again). Medians of several repetitions; targets are a band move under 300 ms and a scenario
change under 3 s.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "dashboard" / "app.py")
BANDS = [(0.05, 0.3), (0.1, 0.35), (0.12, 0.5), (0.06, 0.45), (0.09, 0.4), (0.07, 0.55),
         (0.11, 0.6), (0.04, 0.25)]


def timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def main() -> None:
    print(f"{'page':<16} {'first load':>11} {'band move':>10} {'scenario change':>16}")
    from simulations.domains import DOMAINS

    for domain in DOMAINS:
        at = AppTest.from_file(APP, default_timeout=300)
        at.switch_page(f"views/{domain}.py")
        first = timed(at.run)
        band = at.slider(key=f"{domain}_band")
        moves = [timed(lambda b=b, w=band: w.set_value(b).run()) for b in BANDS]
        seed = at.number_input(key=f"{domain}_seed")
        changes = [timed(lambda s=s, w=seed: w.set_value(s).run()) for s in (101, 102, 103)]
        assert not at.exception, at.exception
        print(f"{domain:<16} {first:>10.2f}s {statistics.median(moves) * 1e3:>8.0f}ms "
              f"{statistics.median(changes):>15.2f}s")


if __name__ == "__main__":
    main()
