"""A team's own scores: reading and validating its CSV or Parquet file (``read``) and the
tradeoff analysis of those scores at any band (``analysis``)."""

from .analysis import Analysis, Setup
from .read import ScoreData, ScoreFileError, prepare, read_table

__all__ = ["Analysis", "ScoreData", "ScoreFileError", "Setup", "prepare", "read_table"]
