"""A reviewed event's label is the reviewer's verdict until its outcome shows otherwise: the
label the team holds at every week against a per-event loop, what the retrainings learn from,
and the outcomes correcting sloppy verdicts."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from simulations import run
from simulations.engine.feedback import NEVER, held_labels, reveal_labels
from simulations.engine.queue import REVIEWED
from tests.conftest import small

REVEAL = ((0.2, 0.5), (0.0, 0.0))  # reveal[final][label]: a declined event never shows it


def slow_label_at(as_of, i, mode, review_decides, reveal, week, label, reviewed, final,
                  correct, u, delay, decided=None):
    """The label event i holds at the end of week ``as_of`` (None: none yet), by the rule in
    words, one event at a time."""
    d = week[i] if decided is None else decided[i]
    arrives = delay[i] != NEVER
    shown = arrives if mode == "full" else arrives and u[i] < reveal[final[i]][label[i]]
    outcome_from = max(week[i] + delay[i], d)  # no outcome before the decision
    if reviewed[i] and review_decides:
        if as_of < d:
            return None
        if shown and as_of >= outcome_from:
            return int(label[i])  # the outcome arrived and replaces the verdict
        return int(label[i]) if correct[i] else 1 - int(label[i])
    if reviewed[i] and mode == "selective":  # an exploration slot: its outcome at once
        return int(label[i]) if as_of >= d else None
    return int(label[i]) if shown and as_of >= outcome_from else None


def vectorised_at(as_of, labels, label):
    held, value = held_labels(*labels, label, as_of)
    return [int(v) if h else None for h, v in zip(held, value, strict=True)]


@pytest.mark.parametrize("mode", ["full", "selective"])
@pytest.mark.parametrize("review_decides", [True, False])
@pytest.mark.parametrize("queued", [False, True])
def test_the_label_held_at_every_week_matches_a_per_event_loop(mode, review_decides, queued):
    rng = np.random.default_rng([mode == "full", review_decides, queued, 19])
    n = 500
    week = rng.integers(1, 9, n)
    label = rng.integers(0, 2, n)
    reviewed = rng.random(n) < 0.4
    final = rng.integers(0, 2, n)
    correct = rng.random(n) < 0.6
    u = rng.random(n)
    delay = np.where(rng.random(n) < 0.1, NEVER, rng.integers(0, 4, n)).astype(np.int16)
    decided = (week + rng.integers(0, 3, n)).astype(np.int32) if queued else None
    domain = SimpleNamespace(reveal=REVEAL, review_decides=review_decides)
    labels = reveal_labels(domain, SimpleNamespace(mode=mode), week, label, reviewed, final,
                           correct, u, delay, decided)
    for as_of in range(0, 16):
        expected = [slow_label_at(as_of, i, mode, review_decides, REVEAL, week, label,
                                  reviewed, final, correct, u, delay, decided) for i in range(n)]
        assert vectorised_at(as_of, labels, label) == expected, as_of
    if review_decides and mode == "selective":
        # a reviewed event the reviewer declined never reveals: its verdict, even a wrong
        # one, is its label for good
        declined = reviewed & (final == 1)
        forever = vectorised_at(10**6, labels, label)
        wrong = np.flatnonzero(declined & ~correct)
        assert len(wrong) > 20
        assert all(forever[i] == 1 - label[i] for i in wrong)


def reviews_everything(domain="triage", accuracy=0.7, weeks=6, **retrain):
    """Every event in the review band, enough capacity for all, full feedback a week late."""
    return small(domain, weeks=weeks, events=3000).with_policy(0.0, 1.0).with_changes(
        review={"reviewer_accuracy": accuracy, "capacity": 100_000},
        feedback={"mode": "full", "label_delay": 1},
        retrain={"trigger": "every", "min_labels": 100, "min_positives": 5, **retrain})


def training_labels(result, trained_week: int) -> tuple[list[int], list[int]]:
    """The labels (and true labels) a retraining at the end of ``trained_week`` holds over its
    window, from the run's events by the per-event loop (a queue's decision weeks included)."""
    s, o, a = result.scenario, result.outcome, result.arrays
    decided = None
    if o.queue is not None:
        decided = a["week"].astype(np.int64).copy()
        decided[o.queue.ids] = o.queue.done_week
    domain = result.domain
    first = trained_week - s.retrain.window_weeks + 1
    held, truth = [], []
    for i in np.flatnonzero((a["week"] >= first) & (a["week"] <= trained_week)):
        x = slow_label_at(trained_week, i, s.feedback.mode, domain.review_decides,
                          domain.reveal, a["week"], a["label"], o.reviewed, o.final, o.correct,
                          a["u_reveal"], a["delay"], decided)
        if x is not None:
            held.append(x)
            truth.append(int(a["label"][i]))
    return held, truth


QUEUE = {"overflow_action": "queue", "capacity": 200, "abandon_per_day": 0.05}


@pytest.mark.parametrize("mode, review", [
    ("full", {}), ("selective", {}), ("full", QUEUE), ("selective", QUEUE)])
def test_each_retraining_learns_the_labels_as_held_at_its_week(mode, review):
    s = small("fraud", weeks=8, events=3000).with_policy(0.02, 0.6).with_changes(
        review={"reviewer_accuracy": 0.8, "capacity": 1500, **review},
        feedback={"mode": mode, "label_delay": 2},
        retrain={"trigger": "every", "every_weeks": 3, "window_weeks": 4, "min_labels": 100,
                 "min_positives": 5})
    r = run(s)
    trained = [m for m in r.models if m.version and m.status == "trained"]
    assert len(trained) == 2
    w = r.weekly.set_index("week")
    for m in trained:
        held, truth = training_labels(r, m.week)
        assert (m.training_events, m.training_positives) == (len(held), sum(held))
        wrong = np.mean(np.array(held) != np.array(truth))
        assert w.loc[m.week, "train_label_error"] == pytest.approx(wrong, abs=1e-12)
        assert wrong > 0  # the verdicts still waiting for their outcomes err


def test_perfect_reviewers_under_full_feedback_train_on_more_labels_never_a_wrong_one():
    s = reviews_everything("fraud", accuracy=1.0, weeks=8, every_weeks=4, window_weeks=4)
    r = run(s)
    trained = [m for m in r.models if m.version and m.status == "trained"]
    assert [m.week for m in trained] == [4, 8]
    a, o = r.arrays, r.outcome
    for m in trained:
        # before reviews counted, a retraining held only the outcomes arrived by its week
        window = (a["week"] > m.week - 4) & (a["week"] <= m.week)
        before = int(np.count_nonzero(window & (a["delay"] != NEVER)
                                      & (a["week"] + a["delay"] <= m.week)))
        # now also the reviews of its last week, whose outcomes are a week away
        fresh = int(np.count_nonzero((a["week"] == m.week) & o.reviewed))
        assert fresh > 2500 and m.training_events == before + fresh
    assert (r.weekly["train_label_error"] == 0).all()


def test_outcomes_correct_sloppy_verdicts_in_a_window_past_the_delay():
    # right after the reviews: a week's verdicts only, their outcomes a week away
    soon = run(reviews_everything(weeks=2, every_weeks=2, window_weeks=1))
    # long after: six weeks, of which the first five have their outcomes in
    late = run(reviews_everything(weeks=6, every_weeks=6, window_weeks=6))
    assert soon.retrain_weeks == [2] and late.retrain_weeks == [6]
    e_soon = soon.weekly.loc[soon.weekly["week"] == 2, "train_label_error"].iloc[0]
    e_late = late.weekly.loc[late.weekly["week"] == 6, "train_label_error"].iloc[0]
    assert 0.2 < e_soon < 0.4  # about 1 - accuracy: every label a verdict
    assert e_late < e_soon / 3  # five weeks of six corrected by their outcomes
    # what is still wrong is exactly the last week's wrong verdicts
    a, o = late.arrays, late.outcome
    last_wrong = np.count_nonzero((a["week"] == 6) & o.reviewed & ~o.correct)
    labels = late.models[-1].training_events
    assert e_late == pytest.approx(last_wrong / labels, abs=1e-12)


def test_the_queues_decision_week_gates_the_verdict():
    s = small("fraud", weeks=6, events=3000).with_policy(0.02, 0.5).with_changes(
        review={"overflow_action": "queue", "capacity": 150, "reviewer_accuracy": 0.8},
        feedback={"mode": "full", "label_delay": 3})
    r = run(s)
    o, a = r.outcome, r.arrays
    q = o.queue
    late = q.ids[(q.status == REVIEWED) & (q.done_week > a["week"][q.ids])]
    assert len(late) > 50  # reviews decided in a later week than their own
    labels = (o.seen, o.seen_label, o.label_week, o.truth_week)
    decided = a["week"].astype(np.int64).copy()
    decided[q.ids] = q.done_week
    for as_of in range(1, 11):
        held, value = held_labels(*labels, a["label"], as_of)
        waiting = late[as_of < q.done_week[np.searchsorted(q.ids, late)]]
        assert not held[waiting].any()  # no verdict before its decision
        for i in late[:200]:
            x = slow_label_at(as_of, i, "full", True, r.domain.reveal, a["week"], a["label"],
                              o.reviewed, o.final, o.correct, a["u_reveal"], a["delay"],
                              decided)
            assert (int(value[i]) if held[i] else None) == x


def test_under_full_feedback_the_band_changes_the_model_history_unless_outcomes_are_prompt():
    base = small("fraud", weeks=5, events=2000).with_changes(
        review={"reviewer_accuracy": 0.8},
        retrain={"trigger": "every", "every_weeks": 2, "min_labels": 100, "min_positives": 5})
    late = base.with_changes(feedback={"label_delay": 1})
    a, b = run(late.with_policy(0.05, 0.2)), run(late.with_policy(0.3, 0.9))
    after = a.arrays["week"] > 2  # the first retraining learnt each band's verdicts
    assert not np.array_equal(a.arrays["score"][after], b.arrays["score"][after])
    assert late.policy_changes_labels
    # outcomes within the week replace every verdict at once: any band, the same models, so
    # the run's cached scores answer another band exactly as a fresh run does
    prompt = base.with_changes(feedback={"label_delay": 0})
    assert not prompt.policy_changes_labels
    moved = run(prompt.with_policy(0.05, 0.2)).at_policy(0.3, 0.9)
    fresh = run(prompt.with_policy(0.3, 0.9))
    pd.testing.assert_frame_equal(moved.weekly, fresh.weekly)
