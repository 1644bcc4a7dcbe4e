"""What the optimizer says when it answers: the suggestion's sentence and, when no policy is
feasible, the blocker's, word for word as the Suggest tab and the CLI print them."""

from __future__ import annotations

import pandas as pd

from simulations.policy.guardrails import Guardrails
from simulations.policy.optimize import Blocker, Suggestion


def test_a_floor_no_policy_reaches_says_the_highest_value_any_reaches():
    b = Blocker("min_precision", 0.9, 0.8236)
    assert b.sentence() == ("Precision ≥ 90.0% cannot be met: the highest precision any "
                            "policy reaches is 82.36%.")


def test_a_review_ceiling_says_the_lowest_demand_and_what_was_held():
    b = Blocker("max_review_per_week", 1200.0, 1534.26, (("min_recall", 0.5),))
    assert b.sentence() == ("Weekly review demand ≤ 1,200 cannot be met: the lowest weekly "
                            "review demand any policy meeting recall ≥ 50.0% reaches is "
                            "1,534.3.")


def test_the_domains_word_for_the_pass_rate_is_used_everywhere_in_the_sentence():
    b = Blocker("min_pass_rate", 0.95, 0.9, (("max_review_per_week", 100.0),
                                             ("min_recall", 0.6)))
    assert b.sentence("'approve' rate") == (
        "'approve' rate ≥ 95.0% cannot be met: the highest 'approve' rate any policy meeting "
        "weekly review demand ≤ 100 and recall ≥ 60.0% reaches is 90.00%.")
    held = Blocker("min_recall", 0.9, 0.5, (("min_pass_rate", 0.9),))
    assert held.sentence("'send home' rate") == (
        "Recall ≥ 90.0% cannot be met: the highest recall any policy meeting 'send home' "
        "rate ≥ 90.0% reaches is 50.00%.")


def test_an_unmeasurable_recall_is_said_as_a_sentence():
    assert Blocker("min_recall", 0.5, None).sentence() == (
        "Recall cannot be measured here (there are no positive labels).")


def test_the_suggestion_and_the_refusal_read_as_the_page_shows_them():
    ok = Suggestion(Guardrails(), (0.12, 0.7), {"cost_total": 12345.678}, pd.DataFrame())
    assert ok.message() == ("Cheapest policy within the guardrails: t_low = 0.12, "
                            "t_high = 0.7, cost 12,345.68.")
    blockers = (Blocker("min_pass_rate", 0.95, 0.9), Blocker("min_recall", 0.5, None))
    no = Suggestion(Guardrails(min_pass_rate=0.95), None, None, pd.DataFrame(), blockers)
    assert not no.feasible and ok.feasible
    assert no.message("'approve' rate") == (
        "No policy meets every guardrail. 'approve' rate ≥ 95.0% cannot be met: the highest "
        "'approve' rate any policy reaches is 90.00%. Recall cannot be measured here (there "
        "are no positive labels).")
