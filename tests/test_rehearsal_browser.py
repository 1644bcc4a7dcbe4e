"""The rehearsal and Compare pages in headless Chromium at a desk (1440x900) and a projector
(1280x720): the form and brief render, the reveal's table is not cut at the right, and how long
the reveal takes to show its table (printed, never asserted: the machine is shared)."""

from __future__ import annotations

import time
from urllib.parse import quote

import pytest

from simulations.presets import load_preset
from tests.test_browser import (  # noqa: F401  (fixtures)
    CHROMIUM,
    CHROMIUM_ARGS,
    browser,
    screenshot,
    server,
    wait_until_idle,
)

pytestmark = pytest.mark.browser
SIZES = ((1440, 900), (1280, 720))


@pytest.fixture(params=SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def sized_page(browser, request):  # noqa: F811
    width, height = request.param
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    yield page, f"{width}x{height}"
    context.close()


def no_error(page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0


def not_cut_at_the_right(page) -> None:
    """Each data frame's scroller is as wide as its content: no column hides off the right."""
    widths = page.evaluate("""() => [...document.querySelectorAll(
        '[data-testid="stDataFrame"] .dvn-scroller')].map(s => [s.scrollWidth, s.clientWidth])""")
    assert widths, "no table found"
    for scroll, client in widths:
        assert scroll <= client + 2, (scroll, client)


@pytest.mark.parametrize("case", ["fraud_adaptation", "fraud_sensitivity"])
def test_rehearsal_form_brief_and_reveal(server, sized_page, case):  # noqa: F811
    page, size = sized_page
    preset = load_preset(case)
    page.goto(f"{server}/rehearsal?rehearse_case={quote(preset.title)}",
              wait_until="domcontentloaded")
    page.wait_for_selector('[data-testid="stMain"]', timeout=60_000)
    wait_until_idle(page, timeout=400)
    no_error(page)
    assert page.get_by_text("Case brief: today's numbers").first.is_visible()
    screenshot(page, f"rehearsal_{case}_form_{size}")
    boxes = page.locator('[data-testid="stTextInput"] input')
    boxes.nth(1).fill("35")  # recall, %
    boxes.nth(2).fill("99.3%")  # 'approve' rate, %
    page.locator('[data-testid="stTextArea"] textarea').first.fill(
        "Fraud losses per week down 20% within a quarter")
    page.get_by_role("button", name="Commit my answer").click()
    started = time.monotonic()
    page.get_by_text("Answer committed").first.wait_for(timeout=400_000)
    page.locator('[data-testid="stDataFrame"]').first.wait_for(timeout=400_000)
    shown = time.monotonic() - started
    wait_until_idle(page, timeout=400)
    done = time.monotonic() - started
    print(f"\n{case} {size}: reveal table after {shown:.1f}s, page complete after {done:.1f}s")
    no_error(page)
    assert page.get_by_text("The model answer").first.is_visible()
    not_cut_at_the_right(page)
    screenshot(page, f"rehearsal_{case}_reveal_{size}")


def test_compare_page_at_desk_and_projector_sizes(server, sized_page):  # noqa: F811
    page, size = sized_page
    page.goto(f"{server}/compare?compare_fraud_b=0.01&compare_fraud_b=0.6",
              wait_until="domcontentloaded")
    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=120_000)
    wait_until_idle(page)
    no_error(page)
    assert page.get_by_text("Policy B sends").first.is_visible()
    not_cut_at_the_right(page)
    screenshot(page, f"compare_{size}")
