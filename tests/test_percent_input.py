"""Guardrail floors typed as percents: the parsing every guardrail box shares."""

from __future__ import annotations

import pytest

from simulations.policy.guardrails import Guardrails, parse_percent


@pytest.mark.parametrize("text, share, noted", [
    ("99", 0.99, False), ("99%", 0.99, False), (" 99.3 % ", 0.993, False),
    ("0.99", 0.99, True), ("0.99%", 0.0099, False), ("", None, False), ("35", 0.35, False),
])
def test_percent_boxes_read_percents_and_say_when_a_share_was_meant(text, share, noted):
    value, note = parse_percent(text, "Recall")
    assert value == pytest.approx(share) if share is not None else value is None
    assert bool(note) == noted


@pytest.mark.parametrize("text", ["abc", "150", "-1", "99%%", "nan"])
def test_unreadable_percents_get_one_line_that_says_what_to_type(text):
    with pytest.raises(ValueError, match="Recall: .*type") as err:
        parse_percent(text, "Recall")
    assert "\n" not in str(err.value)


def test_guardrails_are_described_with_their_exact_value():
    assert Guardrails(0.35, None, 0.993, 350).describe("'approve' rate") == [
        "precision ≥ 35%", "'approve' rate ≥ 99.3%", "review demand ≤ 350 a week"]
