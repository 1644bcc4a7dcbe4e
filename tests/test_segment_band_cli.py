"""``run --segment-band``: the events CSV follows each segment's band; bad bands exit 2."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from .test_cli import cli


def test_events_csv_action_follows_each_segments_band(tmp_path):
    events = tmp_path / "e.csv"
    out = cli("run", "--scenario", "triage", "--weeks", "2", "--t-low", "0.1", "--t-high",
              "0.4", "--segment-band", "child=0.02:0.2", "--segment-band",
              "older_adult=0.3:0.3", "--out", str(tmp_path / "w.csv"),
              "--events-out", str(events))
    assert out.returncode == 0, out.stderr
    e = pd.read_csv(events)
    bands = {"adult": (0.1, 0.4), "child": (0.02, 0.2), "older_adult": (0.3, 0.3)}
    for name, (lo, hi) in bands.items():
        seg = e[e["segment"] == name]
        expected = seg["score"].map(lambda s, lo=lo, hi=hi:
                                    "flag" if s >= hi else "pass" if s < lo else "review")
        assert (seg["action"] == expected).all(), name


def test_segment_bands_from_the_scenario_json_and_the_flag_agree(tmp_path):
    scenario = {"domain": "triage", "population": {"weeks": 2, "events_per_week": 2000},
                "policy": {"t_low": 0.1, "t_high": 0.4, "by_segment": {"child": [0.02, 0.2]}}}
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    assert cli("run", "--scenario", json.dumps(scenario), "--out", str(a)).returncode == 0
    del scenario["policy"]["by_segment"]
    out = cli("run", "--scenario", json.dumps(scenario), "--segment-band", "child=0.02:0.2",
              "--out", str(b))
    assert out.returncode == 0, out.stderr
    assert a.read_text() == b.read_text()


@pytest.mark.parametrize("band, words", [
    ("kid=0.1:0.2", "'kid' is not a triage segment"),
    ("child=0.5:0.2", "crossed"),
    ("child=0.2", "SEGMENT=T_LOW:T_HIGH"),
    ("child=0.1:1.2", "between 0 and 1"),
])
def test_bad_segment_band_exits_2_with_one_line(band, words):
    out = cli("run", "--scenario", "triage", "--weeks", "1", "--segment-band", band)
    assert out.returncode == 2
    assert words in out.stderr and len(out.stderr.strip().splitlines()) == 1
    assert "Traceback" not in out.stderr


def test_unknown_segment_in_scenario_json_exits_2():
    scenario = {"domain": "triage", "policy": {"by_segment": {"teen": [0.1, 0.2]}}}
    out = cli("run", "--scenario", json.dumps(scenario), "--weeks", "1")
    assert out.returncode == 2 and "'teen', which is not a triage segment" in out.stderr
