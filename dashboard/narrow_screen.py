"""How the pages lay out on a phone (390 px wide): style rules Streamlit does not offer.

On a narrow screen Streamlit stacks every column, so a row of five KPI cards became five
full-width cards, about one and a half screens before the first chart. Here a row of cards
wraps two to a line instead, with smaller numbers, and plotly's tool bar (always shown on a
touch screen, where it covered chart titles) is hidden: pinch and drag still zoom and pan.
One rule for every row of cards on every page, not a per-page copy.
"""

from __future__ import annotations

import streamlit as st

# 640 px is where Streamlit itself starts stacking columns.
NARROW_CSS = """
<style>
@media (max-width: 640px) {
  [data-testid="stHorizontalBlock"]:has(> [data-testid="stColumn"] [data-testid="stMetric"]) {
    flex-direction: row !important; flex-wrap: wrap !important; gap: 0.5rem !important;
  }
  [data-testid="stHorizontalBlock"]:has(> [data-testid="stColumn"] [data-testid="stMetric"])
      > [data-testid="stColumn"] {
    flex: 1 1 calc(50% - 0.5rem) !important; min-width: calc(50% - 0.5rem) !important;
    width: calc(50% - 0.5rem) !important;
  }
  [data-testid="stMetric"] {padding: 0.5rem 0.6rem !important;}
  [data-testid="stMetricValue"], [data-testid="stMetricValue"] div {font-size: 1.6rem !important;}
  [data-testid="stMetricLabel"], [data-testid="stMetricLabel"] div,
  [data-testid="stMetricLabel"] p {white-space: normal !important; overflow: visible !important;}
  .js-plotly-plot .modebar-container {display: none !important;}
}
</style>
"""


def narrow_screen_layout() -> None:
    """Add the narrow-screen rules to the page (they apply only below 640 px)."""
    st.html(NARROW_CSS)
