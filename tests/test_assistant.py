"""The support-assistant world: segments, semantic drift, stale knowledge, temperature, cache.

References are computed here independently: scipy's cosine distance of the embedding means,
a counting loop for the consistency rate, scikit-learn's ROC AUC, pandas group-bys.
"""

from __future__ import annotations

import dataclasses
from collections import Counter

import numpy as np
import pandas as pd
import pytest
from scipy.spatial.distance import cosine
from sklearn.metrics import roc_auc_score

from simulations import run
from simulations.domains import DOMAINS, DriftState
from simulations.domains import assistant as A
from simulations.scenario import DriftSpec, Scenario, ScenarioError, default_scenario
from tests.conftest import small

DOMAIN = DOMAINS["assistant"]


def batch(drift=None, n=30_000, seed=0, **world):
    drift = drift or DriftState()
    rng = np.random.default_rng(seed)
    w = DOMAIN.make_world(rng, **world)
    return DOMAIN.generate(n, 0.10, drift, w, rng), w, rng


def slow_consistency(faq, answer) -> float:
    """P(two asks of the same frequent question got the same answer), by counting pairs."""
    asks: dict[int, list[int]] = {}
    for f, a in zip(faq, answer, strict=True):
        if f >= 0:
            asks.setdefault(int(f), []).append(int(a))
    same = pairs = 0
    for answers in asks.values():
        k = len(answers)
        pairs += k * (k - 1)
        same += sum(c * (c - 1) for c in Counter(answers).values())
    return same / pairs if pairs else float("nan")


@pytest.fixture(scope="module")
def default_run():
    return run(small("assistant", weeks=4, events=20_000))


def test_week_one_auc_in_the_range_production_detectors_report(default_run):
    w = default_run.weekly
    assert 0.8 <= w["auc"].iloc[0] <= 0.9
    e = default_run.events[default_run.events["week"] == 1]
    assert w["auc"].iloc[0] == pytest.approx(roc_auc_score(e["label"], e["score"]))


def test_minority_language_styles_lose_recall(default_run):
    e = default_run.events
    caught = e.assign(caught=(e["final"] == "flag") & (e["label"] == 1))
    recall = caught[caught["label"] == 1].groupby("segment", observed=True)["caught"].mean()
    assert recall["plain"] - recall["code_switching"] > 0.08
    assert recall["plain"] - recall["emoji_heavy"] > 0.08
    share = e["segment"].value_counts(normalize=True)
    assert share["plain"] > 0.7  # the styles the model fails on are the minority


def test_semantic_drift_crosses_the_line_after_a_launch_and_not_without():
    reference, world, rng = batch(n=40_000)
    quiet = DOMAIN.generate(20_000, 0.10, DriftState(), world, rng)
    launch = DOMAIN.generate(20_000, 0.10, DriftState(covariate=1.0), world, rng)

    def distance(b):
        return cosine(b.extra["embedding"].astype(float).mean(axis=0),
                      reference.extra["embedding"].astype(float).mean(axis=0))

    assert distance(quiet) < 0.01 and distance(launch) > 0.15
    for b in (quiet, launch):
        got = DOMAIN.monitor(b.extra, reference.extra)["question_drift_cosine"]
        assert got == pytest.approx(distance(b), abs=1e-6)


def test_a_run_reports_the_drift_week_by_week():
    s = dataclasses.replace(small("assistant", weeks=8, events=8000),
                            drift=(DriftSpec("covariate", 4, 1.0, 1),))
    w = run(s).weekly.set_index("week")
    assert (w.loc[1:3, "question_drift_cosine"] < 0.02).all()
    assert (w.loc[4:, "question_drift_cosine"] > 0.15).all()


def test_a_knowledge_base_change_adds_wrong_answers_at_the_same_confidence():
    before, *_ = batch(seed=3)
    after, *_ = batch(DriftState(concept=1.0), seed=3)
    # the same questions, the same features (so the same scores), more wrong answers
    np.testing.assert_array_equal(before.numeric, after.numeric)
    np.testing.assert_array_equal(before.categorical, after.categorical)
    stale = np.isin(before.categorical[:, 0], A.STALE_TOPICS)
    assert after.label[stale].mean() > before.label[stale].mean() + 0.4
    np.testing.assert_array_equal(before.label[~stale], after.label[~stale])


@pytest.fixture(scope="module")
def by_temperature():
    return {t: batch(n=40_000, seed=5, temperature=t)[0] for t in (0.0, 0.35, 0.7, 1.0, 1.4)}


def test_temperature_trades_consistency_for_wrong_answers(by_temperature):
    consistency = [slow_consistency(b.extra["faq"], b.extra["answer"])
                   for b in by_temperature.values()]
    wrong = [b.label.mean() for b in by_temperature.values()]
    assert consistency[0] == 1.0  # greedy decoding: always the most likely answer
    assert all(a > b for a, b in zip(consistency, consistency[1:], strict=False))
    assert all(a < b for a, b in zip(wrong, wrong[1:], strict=False))
    for b, expected in zip(by_temperature.values(), consistency, strict=True):
        assert A.consistency_rate(b.extra["faq"], b.extra["answer"]) == pytest.approx(expected)


def test_self_consistency_says_more_at_higher_temperature(by_temperature):
    j = DOMAIN.numeric_features.index("self_consistency")
    auc = {t: roc_auc_score(b.label, -b.numeric[:, j]) for t, b in by_temperature.items()}
    assert auc[0.0] == 0.5  # identical drafts carry no information
    assert auc[0.0] < auc[0.35] < auc[0.7] < auc[1.0]


def test_the_cache_answers_a_repeated_question_identically():
    cached, *_ = batch(answer_cache=True)
    fresh, *_ = batch(answer_cache=False)
    frame = pd.DataFrame({"faq": cached.extra["faq"], "answer": cached.extra["answer"],
                          "label": cached.label})
    repeats = frame[frame["faq"] >= 0].groupby("faq").nunique()
    assert (repeats[["answer", "label"]] == 1).all().all()
    assert slow_consistency(cached.extra["faq"], cached.extra["answer"]) == 1.0
    assert slow_consistency(fresh.extra["faq"], fresh.extra["answer"]) < 0.95


def test_the_world_knobs_round_trip_and_refuse_bad_values():
    s = default_scenario("assistant").with_changes(world={"temperature": 1.2})
    assert s.world_values == {"temperature": 1.2, "answer_cache": False}
    assert Scenario.from_json(s.to_json()) == s
    assert "world" not in default_scenario("fraud").to_dict()
    cases = [({"domain": "assistant", "world": {"temperature": 3}}, "world.temperature"),
             ({"domain": "assistant", "world": {"answer_cache": "yes"}}, "world.answer_cache"),
             ({"domain": "assistant", "world": {"top_p": 0.9}}, "unknown key 'top_p' in world"),
             ({"domain": "assistant", "world": [1]}, "world = [1] is invalid"),
             ({"domain": "fraud", "world": {"temperature": 1}}, "has no knobs")]
    for data, needle in cases:
        with pytest.raises(ScenarioError, match=needle.replace("[", r"\[").replace("]", r"\]")):
            Scenario.from_dict(data)


def test_every_world_names_three_highlights(small_runs):
    from simulations.policy.metrics import horizon_totals
    from simulations.reporting.summary import domain_highlights

    for name, result in small_runs.items():
        rows = domain_highlights(DOMAINS[name], horizon_totals(result.weekly), result.outcome)
        assert len(rows) == 3 and all(label and value and text for label, value, text in rows)


def _launch(**retrain) -> Scenario:
    return Scenario.from_dict({
        "domain": "assistant", "seed": 0, "population": {"weeks": 11, "events_per_week": 3000},
        "feedback": {"label_delay": 3},
        "drift": [{"kind": "covariate", "onset_week": 5, "strength": 1.0, "ramp_weeks": 6}],
        "retrain": retrain})


def test_semantic_drift_can_trigger_a_retraining_and_is_then_measured_against_the_new_weeks():
    result = run(_launch(trigger="drift", drift_on="semantic", drift_threshold=0.15,
                         window_weeks=4))
    w = result.weekly.set_index("week")
    first = w.index[w["question_drift_cosine"] > 0.15][0]
    assert result.retrain_weeks[0] == first  # the week the centroid first passes the line
    assert "semantic drift" in w.loc[first, "retrain_reason"]
    # after the retraining the reference is the training window (weeks first-3 .. first):
    # recomputed here from the events' embeddings with scipy
    emb, week = result.arrays["extra_embedding"], result.arrays["week"]
    window = emb[(week > first - 4) & (week <= first)].mean(axis=0, dtype=np.float64)
    for later in range(first + 1, 12):
        if later in result.retrain_weeks:
            break
        now = emb[week == later].mean(axis=0, dtype=np.float64)
        assert w.loc[later, "question_drift_cosine"] == pytest.approx(cosine(now, window),
                                                                      abs=1e-9)
    # without a trigger the distance keeps growing against the pre-launch weeks
    stale = run(_launch()).weekly.set_index("week")["question_drift_cosine"]
    assert stale.loc[first + 1] > w.loc[first + 1, "question_drift_cosine"] + 0.05


def test_semantic_drift_is_refused_for_a_world_without_embeddings():
    with pytest.raises(ScenarioError, match="no semantic-drift monitor"):
        Scenario.from_dict({"domain": "fraud",
                            "retrain": {"trigger": "drift", "drift_on": "semantic"}})
