"""Choosing a policy: what a band yields (``metrics``: BandTable, one sort and cumulative sums,
and the totals over a horizon), the guardrails a team sets (``guardrails``) and the cheapest band
within them, exact over a grid (``optimize``)."""

from .guardrails import Guardrails, check
from .metrics import BandTable, horizon_totals, safe_ratio
from .optimize import PolicyGrid, Suggestion, optimize_policy

__all__ = ["BandTable", "Guardrails", "PolicyGrid", "Suggestion", "check", "horizon_totals",
           "optimize_policy", "safe_ratio"]
