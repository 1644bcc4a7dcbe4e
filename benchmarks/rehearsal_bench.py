"""Server-side timings of the rehearsal, driven through Streamlit's AppTest (figures only).

    python benchmarks/rehearsal_bench.py [case names...]

Per case: opening the form (brief and the reveal's runs are simulated while the candidate
writes), then committing an answer with guardrails (the reveal). A reveal that must re-simulate
the best band (a case that learns from its own decisions) is timed twice: up to everything but
that run, and in full. Print the load average next to the figures: the machine is shared.
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


def main(names) -> None:
    print(f"load average {os.getloadavg()[0]:.1f}")
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
        t0 = time.perf_counter()
        at.button[0].click().run()
        reveal = time.perf_counter() - t0
        assert not at.exception, at.exception
        t0 = time.perf_counter()
        at.run()  # a rubric tick or any rerun: all from the cache
        again = time.perf_counter() - t0
        print(f"{name:<20} form+brief {form:6.1f}s  reveal {reveal:6.1f}s  rerun {again:5.1f}s  "
              f"load {os.getloadavg()[0]:.1f}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:] or CASES)
