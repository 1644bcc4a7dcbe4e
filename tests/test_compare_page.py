"""Compare page: bars coloured by better/worse for B (not by sign), money as "-$5,361", shares in
percentage points, readable figure names, and B's review overflow said in words."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard import charts
from tests.test_pages import app

TEAL, RED = charts.ACTION_COLOURS["pass"], charts.ACTION_COLOURS["flag"]


def test_bars_are_coloured_by_better_or_worse_not_by_sign():
    diff = pd.DataFrame({"week": [1, 2], "cost_total": [-10.0, 5.0], "pass_rate": [-0.004, 0.001]})
    fig = charts.paired_differences(diff, {"cost_total": "cost", "pass_rate": "approval"},
                                    better={"cost_total": "lower", "pass_rate": "higher"},
                                    points=("pass_rate",))
    cost, approval = fig.data
    assert list(cost.marker.color) == [TEAL, RED]  # cheaper is better
    assert list(approval.marker.color) == [RED, TEAL]  # an approval drop is worse
    assert np.allclose(approval.y, [-0.4, 0.1])  # percentage points, not fractions
    assert fig.layout.yaxis2.ticksuffix == " pp"
    charts.go.Figure(fig.to_dict())  # a valid figure


def test_compare_page_formats_money_names_figures_and_says_bs_overflow():
    # B reviews a wide band at the default capacity: it must overflow
    at = app("compare", compare_weeks="6", compare_fraud_b=["0.01", "0.6"])
    assert not at.exception
    values = {m.label: m.value for m in at.metric}
    cost = values["Total cost, B - A"]
    assert cost.startswith(("-$", "+$")) and "$-" not in cost
    assert values["'approve' rate, B - A"].endswith(" pp")
    figures = at.dataframe[0].value["figure"].tolist()
    assert "fp" not in figures and "cost_fn" not in figures
    assert "cost of missed fraud" in figures and "'approve' rate" in figures
    said = " ".join(w.value for w in at.warning)
    assert "Policy B sends" in said and "beyond the capacity" in said
    assert "Policy A sends" not in said
