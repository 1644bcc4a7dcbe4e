"""Reviewers as the source of labels: weekly kappa against scikit-learn on the double-reviewed
pairs, perfect and worse reviewers, the rare-class paradox, the training labels' error, and
harder cases near the boundary."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score

from simulations import run
from simulations.engine.reviewers import (
    agreement_word,
    case_accuracy,
    expected_kappa,
    weekly_agreement,
)
from tests.conftest import small


def triage(accuracy: float, share: float = 1.0, weeks: int = 4, **review):
    return small("triage", weeks=weeks, events=3000).with_changes(
        review={"reviewer_accuracy": accuracy, "double_share": share, "capacity": 100_000,
                **review})


def test_weekly_kappa_is_scikit_learns_on_the_double_reviewed_pairs():
    s = triage(0.85, share=0.3)
    r = run(s)
    a, o = r.arrays, r.outcome
    label = a["label"].astype(bool)
    first = np.where(a["u_review"] < 0.85, label, ~label)  # the domain's rule, written here
    second = np.where(a["u_second"] < 0.85, label, ~label)
    paired = o.reviewed & (a["u_double"] < 0.3)
    for i, week in enumerate(r.weekly["week"]):
        mine = paired & (a["week"] == week)
        assert mine.sum() > 20
        assert r.weekly["review_pairs"].iloc[i] == mine.sum()
        assert r.weekly["review_kappa"].iloc[i] == pytest.approx(
            cohen_kappa_score(first[mine], second[mine]))
        done = o.reviewed & (a["week"] == week)
        assert r.weekly["reviewer_true_accuracy"].iloc[i] == pytest.approx(
            np.mean(first[done] == label[done]))


def test_kappa_is_one_with_perfect_reviewers_and_falls_with_accuracy():
    means = []
    for accuracy in (1.0, 0.9, 0.75):
        kappas = run(triage(accuracy)).weekly["review_kappa"]
        assert kappas.notna().all()
        if accuracy == 1.0:
            assert (kappas == 1.0).all()
        means.append(kappas.mean())
    assert means[0] > means[1] > means[2] + 0.1


def test_no_pairs_means_an_undefined_kappa_never_a_zero():
    w = run(triage(0.9, share=0.0, weeks=2)).weekly
    assert w["review_kappa"].isna().all() and (w["review_pairs"] == 0).all()
    assert math.isnan(weekly_agreement([1], [], [], [], [], [])["review_kappa"][0])


def test_the_rare_class_paradox_holds_within_sampling_error():
    # kappa = (p_o - p_e) / (1 - p_e) with p_o = 0.82 and m = pi 0.9 + (1 - pi) 0.1:
    # pi = 0.5 gives m = 0.5, p_e = 0.5, kappa = 0.64; pi = 0.01 gives m = 0.108,
    # p_e = 0.807328, kappa = 0.0664
    assert expected_kappa(0.5, 0.9) == pytest.approx(0.64)
    assert expected_kappa(0.01, 0.9) == pytest.approx(0.012672 / 0.192672)
    rng = np.random.default_rng(7)
    n = 400_000
    for rate, expected in ((0.5, 0.64), (0.01, 0.0658)):
        label = rng.random(n) < rate
        got = weekly_agreement([1], np.ones(n, int), label, rng.random(n) < 0.9,
                               rng.random(n) < 0.9, np.ones(n, bool))
        assert got["review_kappa"][0] == pytest.approx(expected, abs=0.01)
        assert got["reviewer_true_accuracy"][0] == pytest.approx(0.9, abs=0.003)


def test_landis_and_koch_words():
    words = [agreement_word(k) for k in (-0.1, 0.1, 0.3, 0.5, 0.7, 0.9, 1.0, float("nan"))]
    assert words == ["poor", "slight", "fair", "moderate", "substantial", "almost perfect",
                     "almost perfect", "undefined"]


def selective_fraud(accuracy: float):
    return small("fraud", weeks=8, events=4000).with_policy(0.02, 0.6).with_changes(
        review={"reviewer_accuracy": accuracy, "capacity": 100_000},
        feedback={"mode": "selective", "label_delay": 0},
        retrain={"trigger": "every", "every_weeks": 2, "min_labels": 100, "min_positives": 5})


def test_train_label_error_is_zero_with_perfect_reviewers_and_grows_as_they_err():
    errors = []
    for accuracy in (1.0, 0.9, 0.7):
        r = run(selective_fraud(accuracy))
        assert r.retrain_weeks
        w = r.weekly
        assert w["train_label_error"].iloc[0] == 0.0  # the first model learnt the truth
        errors.append(w.loc[w["week"] >= r.retrain_weeks[0], "train_label_error"].mean())
    assert errors[0] == 0.0
    assert 0 < errors[1] < errors[2]


def test_harder_cases_near_the_boundary_are_got_wrong_more_often():
    acc = case_accuracy([0.5, 0.3, 0.02], 0.9, 1.0)
    # d = 4 s (1 - s): 1, 0.84, 0.0784; error = 0.1 (1 + (2 d - 1))
    assert acc == pytest.approx([0.8, 1 - 0.1 * 1.68, 1 - 0.1 * 0.1568])
    assert case_accuracy([0.5, 0.02], 0.9, 0.0) == pytest.approx([0.9, 0.9])
    s = triage(0.85, share=0.0, weeks=3, hard_cases=1.0)
    r = run(s)
    a, o = r.arrays, r.outcome
    d = 4 * a["score"] * (1 - a["score"])
    wrong = o.reviewed & (o.final != a["label"])
    hard, easy = o.reviewed & (d > 0.8), o.reviewed & (d < 0.5)
    assert hard.sum() > 200 and easy.sum() > 200
    assert wrong[hard].sum() / hard.sum() > 1.5 * wrong[easy].sum() / easy.sum()
