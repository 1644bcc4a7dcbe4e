"""Server-side timings of the rehearsal, driven through Streamlit's AppTest (figures only).

    python benchmarks/rehearsal_bench.py [case names...]

Per case: opening the form (brief and the reveal's runs are simulated while the candidate
writes), then committing an answer with guardrails (the reveal). A reveal that must re-simulate
the best band (a case that learns from its own decisions) is timed in two parts: until the
reveal is on the page (everything but that run), and the run itself, whose row joins the table
afterwards with a progress bar. Print the load average next to the figures: the machine is shared.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from simulations.presets import load_preset  # noqa: E402

APP = str(Path(__file__).resolve().parent.parent / "dashboard" / "app.py")
CASES = ("fraud_adaptation", "containment", "fraud_sensitivity")


def time_the_best_band() -> dict[str, float]:
    """Seconds spent simulating the reveal's best band (a case that learns from its own
    decisions re-runs it), read by wrapping the seam's weekly view: the page draws the rest of
    the reveal before that run starts, so the reveal shows in (total - this)."""
    import dashboard.seam as seam

    spent = {"best": 0.0}
    original = seam._weekly

    def timed(scenario_json: str, _what: str = ""):
        t0 = time.perf_counter()
        try:
            return original(scenario_json, _what)
        finally:
            if _what == "the best band":
                spent["best"] += time.perf_counter() - t0

    seam._weekly = timed
    return spent


def main(names) -> None:
    print(f"load average {os.getloadavg()[0]:.1f}")
    spent = time_the_best_band()
    for name in names:
        preset = load_preset(name)
        at = AppTest.from_file(APP, default_timeout=600)
        at.query_params["rehearse_case"] = preset.title
        at.switch_page("views/rehearsal.py")
        t0 = time.perf_counter()
        at.run()
        form = time.perf_counter() - t0
        prefix = f"rehearse_{name}"
        at.text_input(key=f"{prefix}_min_recall").input("35")
        if preset.domain == "fraud":
            at.text_input(key=f"{prefix}_min_pass").input("99.3")
        at.number_input(key=f"{prefix}_max_review").set_value(350)
        spent["best"] = 0.0
        t0 = time.perf_counter()
        at.button[0].click().run()
        reveal = time.perf_counter() - t0
        best = spent["best"]
        assert not at.exception, at.exception
        t0 = time.perf_counter()
        at.run()  # a rubric tick or any rerun: all from the cache
        again = time.perf_counter() - t0
        print(f"{name:<20} form+brief {form:6.1f}s  reveal shown {reveal - best:6.1f}s  "
              f"best band's re-run {best:5.1f}s  rerun {again:5.1f}s  "
              f"load {os.getloadavg()[0]:.1f}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:] or CASES)
