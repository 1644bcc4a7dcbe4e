"""Every named scenario loads, validates, runs, and its expected finding actually happens."""

from __future__ import annotations

import json

import numpy as np
import pytest

from simulations import run
from simulations.experiments import contaminated_ab_test
from simulations.presets import Preset, all_presets, load_preset, preset_names
from simulations.report import cheapest_threshold, cost_curve, horizon_totals, segment_table
from simulations.scenario import ScenarioError

REQUIRED = {"fraud_sensitivity", "fraud_adaptation", "triage_precision_floor",
            "variant_outbreak", "cohort_erosion", "containment", "contaminated_ab_test"}


def test_all_seven_stories_are_there_and_validate():
    assert REQUIRED <= set(preset_names())
    for preset in all_presets():
        assert preset.title and preset.story and preset.question and preset.expected_finding
        assert preset.look_at and preset.facilitator_notes
        assert preset.steps, preset.name
        for step in preset.steps:
            step.scenario(preset.scenario)  # every step is a valid scenario


def test_a_broken_preset_gets_a_readable_error(tmp_path):
    (tmp_path / "bad.json").write_text(json.dumps({"title": "x", "scenario": {"domain": "fraud"}}))
    with pytest.raises(ScenarioError, match="missing story"):
        load_preset("bad", tmp_path)
    with pytest.raises(ScenarioError, match="unknown preset 'nope'"):
        load_preset("nope", tmp_path)
    data = {k: "x" for k in ("title", "story", "question", "look_at", "facilitator_notes",
                             "expected_finding")}
    data["scenario"] = {"domain": "fraud", "policy": {"t_low": 2}}
    with pytest.raises(ScenarioError, match="policy.t_low"):
        Preset.from_dict("bad", data)


@pytest.fixture(scope="module")
def runs():
    cache = {}

    def get(name: str, alternative: bool = False):
        key = (name, alternative)
        if key not in cache:
            preset = load_preset(name)
            cache[key] = run(preset.alternative() if alternative else preset.scenario)
        return cache[key]

    return get


def test_fraud_sensitivity(runs):
    default, sensitive = runs("fraud_sensitivity"), runs("fraud_sensitivity", True)
    a, b = horizon_totals(default.weekly), horizon_totals(sensitive.weekly)
    assert b["recall"] > a["recall"] + 0.05
    assert b["pass_rate"] < a["pass_rate"]
    assert sensitive.weekly["review_overflow"].sum() > 0 == default.weekly["review_overflow"].sum()
    curve = cost_curve(default)
    best_t, best_cost = cheapest_threshold(curve)
    assert 0.0 < best_t < 0.5
    ends = curve.set_index("threshold")["cost_total"]
    assert best_cost < ends.iloc[1] and best_cost < ends.loc[0.9]


def test_fraud_adaptation(runs):
    w = runs("fraud_adaptation").weekly
    before, after = w[w["week"] < 9], w[w["week"] >= 12]
    assert np.nanmean(after["observed_precision"]) >= np.nanmean(before["observed_precision"]) - 0.05
    assert np.nanmean(after["observed_precision"]) > 0.9
    assert after["precision"].mean() < before["precision"].mean() - 0.15
    assert after["recall"].mean() < before["recall"].mean() - 0.15
    assert after["cost_fn"].mean() > 1.3 * before["cost_fn"].mean()


def test_triage_precision_floor(runs):
    result = runs("triage_precision_floor")
    totals = horizon_totals(result.weekly)
    assert totals["precision"] >= 0.88
    assert 1 - totals["recall"] > 0.8  # undertriage
    recall = segment_table(result, result.outcome)["recall"]
    assert recall.max() - recall.min() > 0.10
    with_nurses = horizon_totals(runs("triage_precision_floor", True).weekly)
    assert with_nurses["recall"] > totals["recall"] + 0.3


def test_variant_outbreak(runs):
    triggered, quarterly = runs("variant_outbreak"), runs("variant_outbreak", True)
    assert triggered.retrain_weeks and 6 <= triggered.retrain_weeks[0] <= 8
    assert quarterly.retrain_weeks[0] == 13
    assert (horizon_totals(triggered.weekly)["cost_total"]
            < horizon_totals(quarterly.weekly)["cost_total"])


def test_cohort_erosion(runs):
    w = runs("cohort_erosion").weekly.set_index("week")
    assert w.loc[1, "lift_vs_popularity"] >= 0.10
    assert w.loc[6, "lift_vs_popularity"] <= 0.03
    assert w.loc[6, "taste_drift_cosine"] > 0.15
    assert w.loc[1, "taste_drift_cosine"] < 0.05


def test_containment(runs):
    contain, rollback = runs("containment"), runs("containment", True)
    a, b = horizon_totals(contain.weekly), horizon_totals(rollback.weekly)
    assert a["cost_total"] < b["cost_total"]
    assert a["cost_fn"] < b["cost_fn"]
    assert contain.retrain_weeks and not rollback.retrain_weeks
    assert contain.weekly["auc"].iloc[10:].mean() > rollback.weekly["auc"].iloc[10:].mean() + 0.05


def test_contaminated_ab_test(runs):
    preset = load_preset("contaminated_ab_test")
    table = contaminated_ab_test(runs("contaminated_ab_test"), preset.ab_contamination)
    true, measured = table["true_lift"].mean(), table["measured_lift"].mean()
    assert true > 0.05
    assert abs(measured - true) > 0.5 * abs(true)
    clean = contaminated_ab_test(runs("contaminated_ab_test"), 0.0)
    np.testing.assert_allclose(clean["measured_lift"], clean["true_lift"])


def test_cli_runs_a_preset_by_name(tmp_path):
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "simulations", "run", "--scenario",
                          "cohort_erosion", "--weeks", "2", "--out", str(tmp_path / "w.csv")],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    listed = subprocess.run([sys.executable, "-m", "simulations", "list"], capture_output=True,
                            text=True, timeout=120).stdout
    assert "variant_outbreak" in listed and "A new variant meets an old model" in listed


DAMAGED = {
    "zz_bad_json": "{\"title\": ",
    "zz_steps_number": {"steps": 5},
    "zz_compare_list": {"compare_with": ["quarterly"]},
    "zz_ab_text": {"ab_test": "half"},
    "zz_domain_list": {"scenario": {"domain": ["fraud"]}},
    "zz_step_changes": {"steps": [{"title": "t", "note": "n", "changes": [1]}]},
    "zz_title_object": {"title": {"x": 1}},
}


def _write_damaged(directory):
    import json as _json

    from simulations.presets import PRESET_DIR

    good = _json.loads((PRESET_DIR / "fraud_sensitivity.json").read_text())
    for name, change in DAMAGED.items():
        text = change if isinstance(change, str) else _json.dumps({**good, **change})
        (directory / f"{name}.json").write_text(text)


@pytest.fixture
def damaged_presets():
    """Damaged files next to the real presets, removed afterwards."""
    from simulations.presets import PRESET_DIR

    _write_damaged(PRESET_DIR)
    try:
        yield
    finally:
        for name in DAMAGED:
            (PRESET_DIR / f"{name}.json").unlink(missing_ok=True)


def test_a_damaged_preset_is_skipped_with_one_line_naming_file_and_field(tmp_path):
    from simulations.presets import PRESET_DIR, load_presets

    for path in PRESET_DIR.glob("*.json"):
        (tmp_path / path.name).write_text(path.read_text())
    _write_damaged(tmp_path)
    presets, problems = load_presets(tmp_path)
    assert len(presets) == len(list(PRESET_DIR.glob("*.json")))
    assert len(problems) == len(DAMAGED)
    for name, field in (("zz_steps_number", "steps"), ("zz_compare_list", "compare_with"),
                        ("zz_ab_text", "ab_test"), ("zz_domain_list", "domain"),
                        ("zz_bad_json", "not valid JSON"), ("zz_step_changes", "changes"),
                        ("zz_title_object", "title")):
        line = next(p for p in problems if p.startswith(name))
        assert field in line and "\n" not in line


def test_pages_and_list_keep_working_next_to_damaged_presets(damaged_presets):
    import subprocess
    import sys

    from dashboard import seam
    from tests.test_pages import app, small_params

    seam._catalogue.clear()
    try:
        out = subprocess.run([sys.executable, "-m", "simulations", "list"],
                             capture_output=True, text=True, timeout=120)
        assert out.returncode == 0 and "Traceback" not in out.stderr
        assert "zz_steps_number" in out.stdout and "invalid" in out.stdout
        for page, params in (("overview", {}), ("fraud", small_params("fraud")),
                             ("rehearsal", {})):
            at = app(page if page != "overview" else None, **params)
            assert not at.exception, (page, at.exception)
            warnings = [w.value for w in at.warning]
            assert sum("skipped" in w for w in warnings) == len(DAMAGED), warnings
    finally:
        seam._catalogue.clear()
