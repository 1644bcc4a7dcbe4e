"""``python -m simulations label-plan`` to its contract: one row per strategy and budget point
with the contract's columns, the same seed giving the same bytes, progress on stderr, and bad
input exiting 2 with one line."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from simulations.cli import main

COLUMNS = ["strategy", "budget", "labels", "label_error", "auc", "cost_total", "cost_low",
           "cost_high"]
SMALL = json.dumps({"domain": "fraud", "population": {"events_per_week": 500,
                                                       "reference_weeks": 2,
                                                       "base_rate": 0.05},
                    "review": {"reviewer_accuracy": 0.85}})


def test_label_plan_writes_one_row_per_strategy_and_budget_point(tmp_path):
    out = tmp_path / "plan.csv"
    done = subprocess.run(
        [sys.executable, "-m", "simulations", "label-plan", "--scenario", SMALL, "--budget",
         "300", "--steps", "3", "--worlds", "2", "--seed", "7", "--out", str(out)],
        capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    plan = pd.read_csv(out)
    assert list(plan.columns) == COLUMNS
    assert list(plan["strategy"]) == [s for s in ("more_labels", "double_labels",
                                                  "uncertainty", "clean") for _ in range(3)]
    assert list(plan["budget"]) == [0.0, 150.0, 300.0] * 4
    more = plan[plan["strategy"] == "more_labels"]
    assert list(more["labels"]) == [0, 50, 100]  # the fraud review costs $3
    assert (plan["cost_low"] <= plan["cost_total"]).all()
    assert (plan["cost_total"] <= plan["cost_high"]).all()
    zero = plan[plan["budget"] == 0]  # every strategy starts from the same baseline model
    assert zero[["label_error", "auc", "cost_total"]].nunique().eq(1).all()
    assert "worlds 2/2" in done.stderr
    assert "gives the cheapest next model" in done.stderr.splitlines()[-1]


def test_the_same_seed_writes_the_same_bytes(tmp_path, capsys):
    paths = [tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / "c.csv"]
    for path, seed in zip(paths, ("3", "3", "4"), strict=True):
        assert main(["label-plan", "--scenario", SMALL, "--budget", "120", "--steps", "2",
                     "--worlds", "2", "--strategies", "more_labels,clean", "--seed", seed,
                     "--out", str(path)]) == 0
    assert paths[0].read_bytes() == paths[1].read_bytes()
    assert paths[0].read_bytes() != paths[2].read_bytes()
    plan = pd.read_csv(paths[0])
    assert list(plan["strategy"]) == ["more_labels", "more_labels", "clean", "clean"]
    assert np.isfinite(plan["auc"]).all()


@pytest.mark.parametrize("extra, message", [
    (["--strategies", "more_labels,relabel"], "unknown strategy 'relabel'"),
    (["--budget", "-5"], "budget -5.0: give a number of at least 0"),
    (["--budget", "lots"], "'lots' is not a number"),
    (["--budget", "nan"], "not a finite number"),
    (["--steps", "1"], "give 2 to 50 budget points"),
    (["--worlds", "0"], "give 1 to 1000"),
    (["--workers", "0"], "--workers 0"),
    (["--scenario", "no_such_world"], "unknown scenario 'no_such_world'"),
    (["--scenario", "{\"domain\": \"fraud\", \"population\": {\"weeks\": -1}}"],
     "population.weeks"),
    (["--out", "/no/such/folder/plan.csv"], "does not exist"),
    (["--budget", "1e12"], "give a budget of at most"),
])
def test_bad_input_exits_2_with_one_line(extra, message, capsys):
    args = ["label-plan", "--scenario", SMALL, "--budget", "30", "--worlds", "2",
            "--out", "plan_never_written.csv"]
    for flag, value in zip(extra[::2], extra[1::2], strict=True):
        if flag in args:
            args[args.index(flag) + 1] = value
        else:
            args += [flag, value]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ")
    assert message in err, err
