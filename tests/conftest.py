"""Shared fixtures: small, fast scenarios so the suite stays quick on a 2-core machine."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from simulations import default_scenario, run
from simulations.domains import DOMAINS
from simulations.scenario import DriftSpec

DOMAIN_NAMES = tuple(DOMAINS)  # every world, so a new one is tested like the others


def small(domain: str, weeks: int = 8, events: int = 4000, **changes):
    """The domain's default scenario, shrunk for tests."""
    scenario = default_scenario(domain).with_changes(
        population={"weeks": weeks, "events_per_week": events})
    return dataclasses.replace(scenario, **changes) if changes else scenario


def drifting(domain: str, **retrain):
    """Concept drift (with the covariate shift that comes with it) from week 5, 16 weeks."""
    scenario = small(domain, weeks=16, events=8000,
                     drift=(DriftSpec("concept", 5, 1.0), DriftSpec("covariate", 5, 1.0)))
    return scenario.with_changes(retrain=retrain or {"trigger": "never"})


@pytest.fixture(scope="session")
def small_runs():
    """One small default run per domain, shared by read-only tests."""
    return {d: run(small(d)) for d in DOMAIN_NAMES}


def psi_reference(reference, current, categories=None):
    """PSI written out: the reference's observed deciles (or one bin per category), +0.5 in
    every bin, sum (p - q) ln(p / q)."""
    if categories is None:
        edges = np.unique(np.quantile(reference, np.arange(1, 10) / 10, method="inverted_cdf"))
        ref_bins = np.searchsorted(edges, reference, side="left")
        cur_bins = np.searchsorted(edges, current, side="left")
        k = len(edges) + 1
    else:
        ref_bins, cur_bins, k = reference, current, categories
    q = np.bincount(ref_bins, minlength=k) + 0.5
    p = np.bincount(cur_bins, minlength=k) + 0.5
    q, p = q / q.sum(), p / p.sum()
    return float(np.sum((p - q) * np.log(p / q)))
