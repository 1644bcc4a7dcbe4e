"""Two policies on identical traffic: paired weekly differences.

``compare_policies`` uses common random numbers: both policies see the same events (same
seed), so their weekly difference is the effect of the policy, not noise. When the band cannot
change the model history, one simulation answers both policies from the cached scores.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd

from ..engine import run
from ..policy.metrics import horizon_totals
from ..scenario import Policy, Scenario

PAIRED_METRICS = ("cost_total", "cost_fn", "cost_fp", "cost_review", "pass_rate", "precision",
                  "recall", "flagged", "reviewed", "review_overflow", "fn", "fp")


@dataclass(frozen=True)
class Comparison:
    """Weekly tables of policies A and B on the same traffic, and their paired differences."""

    a: pd.DataFrame
    b: pd.DataFrame
    difference: pd.DataFrame  # B - A per week, for PAIRED_METRICS
    totals: pd.DataFrame  # one row per metric: A, B, B - A over the horizon


def compare_policies(scenario: Scenario, policy_a: Policy, policy_b: Policy) -> Comparison:
    """Run ``scenario`` under two policies with the same seed and pair the weekly results."""
    if scenario.policy_changes_labels:
        weekly_a = run(replace(scenario, policy=policy_a)).weekly
        weekly_b = run(replace(scenario, policy=policy_b)).weekly
    else:
        result = run(replace(scenario, policy=policy_a))
        weekly_a = result.weekly
        weekly_b = result.at_policy(policy_b.t_low, policy_b.t_high, policy_b.by_segment).weekly
    diff = pd.DataFrame({"week": weekly_a["week"]})
    for m in PAIRED_METRICS:
        diff[m] = weekly_b[m].to_numpy(dtype=float) - weekly_a[m].to_numpy(dtype=float)
    return Comparison(weekly_a, weekly_b, diff, _totals(weekly_a, weekly_b))


def _totals(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    ta = {k: v for k, v in horizon_totals(a).items() if k in PAIRED_METRICS}
    tb = horizon_totals(b)
    return pd.DataFrame(
        {"metric": list(ta), "A": list(ta.values()), "B": [tb[k] for k in ta],
         "B - A": [tb[k] - ta[k] for k in ta]}
    )
