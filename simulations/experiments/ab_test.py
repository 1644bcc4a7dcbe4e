"""An A/B test of the recommender against popularity whose control the previous model shaped."""

from __future__ import annotations

import pandas as pd


def contaminated_ab_test(result, contamination: float, outcome=None) -> pd.DataFrame:
    """Weekly true and measured lift of the model over popularity in an A/B test whose control
    is contaminated by the previous model (recommendation world only; see
    ``recommendation.ab_test_week``)."""
    from ..domains import recommendation

    if result.domain.name != "recommendation":
        raise ValueError("the contaminated A/B test needs the recommendation world")
    if not 0 <= contamination <= 1:
        raise ValueError(f"contamination = {contamination!r} must be between 0 and 1")
    outcome = outcome or result.outcome
    a, table = result.arrays, result.table
    rows = []
    for i, week in enumerate(table.weeks):
        sl = slice(table.starts[i], table.starts[i + 1])
        true_lift, measured = recommendation.ab_test_week(
            a["label"][sl], outcome.final[sl].astype(bool), a["score"][sl],
            a["extra_popularity_order"][sl], contamination)
        rows.append((int(week), true_lift, measured))
    return pd.DataFrame(rows, columns=["week", "true_lift", "measured_lift"])
