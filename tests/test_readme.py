"""The README's walkthrough figures are what the code prints: its analyze command is run as
written and every figure the README quotes for it is found in the output."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from dashboard.controls import slider_thresholds
from simulations.own_scores.analysis import Analysis, Setup
from simulations.own_scores.read import guess_columns, prepare, read_table
from simulations.policy.guardrails import Guardrails

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _walkthrough_command() -> tuple[list[str], str]:
    """The analyze command in the README's bash block, and the paragraph that follows it."""
    m = re.search(r"```bash\n(\.venv/bin/python -m simulations analyze [^`]*?)```\n\n(.*?)\n\n",
                  README, re.S)
    assert m, "the README no longer shows the analyze walkthrough command"
    return shlex.split(m.group(1).replace("\\\n", " ")), m.group(2)


def test_the_readme_analyze_command_prints_the_figures_the_readme_quotes(tmp_path):
    argv, paragraph = _walkthrough_command()
    argv = [sys.executable if a == ".venv/bin/python" else a for a in argv]
    argv = [str(ROOT / a) if a.startswith("data/") else a for a in argv]
    argv = [str(tmp_path / a) if a.endswith(".csv") and "/" not in a else a for a in argv]
    out = subprocess.run(argv, capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    quoted = [code for code in paragraph.split("`")[1::2] if re.search(r"\d", code)]
    assert len(quoted) >= 5
    for text in quoted:
        assert text in out.stdout, f"README quotes {text!r}; the command prints:\n{out.stdout}"


def test_the_readme_page_walkthrough_figures():
    # step 4 of the walkthrough: the page's band slider and its Suggest tab (slider grid)
    frame = read_table(ROOT / "data" / "samples" / "breast_cancer_scores.csv")
    data = prepare(frame, {**guess_columns(frame), "segment": "segment", "time": "week"})
    analysis = Analysis(data, Setup())
    single, band = analysis.totals(0.5, 0.5), analysis.totals(0.2, 0.8)
    assert "misses 16 of the 212 malignancies (recall 92.5%)" in README
    assert (single["fn"], single["positives"], f"{single['recall']:.1%}") == (16, 212, "92.5%")
    assert "a review band from 0.2 to 0.8 misses 3 (98.6%) for about 7" in README
    assert (band["fn"], f"{band['recall']:.1%}", round(band["review_demand_per_week"])) == (
        3, "98.6%", 7)
    s = analysis.suggest(Guardrails(min_recall=0.99), slider_thresholds(), frontier_points=0)
    m = s.metrics
    text = (f"finds the band {s.policy[0]:.3f}-{s.policy[1]:.3f}: recall {m['recall']:.1%},\n"
            f"   about {m['review_demand_per_week']:.0f} reviews a week, cost "
            f"{m['cost_total']:g} against {band['cost_total']:g} for the 0.2-0.8 band")
    assert text in README
    assert m["cost_total"] == pytest.approx(41.0)
