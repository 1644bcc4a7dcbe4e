"""Every bad option of every command (list, run, analyze) exits 2 with one line on stderr that
names the option, and no traceback; the text the CLI prints says "undefined", never "0.0%"."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from simulations.cli import main

SAMPLE = str(Path(__file__).parents[1] / "data" / "samples" / "breast_cancer_scores.csv")
ANALYZE = ["analyze", "--input", SAMPLE]

# (arguments, a phrase the one line must contain)
BAD = [
    (["list", "--weeks", "3"], "unrecognized arguments"),
    (["list", "extra"], "unrecognized arguments"),
    (["run"], "--scenario"),
    (["run", "--scenario"], "--scenario"),
    (["run", "--scenario", "fraud", "--weeks", "0"], "population.weeks"),
    (["run", "--scenario", "fraud", "--weeks", "-3"], "population.weeks"),
    (["run", "--scenario", "fraud", "--weeks", "2.5"], "--weeks"),
    (["run", "--scenario", "fraud", "--seed", "abc"], "--seed"),
    (["run", "--scenario", "fraud", "--seed", "-1"], "seed"),
    (["run", "--scenario", "fraud", "--t-low", "0.9", "--t-high", "0.2"], "policy.t_low"),
    (["run", "--scenario", "fraud", "--t-low", "x"], "--t-low"),
    (["run", "--scenario", "fraud", "--t-low", "nan"], "--t-low"),
    (["run", "--scenario", "fraud", "--t-high", "1.5"], "t_high"),
    (["run", "--scenario", "fraud", "--t-high", "-0.1"], "t_"),
    (["run", "--scenario", "fraud", "--review-capacity", "-1"], "review.capacity"),
    (["run", "--scenario", "fraud", "--review-capacity", "many"], "--review-capacity"),
    (["run", "--scenario", "fraud", "--out", "/no/such/folder/w.csv"], "does not exist"),
    (["run", "--scenario", "fraud", "--events-out", "/no/such/folder/e.csv"], "does not exist"),
    (["run", "--scenario", "fraud", "--out", "/tmp"], "is a folder"),
    (["run", "--scenario", "fraud", "--colour", "red"], "unrecognized arguments"),
    (["analyze"], "--input"),
    (ANALYZE[:-1], "--input"),
    (["analyze", "--input", "no_such_file.csv"], "no_such_file.csv"),
    ([*ANALYZE, "--t-low", "0.8", "--t-high", "0.2"], "--t-low"),
    ([*ANALYZE, "--t-low", "-0.1"], "--t-low"),
    ([*ANALYZE, "--t-high", "1.01"], "--t-high"),
    ([*ANALYZE, "--t-high", "nan"], "--t-high"),
    ([*ANALYZE, "--t-low", "abc"], "--t-low"),
    ([*ANALYZE, "--cost-fn", "-1"], "cost_fn"),
    ([*ANALYZE, "--cost-fn", "nan"], "--cost-fn"),
    ([*ANALYZE, "--cost-fp", "-0.5"], "cost_fp"),
    ([*ANALYZE, "--cost-fp", "inf"], "--cost-fp"),
    ([*ANALYZE, "--cost-review", "-2"], "cost_review"),
    ([*ANALYZE, "--fn-share-of-value", "-1"], "fn_share_of_value"),
    ([*ANALYZE, "--review-capacity", "-5"], "capacity"),
    ([*ANALYZE, "--review-capacity", "1.5"], "--review-capacity"),
    ([*ANALYZE, "--overflow", "drop"], "--overflow"),
    ([*ANALYZE, "--reviewer-accuracy", "1.2"], "--reviewer-accuracy"),
    ([*ANALYZE, "--reviewer-accuracy", "-0.2"], "--reviewer-accuracy"),
    ([*ANALYZE, "--min-precision", "1.5"], "--min-precision"),
    ([*ANALYZE, "--min-recall", "-0.1"], "--min-recall"),
    ([*ANALYZE, "--min-pass-rate", "2"], "--min-pass-rate"),
    ([*ANALYZE, "--max-review", "-1"], "--max-review"),
    ([*ANALYZE, "--max-review", "nan"], "--max-review"),
    ([*ANALYZE, "--score-transform", "log"], "--score-transform"),
    ([*ANALYZE, "--score-col", "nope"], "nope"),
    ([*ANALYZE, "--label-col", "nope"], "nope"),
    ([*ANALYZE, "--time-col", "nope"], "nope"),
    ([*ANALYZE, "--segment-col", "nope"], "nope"),
    ([*ANALYZE, "--value-col", "nope"], "nope"),
    ([*ANALYZE, "--out", "/no/such/folder/x.csv"], "does not exist"),
    ([*ANALYZE, "--colour", "red"], "unrecognized arguments"),
]


@pytest.mark.parametrize(("args", "needle"), BAD, ids=[" ".join(a[:1] + a[3:] if a[:1] == [
    "analyze"] else a) for a, _ in BAD])
def test_every_bad_option_exits_2_with_one_line(args, needle, capsys):
    code = main(args)  # an uncaught exception (a traceback) fails the test by itself
    err = capsys.readouterr().err
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert needle in lines[0]


@pytest.mark.parametrize("args", [
    ["analyze", "--input", SAMPLE, "--cost-fn", "-1"],
    ["analyze", "--input", SAMPLE, "--t-low", "0.8", "--t-high", "0.2"],
    ["run", "--scenario", "fraud", "--seed", "-1"],
])
def test_the_installed_command_exits_2_without_a_traceback(args):
    out = subprocess.run([sys.executable, "-m", "simulations", *args], capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 2
    assert len(out.stderr.strip().splitlines()) == 1 and "Traceback" not in out.stderr
    assert out.stdout == ""


def test_analyze_prints_undefined_when_nothing_is_flagged(tmp_path, capsys):
    path = tmp_path / "s.csv"
    path.write_text("score,label\n0.2,0\n0.4,1\n0.6,0\n0.9,1\n")
    # t_high = 1 flags nothing (every score is below 1): precision has no denominator
    assert main(["analyze", "--input", str(path), "--t-low", "1", "--t-high", "1"]) == 0
    out = capsys.readouterr().out
    rows = {x.split()[0]: x.split()[-1] for x in out.splitlines() if x.startswith("  ")}
    assert rows["precision"] == "undefined"
    assert rows["recall"] == "0.0%"  # a real zero stays a zero
    assert rows["pass"] == "100.0%"


def test_run_summarises_the_total_cost_in_the_products_money_format(tmp_path, capsys):
    out = tmp_path / "weekly.csv"
    assert main(["run", "--scenario", "fraud", "--weeks", "3", "--out", str(out)]) == 0
    err = capsys.readouterr().err.strip().splitlines()[-1]
    total = pd.read_csv(out)["cost_total"].sum()
    assert f"total cost ${round(total):,}," in err, err  # "$245,847", not "245,847 $"
