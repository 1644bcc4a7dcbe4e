"""Which labels a team sees, when, and what they show: hand-worked tables with a fake domain."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from simulations.engine.feedback import (
    NO_WEEK,
    held_labels,
    observed_performance,
    reveal_labels,
    weekly_observed,
)

# reveal[final][label]: a passed event shows its label with probability 0.5 (positives) or 0.2
# (negatives); a flagged one never (0.0) -- a declined payment never shows whether it was fraud
REVEAL = ((0.2, 0.5), (0.0, 0.0))


def domain(review_decides=True):
    return SimpleNamespace(reveal=REVEAL, review_decides=review_decides)


#           0     1     2     3     4     5     6     7
WEEK = np.array([3, 3, 3, 3, 4, 4, 4, 4])
LABEL = np.array([1, 0, 1, 0, 1, 0, 1, 0])
REVIEWED = np.array([1, 1, 0, 0, 0, 0, 0, 0], dtype=bool)
FINAL = np.array([1, 1, 0, 0, 1, 1, 0, 0])
CORRECT = np.array([1, 0, 1, 1, 1, 1, 1, 1], dtype=bool)  # event 1's reviewer is wrong
U = np.array([0.9, 0.9, 0.4, 0.1, 0.0, 0.0, 0.6, 0.3])


def _reveal(domain_, fb, week, *rest):
    """reveal_labels with every event's delay the scenario's whole number of weeks."""
    return reveal_labels(domain_, fb, week, *rest, np.full(len(week), fb.label_delay))


def test_full_feedback_shows_every_true_label_after_the_delay_and_verdicts_before():
    fb = SimpleNamespace(mode="full", label_delay=2)
    seen, seen_label, label_week, truth_week = _reveal(domain(), fb, WEEK, LABEL, REVIEWED,
                                                       FINAL, CORRECT, U)
    assert seen.all() and seen.dtype == bool
    # 0, 1 reviewed: their verdicts at once (1's is wrong: shows 1), the truth two weeks on
    assert seen_label.tolist() == [1, 1, *LABEL.tolist()[2:]]
    assert label_week.tolist() == [3, 3, *(WEEK + 2).tolist()[2:]]
    assert truth_week.tolist() == (WEEK + 2).tolist()
    held = [held_labels(seen, seen_label, label_week, truth_week, LABEL, w)
            for w in (3, 4, 5, 6)]
    assert [h[0].tolist() for h in held] == [[True, True] + [False] * 6,
                                             [True, True] + [False] * 6,
                                             [True] * 4 + [False] * 4, [True] * 8]
    assert [h[1][:2].tolist() for h in held] == [[1, 1], [1, 1], [1, 0], [1, 0]]


def test_selective_feedback_reveals_by_final_decision_and_reviews_at_once():
    fb = SimpleNamespace(mode="selective", label_delay=1)
    seen, seen_label, label_week, truth_week = _reveal(domain(), fb, WEEK, LABEL, REVIEWED,
                                                       FINAL, CORRECT, U)
    # 0, 1 reviewed: seen at once, with the reviewer's verdict (1 is wrong: shows 1)
    # 2 passed positive, u 0.4 < 0.5: seen; 3 passed negative, u 0.1 < 0.2: seen
    # 4, 5 flagged: never, even with u = 0; 6 passed positive, u 0.6: not; 7 u 0.3 >= 0.2: not
    assert seen.tolist() == [True, True, True, True, False, False, False, False]
    assert seen_label[:4].tolist() == [1, 1, 1, 0]
    assert seen_label.tolist()[4:] == LABEL.tolist()[4:]  # unseen rows keep the truth
    assert label_week.tolist() == [3, 3, 4, 4, 5, 5, 5, 5]
    # both reviewed events were declined (final 1): their outcomes never come, so the wrong
    # verdict of event 1 stands for good
    assert truth_week.tolist() == [NO_WEEK, NO_WEEK, 4, 4] + [NO_WEEK] * 4
    held, value = held_labels(seen, seen_label, label_week, truth_week, LABEL, 10**6)
    assert held[:4].all() and value[:4].tolist() == [1, 1, 1, 0]


def test_a_revealing_probability_is_a_strict_threshold():
    fb = SimpleNamespace(mode="selective", label_delay=0)
    u = np.array([0.5, 0.2])
    seen, _, label_week, truth_week = _reveal(domain(), fb, np.array([1, 1]), np.array([1, 0]),
                                              np.zeros(2, bool), np.array([0, 0]),
                                              np.ones(2, bool), u)
    assert not seen.any()  # u == p does not reveal: P(u < p) = p
    assert label_week.tolist() == [1, 1] and truth_week.tolist() == [NO_WEEK, NO_WEEK]


def test_an_exploration_slot_shows_the_true_outcome_whatever_the_verdict():
    fb = SimpleNamespace(mode="selective", label_delay=3)
    seen, seen_label, label_week, truth_week = _reveal(domain(review_decides=False), fb, WEEK,
                                                       LABEL, REVIEWED, FINAL, CORRECT, U)
    assert seen[:2].all() and seen_label[:2].tolist() == [1, 0]
    assert label_week[:2].tolist() == [3, 3] and label_week[2:].tolist() == (WEEK[2:] + 3).tolist()
    assert truth_week[:2].tolist() == [3, 3]  # the outcome is the first label: nothing replaces it


def test_observed_performance_on_seen_labels():
    # seen labels 1 1 0 0 1, finally flagged 1 0 1 0 1: tp 2, flagged 3, positives 3
    got = observed_performance([1, 1, 0, 0, 1], [1, 0, 1, 0, 1])
    assert got == {"precision": pytest.approx(2 / 3), "recall": pytest.approx(2 / 3)}
    got = observed_performance([1, 1, 0, 0], [1, 1, 1, 0])
    assert got["precision"] == pytest.approx(2 / 3) and got["recall"] == 1.0
    none = observed_performance([0, 1], [0, 0])
    assert np.isnan(none["precision"]) and none["recall"] == 0.0
    no_pos = observed_performance([0, 0], [1, 0])
    assert no_pos["precision"] == 0.0 and np.isnan(no_pos["recall"])


def test_weekly_observed_counts_the_labels_in_the_week_they_arrive():
    weeks = np.array([3, 4, 5])
    seen = np.array([1, 1, 1, 1, 0, 1, 1], dtype=bool)
    seen_label = np.array([1, 0, 1, 1, 1, 0, 1])
    label_week = np.array([3, 3, 4, 5, 4, 6, 5])  # event 5 arrives after the horizon
    final = np.array([1, 1, 0, 1, 1, 1, 0])
    never = np.full(7, NO_WEEK)
    got = weekly_observed(weeks, seen, seen_label, label_week, never, seen_label, final)
    # week 3: events 0, 1 -> tp 1, flagged 2, positives 1; week 4: event 2 (4 unseen) ->
    # tp 0, flagged 0, positives 1; week 5: events 3, 6 -> tp 1, flagged 1, positives 2
    assert got["labels_arrived"].tolist() == [2, 1, 2]
    np.testing.assert_allclose(got["observed_precision"], [0.5, np.nan, 1.0])
    np.testing.assert_allclose(got["observed_recall"], [1.0, 0.0, 0.5])
    # event 1's verdict (0) is wrong and its outcome (1) comes in its own week 3, event 3's
    # (1) in week 6: a label counts once, in the week it arrives, as held that week
    truth = np.array([1, 1, 1, 0, 1, 0, 1])
    outcome = np.array([3, 3, 4, 6, 4, 6, 5])
    got = weekly_observed(weeks, seen, seen_label, label_week, outcome, truth, final)
    assert got["labels_arrived"].tolist() == [2, 1, 2]
    np.testing.assert_allclose(got["observed_precision"], [1.0, np.nan, 1.0])
    np.testing.assert_allclose(got["observed_recall"], [1.0, 0.0, 0.5])


def test_weekly_observed_with_no_labels_is_undefined_not_zero():
    weeks = np.array([1, 2])
    got = weekly_observed(weeks, np.zeros(3, bool), np.zeros(3, int), np.array([1, 2, 2]),
                          np.array([1, 2, 2]), np.ones(3, int), np.ones(3, int))
    assert got["labels_arrived"].tolist() == [0, 0]
    assert np.isnan(got["observed_precision"]).all() and np.isnan(got["observed_recall"]).all()


def test_a_wrong_review_of_a_positive_shows_a_negative():
    fb = SimpleNamespace(mode="selective", label_delay=2)
    seen, seen_label, label_week, truth_week = _reveal(
        domain(), fb, np.array([5, 5]), np.array([1, 1]), np.array([True, True]),
        np.array([0, 1]), np.array([False, True]), np.array([0.99, 0.99]))
    assert seen.tolist() == [True, True]
    assert seen_label.tolist() == [0, 1] and label_week.tolist() == [5, 5]
    assert truth_week.tolist() == [NO_WEEK, NO_WEEK]  # u = 0.99 reveals neither outcome


def test_an_approved_payment_shows_its_truth_when_the_chargeback_comes():
    # a fraud the analyst wrongly approved: the verdict (0) from week 5, the truth from week 7
    fb = SimpleNamespace(mode="selective", label_delay=2)
    out = _reveal(domain(), fb, np.array([5]), np.array([1]), np.array([True]),
                  np.array([0]), np.array([False]), np.array([0.3]))
    assert [x.tolist() for x in out] == [[True], [0], [5], [7]]
    got = [held_labels(*out, np.array([1]), w)[1].tolist() for w in (5, 6, 7, 30)]
    assert got == [[0], [0], [1], [1]]
