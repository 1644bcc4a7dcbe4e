"""Choosing a policy: what a band yields (``metrics``: BandTable, one sort and cumulative sums,
and the totals over a horizon), the guardrails a team sets (``guardrails``) and the cheapest band
within them, exact over a grid (``optimize``); a band per segment with one shared review queue
(``segment_bands``) and fairness strategies over such bands, priced (``fairness``)."""

from .fairness import FairnessProblem, FairResult, suggest_fair
from .guardrails import Guardrails, check
from .metrics import BandTable, horizon_totals, safe_ratio
from .optimize import PolicyGrid, Suggestion, optimize_policy
from .segment_bands import SegmentBandTable

__all__ = ["BandTable", "FairResult", "FairnessProblem", "Guardrails", "PolicyGrid",
           "SegmentBandTable", "Suggestion", "check", "horizon_totals", "optimize_policy",
           "safe_ratio", "suggest_fair"]
