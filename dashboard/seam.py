"""The one cached seam between the pages and the simulator.

Runs are held by one server-wide ``MemoryBoundedCache`` (dashboard/run_cache.py) rather than
``st.cache_data``: a run holds millions of events, ``cache_data`` would copy (unpickle) it on
every rerun, which a band drag cannot afford, and a count of entries does not bound memory.
Each run's size is estimated before it starts; the cache keeps cached plus running runs within
``RUN_BUDGET_GB`` and refuses a run that cannot fit (``RunTooLarge``, shown by the page as a
message). Runs are treated as read-only. The small derived views are bounded in entries.

A band move that cannot change which labels are seen maps to the same cache entry (the run is
keyed by the scenario with the domain's default band) and is answered from cached scores.
"""

from __future__ import annotations

import os

import streamlit as st

from dashboard.run_cache import MemoryBoundedCache, RunTooLarge
from dashboard.suggest import slider_thresholds
from simulations import run
from simulations.engine import Outcome, RunResult, estimate_size
from simulations.experiments import Comparison, compare_policies
from simulations.guardrails import Guardrails
from simulations.optimize import PolicyGrid, Suggestion, optimize_policy
from simulations.presets import Preset, load_presets
from simulations.report import cost_curve, score_histogram, tradeoff_curves
from simulations.scenario import Policy, Scenario

MAX_RUNS = 8  # derived views (curves, suggestions) kept per server
TTL_SECONDS = 3600
# Memory for simulations on one server (cached runs plus runs being computed). One run at the
# link's maxima (200k events x 52 weeks) peaks near 4.4 GB and keeps ~2 GB, so 8 GB computes
# one of those while others stay cached, and leaves most of a 24 GB machine to everything
# else. Override with TRADEOFF_RUN_BUDGET_GB.
RUN_BUDGET_GB = float(os.environ.get("TRADEOFF_RUN_BUDGET_GB", "8"))

__all__ = ["RunTooLarge"]


@st.cache_resource(show_spinner=False)
def runs() -> MemoryBoundedCache:
    """The server's run cache (one per process, shared by every session)."""
    return MemoryBoundedCache(int(RUN_BUDGET_GB * 2**30), ttl=TTL_SECONDS)


def _run(scenario_json: str) -> RunResult:
    scenario = Scenario.from_json(scenario_json)
    cache, size = runs(), estimate_size(scenario)
    if scenario_json in cache:
        return cache.get(scenario_json, size, lambda: run(scenario))
    with st.spinner("Simulating the scenario week by week…"):
        return cache.get(scenario_json, size, lambda: run(scenario))


def run_key(scenario: Scenario) -> str:
    """The cache key of the simulation a scenario needs."""
    if scenario.policy_changes_labels:
        return scenario.to_json()
    from simulations.domains import get_domain

    return scenario.with_policy(*get_domain(scenario.domain).policy).to_json()


def simulate(scenario: Scenario) -> RunResult:
    return _run(run_key(scenario))


def outcome(scenario: Scenario) -> tuple[RunResult, Outcome]:
    """The run behind ``scenario`` and its policy's outcome (from cache when possible)."""
    result = simulate(scenario)
    p = scenario.policy
    if scenario.policy_changes_labels:
        return result, result.outcome
    return result, result.at_policy(p.t_low, p.t_high)


@st.cache_resource(max_entries=MAX_RUNS, ttl=TTL_SECONDS, show_spinner=False)
def band_free_views(key: str) -> dict:
    """Views of a run that no band changes: curves, cost curve, score histogram."""
    result = _run(key)
    return {"curves": tradeoff_curves(result), "cost_curve": cost_curve(result),
            "histogram": score_histogram(result)}


@st.cache_resource(max_entries=MAX_RUNS, ttl=TTL_SECONDS,
                   show_spinner="Simulating both policies on the same traffic…")
def _compare(scenario_json: str, a: tuple[float, float], b: tuple[float, float]) -> Comparison:
    scenario = Scenario.from_json(scenario_json)
    # the two runs are dropped once paired: reserve one run's peak while computing, keep
    # nothing in the run cache afterwards
    size = estimate_size(scenario)
    key = f"compare:{scenario_json}:{a}:{b}"
    return runs().get(key, size, lambda: compare_policies(scenario, Policy(*a), Policy(*b)),
                      keep=False)


def compare(scenario: Scenario, a: tuple[float, float], b: tuple[float, float]) -> Comparison:
    return _compare(scenario.to_json(), tuple(a), tuple(b))


@st.cache_resource(ttl=60, show_spinner=False)
def _catalogue() -> tuple[list[Preset], list[str]]:
    return load_presets()


def presets() -> list[Preset]:
    """The named scenarios that load, read from disk at most once a minute rather than on
    every rerun."""
    return _catalogue()[0]


def preset_problems() -> list[str]:
    """One line per preset file that was skipped, naming the file and the field at fault."""
    return _catalogue()[1]


@st.cache_resource(max_entries=32, ttl=TTL_SECONDS,
                   show_spinner="Searching for the cheapest band…")
def _suggest(key: str, guardrails: tuple) -> Suggestion:
    grid = PolicyGrid.from_run(_run(key), thresholds=slider_thresholds())
    return optimize_policy(grid, Guardrails(*guardrails))


def suggest(scenario: Scenario, guardrails: Guardrails) -> Suggestion:
    """The cheapest band on the slider's grid within ``guardrails``, over the scores of
    ``scenario``'s run; searched once per scenario and guardrails (a rubric tick or a band
    drag must not search again)."""
    g = guardrails
    return _suggest(run_key(scenario),
                    (g.min_precision, g.min_recall, g.min_pass_rate, g.max_review_per_week))


def best_band(scenario: Scenario, guardrails: Guardrails) -> tuple[float, float] | None:
    return suggest(scenario, guardrails).policy
