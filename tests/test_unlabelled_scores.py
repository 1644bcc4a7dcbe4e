"""Your own scores without labels yet: periods marked as not labelled get estimates (and only
they do), an empty label elsewhere is still a clear error, in the library, the CLI and the page."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from simulations.own_scores.analysis import Analysis, Setup
from simulations.own_scores.read import MissingValues, ScoreFileError, prepare
from tests.test_pages import app

COLUMNS = {"score": "score", "label": "label", "time": "week"}


def file_with_late_weeks(n_per_week=2000, weeks=6, first_unlabelled=5, seed=0):
    """Labels drawn from known probabilities; the score is a monotone distortion of them."""
    rng = np.random.default_rng(seed)
    week = np.repeat(np.arange(1, weeks + 1), n_per_week)
    p = rng.beta(0.7, 3.0, len(week))
    y = (rng.random(len(week)) < p).astype(int)
    label = pd.Series(y).astype("string")
    label[week >= first_unlabelled] = ""
    return pd.DataFrame({"score": np.sqrt(p), "label": label, "week": week}), y, week


def test_only_the_marked_periods_get_estimates_and_they_match_the_hidden_truth():
    frame, y, week = file_with_late_weeks()
    analysis = Analysis(prepare(frame, COLUMNS, unlabelled_from="5"), Setup())
    est = analysis.estimates(0.5, 0.5)
    assert est["week"].tolist() == [5, 6]
    assert analysis.weekly(0.5, 0.5)["week"].tolist() == [1, 2, 3, 4]  # measured: labelled only
    flagged = frame["score"].to_numpy() >= 0.5
    for row in est.itertuples():
        mine = week == row.week
        truth = y[mine & flagged].mean()
        assert row.est_precision_low <= truth <= row.est_precision_high
        assert abs(row.est_precision - truth) < 0.05
        recall = (y[mine & flagged]).sum() / y[mine].sum()
        assert abs(row.est_recall - recall) < 0.06
    assert Analysis(prepare(frame.assign(label=frame["label"].replace("", "0")), COLUMNS),
                    Setup()).estimates(0.5, 0.5) is None


def test_an_empty_label_outside_the_marked_periods_is_still_an_error():
    frame, _, _ = file_with_late_weeks()
    with pytest.raises(MissingValues, match="label"):
        prepare(frame, COLUMNS)
    frame.loc[10, "label"] = ""
    with pytest.raises(MissingValues, match="first rows 11"):
        prepare(frame, COLUMNS, unlabelled_from="5")
    for bad, match in [("soon", "not a week number"), ("9", "no row")]:
        with pytest.raises(ScoreFileError, match=match):
            prepare(file_with_late_weeks()[0], COLUMNS, unlabelled_from=bad)
    with pytest.raises(ScoreFileError, match="needs a time column"):
        prepare(frame, {"score": "score", "label": "label"}, unlabelled_from="5")


def test_dates_mark_periods_too():
    frame, _, week = file_with_late_weeks(n_per_week=300)
    frame["week"] = (pd.Timestamp("2026-01-05") + pd.to_timedelta(7 * (week - 1), "D")).astype(
        str)
    data = prepare(frame, COLUMNS, unlabelled_from="2026-02-02")  # the fifth week
    assert (~data.labelled).sum() == 600


def test_cli_prints_estimates_and_marks_them_in_the_csv(tmp_path):
    frame, _, _ = file_with_late_weeks(n_per_week=500)
    path = tmp_path / "scores.csv"
    frame.to_csv(path, index=False)
    base = [sys.executable, "-m", "simulations", "analyze", "--input", str(path),
            "--time-col", "week"]
    out = subprocess.run([*base, "--unlabelled-from", "5", "--out", str(tmp_path / "o.csv")],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "ESTIMATED" in out.stdout
    table = pd.read_csv(tmp_path / "o.csv")
    assert table.loc[table["week"] >= 5, "labels"].eq("not yet: estimated").all()
    assert table.loc[table["week"] >= 5, "precision"].isna().all()  # never under the real name
    assert table.loc[table["week"] >= 5, "est_precision"].notna().all()
    bad = subprocess.run([*base, "--unlabelled-from", "soon"], capture_output=True, text=True,
                         timeout=120)
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1
    assert "not a week number" in bad.stderr


def test_upload_page_estimates_the_marked_periods():
    frame, _, _ = file_with_late_weeks(n_per_week=400)
    at = app("upload")
    at.file_uploader(key="upload_file").set_value(
        ("late.csv", frame.to_csv(index=False).encode(), "text/csv")).run()
    next(s for s in at.selectbox if s.label.startswith("Time")).set_value("week").run()
    assert not at.exception
    assert "empty cells" in " ".join(w.value for w in at.warning)  # not marked yet: an error
    next(t for t in at.text_input if t.label.startswith("Labels not in yet")).input("5").run()
    assert not at.exception
    assert "Periods without labels yet: estimates" in [h.value for h in at.subheader]
    shown = at.dataframe[0].value
    assert shown["period"].tolist() == ["5", "6"]
    assert "%" in shown["estimated precision (90% interval)"][0]
