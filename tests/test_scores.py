"""Your own scores: reading, validation of every bad-file class, and `analyze` against
scikit-learn on the bundled real-data sample."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import confusion_matrix, precision_score, recall_score, roc_auc_score

from simulations.cli import main
from simulations.own_scores import read as scores
from simulations.own_scores.analysis import Analysis, Setup
from simulations.own_scores.read import (
    LabelsNotBinary,
    MissingValues,
    ScoreFileError,
    ScoresOutOfRange,
    guess_columns,
    prepare,
    read_table,
)
from simulations.policy.guardrails import Guardrails
from tests.conftest import psi_reference

SAMPLE = Path(__file__).parents[1] / "data" / "samples" / "breast_cancer_scores.csv"

# (file name, bytes, a phrase the one-line message must contain)
BAD_FILES = {
    "empty": ("empty.csv", b"", "is empty"),
    "header only": ("head.csv", b"score,label\n", "no rows"),
    "missing column": ("cols.csv", b"prob,outcome_x\n0.2,1\n", "choose a label column"),
    "non-numeric scores": ("text.csv", b"score,label\n0.2,1\nhigh,0\n0.4,0\nlow,1\n",
                           "rows 2, 4"),
    "scores outside [0, 1]": ("logit.csv", b"score,label\n2.5,1\n-1.0,0\n", "outside [0, 1]"),
    "labels not binary": ("words.csv", b"score,label\n0.2,fraud\n0.5,legit\n0.7,fraud\n",
                          "'fraud' (2), 'legit' (1)"),
    "missing values": ("gaps.csv", b"score,label\n0.2,1\n,0\n0.5,\n", "2 rows with empty cells"),
    "damaged parquet": ("broken.parquet", b"PAR1 not really", "not a readable Parquet file"),
    "ragged csv": ("ragged.csv", b"score,label\n0.1,1\n0.2,0,7,8\n", "not a well-formed"),
}


def _prepare_bytes(name, data, **kw):
    frame = read_table(data, name)
    return prepare(frame, guess_columns(frame), **kw)


@pytest.mark.parametrize("case", BAD_FILES)
def test_each_bad_file_class_gets_one_clear_line_and_exit_2(case, tmp_path, capsys):
    name, data, phrase = BAD_FILES[case]
    with pytest.raises(ScoreFileError, match=None) as err:
        _prepare_bytes(name, data)
    assert phrase in str(err.value) and "\n" not in str(err.value)
    path = tmp_path / name
    path.write_bytes(data)
    assert main(["analyze", "--input", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith("error: ") and captured.err.count("\n") == 1
    assert phrase in captured.err and "Traceback" not in captured.err


def test_a_file_over_the_limit_says_the_limit(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(scores, "MAX_MB", 0.001)  # about 1 kB
    path = tmp_path / "big.csv"
    path.write_text("score,label\n" + "0.5,1\n" * 400)
    assert main(["analyze", "--input", str(path)]) == 2
    assert "the limit is 0.001 MB" in capsys.readouterr().err


def test_the_cli_reports_without_a_traceback_in_a_real_process(tmp_path):
    path = tmp_path / "words.csv"
    path.write_bytes(BAD_FILES["labels not binary"][1])
    proc = subprocess.run([sys.executable, "-m", "simulations", "analyze", "--input", str(path)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "--positive VALUE" in proc.stderr
    assert "Traceback" not in proc.stderr and proc.stderr.count("\n") == 1


def test_the_decisions_a_file_leaves_open_are_taken_only_when_asked():
    with pytest.raises(ScoresOutOfRange):
        _prepare_bytes("l.csv", BAD_FILES["scores outside [0, 1]"][1])
    logits = _prepare_bytes("l.csv", BAD_FILES["scores outside [0, 1]"][1], transform="sigmoid")
    assert logits.score == pytest.approx(1 / (1 + np.exp(-np.array([2.5, -1.0]))))
    percent = _prepare_bytes("p.csv", b"score,label\n25,1\n80,0\n", transform="percent")
    assert percent.score.tolist() == [0.25, 0.8]
    with pytest.raises(ScoreFileError, match="not percentages"):
        _prepare_bytes("l.csv", BAD_FILES["scores outside [0, 1]"][1], transform="percent")
    ranks = _prepare_bytes("l.csv", BAD_FILES["scores outside [0, 1]"][1], transform="rank")
    assert ranks.score.tolist() == [1.0, 0.0]

    with pytest.raises(LabelsNotBinary) as err:
        _prepare_bytes("w.csv", BAD_FILES["labels not binary"][1])
    assert err.value.values == ["fraud", "legit"]
    data = _prepare_bytes("w.csv", BAD_FILES["labels not binary"][1], positive="fraud")
    assert data.label.tolist() == [1, 0, 1]

    with pytest.raises(MissingValues) as err:
        _prepare_bytes("g.csv", BAD_FILES["missing values"][1])
    assert err.value.rows == [2, 3] and err.value.total == 2
    data = _prepare_bytes("g.csv", BAD_FILES["missing values"][1], drop_missing=True)
    assert len(data) == 1 and data.rows.tolist() == [1] and "dropped 2 rows" in data.notes[0]


@pytest.mark.parametrize("text,encoding", [
    ("score;label;seg\n0,25;1;café\n0,75;0;x\n", "utf-8"),
    ("score\tlabel\tseg\n0.25\t1\tcafé\n0.75\t0\tx\n", "utf-8-sig"),
    ("score,label,seg\n0.25,1,café\n0.75,0,x\n", "latin-1"),
])
def test_separators_encodings_and_decimal_commas_are_read(text, encoding):
    frame = read_table(text.encode(encoding), "f.csv")
    assert list(frame.columns) == ["score", "label", "seg"]
    data = prepare(frame, {"score": "score", "label": "label", "segment": "seg"})
    assert data.score.tolist() == [0.25, 0.75] and data.segments == ("café", "x")


def test_parquet_is_read(tmp_path):
    path = tmp_path / "s.parquet"
    pd.DataFrame({"y_prob": [0.1, 0.9], "target": [0, 1]}).to_parquet(path)
    frame = read_table(path)
    data = prepare(frame, guess_columns(frame))
    assert data.score.tolist() == [0.1, 0.9] and data.label.tolist() == [0, 1]


def test_dates_are_grouped_into_weeks():
    frame = read_table(b"score,label,date\n0.1,0,2026-01-01\n0.2,1,2026-01-06\n"
                       b"0.3,0,2026-01-09\n", "d.csv")
    data = prepare(frame, {"score": "score", "label": "label", "time": "date"})
    assert data.period.tolist() == [1, 1, 2]
    assert data.periods == ("week of 2026-01-01", "week of 2026-01-08")


def test_analyze_agrees_with_scikit_learn_on_the_real_sample():
    frame = read_table(SAMPLE)
    data = prepare(frame, guess_columns(frame))
    y, s = data.label, data.score
    analysis = Analysis(data, Setup())
    for t in (0.1, 0.5, 0.9):
        totals = analysis.totals(t, t)  # one threshold, no review band
        pred = (s >= t).astype(int)
        tn, fp, fn, tp = confusion_matrix(y, pred).ravel()
        assert (totals["tp"], totals["fp"], totals["tn"], totals["fn"]) == (tp, fp, tn, fn)
        assert totals["precision"] == pytest.approx(precision_score(y, pred))
        assert totals["recall"] == pytest.approx(recall_score(y, pred))
        assert totals["cost_total"] == pytest.approx(10 * fn + 1 * fp)
    assert analysis.totals(0.5, 0.5)["auc"] == pytest.approx(roc_auc_score(y, s))


def test_analyze_cli_prints_the_band_and_the_suggestion(tmp_path, capsys):
    out = tmp_path / "weeks.csv"
    code = main(["analyze", "--input", str(SAMPLE), "--time-col", "week", "--segment-col",
                 "segment", "--t-low", "0.2", "--t-high", "0.8", "--min-recall", "0.98",
                 "--out", str(out)])
    assert code == 0
    text = capsys.readouterr().out
    assert "569 rows, 212 positive" in text and "suggestion: Cheapest policy" in text
    weekly = pd.read_csv(out)
    assert len(weekly) == 10 and weekly["events"].sum() == 569
    # the score's PSI of each week against the first week, computed here from the file
    raw = pd.read_csv(SAMPLE)
    weeks = sorted(raw["week"].unique())
    first = raw.loc[raw["week"] == weeks[0], "score"]
    expected = [np.nan] + [psi_reference(first, raw.loc[raw["week"] == w, "score"])
                           for w in weeks[1:]]
    np.testing.assert_allclose(weekly["score_psi"], expected, rtol=1e-9)


def test_suggestion_on_the_sample_meets_its_guardrails():
    frame = read_table(SAMPLE)
    analysis = Analysis(prepare(frame, guess_columns(frame)), Setup(capacity=10))
    s = analysis.suggest(Guardrails(min_recall=0.99, max_review_per_week=50))
    assert s.feasible
    t = analysis.totals(*s.policy)
    assert t["recall"] >= 0.99 and t["review_demand_per_week"] <= 50
    assert t["cost_total"] == pytest.approx(s.metrics["cost_total"])


def test_the_printed_suggestion_reproduces_its_cost_when_fed_back(capsys):
    assert main(["analyze", "--input", str(SAMPLE), "--min-recall", "0.99", "--cost-fn", "7",
                 "--review-capacity", "40"]) == 0
    text = capsys.readouterr().out
    line = next(x for x in text.splitlines() if x.startswith("suggestion:"))
    t_low = line.split("t_low = ")[1].split(",")[0]
    t_high = line.split("t_high = ")[1].split(",")[0]
    cost = line.split("cost ")[1].rstrip(".")
    assert main(["analyze", "--input", str(SAMPLE), "--t-low", t_low, "--t-high", t_high,
                 "--cost-fn", "7", "--review-capacity", "40"]) == 0
    again = capsys.readouterr().out
    assert f"  cost                 {cost} " in again
    recall = next(x for x in again.splitlines() if x.strip().startswith("recall"))
    assert float(recall.split()[-1].rstrip("%")) >= 99.0


def test_an_identifier_is_refused_as_a_segment_column():
    rows = "".join(f"{i / 100:.2f},{i % 2},id{i}\n" for i in range(100))
    frame = read_table(("score,label,customer\n" + rows).encode(), "ids.csv")
    with pytest.raises(ScoreFileError, match="100 distinct values; a segment column groups"):
        prepare(frame, {"score": "score", "label": "label", "segment": "customer"})


# -- files that used to be read wrong, or crash -------------------------------------------


def _csv(text: str, name: str = "f.csv", **kw):
    frame = read_table(text.encode(), name, **kw)
    return frame


def test_headers_that_differ_only_by_whitespace_are_refused_naming_both():
    with pytest.raises(ScoreFileError, match=r"columns 1 and 3 .* 'score' \(as 'score' and "
                                             r"'score '\)"):
        _csv("score,label,score \n0.1,0,0.2\n0.9,1,0.8\n")
    with pytest.raises(ScoreFileError, match="columns 1 and 3"):
        _csv("score,label,score\n0.1,0,0.2\n0.9,1,0.8\n")  # pandas would rename it score.1


def test_a_parquet_list_or_struct_column_is_refused_naming_it(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    for column in (pa.array([[1, 2], [3]]), pa.array([{"a": 1}, {"a": 2}])):
        pq.write_table(pa.table({"nested": column, "score": [0.1, 0.9], "label": [0, 1]}),
                       tmp_path / "n.parquet")
        with pytest.raises(ScoreFileError, match="column 'nested' .* not one number"):
            read_table(tmp_path / "n.parquet")


@pytest.mark.parametrize("data,phrase", [
    (__import__("gzip").compress(b"score,label\n0.1,0\n"), "gzip"),
    (b"PK\x03\x04" + b"\x00" * 40, "ZIP"),
    (b"score,label\n\x00\x01\x02\x03", "binary"),
])
def test_a_compressed_or_binary_file_is_called_what_it_is(data, phrase):
    with pytest.raises(ScoreFileError, match=f"not a CSV or Parquet file.*{phrase}"):
        read_table(data, "scores.csv")


def test_thousands_separators_and_decimal_commas_are_decided_per_file():
    comma = _csv('score,label,amount\n0.1,0,"1,234"\n0.9,1,"12,345,678"\n0.5,0,7\n')
    data = prepare(comma, {"score": "score", "label": "label", "value": "amount"})
    assert data.value.tolist() == [1234.0, 12345678.0, 7.0]  # not 1.234
    semi = _csv("score;label;amount\n0,1;0;1.234,5\n0,9;1;0,25\n0,5;0;7\n")
    data = prepare(semi, {"score": "score", "label": "label", "value": "amount"})
    assert data.score.tolist() == [0.1, 0.9, 0.5]
    assert data.value.tolist() == [1234.5, 0.25, 7.0]
    # in a comma-separated file a decimal comma is not a number: the row is named
    odd = _csv('score,label,amount\n0.1,0,"1,5"\n0.9,1,2\n')
    with pytest.raises(ScoreFileError, match=r"rows 1\b.*'1,5'|rows 1\)"):
        prepare(odd, {"score": "score", "label": "label", "value": "amount"})


def test_a_file_without_a_header_row_is_detected_and_can_be_read_as_data():
    from simulations.own_scores.read import HeaderLooksLikeData

    text = "0.1,0\n0.9,1\n0.4,0\n"
    with pytest.raises(HeaderLooksLikeData, match="first row .* all numbers"):
        _csv(text)
    frame = _csv(text, header=False)
    assert list(frame.columns) == ["column 1", "column 2"] and len(frame) == 3
    assert len(_csv("1,0\n0.9,1\n", header=True)) == 1  # the user says it is a header


def test_a_trailing_comma_on_every_row_does_not_shift_the_columns():
    frame = _csv("score,label\n0.1,0,\n0.9,1,\n0.4,0,\n")
    data = prepare(frame, guess_columns(frame))
    assert data.score.tolist() == [0.1, 0.9, 0.4] and data.label.tolist() == [0, 1, 0]
    frame = _csv("score,label,\n0.1,0,\n0.9,1,\n")  # after the header too
    assert list(frame.columns) == ["score", "label"]
    with pytest.raises(ScoreFileError, match="more fields than its header"):
        _csv("score,label\n0.1,0,5\n0.9,1,6\n")  # real values, not trailing separators


def test_time_values_beyond_any_date_are_refused_with_rows():
    frame = _csv("score,label,week\n0.1,0,1\n0.9,1,1e19\n0.4,0,2e19\n")
    with pytest.raises(ScoreFileError, match=r"time column 'week' beyond .*rows 2, 3"):
        prepare(frame, {"score": "score", "label": "label", "time": "week"})


def test_values_too_large_for_a_total_are_refused_with_rows():
    frame = _csv("score,label,value\n0.1,0,5\n0.9,1,1e306\n")
    with pytest.raises(ScoreFileError, match=r"from 0 to 1e\+12 \(rows 2\)"):
        prepare(frame, {"score": "score", "label": "label", "value": "value"})


def test_an_identifier_picked_as_the_label_is_refused_not_listed():
    rows = "".join(f"0.{i % 9 + 1},id{i}\n" for i in range(300))
    frame = _csv("score,customer\n" + rows)
    with pytest.raises(ScoreFileError, match="300 distinct values.*not an identifier") as err:
        prepare(frame, {"score": "score", "label": "customer"})
    assert not isinstance(err.value, LabelsNotBinary)


def test_a_long_file_keeps_its_header_row():
    """The header is the file's first line, however long the file (a bug once read the line
    4 kB before the end of the file as the header)."""
    body = "".join(f"0.{i % 9000 + 1000},{i % 2},{1 + i // 100}\n" for i in range(600))
    frame = read_table(("score,label,week\n" + body).encode(), "long.csv")
    assert list(frame.columns) == ["score", "label", "week"]
    assert len(frame) == 600
    assert scores.sniff_separator("a;b;c\n" + "1,2,3\n" * 2000) == ";"
