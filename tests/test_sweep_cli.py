"""``python -m simulations sweep`` to its contract: one row per world and week with the drawn
assumptions and the weekly contract columns, the per-week ranges, and bad input exiting 2 with
one line."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

from simulations.cli import main
from tests.test_cli import WEEKLY


def test_sweep_writes_one_row_per_world_and_week(tmp_path):
    out, summary = tmp_path / "worlds.csv", tmp_path / "summary.csv"
    done = subprocess.run(
        [sys.executable, "-m", "simulations", "sweep", "--scenario", "fraud", "--worlds", "3",
         "--weeks", "2", "--vary", "population.base_rate=0.005:0.02", "--vary",
         "feedback.label_delay=0:2", "--t-low", "0.2", "--t-high", "0.6", "--compare", "0.5,0.5",
         "--out", str(out), "--summary-out", str(summary)],
        capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    table = pd.read_csv(out)
    assert list(table.columns[:4]) == ["world", "policy", "population.base_rate",
                                       "feedback.label_delay"]
    assert set(WEEKLY) <= set(table.columns)
    assert len(table) == 3 * 2 * 2  # worlds x weeks x policies
    a = table[table["policy"] == "A"]
    assert sorted(a["world"].unique()) == [0, 1, 2]
    assert a["population.base_rate"].between(0.005, 0.02).all()
    assert set(a["feedback.label_delay"]) <= {0, 1, 2}
    # a world's assumptions are the same in every one of its rows, and for both bands
    assert (table.groupby("world")["population.base_rate"].nunique() == 1).all()
    b = table[table["policy"] == "B"]
    assert (b["review_demand"] == 0).all() and (a["review_demand"] > 0).any()
    assert (a["events"].to_numpy() == b["events"].to_numpy()).all()  # the same traffic
    s = pd.read_csv(summary)
    assert list(s.columns) == ["policy", "week", "metric", "median", "low", "high", "worlds"]
    cost = s[(s["policy"] == "A") & (s["metric"] == "cost_total")]
    by_week = a.groupby("week")["cost_total"]
    assert (cost["low"].to_numpy() >= by_week.min().to_numpy() - 1e-6).all()
    assert (cost["high"].to_numpy() <= by_week.max().to_numpy() + 1e-6).all()
    assert "worlds 3/3" in done.stderr
    assert "B " in done.stderr and "worlds" in done.stderr.splitlines()[-1]


@pytest.mark.parametrize("extra, message", [
    (["--vary", "population.base_rat=0.1:0.2"], "unknown field"),
    (["--vary", "population.base_rate=0.2:0.1"], "must not exceed high"),
    (["--vary", "review.reviewer_accuracy=0.2:0.9"], "allowed range is [0.5, 1]"),
    (["--vary", "population.base_rate"], "write FIELD=LOW:HIGH"),
    (["--vary", "population.base_rate=x:0.1"], "must be numbers"),
    (["--vary", "feedback.label_delay=0.5:2"], "whole number"),
    (["--worlds", "1"], "worlds = 1 is invalid"),
    (["--compare", "0.7,0.2"], "T_LOW <= T_HIGH"),
    (["--workers", "0"], "--workers 0"),
    (["--out", "/no/such/folder/x.csv"], "does not exist"),
])
def test_bad_input_exits_2_with_one_line(tmp_path, capsys, extra, message):
    argv = ["sweep", "--scenario", "fraud", "--worlds", "3", "--out", str(tmp_path / "o.csv"),
            *extra]
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not (tmp_path / "o.csv").exists()
