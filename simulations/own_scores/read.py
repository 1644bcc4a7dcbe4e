"""Your own model's scores: read a CSV or Parquet file, pick its columns, validate it.

Reading never guesses silently. ``read_table`` accepts comma, semicolon or tab separated text
in UTF-8 (with or without a byte-order mark) or Latin-1, and Parquet; a column with any cell
that is not a number stays text, so validation can point at the exact rows at fault.
``prepare`` turns the chosen columns into arrays and raises a ``ScoreFileError`` subclass
naming what to fix; the ones a person can resolve with a decision carry what they need to
ask it:

- ``ScoresOutOfRange``: scores outside [0, 1]; pass ``transform="sigmoid"`` (they are logits),
  ``"percent"`` (0-100) or ``"rank"`` (rescale ranks to [0, 1]);
- ``LabelsNotBinary``: labels are not 0/1; pass ``positive=`` one of ``values``;
- ``MissingValues``: empty cells in the chosen columns; pass ``drop_missing=True`` to drop
  exactly those rows (their count is reported).

Row numbers in messages are the file's data rows, counted from 1 below the header.
"""

from __future__ import annotations

import csv
import io
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..reporting.text import clip

MAX_MB = 100  # the dashboard's upload limit (.streamlit/config.toml) and the CLI's
# What a file may expand to once read, in rows x columns: a few hundred kB of Parquet can hold
# tens of millions of constant rows. 20M cells are ~160 MB as floats (10M rows of score and
# label); checked from the Parquet metadata, and from the line count before a CSV is parsed.
MAX_CELLS = 20_000_000
# Analysing a row (sorting, cumulative sums, the optimizer's grid) costs ~400 bytes at peak,
# measured with the CLI: 2M rows peak near 1 GB, 10M rows at 4.4 GB.
MAX_ROWS = 2_000_000
MAX_SEGMENTS = 50  # distinct values a segment column may hold (and a label column)
MAX_VALUE = 1e12  # per row: totals stay finite (1e306 x a few rows overflows to inf)
MAX_PERIOD = 2**53  # whole-number periods beyond this are not exact in a float
SEPARATORS = {",": "comma", ";": "semicolon", "\t": "tab"}
TRUE_WORDS = {"1", "1.0", "true", "yes", "y", "t"}
FALSE_WORDS = {"0", "0.0", "false", "no", "n", "f"}
ROLES = ("score", "label", "value", "segment", "time")
_NAMES = {
    "score": ("score", "scores", "y_score", "y_prob", "y_proba", "y_pred_proba", "pred_proba",
              "prob", "probability", "proba", "predicted_probability", "prob_1", "proba_1",
              "pred", "prediction", "predicted", "y_pred", "risk", "p"),
    "label": ("label", "labels", "y_true", "target", "y", "class", "outcome", "actual", "truth",
              "ground_truth", "is_fraud", "fraud", "urgent", "malignant", "diagnosis", "churn",
              "converted", "clicked", "default"),
    "value": ("value", "amount", "money", "value_at_stake", "cost", "price"),
    "segment": ("segment", "group", "cohort", "region", "category", "subgroup"),
    "time": ("week", "period", "date", "timestamp", "time", "day", "month", "ts"),
}


class ScoreFileError(ValueError):
    """A problem with a scores file, said in one line that tells what to fix."""


class ScoresOutOfRange(ScoreFileError):
    def __init__(self, column: str, low: float, high: float, outside: int):
        self.low, self.high, self.outside = low, high, outside
        super().__init__(
            f"{_n(outside, 'score')} in column {clip(column, 40)!r} outside [0, 1] (min {low:g}, max "
            f"{high:g}); say how to read them: as logits (apply a sigmoid), as percentages "
            f"or as ranks (rescale to [0, 1])")


class LabelsNotBinary(ScoreFileError):
    def __init__(self, column: str, values: list[str], counts: list[int]):
        self.values, self.counts = values, counts
        shown = ", ".join(f"{clip(v, 40)!r} ({c:,})" for v, c in zip(values[:8], counts[:8], strict=False))
        more = f" and {len(values) - 8} more" if len(values) > 8 else ""
        super().__init__(
            f"labels in column {clip(column, 40)!r} are not 0/1: found {shown}{more}; say which value "
            f"is the positive class (the others count as negative)")


class MissingValues(ScoreFileError):
    def __init__(self, counts: dict[str, int], rows: list[int], total: int):
        self.counts, self.rows, self.total = counts, rows, total
        where = ", ".join(f"{clip(c, 40)!r}: {n:,}" for c, n in counts.items() if n)
        super().__init__(
            f"{_n(total, 'row')} with empty cells ({where}; first rows {_rows(rows)}); drop those "
            f"rows explicitly or fill them in")


def _names(names) -> str:
    """Column names for a message: the first ten, each cut to 40 characters."""
    names = list(names)
    shown = ", ".join(repr(clip(n, 40)) for n in names[:10])
    return shown + (f" and {len(names) - 10:,} more" if len(names) > 10 else "")


def _rows(rows) -> str:
    rows = list(rows)
    shown = ", ".join(str(r) for r in rows[:5])
    return shown + (f" and {len(rows) - 5:,} more" if len(rows) > 5 else "")


# -- reading ---------------------------------------------------------------------------------


def read_table(source, name: str | None = None, header: bool | None = None) -> pd.DataFrame:
    """A CSV (comma, semicolon or tab; UTF-8, UTF-8 with BOM or Latin-1) or Parquet file as a
    DataFrame (missing cells as NA; columns that are not all numbers stay text, so validation
    can point at the rows at fault). ``source`` is a path or the file's bytes.

    A CSV whose first row is all numbers raises ``HeaderLooksLikeData`` unless ``header``
    says what it is (True: column names; False: data, columns named "column 1", ...). The
    file's number format (decimal point, or decimal comma in semicolon and tab separated
    files) is decided once for the whole file and kept in ``frame.attrs["decimal"]``."""
    if isinstance(source, (str, Path)):
        path = Path(source)
        name = clip(name or path.name, 60)
        if not path.is_file():
            raise ScoreFileError(f"file {clip(source, 80)!r} does not exist")
        size = path.stat().st_size
        if size > MAX_MB * 1024 * 1024:
            raise ScoreFileError(f"{name} is {size / 2**20:,.1f} MB; the limit is {MAX_MB} MB "
                                 f"(keep the score and label columns, or sample rows)")
        data = path.read_bytes()
    else:
        data = bytes(source)
        name = clip(name, 60) if name else "the file"
        if len(data) > MAX_MB * 1024 * 1024:
            raise ScoreFileError(f"{name} is {len(data) / 2**20:,.1f} MB; the limit is "
                                 f"{MAX_MB} MB")
    if not data or data.isspace():
        raise ScoreFileError(f"{name} is empty: it needs a header row and one row per event")
    if data[:4] == b"PAR1" or name.lower().endswith((".parquet", ".pq")):
        frame = _read_parquet(data, name)
    else:
        _refuse_binary(data, name)
        frame = _read_csv(data, name, header)
    if frame.shape[1] == 0:
        raise ScoreFileError(f"{name} has no columns")
    if len(frame) == 0:
        raise ScoreFileError(f"{name} has a header but no rows")
    return frame


class HeaderLooksLikeData(ScoreFileError):
    """The first row of a CSV is all numbers: it may be data in a file without a header."""

    def __init__(self, name: str, fields: list[str]):
        self.fields = fields
        super().__init__(
            f"the first row of {name} is all numbers ({_names(fields[:4])}): say whether it "
            f"holds column names or data (a file without a header row)")


_BINARY = {b"\x1f\x8b": "gzip-compressed data: unpack it first",
           b"PK\x03\x04": "a ZIP archive (an Excel .xlsx file is one): save it as CSV",
           b"\xd0\xcf\x11\xe0": "an old Excel or Office file: save it as CSV",
           b"BZh": "bzip2-compressed data: unpack it first",
           b"\xfd7zXZ": "xz-compressed data: unpack it first"}


def _refuse_binary(data: bytes, name: str) -> None:
    for magic, what in _BINARY.items():
        if data.startswith(magic):
            raise ScoreFileError(f"{name} is not a CSV or Parquet file: it is {what}")
    if b"\x00" in data[:8192]:
        raise ScoreFileError(f"{name} is not a CSV or Parquet file: it holds binary data "
                             "(zero bytes); export it as CSV text or Parquet")


def _refuse_duplicates(columns, name: str) -> None:
    """Two columns whose names are equal once surrounding spaces are dropped."""
    columns = list(columns)
    seen: dict[str, int] = {}
    for i, raw in enumerate(columns):
        key = str(raw).strip()
        if key in seen:
            first = columns[seen[key]]
            raise ScoreFileError(
                f"columns {seen[key] + 1} and {i + 1} of {name} are both named "
                f"{clip(key, 40)!r} (as {clip(first, 40)!r} and {clip(raw, 40)!r}): rename "
                f"one of them")
        seen[key] = i


def _check_cells(name: str, rows: int, columns: int, counted: str = "") -> None:
    if rows > MAX_ROWS:
        raise ScoreFileError(
            f"{name} holds {rows:,} rows{counted}; the limit is {MAX_ROWS:,} rows: sample "
            f"rows (a random 10% keeps the curves and costs readable)")
    if rows * columns > MAX_CELLS:
        raise ScoreFileError(
            f"{name} holds {rows:,} rows{counted} x {_n(columns, 'column')} = "
            f"{rows * columns:,} cells; the limit is {MAX_CELLS:,} cells (rows x columns): "
            f"keep only the columns you need, or sample rows")


def _read_parquet(data: bytes, name: str) -> pd.DataFrame:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        file = pq.ParquetFile(io.BytesIO(data))
        rows, schema = file.metadata.num_rows, file.schema_arrow
        _check_cells(name, rows, len(schema))  # from the metadata, before anything is decoded
        nested = [f for f in schema if pa.types.is_nested(f.type)]
        if nested:
            raise ScoreFileError(
                f"column {clip(nested[0].name, 40)!r} of {name} holds "
                f"{clip(nested[0].type, 40)} values, not one number or text per row: "
                f"flatten it or leave it out")
        names = [str(f.name).strip() for f in schema]
        dup = next((n for i, n in enumerate(names) if n in names[:i]), None)
        if dup is not None:
            first, second = [i for i, n in enumerate(names) if n == dup][:2]
            raise ScoreFileError(
                f"columns {first + 1} and {second + 1} of {name} are both named "
                f"{clip(dup, 40)!r}: rename one of them")
        frame = file.read().to_pandas()
    except ScoreFileError:
        raise
    except Exception as err:  # pyarrow raises several types for damaged files
        raise ScoreFileError(f"{name} is not a readable Parquet file ({type(err).__name__}: "
                             f"{str(err).splitlines()[0][:160]})") from None
    frame.columns = [str(c) for c in frame.columns]
    frame.attrs["decimal"] = "."
    return frame


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding): UTF-8 (a byte-order mark is dropped), else Latin-1."""
    try:
        return data.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "Latin-1"


def _first_line(text: str) -> str:
    """The first non-empty line, without splitting (or copying) the whole text."""
    head = text[:4096]
    start = len(head) - len(head.lstrip("\r\n")) if head.strip() else 0
    ends = [i for i in (text.find("\n", start), text.find("\r", start)) if i >= 0]
    return text[start:min(ends)] if ends else text[start:]


def sniff_separator(text: str) -> str:
    """The separator among comma, semicolon and tab that splits the header into most fields."""
    header = _first_line(text)
    counts = {sep: header.count(sep) for sep in SEPARATORS}
    return max(counts, key=lambda sep: (counts[sep], sep == ","))


def _header_fields(text: str, sep: str) -> list[str]:
    return next(csv.reader([_first_line(text)], delimiter=sep), [])


def _is_number(text: str) -> bool:
    try:
        float(text.replace(",", "."))
        return True
    except ValueError:
        return False


def _trailing_separator(text: str, sep: str, header: list[str]) -> bool:
    """Every one of the first data lines ends with the separator while the header does not:
    a writer that puts a separator after each field (the rows are not shifted)."""
    head = text[:200_000].splitlines()[1:1001]
    lines = [line for line in head if line.strip()]
    return bool(lines) and header[-1:] != [""] and all(line.endswith(sep) for line in lines)


def _read_csv(data: bytes, name: str, header: bool | None = None) -> pd.DataFrame:
    text, _ = decode(data)
    sep = sniff_separator(text)
    # rows below the header, counted as line breaks before parsing (an upper bound: a break
    # inside quotes counts too)
    lines = max(text.count("\n"), text.count("\r")) - (1 if text[-1:] in "\r\n" else 0)
    fields = _header_fields(text, sep)
    _check_cells(name, lines + (header is False), len(fields), " (lines)")
    if header is None and fields and all(f.strip() and _is_number(f.strip()) for f in fields):
        raise HeaderLooksLikeData(name, fields)
    if header is not False:  # pandas would silently rename a repeated name to "name.1"
        _refuse_duplicates(fields[:-1] if fields[-1:] == [""] else fields, name)
    options = {"sep": sep, "skipinitialspace": True, "keep_default_na": True}
    if header is False:
        options.update(header=None, names=[f"column {i + 1}" for i in range(len(fields))])
    trailing = _trailing_separator(text, sep, fields)
    if trailing:
        options["index_col"] = False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", pd.errors.ParserWarning)
            frame = pd.read_csv(io.StringIO(text), **options)
    except pd.errors.ParserError as err:
        raise ScoreFileError(f"{name} is not a well-formed {SEPARATORS[sep]}-separated file: "
                             f"{clip(str(err).strip(), 200)}") from None
    except pd.errors.EmptyDataError:
        raise ScoreFileError(f"{name} is empty: it needs a header row and one row per "
                             f"event") from None
    if not isinstance(frame.index, pd.RangeIndex):  # pandas took the first column as index
        raise ScoreFileError(
            f"the rows of {name} have more fields than its header ({len(fields)}): a column "
            f"name is missing, or a value holds an unquoted {SEPARATORS[sep]}")
    if fields[-1:] == [""] and frame.iloc[:, -1].isna().all():
        frame = frame.iloc[:, :-1]  # a separator after the last column name: no column
    frame.columns = [str(c).strip() for c in frame.columns]
    frame.attrs["decimal"] = _decimal_mark(frame, sep)
    return frame


_DECIMAL_COMMA = r"[-+]?(?:\d{1,3}(?:\.\d{3})+|\d+),\d+(?:[eE][-+]?\d+)?"
_THOUSANDS_COMMA = r"[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?(?:[eE][-+]?\d+)?"


def _decimal_mark(frame: pd.DataFrame, sep: str) -> str:
    """The file's decimal mark, decided once per file: a comma in semicolon or tab separated
    files whose number-like text cells use one ("0,25"), else a point (and a comma inside a
    number is then a thousands separator: "1,234" is 1234)."""
    if sep == ",":
        return "."
    for col in frame.columns:
        series = frame[col]
        if pd.api.types.is_numeric_dtype(series.dtype):
            continue
        sample = series.dropna().astype("string").str.strip().head(5000)
        if sample.str.fullmatch(_DECIMAL_COMMA).fillna(False).any():
            return ","
    return "."


# -- choosing columns --------------------------------------------------------------------


def _numeric(series: pd.Series, decimal: str = ".") -> pd.Series:
    """Numbers, NaN where a cell is not one, read with the file's decimal mark: with a
    comma, "1.234,5" is 1234.5 and "0.5" is not a number; with a point, "1,234.5" is 1234.5
    and "1,5" is not a number (so a cell is never guessed on its own)."""
    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series):
        return series.astype(float)
    text = series.astype("string").str.strip()
    if decimal == ",":
        comma = text.str.fullmatch(_DECIMAL_COMMA).fillna(False)
        dotted = text.str.contains(".", regex=False).fillna(False)
        text = text.where(~comma, text.str.replace(".", "", regex=False)
                          .str.replace(",", ".", regex=False))
        text = text.where(comma | ~dotted, pd.NA)
    else:
        grouped = text.str.fullmatch(_THOUSANDS_COMMA).fillna(False)
        if grouped.any():
            text = text.where(~grouped, text.str.replace(",", "", regex=False))
    return pd.to_numeric(text, errors="coerce")


def _empty(series: pd.Series) -> pd.Series:
    """Missing cells, and text cells holding only spaces."""
    empty = series.isna()
    if not pd.api.types.is_numeric_dtype(series.dtype):
        empty |= series.astype("string").str.strip().eq("").fillna(True)
    return empty


def _n(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def guess_columns(frame: pd.DataFrame) -> dict[str, str | None]:
    """Sensible preselections for each role: a column named like it, else (score) the first
    mostly numeric column within [0, 1], (label) the first column with two distinct values."""
    lower = {c.lower(): c for c in frame.columns}
    guess: dict[str, str | None] = {}
    for role in ROLES:
        guess[role] = next((lower[n] for n in _NAMES[role] if n in lower), None)
    head = frame.head(2000)
    if guess["label"] is None:
        guess["label"] = next((c for c in frame.columns if head[c].dropna().nunique() == 2
                               and c != guess["score"]), None)
    if guess["score"] is None:
        for c in frame.columns:
            x = _numeric(head[c], frame.attrs.get("decimal", ".")).dropna()
            if c != guess["label"] and len(x) and x.between(0, 1).mean() > 0.95 and \
                    x.nunique() > 2:
                guess["score"] = c
                break
    return guess


@dataclass(frozen=True)
class ScoreData:
    """Validated arrays, one entry per kept row, and what was done to get them."""

    score: np.ndarray
    label: np.ndarray  # 0/1
    value: np.ndarray | None
    segment: np.ndarray | None  # integer codes into ``segments``
    segments: tuple[str, ...]
    period: np.ndarray | None  # 1, 2, ... (weeks, or the file's own periods)
    periods: tuple[str, ...]  # what each period is called
    rows: np.ndarray  # the file's data-row numbers of the kept rows (from 1)
    columns: dict[str, str | None]
    positive: str
    notes: tuple[str, ...] = field(default_factory=tuple)
    # with ``unlabelled_from``: False for the rows of the periods whose labels are not in yet
    # (their ``label`` is a placeholder 0 and must not be read); None: every row is labelled
    labelled: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.score)


def prepare(frame: pd.DataFrame, columns: dict[str, str | None], *, positive: str | None = None,
            transform: str | None = None, drop_missing: bool = False,
            unlabelled_from: str | None = None) -> ScoreData:
    """Validated arrays from the chosen ``columns`` (roles score, label required; value,
    segment, time optional). Raises a ``ScoreFileError`` that says what to fix.

    ``unlabelled_from`` (a week number or a date of the time column) marks the periods from
    then on as not labelled yet: their labels may be empty (and any given there are not
    used); an empty label in an earlier period is still an error."""
    chosen = {role: columns.get(role) for role in ROLES}
    for role in ("score", "label"):
        if not chosen[role]:
            raise ScoreFileError(f"choose a {role} column (columns found: "
                                 f"{_names(frame.columns)})")
    for role, col in chosen.items():
        if col and col not in frame.columns:
            raise ScoreFileError(f"there is no column {clip(col, 40)!r} for the {role} (columns found: "
                                 f"{_names(frame.columns)})")
    used = [c for c in dict.fromkeys(chosen.values()) if c]
    if chosen["score"] == chosen["label"]:
        raise ScoreFileError(f"the score and the label must be different columns (both are "
                             f"{clip(chosen['score'], 40)!r})")
    notes: list[str] = []
    rownum = np.arange(1, len(frame) + 1)
    decimal = frame.attrs.get("decimal", ".")

    late = None
    if unlabelled_from is not None:
        late = _unlabelled_rows(frame, chosen, unlabelled_from)
    missing = {c: _empty(frame[c]) for c in used}
    if late is not None:  # labels of the periods not labelled yet may be empty
        missing[chosen["label"]] = missing[chosen["label"]] & ~late
    any_missing = np.zeros(len(frame), dtype=bool)
    for m in missing.values():
        any_missing |= m.to_numpy(dtype=bool, na_value=True)
    if any_missing.any():
        if not drop_missing:
            raise MissingValues({c: int(m.sum()) for c, m in missing.items()},
                                rownum[any_missing].tolist()[:50], int(any_missing.sum()))
        notes.append(f"dropped {int(any_missing.sum()):,} rows with empty cells "
                     f"(rows {_rows(rownum[any_missing])})")
        frame = frame.loc[~any_missing]
        rownum = rownum[~any_missing]
        late = None if late is None else late[~any_missing]
        if len(frame) == 0:
            raise ScoreFileError("no rows are left after dropping the rows with empty cells")

    score = _numeric(frame[chosen["score"]], decimal).to_numpy(dtype=float, na_value=np.nan)
    bad = ~np.isfinite(score)
    if bad.any():
        examples = frame[chosen["score"]].to_numpy()[bad][:3]
        raise ScoreFileError(
            f"{_n(int(bad.sum()), 'score')} in column {clip(chosen['score'], 40)!r} not a number (rows "
            f"{_rows(rownum[bad])}; for example {', '.join(repr(clip(e, 20)) for e in examples)})")
    outside = (score < 0) | (score > 1)
    if outside.any():
        if transform is None:
            raise ScoresOutOfRange(chosen["score"], float(score.min()), float(score.max()),
                                   int(outside.sum()))
        if transform == "sigmoid":
            score = 1.0 / (1.0 + np.exp(-score))
            notes.append("scores read as logits: sigmoid applied")
        elif transform == "percent":
            if score.min() < 0 or score.max() > 100:
                raise ScoreFileError(f"scores in column {clip(chosen['score'], 40)!r} run from "
                                     f"{score.min():g} to {score.max():g}: not percentages")
            score = score / 100.0
            notes.append("scores read as percentages: divided by 100")
        elif transform == "rank":
            ranks = pd.Series(score).rank(method="average").to_numpy()
            score = (ranks - 1) / max(len(ranks) - 1, 1)
            notes.append("scores replaced by their ranks rescaled to [0, 1]")
        else:
            raise ScoreFileError(f"unknown score transform {clip(transform, 40)!r}: use 'sigmoid' "
                                 f"(logits), 'percent' or 'rank'")

    labels = frame[chosen["label"]]
    if late is not None:
        if late.all():
            raise ScoreFileError(f"every row is in period {unlabelled_from!r} or later: the "
                                 "estimates need earlier periods with labels to calibrate on")
        given = int((~_empty(labels).to_numpy(dtype=bool, na_value=True) & late).sum())
        if given:
            notes.append(f"{given:,} labels given from period {unlabelled_from} on are not "
                         "used: those periods count as not labelled yet")
        labels = labels.where(~late)
    label, positive = _labels(labels, chosen["label"], positive)
    if label.all() or not label.any():
        notes.append(f"every row is {'positive' if label.all() else 'negative'}: "
                     "precision or recall is undefined")

    value = None
    if chosen["value"]:
        value = _numeric(frame[chosen["value"]], decimal).to_numpy(dtype=float,
                                                                   na_value=np.nan)
        bad = ~np.isfinite(value) | (value < 0) | (value > MAX_VALUE)
        if bad.any():
            raise ScoreFileError(
                f"{_n(int(bad.sum()), 'value')} in column {clip(chosen['value'], 40)!r} not a "
                f"number from 0 to {MAX_VALUE:g} (rows {_rows(rownum[bad])}): the value is the "
                f"money or harm at stake")

    segment, segments = None, ()
    if chosen["segment"]:
        cats = pd.Categorical(frame[chosen["segment"]].astype("string").str.strip())
        if len(cats.categories) > MAX_SEGMENTS:
            raise ScoreFileError(
                f"column {clip(chosen['segment'], 40)!r} has {len(cats.categories):,} distinct values; a "
                f"segment column groups rows into at most {MAX_SEGMENTS} subgroups (choose a "
                f"column such as region or cohort, not an identifier)")
        segment, segments = cats.codes.astype(np.int64), tuple(str(c) for c in cats.categories)

    period, periods = None, ()
    if chosen["time"]:
        period, periods = _periods(frame[chosen["time"]], chosen["time"], rownum)
        if len(periods) > 520:
            raise ScoreFileError(f"column {clip(chosen['time'], 40)!r} has {len(periods):,} distinct "
                                 "periods; give weeks or dates (grouped into weeks)")

    return ScoreData(score=score, label=label.astype(np.int8), value=value, segment=segment,
                     segments=segments, period=period, periods=periods, rows=rownum,
                     columns=chosen, positive=positive, notes=tuple(notes),
                     labelled=None if late is None else ~late)


def _unlabelled_rows(frame: pd.DataFrame, chosen: dict, start: str) -> np.ndarray:
    """Rows whose time is ``start`` or later (a week number, or a date, as the column holds)."""
    col = chosen["time"]
    if not col:
        raise ScoreFileError("marking periods as not labelled yet needs a time column "
                             "(week numbers or dates)")
    text = frame[col].astype("string").str.strip()
    numbers = pd.to_numeric(text, errors="coerce")
    if numbers.notna().all():
        try:
            first = float(start)
        except ValueError:
            raise ScoreFileError(f"the first unlabelled period {start!r} is not a week number "
                                 f"like those of time column {col!r}") from None
        late = numbers.to_numpy(dtype=float) >= first
    else:
        when = pd.to_datetime(text, errors="coerce", format="mixed", utc=True)
        first = pd.to_datetime(start, errors="coerce", utc=True)
        if pd.isna(first):
            raise ScoreFileError(f"the first unlabelled period {start!r} is not a date like "
                                 f"those of time column {col!r}")
        late = (when >= first).to_numpy(dtype=bool, na_value=False)
    if not late.any():
        raise ScoreFileError(f"no row of time column {col!r} is in period {start!r} or later")
    return late


def label_values(series: pd.Series) -> tuple[list[str], list[int]]:
    """Distinct label texts, most frequent first, with counts."""
    counts = series.astype("string").str.strip().value_counts()
    return [str(v) for v in counts.index], [int(c) for c in counts.to_numpy()]


def _labels(series: pd.Series, column: str, positive: str | None) -> tuple[np.ndarray, str]:
    text = series.astype("string").str.strip()
    values, counts = label_values(series)
    if positive is not None:
        if positive not in values:
            raise ScoreFileError(f"{clip(positive, 40)!r} is not a value of column "
                                 f"{clip(column, 40)!r} (values: {_names(values[:8])})")
        return (text == positive).to_numpy(dtype=bool, na_value=False), positive
    if len(values) > MAX_SEGMENTS:
        raise ScoreFileError(
            f"column {clip(column, 40)!r} has {len(values):,} distinct values; a label holds "
            f"the outcome (0/1, or at most {MAX_SEGMENTS} named classes): choose the column "
            "with what really happened, not an identifier")
    if values and all(v.lower() in TRUE_WORDS | FALSE_WORDS for v in values):
        word = next((v for v in values if v.lower() in TRUE_WORDS), "1")
        return text.str.lower().isin(TRUE_WORDS).to_numpy(dtype=bool, na_value=False), word
    raise LabelsNotBinary(column, values, counts)


def _periods(series: pd.Series, column: str, rownum) -> tuple[np.ndarray, tuple[str, ...]]:
    """Period numbers 1..P: whole numbers are used as they are (in order); dates and
    timestamps are grouped into weeks counted from the first one."""
    text = series.astype("string").str.strip()
    numbers = pd.to_numeric(text, errors="coerce")
    if numbers.notna().all():
        x = numbers.to_numpy(dtype=float)
        huge = np.abs(x) >= MAX_PERIOD
        if huge.any():
            raise ScoreFileError(
                f"{_n(int(huge.sum()), 'cell')} in time column {clip(column, 40)!r} beyond "
                f"±{MAX_PERIOD:.0e} (rows {_rows(np.asarray(rownum)[huge])}): give week "
                "numbers or dates")
        if np.all(x == np.round(x)):
            ids, codes = np.unique(x.astype(np.int64), return_inverse=True)
            return codes.astype(np.int64) + 1, tuple(str(i) for i in ids)
    when = pd.to_datetime(text, errors="coerce", format="mixed", utc=True)
    bad = when.isna().to_numpy()
    if bad.any():
        raise ScoreFileError(
            f"{_n(int(bad.sum()), 'cell')} in time column {clip(column, 40)!r} neither whole numbers "
            f"(weeks) nor dates (rows {_rows(np.asarray(rownum)[bad])})")
    days = (when - when.min()).dt.days.to_numpy()
    week = days // 7
    ids, codes = np.unique(week, return_inverse=True)
    start = when.min().normalize()
    names = tuple(f"week of {(start + pd.Timedelta(days=7 * int(w))).date()}" for w in ids)
    return codes.astype(np.int64) + 1, names
