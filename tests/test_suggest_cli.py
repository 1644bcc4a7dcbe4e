"""``suggest``: its JSON contract, and ``run --segment-band`` with the bands it returns
reproducing the per-segment figures it reported."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from .test_cli import cli

SCENARIO = json.dumps({"domain": "triage", "population": {"weeks": 3, "events_per_week": 3000}})


@pytest.mark.parametrize("strategy", ["equal_recall", "equal_pass_rate"])
def test_run_with_the_suggested_bands_reproduces_its_figures(tmp_path, strategy):
    out = tmp_path / "s.json"
    r = cli("suggest", "--scenario", SCENARIO, "--fairness", strategy, "--tolerance", "0.03",
            "--out", str(out))
    assert r.returncode == 0, r.stderr
    s = json.loads(out.read_text())
    for key in ("strategy", "feasible", "bands", "cost_total", "price", "gap", "segments",
                "four_fifths_ratio", "four_fifths_note"):
        assert key in s
    assert s["feasible"] and s["gap"] <= 0.03 + 1e-12
    assert s["price"]["vs_per_segment"] >= 0
    bands = [f"--segment-band={k}={lo}:{hi}" for k, (lo, hi) in s["bands"].items()]
    weekly, events = tmp_path / "w.csv", tmp_path / "e.csv"
    r = cli("run", "--scenario", SCENARIO, *bands, "--out", str(weekly),
            "--events-out", str(events))
    assert r.returncode == 0, r.stderr
    assert pd.read_csv(weekly)["cost_total"].sum() == pytest.approx(s["cost_total"])
    e = pd.read_csv(events)
    for name, m in s["segments"].items():
        seg = e[e["segment"] == name]
        y, f = seg["label"] == 1, seg["final"] == "flag"
        assert m["recall"] == pytest.approx((y & f).sum() / y.sum())
        assert m["precision"] == pytest.approx((y & f).sum() / f.sum())
        assert m["pass_rate"] == pytest.approx(1 - f.mean())
        assert m["fpr"] == pytest.approx((~y & f).sum() / (~y).sum())
        assert m["reviews"] == pytest.approx(seg["reviewed"].mean())
    rates = [m["pass_rate"] for m in s["segments"].values()]
    assert s["four_fifths_ratio"] == pytest.approx(min(rates) / max(rates))
    assert np.isfinite(s["cost_total"])


@pytest.mark.parametrize("args, words", [
    (["--fairness", "fairest"], "choose one of single, per_segment"),
    (["--tolerance", "2"], "--tolerance = 2 is invalid"),
    (["--min-recall", "-0.1"], "--min-recall"),
    (["--scenario", "nowhere.json"], "does not exist"),
])
def test_bad_suggest_input_exits_2_with_one_line(args, words):
    base = ["--scenario", "triage"] if "--scenario" not in args else []
    r = cli("suggest", *base, *args)
    assert r.returncode == 2
    assert words in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_suggest_refuses_a_scenario_whose_labels_depend_on_the_bands():
    scenario = json.dumps({"domain": "fraud", "feedback": {"mode": "selective"},
                           "retrain": {"trigger": "every"}})
    r = cli("suggest", "--scenario", scenario)
    assert r.returncode == 2 and "fixed scores" in r.stderr


def test_analyze_fairness_on_a_teams_own_scores(tmp_path):
    sample = Path(__file__).resolve().parent.parent / "data" / "samples" / \
        "breast_cancer_scores.csv"
    out = tmp_path / "f.json"
    r = cli("analyze", "--input", str(sample), "--segment-col", "segment", "--fairness",
            "equal_recall", "--tolerance", "0.05", "--fairness-out", str(out))
    assert r.returncode == 0, r.stderr
    s = json.loads(out.read_text())
    assert s["feasible"] and s["gap"] <= 0.05 + 1e-12 and s["price"]["vs_per_segment"] >= 0
    # unlimited review and perfect reviewers (analyze's defaults): a reviewed row ends at its
    # true label, so each segment's recall follows from its band alone
    rows = pd.read_csv(sample)
    for name, (lo, hi) in s["bands"].items():
        seg = rows[rows["segment"] == name]
        flagged = (seg["score"] >= hi) | ((seg["score"] >= lo) & (seg["label"] == 1))
        recall = (flagged & (seg["label"] == 1)).sum() / (seg["label"] == 1).sum()
        assert s["segments"][name]["recall"] == pytest.approx(recall)


def test_analyze_fairness_without_a_segment_column_exits_2(tmp_path):
    f = tmp_path / "s.csv"
    f.write_text("score,label\n0.1,0\n0.9,1\n0.4,0\n0.7,1\n")
    r = cli("analyze", "--input", str(f), "--fairness", "equal_recall")
    assert r.returncode == 2 and "--segment-col" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
