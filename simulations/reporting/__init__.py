"""What the pages and reports show: summaries of a run (``summary``: segments, curves,
histograms, a domain's highlights) and the formula-safe CSV writer (``safe_csv``)."""

from .safe_csv import to_csv_text, write_csv
from .summary import format_share

__all__ = ["format_share", "to_csv_text", "write_csv"]
