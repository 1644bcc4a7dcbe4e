"""When each label arrives and what the team computes from the arrived ones: every function of
``engine.feedback`` that deals in weeks, against per-event loops written here."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from simulations.engine.feedback import (
    NEVER,
    NO_WEEK,
    arrived_by,
    draw_delays,
    label_maturity,
    realised_by_week,
    reveal_labels,
    week_delays,
    weekly_observed,
)
from simulations.scenario import LabelDelay

REVEAL = ((0.2, 0.5), (0.0, 0.9))  # reveal[final][label]


class FixedUniforms:
    """A stand-in generator whose ``random(n)`` returns chosen numbers (ties on purpose)."""

    def __init__(self, values):
        self.values = np.asarray(values, dtype=float)

    def random(self, n):
        assert n == len(self.values)
        return self.values


def slow_delay(u: float, shares) -> int:
    """The first week k whose running share passes u; NEVER when the shares run out."""
    total = 0.0
    for k, share in enumerate(shares):
        total += share
        if u < total:
            return k
    return NEVER


def test_draw_delays_is_the_inverse_of_the_running_shares_ties_included():
    shares = (0.5, 0.25, 0.125)  # exact in binary: running shares 0.5, 0.75, 0.875
    u = [0.0, 0.4999, 0.5, 0.74, 0.75, 0.8, 0.875, 0.99]
    got = draw_delays(LabelDelay("discrete", shares=shares), len(u), FixedUniforms(u))
    assert got.tolist() == [slow_delay(x, shares) for x in u] == [0, 0, 1, 1, 2, 2, NEVER,
                                                                  NEVER]


def test_draw_delays_from_a_generator_match_the_loop_event_by_event():
    shares = (0.1, 0.3, 0.2, 0.15)
    got = draw_delays(LabelDelay("discrete", shares=shares), 5000, np.random.default_rng(4))
    u = np.random.default_rng(4).random(5000)
    assert got.tolist() == [slow_delay(x, shares) for x in u]
    assert np.issubdtype(got.dtype, np.integer)


def test_a_fixed_delay_draws_nothing_and_a_spread_uses_one_child_stream():
    rng, fresh = np.random.default_rng(9), np.random.default_rng(9)
    got = week_delays(LabelDelay("fixed", weeks=3), 6, rng)
    assert got.tolist() == [3] * 6
    assert rng.random(4).tolist() == fresh.random(4).tolist()  # nothing drawn, nothing spawned
    assert rng.spawn(1)[0].random(3).tolist() == fresh.spawn(1)[0].random(3).tolist()

    shares = (0.4, 0.4)
    rng, fresh = np.random.default_rng(11), np.random.default_rng(11)
    got = week_delays(LabelDelay("discrete", shares=shares), 500, rng)
    first, second = fresh.spawn(2)
    assert got.tolist() == [slow_delay(x, shares) for x in first.random(500)]
    # the week's own stream is untouched, and the next child spawned is the second one
    assert rng.random(4).tolist() == fresh.random(4).tolist()
    assert rng.spawn(1)[0].random(3).tolist() == second.random(3).tolist()


def slow_reveal(mode, review_decides, week, label, reviewed, final, correct, u, delay,
                decided):
    """Per event, the rules of ``reveal_labels`` written one event at a time: (seen, first
    label, its week, the week the true outcome arrives)."""
    out = []
    for i in range(len(week)):
        arrives = delay[i] != NEVER
        outcome = arrives if mode == "full" else arrives and u[i] < REVEAL[final[i]][label[i]]
        outcome_at = week[i] + delay[i]
        if reviewed[i] and review_decides:  # the verdict now, the outcome if it ever comes
            verdict = label[i] if correct[i] else 1 - label[i]
            seen, shown, at = True, verdict, week[i]
            truth_at = outcome_at if outcome else NO_WEEK
        elif reviewed[i] and mode == "selective":  # an exploration slot: the outcome at once
            seen, shown, at, truth_at = True, label[i], week[i], week[i]
        else:
            seen, shown, at = outcome, label[i], outcome_at
            truth_at = outcome_at if outcome else NO_WEEK
        if decided is not None:  # nothing arrives before its decision
            at = max(at, decided[i])
            truth_at = truth_at if truth_at == NO_WEEK else max(truth_at, decided[i])
        out.append((bool(seen), int(shown), int(at), int(truth_at)))
    return out


@pytest.mark.parametrize("mode", ["full", "selective"])
@pytest.mark.parametrize("review_decides", [True, False])
@pytest.mark.parametrize("queued", [False, True])
def test_reveal_labels_match_the_per_event_rules(mode, review_decides, queued):
    rng = np.random.default_rng([mode == "full", review_decides, queued])
    n = 400
    week = rng.integers(1, 9, n)
    label = rng.integers(0, 2, n)
    reviewed = rng.random(n) < 0.3
    final = np.where(reviewed, rng.integers(0, 2, n), rng.integers(0, 2, n))
    correct = rng.random(n) < 0.7
    u = rng.random(n)
    delay = np.where(rng.random(n) < 0.1, NEVER, rng.integers(0, 4, n)).astype(np.int16)
    decided = (week + rng.integers(0, 3, n)).astype(np.int32) if queued else None
    domain = SimpleNamespace(reveal=REVEAL, review_decides=review_decides)
    seen, shown, at, truth_at = reveal_labels(domain, SimpleNamespace(mode=mode), week, label,
                                              reviewed, final, correct, u, delay, decided)
    expected = slow_reveal(mode, review_decides, week, label, reviewed, final, correct, u,
                           delay, decided)
    got = zip(seen.tolist(), shown.tolist(), at.tolist(), truth_at.tolist(), strict=True)
    assert list(got) == expected
    if queued:
        assert (at >= decided).all()


def _labels(seed=3, n=300, first=2, last=7):
    """Random first labels and, for some, a true outcome that arrives later (or never) and
    may differ from the first label: (weeks, seen, seen_label, label_week, final, truth_week,
    truth)."""
    rng = np.random.default_rng(seed)
    weeks = np.sort(rng.integers(first, last + 1, n))
    seen = rng.random(n) < 0.7
    seen_label = rng.integers(0, 2, n)
    label_week = weeks + rng.integers(0, 4, n)
    final = rng.integers(0, 2, n)
    replaced = rng.random(n) < 0.5
    truth_week = np.where(replaced, label_week + rng.integers(0, 4, n),
                          np.where(rng.random(n) < 0.5, label_week, NO_WEEK))
    truth = np.where(replaced & (rng.random(n) < 0.6), 1 - seen_label, seen_label)
    return weeks, seen, seen_label, label_week, final, truth_week, truth


def slow_held(i, as_of, seen, seen_label, label_week, truth_week, truth):
    """Event i's label at the end of week ``as_of`` (None: none yet), one event at a time."""
    if not seen[i] or label_week[i] > as_of:
        return None
    return truth[i] if truth_week[i] <= as_of else seen_label[i]


def slow_rates(rows, labels, final):
    """(count, precision, recall) of the events ``rows`` with ``labels[i]`` their label."""
    tp = sum(1 for i in rows if labels[i] and final[i])
    flagged = sum(1 for i in rows if final[i])
    positives = sum(1 for i in rows if labels[i])
    return (len(rows), tp / flagged if flagged else np.nan,
            tp / positives if positives else np.nan)


@pytest.mark.parametrize("lag", [0, 1, 3])
def test_arrived_by_and_realised_by_week_match_a_loop(lag):
    weeks, seen, seen_label, label_week, final, truth_week, truth = _labels()
    got = arrived_by(weeks, seen, label_week, lag)
    assert got.tolist() == [bool(seen[i] and label_week[i] <= weeks[i] + lag)
                            for i in range(len(weeks))]
    realised = realised_by_week(weeks, seen, seen_label, label_week, truth_week, truth, final,
                                lag)
    assert [len(v) for v in realised.values()] == [6, 6, 6]  # weeks 2..7
    for j, w in enumerate(range(2, 8)):
        held = {i: slow_held(i, w + lag, seen, seen_label, label_week, truth_week, truth)
                for i in range(len(weeks)) if weeks[i] == w}
        rows = [i for i, x in held.items() if x is not None]
        n, p, r = slow_rates(rows, held, final)
        assert realised["labels"][j] == n
        np.testing.assert_allclose([realised["precision"][j], realised["recall"][j]], [p, r],
                                   equal_nan=True)


def test_realised_by_week_keeps_a_week_with_no_events_as_undefined():
    weeks = np.array([1, 1, 3, 3])  # week 2 has no events at all
    got = realised_by_week(weeks, np.ones(4, bool), np.array([1, 0, 1, 1]), weeks, weeks,
                           np.array([1, 0, 1, 1]), np.array([1, 1, 0, 1]), lag=0)
    assert got["labels"].tolist() == [2, 0, 2]
    np.testing.assert_allclose(got["precision"], [0.5, np.nan, 1.0])
    np.testing.assert_allclose(got["recall"], [1.0, np.nan, 0.5])


def test_realised_by_week_has_a_row_for_every_week_even_an_unlabelled_last_one():
    weeks = np.array([1, 2, 2, 3])  # nothing of week 3 has arrived by its end
    never = np.full(4, NO_WEEK)
    got = realised_by_week(weeks, np.array([1, 1, 1, 1], bool), np.array([1, 1, 0, 1]),
                           np.array([1, 2, 3, 4]), never, np.zeros(4, int),
                           np.array([0, 1, 1, 1]), lag=0)
    assert got["labels"].tolist() == [1, 1, 0]
    np.testing.assert_allclose(got["precision"], [np.nan, 1.0, np.nan])
    np.testing.assert_allclose(got["recall"], [0.0, 1.0, np.nan])
    got = realised_by_week(weeks, np.ones(4, bool), np.ones(4, int), weeks, never,
                           np.zeros(4, int), np.ones(4, int), 1)
    assert got["labels"].tolist() == [1, 2, 1]


@pytest.mark.parametrize("week, last_week", [(3, 9), (7, 7), (5, 6)])
def test_label_maturity_matches_a_loop_over_the_weeks_after(week, last_week):
    weeks, seen, seen_label, label_week, final, truth_week, truth = _labels(seed=8)
    view = label_maturity(weeks, truth, seen, seen_label, label_week, truth_week, final, week,
                          last_week)
    mine = [i for i in range(len(weeks)) if weeks[i] == week]
    assert view["as_of_week"].tolist() == list(range(week, last_week + 1))
    assert view["weeks_later"].tolist() == list(range(last_week - week + 1))
    _, true_p, true_r = slow_rates(mine, truth, final)
    for row in view.itertuples():
        held = {i: slow_held(i, row.as_of_week, seen, seen_label, label_week, truth_week, truth)
                for i in mine}
        rows = [i for i, x in held.items() if x is not None]
        n, p, r = slow_rates(rows, held, final)
        assert row.labels_arrived == n
        assert row.share_arrived == pytest.approx(n / len(mine))
        np.testing.assert_allclose([row.precision, row.recall], [p, r], equal_nan=True)
        np.testing.assert_allclose([row.true_precision, row.true_recall], [true_p, true_r])


def test_label_maturity_of_an_empty_week_is_undefined_not_zero():
    weeks, seen, seen_label, label_week, final, truth_week, truth = _labels(first=2, last=4)
    view = label_maturity(weeks, truth, seen, seen_label, label_week, truth_week, final, 6, 8)
    assert view["labels_arrived"].tolist() == [0, 0, 0]
    for column in ("share_arrived", "precision", "recall", "true_precision", "true_recall"):
        assert view[column].isna().all(), column


def test_weekly_observed_matches_a_loop_over_arrival_weeks():
    weeks_all, seen, seen_label, label_week, final, truth_week, truth = _labels(seed=5)
    weeks = np.arange(2, 8)
    got = weekly_observed(weeks, seen, seen_label, label_week, truth_week, truth, final)
    for j, w in enumerate(weeks):
        # the labels that first arrive in week w, as held at its end
        held = {i: slow_held(i, w, seen, seen_label, label_week, truth_week, truth)
                for i in range(len(seen)) if seen[i] and label_week[i] == w}
        n, p, r = slow_rates(list(held), held, final)
        assert got["labels_arrived"][j] == n
        np.testing.assert_allclose([got["observed_precision"][j], got["observed_recall"][j]],
                                   [p, r], equal_nan=True)
    assert len(got["labels_arrived"]) == len(weeks)


def test_label_maturity_counts_an_outcome_that_arrives_in_the_last_week_shown():
    # the last row is read as "what the team holds now": an outcome that replaces a differing
    # verdict in that very week must already count there, whatever the last week shown is
    weeks, seen, seen_label, label_week, final, truth_week, truth = _labels(seed=8)
    week = 3
    mine = [i for i in range(len(weeks)) if weeks[i] == week]
    fixed_in = {int(truth_week[i]) for i in mine
                if seen[i] and truth[i] != seen_label[i] and truth_week[i] != NO_WEEK}
    assert len(fixed_in) >= 3  # several last weeks below do end on a fix
    for last_week in range(week, week + 8):
        view = label_maturity(weeks, truth, seen, seen_label, label_week, truth_week, final,
                              week, last_week)
        last = view.iloc[-1]
        assert last["as_of_week"] == last_week
        held = {i: slow_held(i, last_week, seen, seen_label, label_week, truth_week, truth)
                for i in mine}
        rows = [i for i, x in held.items() if x is not None]
        n, p, r = slow_rates(rows, held, final)
        assert last["labels_arrived"] == n
        np.testing.assert_allclose([last["precision"], last["recall"]], [p, r],
                                   equal_nan=True, err_msg=f"last week {last_week}")
        assert view["labels_arrived"].dtype.kind == "i"  # a count the page shows as 12, not 12.0
    # one event, by hand: a wrong verdict (0) in week 5, its outcome (1) in week 6
    one = [np.array([x]) for x in (5, 1, True, 0, 5, 6, 1)]  # weeks, label, seen, seen_label,
    weeks1, label1, seen1, seen_label1, label_week1, truth_week1, final1 = one  # lw, tw, final
    view = label_maturity(weeks1, label1, seen1, seen_label1, label_week1, truth_week1,
                          final1, 5, 6)
    assert view["precision"].tolist() == [0.0, 1.0]
    np.testing.assert_allclose(view["recall"], [np.nan, 1.0])


@pytest.mark.parametrize("mode", ["full", "selective"])
@pytest.mark.parametrize("review_decides", [True, False])
@pytest.mark.parametrize("queued", [False, True])
def test_the_weeks_reveal_labels_gives_are_what_label_maturity_counts_by(mode, review_decides,
                                                                        queued):
    # the engine hands reveal_labels' weeks straight to the Monitor's label maturity, which
    # counts labels week by week: its weeks must stay whole numbers (a float week cannot be
    # counted by bincount) and give the loop's view
    rng = np.random.default_rng([7, mode == "full", review_decides, queued])
    n = 300
    week = np.sort(rng.integers(1, 7, n))
    label = rng.integers(0, 2, n)
    reviewed = rng.random(n) < 0.3
    final = rng.integers(0, 2, n)
    correct = rng.random(n) < 0.7
    u = rng.random(n)
    delay = np.where(rng.random(n) < 0.1, NEVER, rng.integers(0, 4, n)).astype(np.int16)
    decided = (week + rng.integers(0, 3, n)).astype(np.int32) if queued else None
    domain = SimpleNamespace(reveal=REVEAL, review_decides=review_decides)
    seen, shown, at, truth_at = reveal_labels(domain, SimpleNamespace(mode=mode), week, label,
                                              reviewed, final, correct, u, delay, decided)
    for weeks_of in (at, truth_at):
        assert np.issubdtype(weeks_of.dtype, np.integer)
    view = label_maturity(week, label, seen, shown, at, truth_at, final, 2, 7)
    mine = [i for i in range(n) if week[i] == 2]
    for row in view.itertuples():
        held = {i: slow_held(i, row.as_of_week, seen, shown, at, truth_at, label) for i in mine}
        rows = [i for i, x in held.items() if x is not None]
        count, p, r = slow_rates(rows, held, final)
        assert row.labels_arrived == count
        np.testing.assert_allclose([row.precision, row.recall], [p, r], equal_nan=True)
