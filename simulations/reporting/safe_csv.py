"""Writing tables as CSV safely: text cells that a spreadsheet would run as a formula are defused.

A cell starting with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return) gets a leading
apostrophe, the convention spreadsheets use for "this is text". Numeric columns are untouched,
so negative numbers stay numbers; empty cells stand for undefined values (NaN).
"""

from __future__ import annotations

import io

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells cannot be read as spreadsheet formulas."""
    out = frame.copy()
    for col in out.columns:
        series = out[col]
        if isinstance(series.dtype, pd.CategoricalDtype) or series.dtype == object or \
                pd.api.types.is_string_dtype(series.dtype):
            text = series.astype("string")
            risky = text.str.startswith(FORMULA_STARTS).fillna(False)
            if risky.any():
                out[col] = text.where(~risky, "'" + text)
    return out


def to_csv_text(frame: pd.DataFrame) -> str:
    buffer = io.StringIO()
    neutralise(frame).to_csv(buffer, index=False)
    return buffer.getvalue()


def write_csv(frame: pd.DataFrame, path_or_buffer) -> None:
    neutralise(frame).to_csv(path_or_buffer, index=False)
