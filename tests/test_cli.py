"""The command-line contract: list, run, CSV columns, and bad input exiting 2 in one line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

WEEKLY = ["week", "events", "positives", "flagged", "passed", "review_demand", "reviewed",
          "review_overflow", "tp", "fp", "tn", "fn", "precision", "recall", "pass_rate",
          "cost_fn", "cost_fp", "cost_review", "cost_total", "auc", "score_psi", "retrained"]
EVENTS = ["week", "score", "label", "action", "reviewed", "final", "value", "segment"]


def cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "simulations", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=300)


def test_list_names_domains():
    out = cli("list")
    assert out.returncode == 0
    for name in ("fraud", "triage", "recommendation"):
        assert name in out.stdout


def test_run_writes_the_contract_columns(tmp_path):
    weekly, events = tmp_path / "w.csv", tmp_path / "e.csv"
    out = cli("run", "--scenario", "triage", "--weeks", "3", "--seed", "4", "--t-low", "0.1",
              "--t-high", "0.6", "--review-capacity", "300", "--out", str(weekly),
              "--events-out", str(events))
    assert out.returncode == 0, out.stderr
    w = pd.read_csv(weekly)
    e = pd.read_csv(events)
    assert set(WEEKLY) <= set(w.columns) and set(EVENTS) <= set(e.columns)
    assert len(w) == 3 and w["events"].sum() == len(e)
    assert (w["reviewed"] <= 300).all()
    assert set(e["action"]) <= {"pass", "review", "flag"}
    assert ((e["action"] == "flag") == (e["score"] >= 0.6)).all()


def test_run_without_out_prints_csv_and_undefined_ratios_are_empty(tmp_path):
    out = cli("run", "--scenario", "fraud", "--weeks", "2", "--t-low", "1", "--t-high", "1")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    header = lines[0].split(",")
    precision_at = header.index("precision")
    assert all(line.split(",")[precision_at] == "" for line in lines[1:])  # nothing flagged


def test_run_from_a_json_file(tmp_path):
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"domain": "recommendation",
                                "population": {"weeks": 2, "events_per_week": 1000}}))
    out = cli("run", "--scenario", str(path))
    assert out.returncode == 0, out.stderr
    assert len(out.stdout.strip().splitlines()) == 3


@pytest.mark.parametrize(("args", "needle"), [
    (["run", "--scenario", "fraud", "--weeks", "0"], "population.weeks"),
    (["run", "--scenario", "fraud", "--t-low", "0.9", "--t-high", "0.2"], "policy.t_low"),
    (["run", "--scenario", "fraud", "--review-capacity", "-1"], "review.capacity"),
    (["run", "--scenario", "fraud", "--weeks", "many"], "--weeks"),
    (["run", "--scenario", "atlantis"], "unknown scenario"),
    (["run", "--scenario", "missing.json"], "does not exist"),
    (["run"], "--scenario"),
    (["fly"], "invalid choice"),
    (["run", "--scenario", "fraud", "--out", "/no/such/folder/w.csv"], "does not exist"),
    (["run", "--scenario", '{"domain": "fraud", "policy": {"t_mid": 1}}'], "t_mid"),
])
def test_bad_arguments_exit_2_with_one_line(args, needle):
    out = cli(*args)
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    assert needle in lines[0]
    assert "Traceback" not in out.stderr


def test_bad_scenario_file_exits_2(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{\"domain\": \"fraud\", ")
    out = cli("run", "--scenario", str(bad))
    assert out.returncode == 2 and "not valid JSON" in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1


def test_the_assistant_world_keeps_the_contract(tmp_path):
    weekly, events = tmp_path / "w.csv", tmp_path / "e.csv"
    scenario = json.dumps({"domain": "assistant", "population": {"events_per_week": 2000},
                           "world": {"temperature": 1.1, "answer_cache": True}})
    out = cli("run", "--scenario", scenario, "--weeks", "2", "--out", str(weekly),
              "--events-out", str(events))
    assert out.returncode == 0, out.stderr
    w, e = pd.read_csv(weekly), pd.read_csv(events)
    assert set(WEEKLY) <= set(w.columns) and set(EVENTS) <= set(e.columns)
    assert {"question_drift_cosine", "answer_consistency", "wrong_answer_rate"} <= set(w.columns)
    assert (w["answer_consistency"] == 1.0).all()  # the cache is on
    assert set(e["segment"]) <= {"plain", "code_switching", "emoji_heavy"}
    assert "assistant" in cli("list").stdout


@pytest.mark.parametrize(("world", "needle"), [
    ('{"temperature": -1}', "world.temperature"),
    ('{"answer_cache": 1}', "world.answer_cache"),
    ('{"seed": 1}', "unknown key 'seed' in world"),
])
def test_bad_assistant_knobs_exit_2_with_one_line(world, needle):
    out = cli("run", "--scenario", f'{{"domain": "assistant", "world": {world}}}')
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0], out.stderr


SAMPLE = "data/samples/breast_cancer_scores.csv"


@pytest.mark.parametrize(("args", "needle"), [
    (["run", "--scenario", '{"domain": ["fraud"]}'], "domain = ['fraud'] is invalid"),
    (["run", "--scenario", '{"domain": {"name": "fraud"}}'], "domain = {'name': 'fraud'}"),
    (["run", "--scenario", '{"domain": "fraud", "model": {"kind": ["x"]}}'], "model.kind"),
    (["run", "--scenario", '{"domain": "fraud", "population": []}'], "population"),
    (["run", "--scenario", '{"domain": "fraud", "drift": {"kind": 1}}'], "drift"),
    (["run", "--scenario", "fraud", "--seed", "9" * 5000], "5,000 characters"),
    (["run", "--scenario", "fraud", "--review-capacity", "9223372036854775808"],
     "review.capacity"),
    (["run", "--scenario", "fraud", "--t-low", "nan"], "not a finite number"),
    (["run", "--scenario", "fraud", "--events-out", "-"], "--out FILE"),
    (["run", "--scenario", "fraud", "--out", "/proc/version"], "cannot write '/proc/version'"),
    (["run", "--scenario", "/tmp"], "is a folder"),
    (["run", "--scenario", '{"domain": "fraud", "costs": {"fn_fixed": 1e308}}'],
     "costs.fn_fixed"),
    (["analyze", "--input", SAMPLE, "--review-capacity", "9223372036854775808"],
     "capacity"),
    (["analyze", "--input", SAMPLE, "--cost-fn", "1e308"], "cost_fn"),
    (["analyze", "--input", SAMPLE, "--cost-fp", "1e400"], "not a finite number"),
])
def test_wrong_types_and_out_of_range_values_exit_2_with_one_short_line(args, needle):
    out = cli(*args)
    assert out.returncode == 2, out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in out.stderr, out.stderr[-2000:]
    assert needle in lines[0] and len(lines[0]) < 400
    assert "simulating" not in out.stderr  # refused before any run


def test_a_deeply_nested_scenario_file_exits_2(tmp_path):
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    out = cli("run", "--scenario", str(deep))
    assert out.returncode == 2 and "nested too deeply" in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1


def test_a_scenario_file_with_a_byte_order_mark_is_accepted(tmp_path):
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(
        {"domain": "fraud", "population": {"weeks": 2, "events_per_week": 1000}}).encode())
    out = cli("run", "--scenario", str(path), "--out", str(tmp_path / "w.csv"))
    assert out.returncode == 0, out.stderr
    assert len(pd.read_csv(tmp_path / "w.csv")) == 2


SMALL_FRAUD = json.dumps({"domain": "fraud", "population": {"weeks": 2, "events_per_week": 3000}})


def test_same_seed_writes_the_same_bytes(tmp_path):
    files = []
    for k in range(2):
        weekly, events = tmp_path / f"w{k}.csv", tmp_path / f"e{k}.csv"
        out = cli("run", "--scenario", SMALL_FRAUD, "--seed", "11",
                  "--t-low", "0.05", "--t-high", "0.3", "--review-capacity", "50",
                  "--out", str(weekly), "--events-out", str(events))
        assert out.returncode == 0, out.stderr
        files.append((weekly.read_bytes(), events.read_bytes()))
    assert files[0] == files[1]
    other = tmp_path / "other.csv"
    assert cli("run", "--scenario", SMALL_FRAUD, "--seed", "12",
               "--out", str(other)).returncode == 0
    assert other.read_bytes() != files[0][0]


def test_analyze_writes_the_same_bytes_every_time(tmp_path):
    sample = Path(__file__).parents[1] / "data" / "samples" / "breast_cancer_scores.csv"
    written = []
    for k in range(2):
        path = tmp_path / f"a{k}.csv"
        out = cli("analyze", "--input", str(sample), "--time-col", "week", "--t-low", "0.2",
                  "--t-high", "0.8", "--reviewer-accuracy", "0.9", "--review-capacity", "5",
                  "--out", str(path))
        assert out.returncode == 0, out.stderr
        written.append((path.read_bytes(), out.stdout))
    assert written[0] == written[1]
