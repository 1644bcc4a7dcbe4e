"""CSV exports cannot smuggle spreadsheet formulas, and keep numbers and empty cells intact."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd

from simulations.reporting.safe_csv import neutralise, to_csv_text


def test_formula_like_text_is_defused_and_numbers_are_not():
    frame = pd.DataFrame({
        "name": ["=1+1", "+cmd", "-2", "@SUM(A1)", "plain", None],
        "segment": pd.Categorical(["=x", "a", "a", "a", "a", "a"]),
        "value": [-1.5, 2.0, np.nan, 3.0, 4.0, 5.0],
    })
    safe = neutralise(frame)
    assert safe["name"].tolist()[:5] == ["'=1+1", "'+cmd", "'-2", "'@SUM(A1)", "plain"]
    assert safe["segment"].iloc[0] == "'=x"
    back = pd.read_csv(io.StringIO(to_csv_text(frame)))
    assert back["value"].iloc[0] == -1.5 and np.isnan(back["value"].iloc[2])  # empty = undefined
    assert frame["name"].iloc[0] == "=1+1"  # the original is untouched


def test_a_bare_carriage_return_is_quoted_and_reads_back_as_one_row():
    import csv
    import io

    import pandas as pd

    from simulations.reporting.safe_csv import to_csv_text

    frame = pd.DataFrame({"segment": ["a\rb", "c\nd", "plain"], "n": [1, 2, 3]})
    text = to_csv_text(frame)
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows == [["segment", "n"], ["a\rb", "1"], ["c\nd", "2"], ["plain", "3"]]


def test_column_names_that_look_like_formulas_are_neutralised():
    import pandas as pd

    from simulations.reporting.safe_csv import neutralise, to_csv_text

    frame = pd.DataFrame({"=cmd|' /C calc'!A0": ["x"], "ok": ["-1+1"]})
    assert list(neutralise(frame).columns) == ["'=cmd|' /C calc'!A0", "ok"]
    assert to_csv_text(frame).splitlines()[1] == "'-1+1" or "'-1+1" in to_csv_text(frame)
