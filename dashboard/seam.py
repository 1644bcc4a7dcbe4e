"""The one cached seam between the pages and the simulator.

Runs are cached with ``st.cache_resource`` rather than ``st.cache_data``: a run holds hundreds
of thousands of events, and ``cache_data`` would copy (unpickle) it on every rerun, which a
band drag cannot afford. Runs are treated as read-only. Both caches are bounded in entries and
time so a busy workshop server keeps a steady memory footprint.

A band move that cannot change which labels are seen maps to the same cache entry (the run is
keyed by the scenario with the domain's default band) and is answered from cached scores.
"""

from __future__ import annotations

import streamlit as st

from dashboard.controls import slider_thresholds
from simulations import run
from simulations.engine import Outcome, RunResult
from simulations.experiments import Comparison, compare_policies
from simulations.policy.guardrails import Guardrails
from simulations.policy.optimize import PolicyGrid, Suggestion, optimize_policy
from simulations.presets import Preset, all_presets
from simulations.reporting.monitor import MonitorTables, alert_quality
from simulations.reporting.summary import cost_curve, score_histogram, tradeoff_curves
from simulations.scenario import Policy, Scenario

MAX_RUNS = 8
TTL_SECONDS = 3600


@st.cache_resource(max_entries=MAX_RUNS, ttl=TTL_SECONDS,
                   show_spinner="Simulating the scenario week by week…")
def _run(scenario_json: str) -> RunResult:
    return run(Scenario.from_json(scenario_json))


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


@st.cache_resource(max_entries=2, ttl=TTL_SECONDS,
                   show_spinner="Calibrating the scores for label-free estimates…")
def monitor_tables(key: str) -> MonitorTables:
    """The band-free part of the Monitor tab (calibration, its bootstrap, cumulative sums):
    a band move then costs O(weeks). Two entries: each holds several arrays per event."""
    return MonitorTables(_run(key))


@st.cache_resource(max_entries=8, ttl=TTL_SECONDS, show_spinner=False)
def _alert_quality(scenario_json: str, worlds: int):
    return alert_quality(Scenario.from_json(scenario_json), worlds)


def alert_quality_over_worlds(scenario: Scenario, worlds: int):
    """Alert rules scored over ``worlds`` seeds of the scenario (cached: it runs them all)."""
    return _alert_quality(scenario.to_json(), worlds)


@st.cache_resource(max_entries=MAX_RUNS, ttl=TTL_SECONDS,
                   show_spinner="Simulating both policies on the same traffic…")
def _compare(scenario_json: str, a: tuple[float, float], b: tuple[float, float]) -> Comparison:
    return compare_policies(Scenario.from_json(scenario_json), Policy(*a), Policy(*b))


def compare(scenario: Scenario, a: tuple[float, float], b: tuple[float, float]) -> Comparison:
    return _compare(scenario.to_json(), tuple(a), tuple(b))


@st.cache_resource(ttl=60, show_spinner=False)
def presets() -> list[Preset]:
    """The named scenarios, read from disk at most once a minute rather than on every rerun."""
    return all_presets()


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
