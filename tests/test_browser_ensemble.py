"""End to end in headless Chromium: the Over time tab's "Show the range over N worlds" switch
simulates the worlds with a progress bar and shades the range behind the single run's lines.
Uses the server, browser and page fixtures of ``tests/test_browser.py``."""

from __future__ import annotations

import pytest

from tests.test_browser import (  # noqa: F401 (fixtures)
    browser,
    open_page,
    page,
    screenshot,
    server,
    wait_until_idle,
)

pytestmark = pytest.mark.browser


def filled_areas(pg) -> int:
    """Plotly draws a shaded band (fill="toself") as a path of class js-fill."""
    return pg.locator(".js-plotly-plot path.js-fill").count()


def test_the_range_over_worlds_is_shaded_behind_the_lines(server, page):  # noqa: F811
    open_page(page, f"{server}/fraud?fraud_tab=Over+time&fraud_events=4000&fraud_weeks=8",
              "fraud_over_time_single")
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=60_000)
    before = filled_areas(page)
    page.get_by_text("Show the range over N worlds").first.click()
    # the worlds run with a progress bar; then the caption says what the shading is
    page.get_by_text("Shaded: the 5th-95th percentile over 30 worlds").first.wait_for(
        timeout=240_000)
    wait_until_idle(page, timeout=240)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert filled_areas(page) > before  # a band behind each ranged line
    screenshot(page, "fraud_over_time_ranges")
