"""Money as the pages and sentences write it (simulations/reporting/money.py): one format per
purpose, the same everywhere, signs and undefined values kept."""

import math

import pytest

from simulations.reporting.money import exact_money, short_money, signed_money, whole_money


@pytest.mark.parametrize(("value", "text"), [
    (0, "$0"), (0.4, "$0"), (119.4, "$119"), (12_345.6, "$12,346"), (99_999, "$99,999"),
    (123_456, "$123.5k"), (999_949, "$999.9k"), (1_250_000, "$1.2M"), (-3_101, "-$3,101"),
    (-0.3, "$0"), (-2_500_000, "-$2.5M"),
])
def test_whole_money_on_a_card(value, text):
    assert whole_money(value, "$") == text


@pytest.mark.parametrize(("value", "text"), [
    (0, "$0"), (6, "$6"), (0.25, "$0.25"), (5.5, "$5.50"), (119.4, "$119"), (-3_101, "-$3.1k"),
    (31_200, "$31k"), (1_250_000, "$1.2M"), (-1_250_000, "-$1.2M"), (-0.001, "$0.00"),
])
def test_short_money_in_a_sentence(value, text):
    assert short_money(value, "$") == text


def test_other_units_follow_the_number():
    assert short_money(42, "min") == "42 min"
    assert whole_money(123_456, "min") == "123.5k min"
    assert signed_money(-35, "min") == "-35 min"


def test_signed_money_keeps_the_sign_and_undefined():
    assert signed_money(1_200, "$") == "+$1,200"
    assert signed_money(-35.4, "$") == "-$35"
    assert signed_money(0.2, "$") == "$0"
    assert signed_money(math.nan, "$") == "undefined"
    assert signed_money(math.inf, "$") == "undefined"


@pytest.mark.parametrize(("value", "unit", "text"), [
    (245_847.15, "$", "$245,847"), (0, "$", "$0"), (-0.4, "$", "$0"), (-1_200, "$", "-$1,200"),
    (1_250_000.6, "$", "$1,250,001"), (42, "min", "42 min"), (-3_101, "points", "-3,101 points"),
])
def test_exact_money_in_a_summary_line(value, unit, text):
    assert exact_money(value, unit) == text
