"""Each world generates its configured base rate and a realistically imperfect model."""

from __future__ import annotations

import numpy as np
import pytest

from simulations.domains import DOMAINS, DriftState
from tests.conftest import DOMAIN_NAMES


@pytest.mark.parametrize("name", DOMAIN_NAMES)
@pytest.mark.parametrize("rate", [0.005, 0.1, 0.3])
def test_base_rate_matches_configuration(name, rate):
    domain = DOMAINS[name]
    rng = np.random.default_rng(0)
    world = domain.make_world(rng)
    n = 60_000
    batch = domain.generate(n, rate, DriftState(), world, rng)
    tolerance = 4 * np.sqrt(rate * (1 - rate) / n)  # four standard errors
    assert abs(batch.label.mean() - rate) < tolerance
    assert batch.numeric.shape == (n, len(domain.numeric_features))
    assert batch.categorical.shape == (n, len(domain.categorical_features))
    assert np.isfinite(batch.numeric).all() and (batch.value > 0).all()
    assert set(np.unique(batch.segment)) <= set(range(len(domain.segments)))


@pytest.mark.parametrize("name", DOMAIN_NAMES)
def test_week_one_auc_is_realistic(small_runs, name):
    auc = small_runs[name].weekly["auc"].iloc[0]
    assert 0.75 <= auc <= 0.95


@pytest.mark.parametrize("name", DOMAIN_NAMES)
def test_defaults_are_documented(name):
    import importlib
    module = importlib.import_module(f"simulations.domains.{name}")
    doc = module.__doc__
    assert "Where the defaults come from" in doc and "Drift hooks" in doc
    domain = DOMAINS[name]
    assert set(domain.actions) == {"flag", "pass", "review"}
    assert domain.policy[0] <= domain.policy[1]
