"""The engine scores a fitted logistic pipeline without going through scikit-learn's dispatch:
its probabilities must be the pipeline's own ``predict_proba``, bit for bit."""

import numpy as np
import pytest

from simulations import default_scenario
from simulations.domains import DOMAINS, DriftState, get_domain
from simulations.engine import model as model_lib


def _fitted(domain_name, kind="logistic", n=4000):
    domain = get_domain(domain_name)
    scenario = default_scenario(domain_name)
    world_rng, rng = np.random.default_rng(3).spawn(2)
    world = domain.make_world(world_rng, **scenario.world_values)
    batch = domain.generate(n, scenario.population.base_rate * 4, DriftState(), world, rng)
    sizes = tuple(len(c) for _, c in domain.categorical_features)
    blank = model_lib.build_model(kind, len(domain.numeric_features), sizes, 7)
    return model_lib.fit(blank, batch.numeric, batch.categorical, batch.label), batch


@pytest.mark.parametrize("domain_name", DOMAINS)
def test_scores_equal_the_pipelines_predict_proba_bit_for_bit(domain_name):
    model, batch = _fitted(domain_name)
    assert model_lib._logistic_parts(model) is not None  # the direct path is taken
    reference = model.predict_proba(model_lib.design_matrix(batch.numeric, batch.categorical))
    ours = model_lib.score(model, batch.numeric, batch.categorical)
    assert ours.dtype == np.float64
    assert np.array_equal(ours, reference[:, 1])


def test_an_unknown_category_scores_as_the_pipeline_ignores_it():
    model, batch = _fitted("fraud")
    categorical = batch.categorical.astype(np.int64)
    categorical[::7, 0] = len(get_domain("fraud").categorical_features[0][1]) + 3
    reference = model.predict_proba(model_lib.design_matrix(batch.numeric, categorical))[:, 1]
    assert np.array_equal(model_lib.score(model, batch.numeric, categorical), reference)


def test_gradient_boosting_is_scored_by_scikit_learn():
    model, batch = _fitted("triage", kind="gradient_boosting", n=3000)
    assert model_lib._logistic_parts(model) is None
    reference = model.predict_proba(model_lib.design_matrix(batch.numeric, batch.categorical))
    assert np.array_equal(model_lib.score(model, batch.numeric, batch.categorical),
                          reference[:, 1])
