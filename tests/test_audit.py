"""The data-quality audit of the training set: planted duplicates found exactly, planted
label errors flagged well above chance, confident learning's rule against cleanlab's confident
joint and a slow loop, an under-sampled segment flagged, cleaning's effect and cost, and
defaults that leave runs as they were."""

from __future__ import annotations

import numpy as np
import pytest

from simulations import run
from simulations.labels import audit_table, confident_learning_issues, duplicate_rows
from simulations.labels.report import pooled, wilson_interval
from tests.conftest import small

RETRAIN = {"trigger": "every", "every_weeks": 2, "min_labels": 100, "min_positives": 5}


def audited(domain="triage", accuracy=1.0, **dq):
    """Full feedback and perfect reviewers: every wrong training label is a planted one."""
    return small(domain, weeks=6, events=3000).with_changes(
        review={"reviewer_accuracy": accuracy}, retrain=RETRAIN,
        data_quality={"audit": True, **dq})


def test_duplicate_rows_against_a_slow_loop():
    rng = np.random.default_rng(3)
    x = rng.integers(0, 3, size=(400, 2)).astype(float)  # few values: many natural repeats
    y = rng.integers(0, 2, 400)
    seen, expected = set(), []
    for row, label in zip(x.tolist(), y.tolist(), strict=True):
        key = (*row, label)
        expected.append(key in seen)
        seen.add(key)
    assert duplicate_rows(x, y).tolist() == expected


def test_planted_duplicates_are_found_exactly():
    r = run(audited(duplicate_share=0.15))
    assert len(r.audits) == 3
    for a in r.audits:
        assert a.duplicates_planted == round(0.15 * (a.rows - a.duplicates_planted))
        assert a.duplicates_found == a.duplicates_planted == a.duplicates_found_planted
    clean = run(audited())  # no copies planted: none found
    assert all(a.duplicates_found == 0 for a in clean.audits)


def slow_confident_learning(label, p1):
    """The rule written out row by row: t_j = mean P(j) over the rows labelled j; suspect a
    row whose label's probability is below its threshold while the other class's is at or
    above its own."""
    probs = [(1 - p, p) for p in p1]
    thresholds = []
    for j in (0, 1):
        mine = [pr[j] for pr, y in zip(probs, label, strict=True) if y == j]
        thresholds.append(sum(mine) / len(mine))
    out = []
    for pr, y in zip(probs, label, strict=True):
        other = 1 - y
        out.append(pr[y] < thresholds[y] and pr[other] >= thresholds[other])
    return out


def test_confident_learning_rule_equals_a_slow_loop_and_cleanlabs_confident_joint():
    count = pytest.importorskip("cleanlab.count")  # Apache-2.0 from 2.8: a test oracle only
    rng = np.random.default_rng(11)
    n = 3000
    truth = (rng.random(n) < 0.2).astype(int)
    p1 = np.clip(rng.beta(2, 6, n) + 0.5 * truth, 0.001, 0.999)
    label = truth.copy()
    flip = rng.random(n) < 0.1
    label[flip] = 1 - label[flip]
    ours = confident_learning_issues(label, p1)
    assert ours.tolist() == slow_confident_learning(label.tolist(), p1.tolist())
    _, off_diagonal = count.compute_confident_joint(
        labels=label, pred_probs=np.column_stack([1 - p1, p1]),
        return_indices_of_off_diagonals=True)
    expected = np.zeros(n, dtype=bool)
    expected[off_diagonal] = True
    np.testing.assert_array_equal(ours, expected)
    assert ours.sum() > 100


def test_planted_label_errors_are_flagged_well_above_chance():
    noise = 0.1
    r = run(audited(label_noise=noise))
    s = pooled(r.audits)
    assert s["wrong_labels"] == sum(round(noise * a.rows) for a in r.audits)
    flagged_share = s["flagged"] / sum(a.rows for a in r.audits)
    # flagging the same number of rows at random: precision = the planted share, recall =
    # the flagged share
    assert s["precision"] > 2.5 * noise
    assert s["recall"] > 0.5 and s["recall"] > 2.5 * flagged_share
    assert s["chance_precision"] == pytest.approx(noise, abs=0.002)
    assert s["precision_low"] < s["precision"] < s["precision_high"]


def test_an_undersampled_segment_is_flagged_and_only_it():
    r = run(audited("fraud", undersample_segment="online", undersample_keep=0.2))
    for a in r.audits:
        seg = a.segments.set_index("segment")
        assert a.bias_flagged == ("online",)
        # keeping a fifth of its rows: its training share over its traffic share is about
        # 0.2 / (1 - 0.8 x its traffic share)
        share = seg.loc["online", "production_share"]
        assert seg.loc["online", "ratio"] == pytest.approx(0.2 / (1 - 0.8 * share), rel=0.25)
    assert all(a.bias_flagged == () for a in run(audited("fraud")).audits)


def test_train_label_error_counts_the_planted_flips():
    r = run(audited(label_noise=0.1))
    w = r.weekly.set_index("week")
    for a in r.audits:
        assert w.loc[a.week, "train_label_error"] == pytest.approx(
            round(0.1 * a.rows) / a.rows)


def test_cleaning_drops_what_was_found_charges_for_it_and_the_next_model_learns_truer_labels():
    dirty = run(audited(label_noise=0.15, duplicate_share=0.1))
    cleaned = run(audited(label_noise=0.15, duplicate_share=0.1, clean=True, clean_cost=2.0))
    for a in cleaned.audits:
        assert a.cleaned_rows >= a.duplicates_found + 0.9 * a.flagged
        assert a.clean_cost == 2.0 * a.cleaned_rows
        assert a.label_error_after < 0.7 * a.label_error_before
    w = cleaned.weekly.set_index("week")
    for a in cleaned.audits:
        assert w.loc[a.week, "cost_clean"] == a.clean_cost
        assert w.loc[a.week, "cost_retrain"] == cleaned.scenario.costs.retrain + a.clean_cost
    weeks = [a.week for a in cleaned.audits]
    assert (w.drop(index=weeks)["cost_clean"] == 0).all()
    after = w["train_label_error"].to_numpy()[2:]
    assert (after < dirty.weekly["train_label_error"].to_numpy()[2:]).all()
    table = audit_table(cleaned.audits)
    assert list(table["cleaned_rows"]) == [a.cleaned_rows for a in cleaned.audits]


def test_an_audit_without_planted_faults_scores_the_reviewers_errors():
    r = run(audited(accuracy=0.8).with_changes(feedback={"mode": "selective"},
                                               review={"capacity": 100_000}))
    assert r.audits and all(a.duplicates_found == 0 for a in r.audits)
    s = pooled(r.audits)
    assert s["wrong_labels"] > 0  # the reviewers' mistakes reached the training set


def test_wilson_interval_against_its_formula():
    lo, hi = wilson_interval(30, 100)
    z, p, n = 1.6449, 0.3, 100
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    assert (lo, hi) == pytest.approx((centre - half, centre + half))
    assert np.isnan(wilson_interval(0, 0)).all()


# digests of a default run's weekly and events tables, taken on the commit before the
# data-quality section existed (54fc985): with it left at its defaults nothing moves. Fraud,
# triage and the assistant re-taken with issue 19 (a reviewed event's verdict gives way to its
# outcome when that arrives, so these selective retrainings learn corrected labels); the
# recommendation world's exploration slots show the truth at once and are as they were.
BEFORE = {"fraud": ("b7c68226bf02f512", "e59370f76a76e223"),
          "triage": ("eb79d4be95b3ab53", "0effa569e7ffaeb1"),
          "recommendation": ("c7ce2dae591be5e7", "46bc80486e03e964"),
          "assistant": ("bbb6eeec6a2b4738", "1e86f72a6f6c2fa3")}


@pytest.mark.parametrize("domain", sorted(BEFORE))
def test_defaults_leave_runs_byte_identical(domain):
    import hashlib

    from simulations import default_scenario

    s = default_scenario(domain).with_changes(
        population={"weeks": 6, "events_per_week": 3000}, retrain=RETRAIN,
        feedback={"mode": "selective"})
    assert "data_quality" not in s.to_dict()
    r = run(s)

    def digest(frame):
        return hashlib.sha256(frame.to_csv(index=False).encode()).hexdigest()[:16]

    assert (digest(r.weekly), digest(r.events)) == BEFORE[domain]
    assert r.audits == [] and "cost_clean" not in r.weekly
