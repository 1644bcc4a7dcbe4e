"""Writing tables as CSV safely: text cells that a spreadsheet would run as a formula are defused.

A cell (or a column name) starting with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage
return) gets a leading apostrophe, the convention spreadsheets use for "this is text". Numeric
columns are untouched, so negative numbers stay numbers; empty cells stand for undefined values
(NaN). A text cell holding a line break, a bare carriage return included, is quoted so it
cannot start a new row. The dashboard shows user text in tables through ``neutralise`` too, so
the table toolbar's own "Download as CSV" exports no live formula either.
"""

from __future__ import annotations

import csv
import io

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells and column names cannot be read as spreadsheet formulas."""
    out = frame.copy()
    out.columns = [f"'{c}" if isinstance(c, str) and c.startswith(FORMULA_STARTS) else c
                   for c in out.columns]
    for col in out.columns:
        series = out[col]
        if isinstance(series.dtype, pd.CategoricalDtype) or series.dtype == object or \
                pd.api.types.is_string_dtype(series.dtype):
            text = series.astype("string")
            risky = text.str.startswith(FORMULA_STARTS).fillna(False)
            if risky.any():
                out[col] = text.where(~risky, "'" + text)
    return out


def _quoting(frame: pd.DataFrame) -> int:
    """Python's csv writer quotes a field holding "\n" (the line terminator) but not a bare
    "\r", which a reader takes as a new row: then quote every text field."""
    for col in frame.columns:
        series = frame[col]
        if not pd.api.types.is_numeric_dtype(series.dtype) and \
                series.astype("string").str.contains("\r", regex=False).fillna(False).any():
            return csv.QUOTE_NONNUMERIC
    return csv.QUOTE_MINIMAL


def to_csv_text(frame: pd.DataFrame) -> str:
    buffer = io.StringIO()
    write_csv(frame, buffer)
    return buffer.getvalue()


def write_csv(frame: pd.DataFrame, path_or_buffer) -> None:
    safe = neutralise(frame)
    safe.to_csv(path_or_buffer, index=False, quoting=_quoting(safe))
