"""One decision explained: counterfactuals checked by re-scoring outside the code under test,
fixed features untouched, reasons only from features the model uses, partial dependence equal
to scikit-learn's and to a written-out loop, and the recourse audit's honest edge cases."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.inspection import partial_dependence

from simulations import run
from simulations.domains.base import FeatureSpec
from simulations.explain import (
    FeatureSpace,
    event_dependence,
    explain_event,
    nearest_changes,
    principal_reasons,
    quick_picks,
    recourse_audit,
)
from simulations.explain.dependence import dependence_data

from .conftest import DOMAIN_NAMES, small

ACTIONS = ("pass", "review", "flag")


def design(result, rows):
    a = result.arrays
    return np.hstack([a["numeric"][rows], a["categorical"][rows].astype(float)])


def some_rows(result, outcome, per_action=8):
    """Quick picks plus the first few events of each action (no draw)."""
    rows = [r for r in quick_picks(result, outcome).values() if r is not None]
    for code in range(3):
        rows += list(np.flatnonzero(outcome.action == code)[:per_action])
    return sorted(set(int(r) for r in rows))


@pytest.fixture(scope="module")
def boosted_runs():
    return {d: run(small(d, weeks=4, events=3000).with_changes(
        model={"kind": "gradient_boosting"})) for d in ("fraud", "triage")}


def check_counterfactuals(result, outcome, own_bands=None):
    """``own_bands``: segment name -> (t_low, t_high) for segments with their own band."""
    domain = result.domain
    space = FeatureSpace.of_run(result)
    fixed = [j for j, f in enumerate(domain.feature_names) if domain.explain[f].change == "fixed"]
    assert fixed  # every world declares something it will not change
    p = outcome.scenario.policy
    checked = 0
    for row in some_rows(result, outcome):
        original = design(result, [row])[0]
        e = explain_event(result, outcome, row, space)
        assert e.action == ACTIONS[outcome.action[row]]
        segment = domain.segments[int(result.arrays["segment"][row])]
        t_low, t_high = (own_bands or {}).get(segment, (p.t_low, p.t_high))
        for cf in e.counterfactuals:
            if not cf.feasible:
                continue
            model = result.fitted[int(result.arrays["model_version"][row])]
            score = model.predict_proba(cf.row[None, :])[0, 1]  # re-scored here, by sklearn
            assert score == pytest.approx(cf.score)
            threshold = t_high if cf.boundary == "t_high" else t_low
            if cf.side == "below":
                assert score < threshold
            else:
                assert score >= threshold
            # the policy's own reading of the changed score is the stated action
            new_action = "flag" if score >= t_high else "pass" if score < t_low else "review"
            assert new_action == cf.target
            changed = np.flatnonzero(cf.row != original)
            assert list(changed) == [cf.column]
            assert not set(changed) & set(fixed)
            spec = domain.explain[domain.feature_names[cf.column]]
            if spec.change == "up":
                assert cf.new > cf.old
            if spec.change == "down":
                assert cf.new < cf.old
            column = result.arrays["numeric"][:, cf.column]
            lo, hi = np.percentile(column, [1, 99])
            assert min(lo, cf.old) - 1e-9 <= cf.new <= max(hi, cf.old) + 1e-9
            checked += 1
    assert checked >= 5


@pytest.mark.parametrize("domain", DOMAIN_NAMES)
def test_every_linear_counterfactual_lands_where_it_says(small_runs, domain):
    result = small_runs[domain]
    check_counterfactuals(result, result.outcome)


def test_a_segment_with_its_own_band_is_explained_against_that_band(small_runs):
    result = small_runs["triage"]
    own = {"child": (0.03, 0.12)}  # far from the main band, so the wrong band would show
    outcome = result.at_policy(0.2, 0.6, {"child": [0.03, 0.12]})
    check_counterfactuals(result, outcome, own)


@pytest.mark.parametrize("domain", ("fraud", "triage"))
def test_every_grid_counterfactual_lands_where_it_says(boosted_runs, domain):
    result = boosted_runs[domain]
    check_counterfactuals(result, result.outcome)


def test_the_closed_form_change_is_the_smallest_stated_step(small_runs):
    """One step less of the change (toward the event) does not cross: nothing nearer on the
    feature's grid of stated values would do."""
    result = small_runs["triage"]
    space = FeatureSpace.of_run(result)
    rows = np.flatnonzero(result.outcome.action == 2)[:40]
    X = design(result, rows)
    t = result.scenario.policy.t_high
    found = nearest_changes(result.fitted[0], X, t, "below", space)
    assert found.method == "closed form" and found.feasible.sum() >= 20
    for i in np.flatnonzero(found.feasible):
        j = found.feature[i]
        spec = space.specs[j]
        back = spec.to_model(spec.shown(found.new[i]) + np.sign(X[i, j] - found.new[i])
                             * spec.step)
        if (back - X[i, j]) * (found.new[i] - X[i, j]) <= 0:  # one step back is the event
            continue
        row = X[i].copy()
        row[j] = back
        assert result.fitted[0].predict_proba(row[None, :])[0, 1] >= t


def test_nothing_changes_when_every_feature_is_fixed(small_runs):
    """A world where nothing may change has no recourse: no counterfactual, an audit share of
    0 and an undefined (not zero) median size."""
    result = small_runs["fraud"]
    frozen = dataclasses.replace(result.domain, explain={
        name: dataclasses.replace(spec, change="fixed")
        for name, spec in result.domain.explain.items()})
    space = FeatureSpace.build(frozen, result.arrays["numeric"], result.arrays["categorical"])
    audit = recourse_audit(result, result.outcome, space)
    flagged = audit[audit["audited"] > 0]
    assert len(flagged) and (flagged["past_t_high"] == 0).all()
    assert flagged["median_size"].isna().all()
    row = quick_picks(result, result.outcome)["a false 'decline'"]
    e = explain_event(result, result.outcome, row, space)
    assert not any(cf.feasible for cf in e.counterfactuals)
    assert "no single change" in e.sentence


def test_the_audit_counts_each_segment_honestly(small_runs):
    result = small_runs["triage"]
    space = FeatureSpace.of_run(result)
    audit = recourse_audit(result, result.outcome, space, per_segment=50)
    action, segment = result.outcome.action, result.arrays["segment"]
    for s, name in enumerate(result.domain.segments):
        line = audit[audit["segment"] == name].iloc[0]
        n = int(((action == 2) & (segment == s)).sum())
        assert line["events"] == n and line["audited"] == min(n, 50)
        assert 0 <= line["past_t_high"] <= 1 and line["past_t_low"] <= line["past_t_high"] + 1e-12
        assert line["interval"] > 0 if n > 50 else line["interval"] == 0


def test_reasons_name_only_features_the_model_uses(small_runs):
    """A gradient-boosting model fitted with one column held constant never splits on it, so
    that column can never be a reason; every reason pushed the score toward the action."""
    result = small_runs["fraud"]
    X = design(result, slice(None))
    hour = result.domain.feature_names.index("hour")
    X[:, hour] = 12.0
    mask = np.zeros(X.shape[1], dtype=bool)
    mask[len(result.domain.numeric_features):] = True
    model = HistGradientBoostingClassifier(max_iter=40, categorical_features=mask,
                                           random_state=0).fit(X, result.arrays["label"])
    space = FeatureSpace.of_run(result)
    space = dataclasses.replace(space, background=np.where(
        np.arange(X.shape[1]) == hour, 3.0, space.background))  # background hours differ
    scores = model.predict_proba(X[:3000])[:, 1]
    for i in np.argsort(scores)[-15:]:  # the riskiest events: flagged
        reasons = principal_reasons(model, X[i], "flag", space)
        assert reasons and len(reasons) <= 4
        assert "hour" not in [r.feature for r in reasons]
        for r in reasons:  # putting the typical value back lowers the score
            assert r.effect > 0


def test_linear_reasons_are_the_coefficients_times_the_distance_from_typical(small_runs):
    result = small_runs["triage"]
    model = result.fitted[0]
    space = FeatureSpace.of_run(result)
    row = quick_picks(result, result.outcome)["a false 'escalate'"]
    x = design(result, [row])[0]
    reasons = principal_reasons(model, x, "flag", space)
    scaler = model.named_steps["prepare"].named_transformers_["numeric"]
    w = model[-1].coef_[0][:space.n_numeric] / scaler.scale_
    for r in reasons:
        if r.column < space.n_numeric:
            expected = w[r.column] * (x[r.column] - space.background[:, r.column].mean())
            assert r.effect == pytest.approx(expected, rel=1e-6)
    fixed_words = [r for r in reasons if not r.changeable]
    assert all(space.specs[r.column].change == "fixed" for r in fixed_words)


@pytest.mark.parametrize("kind", ("logistic", "gradient_boosting"))
def test_partial_dependence_equals_scikit_learn_and_a_written_out_loop(small_runs, boosted_runs,
                                                                      kind):
    result = small_runs["fraud"] if kind == "logistic" else boosted_runs["fraud"]
    space = FeatureSpace.of_run(result)
    row = quick_picks(result, result.outcome)["a false 'decline'"]
    j = result.domain.feature_names.index("log_amount")
    got = event_dependence(result, row, j, space)
    model = result.fitted[int(result.arrays["model_version"][row])]
    data = np.vstack([design(result, [row]), space.background])
    assert np.array_equal(data, dependence_data(design(result, [row])[0], space))
    ref = partial_dependence(model, data, [j], kind="both", grid_resolution=25)
    np.testing.assert_allclose(got.grid, ref["grid_values"][0])
    np.testing.assert_allclose(got.average, ref["average"][0], rtol=1e-12)
    np.testing.assert_allclose(got.individual, ref["individual"][0], rtol=1e-12)
    for k, v in enumerate(got.grid[::7]):  # the definition, by hand
        changed = data.copy()
        changed[:, j] = v
        p = model.predict_proba(changed)[:, 1]
        assert got.average[k * 7] == pytest.approx(p.mean(), rel=1e-9)
        assert got.individual[0, k * 7] == pytest.approx(p[0], rel=1e-9)
    assert got.shown == pytest.approx(np.expm1(got.grid))  # dollars on the axis


def test_quick_picks_are_what_they_say(small_runs):
    result = small_runs["fraud"]
    events = result.outcome.events
    picks = quick_picks(result, result.outcome)
    fd, mp, rv = (picks[k] for k in ("a false 'decline'", "a missed fraud case",
                                      "a case in 'manual review'"))
    assert events.loc[fd, "action"] == "flag" and events.loc[fd, "label"] == 0
    assert events.loc[mp, "action"] == "pass" and events.loc[mp, "label"] == 1
    assert events.loc[rv, "action"] == "review"
    assert events.loc[fd, "week"] == events.loc[events["action"] == "flag", "week"].max()


def test_the_sentence_speaks_the_domains_words(small_runs):
    result = small_runs["fraud"]
    space = FeatureSpace.of_run(result)
    row = quick_picks(result, result.outcome)["a case in 'manual review'"]
    e = explain_event(result, result.outcome, row, space)
    assert e.sentence.startswith("The decision was 'manual review' mainly because of ")
    assert "Not treated as changeable: the account's age" in e.sentence
    assert f"served week {e.week} (version 0, trained before week 1)" in e.sentence
    for cf in e.counterfactuals:
        if cf.feasible and space.specs[cf.column].flag is None:
            direction = " or less" if cf.new < cf.old else " or more"
            assert f"at {space.specs[cf.column].text(cf.new)}{direction} it would be " \
                   f"'{result.domain.actions[cf.target]}'" in e.sentence


def test_advice_is_rechecked_under_the_models_after_a_retraining():
    scenario = small("fraud", weeks=8, events=4000).with_changes(
        retrain={"trigger": "every", "every_weeks": 3, "min_labels": 100, "min_positives": 5})
    result = run(scenario)
    assert len(result.fitted) >= 2
    space = FeatureSpace.of_run(result)
    rows = np.flatnonzero((result.outcome.action == 2) & (result.arrays["model_version"] == 0))
    seen_later = 0
    for row in rows[:10]:
        e = explain_event(result, result.outcome, int(row), space)
        feasible = [cf for cf in e.counterfactuals if cf.feasible]
        later = [a for a in e.advice if a["later"]]
        assert len(later) == len(feasible) * (len(result.fitted) - 1)
        for a in later:
            cf = next(c for c in feasible if c.boundary == a["boundary"])
            score = result.fitted[a["model_version"]].predict_proba(cf.row[None, :])[0, 1]
            assert a["holds"] == (score < cf.threshold)
            seen_later += 1
    assert seen_later


def test_a_bad_row_is_refused_in_one_line(small_runs):
    result = small_runs["fraud"]
    with pytest.raises(ValueError, match="event row must be between 0 and"):
        explain_event(result, result.outcome, len(result.arrays["label"]),
                      FeatureSpace.of_run(result))


def test_every_world_declares_every_feature_once():
    from simulations.domains import DOMAINS

    for d in DOMAINS.values():
        assert set(d.explain) == set(d.feature_names), d.name
        for name, _ in d.categorical_features:
            assert d.explain[name].change == "fixed"
    with pytest.raises(ValueError, match="change must be one of"):
        FeatureSpec("x", "sideways")
