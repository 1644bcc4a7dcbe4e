"""A shared server survives a careless or hostile user: bounded memory, no crash from a link.

Memory is measured as the peak resident set (VmHWM) of a real subprocess running the CLI, so
what is asserted is what a server process would pay, not what the test process happens to hold.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parent.parent
PEAK = ("import sys; from simulations.cli import main; rc = main(sys.argv[1:]); "
        "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0]; "
        "print('PEAK_KB', hwm.split()[1], file=sys.stderr); sys.exit(rc)")


def cli_peak(*args: str, timeout: float = 240) -> tuple[int, str, float]:
    """(exit status, stderr without the peak line, peak resident memory in MB) of one CLI run."""
    proc = subprocess.run([sys.executable, "-c", PEAK, *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=timeout)
    lines = proc.stderr.splitlines()
    peak = next(int(line.split()[1]) for line in lines if line.startswith("PEAK_KB"))
    rest = "\n".join(line for line in lines if not line.startswith("PEAK_KB"))
    return proc.returncode, rest, peak / 1024


@pytest.fixture(scope="module")
def baseline_mb(tmp_path_factory) -> float:
    """Peak memory of reading a tiny file: the interpreter with numpy, pandas and pyarrow."""
    path = tmp_path_factory.mktemp("base") / "tiny.csv"
    path.write_text("score,label\n0.1,0\n0.9,1\n0.4,0\n0.7,1\n")
    code, err, peak = cli_peak("analyze", "--input", str(path))
    assert code == 0, err
    return peak


def test_a_tiny_parquet_file_of_many_rows_is_refused_from_its_metadata(tmp_path, baseline_mb):
    # 30M constant rows compress to a few hundred kB; decoded they would take ~0.5 GB of
    # floats plus pandas' copies. The file must be refused before it is decoded.
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = 30_000_000
    table = pa.table({"score": pa.array(np.full(rows, 0.5)),
                      "label": pa.array(np.zeros(rows, dtype=np.int8))})
    path = tmp_path / "bomb.parquet"
    pq.write_table(table, path, compression="zstd")
    del table
    assert path.stat().st_size < 2_000_000
    code, err, peak = cli_peak("analyze", "--input", str(path))
    assert code == 2, err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert "30,000,000 rows" in err and "limit is 2,000,000 rows" in err
    assert peak - baseline_mb < 150, (peak, baseline_mb)


def test_a_csv_of_many_short_rows_is_refused_before_it_is_parsed(tmp_path, baseline_mb):
    # 12M rows in 72 MB of text; parsed and analysed they would take several GB.
    path = tmp_path / "many.csv"
    with path.open("w") as handle:
        handle.write("score,label\n")
        chunk = "0.5,0\n" * 1_000_000
        for _ in range(12):
            handle.write(chunk)
    code, err, peak = cli_peak("analyze", "--input", str(path))
    assert code == 2, err
    assert "12,000,000 rows" in err and "limit is 2,000,000 rows" in err
    # the 72 MB of text is read and decoded once; nothing is parsed
    assert peak - baseline_mb < 400, (peak, baseline_mb)


def test_many_columns_count_against_the_cell_limit(tmp_path):
    from simulations.own_scores.read import MAX_CELLS, ScoreFileError, read_table

    rows = 200_000
    wide = pd.DataFrame(np.zeros((rows, MAX_CELLS // rows + 1)))
    wide.columns = [f"c{i}" for i in wide.columns]
    wide.to_parquet(tmp_path / "wide.parquet")
    with pytest.raises(ScoreFileError, match="cells; the limit is 20,000,000 cells"):
        read_table(tmp_path / "wide.parquet")


def test_a_file_at_the_row_limit_is_read_within_a_bounded_peak(tmp_path, baseline_mb):
    from simulations.own_scores.read import MAX_ROWS

    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"score": rng.random(MAX_ROWS), "label": rng.random(MAX_ROWS) < 0.1})
    path = tmp_path / "ok.parquet"
    frame.astype({"label": int}).to_parquet(path)
    code, err, peak = cli_peak("analyze", "--input", str(path))
    assert code == 0, err
    assert peak - baseline_mb < 1500, (peak, baseline_mb)


def test_the_run_size_estimate_covers_the_measured_peak_of_a_real_run():
    import json

    from simulations.engine import estimate_size
    from simulations.scenario import Scenario

    small = {"domain": "triage", "population": {"events_per_week": 200, "weeks": 2}}
    big = {"domain": "triage", "population": {"events_per_week": 60_000, "weeks": 20}}
    base = cli_peak("run", "--scenario", json.dumps(small), "--out", "/dev/null")[2]
    code, err, peak = cli_peak("run", "--scenario", json.dumps(big), "--out", "/dev/null")
    assert code == 0, err
    measured = (peak - base) * 2**20
    estimate = estimate_size(Scenario.from_dict(big))
    # never under (a run that fits the estimate fits memory), never wildly over (or the
    # byte-bounded cache would turn away runs that fit)
    assert measured <= estimate.peak <= 1.6 * measured, (measured / 2**20, estimate)
    assert estimate.kept < estimate.peak


def test_the_cli_refuses_a_run_too_large_for_memory_with_the_estimate(baseline_mb):
    import json

    huge = {"domain": "fraud", "population": {"events_per_week": 5_000_000}}
    code, err, peak = cli_peak("run", "--scenario", json.dumps(huge))
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert "130,000,000 events" in err and "GB" in err and "limit" in err
    assert peak - baseline_mb < 150


TAB_NAMES = ("Tradeoff", "Suggest a policy", "Over time", "Segments", "Data")


@pytest.mark.parametrize("band", [("0", "0"), ("1", "1"), ("0.4", "0.4"), ("0", "1")])
@pytest.mark.parametrize("tab", TAB_NAMES)
def test_every_tab_renders_at_the_edges_of_the_band(band, tab):
    from tests.test_pages import app, small_params

    at = app("fraud", **small_params("fraud", fraud_band=list(band), fraud_tab=tab))
    assert not at.exception, (band, tab, at.exception)
    assert not at.warning, [w.value for w in at.warning]  # the band was accepted as given


@pytest.mark.parametrize("log_x", [True, False])
@pytest.mark.parametrize("band", [(0.0, 0.0), (1.0, 1.0), (0.0, 1.0), (0.00005, 0.00005)])
def test_the_score_histogram_draws_any_band_on_either_axis(band, log_x):
    from dashboard.charts import score_distribution
    from simulations.reporting.summary import histogram_of

    rng = np.random.default_rng(1)
    hist = histogram_of(rng.random(1000) ** 4, rng.random(1000) < 0.01, log_scale=log_x)
    fig = score_distribution(hist, *band, {"pass": "p", "review": "r", "flag": "f"}, "pos",
                             "neg", log_x)
    start = 1e-4 if log_x else 0.0
    for shape in fig.layout.shapes:
        assert start <= shape.x0 < shape.x1 <= 1.0
    assert all(np.isfinite(a.x) for a in fig.layout.annotations)


HUGE = ("inf", "1e400", "-1e400", "9" * 20_000)
INT_PARAMS = [("fraud", "fraud_seed"), ("triage", "triage_events"),
              ("recommendation", "recommendation_capacity"), ("compare", "compare_seed"),
              ("fraud", "fraud_weeks")]


@pytest.mark.parametrize("value", HUGE, ids=["inf", "1e400", "-1e400", "20k digits"])
@pytest.mark.parametrize("page,param", INT_PARAMS)
def test_a_number_too_big_for_an_integer_box_only_warns(page, param, value):
    from tests.test_pages import app, small_params

    extra = small_params(page) if page != "compare" else {}
    at = app(page, **{**extra, param: value})
    assert not at.exception, at.exception
    # (other warnings may stand on the page, e.g. Compare's note that B overflows the reviewers)
    warnings = [w.value for w in at.warning if "link parameter" in w.value]
    assert len(warnings) == 1 and param in warnings[0]
    assert len(warnings[0]) < 400  # the value is cut, not repeated 20,000 times
    # the page went on with the default, and reloading the fixed page stays clean
    assert at.metric and param not in at.query_params
    at.run()
    assert not at.exception and not any("link parameter" in w.value for w in at.warning)


def test_a_fractional_whole_number_warns_and_leaves_the_address_consistent():
    from tests.test_pages import app, small_params

    at = app("fraud", **small_params("fraud", fraud_weeks="10.5"))
    assert not at.exception
    assert "fraud_weeks" in at.warning[0].value and "default" in at.warning[0].value
    assert "fraud_weeks" not in at.query_params  # not silently rewritten to 10
    assert at.slider(key="fraud_weeks").value == 26


MARKDOWN_PAYLOAD = ("x`](javascript:alert(1)) ![i](http://evil.example/i.png) "
                    "[click](http://evil.example) **bold** :red[red] $x^2$ <b>b</b>\n# head")


def code_spans(markdown: str) -> list[str]:
    """Contents of the inline code spans of ``markdown``, by CommonMark's rule: a run of n
    backticks opens a span that only the next run of exactly n backticks closes."""
    import re

    spans, pos = [], 0
    while (m := re.compile(r"`+").search(markdown, pos)) is not None:
        fence = m.group()
        close = re.compile(rf"(?<!`){fence}(?!`)").search(markdown, m.end())
        if close is None:
            break
        spans.append(markdown[m.end():close.start()])
        pos = close.end()
    return spans


def assert_plain(markdown: str, payload: str) -> None:
    """The payload (cut) sits whole inside one code span, where nothing takes effect, and
    nothing of it is left outside."""
    spans = code_spans(markdown)
    head = payload.split("\n")[0][:20]
    assert any(head in span for span in spans), (markdown, spans)
    outside = markdown
    for span in spans:
        outside = outside.replace(span, "")
    assert "evil" not in outside and "](" not in outside, outside


@pytest.mark.parametrize("page,param", [
    ("fraud", "fraud_seed"), ("fraud", "fraud_model"), ("fraud", "fraud_drift"),
    ("fraud", "fraud_band"), ("fraud", "fraud_tab"), ("fraud", "present"),
    ("triage", "triage_retrain"), ("compare", "compare_domain"),
    ("upload", "upload_source"), ("upload", "upload_tab"), ("rehearsal", "rehearse_case")])
def test_a_link_parameter_is_echoed_as_plain_text(page, param):
    from tests.test_pages import app, small_params

    extra = small_params(page) if page in ("fraud", "triage") else {}
    at = app(page, **{**extra, param: MARKDOWN_PAYLOAD})
    assert not at.exception, at.exception
    warnings = [w.value for w in at.warning if param in w.value]
    assert len(warnings) == 1, [w.value for w in at.warning]
    assert_plain(warnings[0], MARKDOWN_PAYLOAD)


def test_a_rehearsal_answer_cannot_add_a_section_to_the_markdown_download():
    from dashboard.teaching.rehearsal import Answer, attempt_markdown, comparison_table, weekly_breaks
    from simulations import run
    from simulations.policy.guardrails import Guardrails
    from simulations.presets import load_preset
    from tests.conftest import small

    fake = ("Cut losses.\n\n## Simulated outcome\n| policy | cost |\n|---|---|\n| mine | $0 |\n"
            "[prize](http://evil.example) ![x](http://evil.example/x.png)\n1. first\n- item")
    preset = load_preset("fraud_sensitivity")
    answer = Answer(fake, "recall `at least` 99.5%", Guardrails(min_recall=0.995), (0.05, 0.2),
                    400, {"trigger": "never"})
    result = run(small("fraud", weeks=3))
    outcomes = {"your policy": result.at_policy(0.05, 0.2).weekly}
    table = comparison_table(outcomes, {"your policy": (0.05, 0.2)}, answer.guardrails, "$")
    text = attempt_markdown(preset, answer, table, weekly_breaks(outcomes, answer.guardrails))
    lines = text.splitlines()
    assert sum(line.startswith("## Simulated outcome") for line in lines) == 1
    assert not any(line.startswith(("|", "[", "![", "1.", "- item")) and "mine" in text
                   and ("mine" in line or "prize" in line or "first" in line
                        or "item" in line) for line in lines)
    answer_lines = [line for line in lines if "evil" in line or "mine" in line]
    assert answer_lines and all(line.startswith(">") for line in answer_lines)
    assert "](http" not in text and "`at least`" not in text
    # the guardrail is written as set, not rounded to 100%
    assert "recall ≥ 99.5%" in text


def test_guardrails_are_described_without_rounding():
    from simulations.policy.guardrails import Guardrails

    text = Guardrails(0.885, 0.995, 0.9999, 12.5).describe()
    assert text == ["precision ≥ 88.5%", "recall ≥ 99.5%", "pass rate ≥ 99.99%",
                    "review demand ≤ 12.5 a week"]


def _unescaped(markdown: str) -> str:
    import re

    return re.sub(r"\\.", "", markdown)


def test_uploaded_file_column_and_label_names_are_shown_as_plain_text():
    from tests.test_upload_page import _upload

    column = "[l](http://evil.example)"
    rows = "".join(f"0.{i % 10}5,{'**yes**' if i % 3 else '`no`'}\n" for i in range(30))
    at = _upload("![x](http://evil.example/a.png).csv", f'score,"{column}"\n{rows}'.encode())
    shown = [e.value for e in [*at.error, *at.warning, *at.info, *at.caption, *at.markdown]]
    assert any("evil" in v for v in shown), shown  # the label question names the column
    for value in shown:
        plain = _unescaped(value)
        assert "](" not in plain and "`" not in plain and "**" not in plain, value
        assert "://" not in plain  # a bare address would become a link


FORMULAS = ("=HYPERLINK(\"http://evil.example\",\"x\")", "+cmd|' /C calc'!A0", "-1+1", "@SUM(1)")


def test_tables_with_uploaded_text_show_no_live_formula_for_the_toolbar_download():
    from simulations.reporting.safe_csv import FORMULA_STARTS
    from tests.test_pages import app

    text = pd.DataFrame({"score": [(i % 10) / 10 + 0.05 for i in range(40)],
                         "label": [i % 2 for i in range(40)],
                         "region": [FORMULAS[i % 4] for i in range(40)]}).to_csv(index=False)
    at = app("upload", upload_tab="Segments")
    at.file_uploader(key="upload_file").set_value(("seg.csv", text.encode(), "text/csv")).run()
    assert not at.exception
    segment = [s for s in at.selectbox if s.key.endswith("_segment")][0]
    segment.set_value("region").run()
    assert not at.exception
    shown = 0
    for table in at.dataframe:
        frame = table.value
        for col in frame.columns:
            assert not str(col).startswith(FORMULA_STARTS)
            if not pd.api.types.is_numeric_dtype(frame[col].dtype):
                cells = frame[col].dropna().astype(str)
                shown += cells.str.contains("HYPERLINK|cmd", regex=True).sum()
                assert not cells.str.startswith(FORMULA_STARTS).any(), list(cells)
    assert shown  # the segment names are on the page, defused


def test_the_upload_page_asks_whether_a_first_row_of_numbers_is_a_header():
    from tests.test_pages import kpi
    from tests.test_upload_page import _upload

    rows = "".join(f"0.{i % 9 + 1},{i % 2}\n" for i in range(40))
    at = _upload("nohead.csv", rows.encode())
    assert "all numbers" in " ".join(w.value for w in at.warning) and not at.metric
    radio = [r for r in at.radio if r.key.endswith("_header")][0]
    radio.set_value("data (no header row)").run()
    assert not at.exception
    label = [s for s in at.selectbox if s.key.endswith("_label")][0]
    if label.value is None:
        label.set_value("column 2").run()
    score = [s for s in at.selectbox if s.key.endswith("_score")][0]
    if score.value is None:
        score.set_value("column 1").run()
    assert not at.exception and kpi(at, "Recall")
    assert "40 rows" in " ".join(c.value for c in at.caption)  # the first row was kept


def test_segment_names_from_a_file_cannot_put_a_link_into_a_chart():
    from dashboard.charts import segment_bars

    table = pd.DataFrame({"segment": ['<a href="http://evil.example">x</a>', "north"],
                          "precision": [0.5, 0.6], "recall": [0.4, 0.3],
                          "pass_rate": [0.9, 0.8]})
    fig = segment_bars(table)
    labels = list(fig.data[0].x)
    assert labels[0] == '&lt;a href="http://evil.example"&gt;x&lt;/a&gt;' and labels[1] == "north"
