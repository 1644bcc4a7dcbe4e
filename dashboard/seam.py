"""The one cached seam between the pages and the simulator.

Runs are held by one server-wide ``MemoryBoundedCache`` (dashboard/run_cache.py) rather than
``st.cache_data``: a run holds millions of events, ``cache_data`` would copy (unpickle) it on
every rerun, which a band drag cannot afford, and a count of entries does not bound memory.
Each run's size is estimated before it starts; the cache keeps cached plus running runs within
``RUN_BUDGET_GB`` and refuses a run that cannot fit (``RunTooLarge``, shown by the page as a
message). Runs are treated as read-only. The small derived views are bounded in entries.

A band move that cannot change which labels are seen maps to the same cache entry (the run is
keyed by the scenario with the domain's default band) and is answered from cached scores.

A view of one band that many sessions show (the Tradeoff tab's charts) is kept in one
``SharedViews`` store for every session (``shared_view``), bounded in entries.

Ensembles of worlds live in one store shared by all sessions, with a bounded number running
at once (``ENSEMBLE_SLOTS``); see the section at the end.
"""

from __future__ import annotations

import functools
import os
import threading
from collections import OrderedDict

import numpy as np
import streamlit as st

from dashboard.controls import slider_thresholds
from dashboard.run_cache import MemoryBoundedCache, RunTooLarge
from dashboard.shared_views import SharedViews
from dashboard.tradeoff_figures import TradeoffBases
from simulations import run
from simulations.engine import Outcome, RunResult, estimate_size
from simulations.experiments import Comparison, Ensemble, EnsembleResult, compare_policies
from simulations.experiments.data_plan import DataPlan, run_plan
from simulations.experiments.robust import RobustBand, robust_band
from simulations.experiments.tornado import tornado
from simulations.experiments.worlds import run_ensemble
from simulations.explain import FeatureSpace, recourse_audit
from simulations.policy.fairness import FairnessProblem, FairResult
from simulations.policy.fairness_weekly import RunGap, WeeklyFairness, run_gap, weekly_fairness
from simulations.policy.guardrails import Guardrails
from simulations.policy.optimize import PolicyGrid, Suggestion, optimize_policy
from simulations.policy.weekly import WeeklyAnswer, weekly_search_run
from simulations.presets import Preset, load_presets
from simulations.reporting.monitor import MonitorTables, alert_quality
from simulations.reporting.summary import cost_curve, score_histogram, tradeoff_curves
from simulations.scenario import Policy, Scenario

MAX_RUNS = 8  # derived views (curves, suggestions) kept per server
SHARED_VIEWS = 512  # views of one band kept for every session (a few kB each: see below)
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


def _simulate(scenario: Scenario, what: str) -> RunResult:
    """One simulation, with a progress bar that counts its weeks (honest progress: a run's
    time is spread evenly over its weeks, retrainings aside)."""
    weeks = scenario.population.weeks
    bar = st.progress(0.0, text=f"Simulating {what} week by week: week 0 of {weeks}…")

    def step(week: int, total: int) -> None:
        bar.progress(week / total, text=f"Simulating {what} week by week: week {week} of "
                                        f"{total}…")

    result = run(scenario, progress=step)
    bar.empty()
    return result


def _run(scenario_json: str, _what: str = "") -> RunResult:
    """The run of a scenario, from the server's memory-bounded cache or simulated now."""
    cache = runs()
    found = cache.peek(scenario_json)  # a band move: no parsing, no size estimate
    if found is not None:
        return found
    scenario = Scenario.from_json(scenario_json)
    return cache.get(scenario_json, estimate_size(scenario),
                     lambda: _simulate(scenario, _what or "the scenario"))


# A scenario's JSON, kept for the scenarios seen last (frozen, so hashable by value): every
# band move of a page asks for the same run's key several times.
_json = functools.lru_cache(maxsize=1024)(Scenario.to_json)


def run_key(scenario: Scenario) -> str:
    """The cache key of the simulation a scenario needs."""
    if scenario.policy_changes_labels:
        return _json(scenario)
    from simulations.domains import get_domain

    return _json(scenario.with_policy(*get_domain(scenario.domain).policy))


def scenario_key(scenario: Scenario) -> str:
    """``scenario`` as JSON, band included: what a view of it is keyed by."""
    return _json(scenario)


def simulate(scenario: Scenario, what: str = "") -> RunResult:
    """The run behind ``scenario``; ``what`` names it in the progress bar if it must run."""
    return _run(run_key(scenario), what)


def outcome(scenario: Scenario, what: str = "") -> tuple[RunResult, Outcome]:
    """The run behind ``scenario`` and its policy's outcome (from cache when possible)."""
    result = simulate(scenario, what)
    p = scenario.policy
    if scenario.policy_changes_labels:
        return result, result.outcome
    return result, result.at_policy(p.t_low, p.t_high, p.by_segment)


@st.cache_resource(max_entries=MAX_RUNS, ttl=TTL_SECONDS, show_spinner=False)
def band_free_views(key: str) -> dict:
    """Views of a run that no band changes: curves, cost curve, score histogram, and the
    Tradeoff charts' bases built from them (``tradeoff_figures.TradeoffBases``)."""
    result = _run(key)
    views = {"curves": tradeoff_curves(result), "cost_curve": cost_curve(result),
             "histogram": score_histogram(result)}
    totals = result.outcome.totals
    views["bases"] = TradeoffBases.of(
        result.domain, views["histogram"], views["curves"], views["cost_curve"],
        float(np.nanmean(result.weekly["auc"])), totals["positives"] / totals["events"])
    return views


@st.cache_resource(show_spinner=False)
def _shared_views() -> SharedViews:
    return SharedViews(SHARED_VIEWS)


def shared_view(key: tuple, build):
    """The view under ``key`` (a tuple naming everything it shows), computed with ``build()``
    once for every session of this server that shows it."""
    return _shared_views().get(key, build)


def shared_view_counts() -> tuple[int, int]:
    """(views computed, views answered from the shared store) since the server started."""
    store = _shared_views()
    return store.built, store.served


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
def _compare(scenario_json: str, a: tuple, b: tuple) -> Comparison:
    scenario = Scenario.from_json(scenario_json)
    # the two runs are dropped once paired: reserve one run's peak while computing, keep
    # nothing in the run cache afterwards
    size = estimate_size(scenario)
    key = f"compare:{scenario_json}:{a}:{b}"
    return runs().get(key, size, lambda: compare_policies(scenario, Policy(*a), Policy(*b)),
                      keep=False)


def compare(scenario: Scenario, a: tuple, b: tuple) -> Comparison:
    """Policies A and B on the same traffic; each is (t_low, t_high) or (t_low, t_high,
    per-segment bands as (segment, (t_low, t_high)) pairs)."""
    return _compare(scenario.to_json(), _policy_key(a), _policy_key(b))


def _policy_key(band: tuple) -> tuple:
    t_low, t_high, *rest = band
    by_segment = tuple((name, float(lo), float(hi)) for name, (lo, hi) in (rest[0] if rest else ()))
    return float(t_low), float(t_high), by_segment


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


@st.cache_resource(max_entries=4, ttl=TTL_SECONDS,
                   show_spinner="Preparing every band of every segment…")
def _fairness_problem(key: str, guardrails: tuple) -> FairnessProblem:
    return FairnessProblem.from_run(_run(key), Guardrails(*guardrails))


@st.cache_resource(max_entries=64, ttl=TTL_SECONDS,
                   show_spinner="Searching bands per segment…")
def _fair(key: str, guardrails: tuple, strategy: str, tolerance: float) -> FairResult:
    return _fairness_problem(key, guardrails).solve(strategy, tolerance)


def fairness(scenario: Scenario, guardrails: Guardrails, strategy: str,
             tolerance: float) -> FairResult:
    """A fairness strategy's bands per segment over ``scenario``'s run (``policy.fairness``),
    searched once per scenario, guardrails, strategy and tolerance."""
    g = guardrails
    return _fair(run_key(scenario),
                 (g.min_precision, g.min_recall, g.min_pass_rate, g.max_review_per_week),
                 strategy, float(tolerance))


@st.cache_resource(max_entries=32, ttl=TTL_SECONDS,
                   show_spinner="Following the bands per segment week by week…")
def _fair_weekly(key: str, strategy: str, tolerance: float, fit_weeks: int,
                 pooled_weeks: int) -> WeeklyFairness:
    return weekly_fairness(_run(key), strategy, tolerance, fit_weeks, pooled_weeks)


@st.cache_resource(max_entries=32, ttl=TTL_SECONDS, show_spinner=False)
def _run_gap(key: str, strategy: str, tolerance: float, pooled_weeks: int) -> RunGap:
    return run_gap(_run(key), strategy, tolerance, pooled_weeks)


def gap_in_use(scenario: Scenario, strategy: str, tolerance: float,
               pooled_weeks: int) -> RunGap:
    """The gap between segments of the bands ``scenario`` runs with, week by week
    (``policy.fairness_weekly.run_gap``): what a run with delayed impact can follow."""
    return _run_gap(run_key(scenario), strategy, float(tolerance), int(pooled_weeks))


def fairness_over_time(scenario: Scenario, strategy: str, tolerance: float, fit_weeks: int,
                       pooled_weeks: int) -> WeeklyFairness:
    """A fairness strategy chosen on the first ``fit_weeks`` of ``scenario``'s run and
    followed over every week (``policy.fairness_weekly``); once per run and choice."""
    return _fair_weekly(run_key(scenario), strategy, float(tolerance), int(fit_weeks),
                        int(pooled_weeks))


def best_band(scenario: Scenario, guardrails: Guardrails) -> tuple[float, float] | None:
    return suggest(scenario, guardrails).policy


@st.cache_resource(max_entries=32, ttl=TTL_SECONDS,
                   show_spinner="Checking every band week by week…")
def _weekly_best(key: str, guardrails: tuple) -> WeeklyAnswer:
    return weekly_search_run(_run(key), slider_thresholds(), Guardrails(*guardrails))


def weekly_best(scenario: Scenario, guardrails: Guardrails) -> WeeklyAnswer:
    """The cheapest band on the slider's grid meeting every guardrail in every week of
    ``scenario``'s run (not only on pooled weeks); searched once per run and guardrails."""
    g = guardrails
    return _weekly_best(run_key(scenario),
                        (g.min_precision, g.min_recall, g.min_pass_rate, g.max_review_per_week))


@st.cache_resource(max_entries=32, ttl=TTL_SECONDS, show_spinner=False)
def _weekly(scenario_json: str, _what: str = ""):
    return outcome(Scenario.from_json(scenario_json), _what)[1].weekly


def weekly(scenario: Scenario, what: str = ""):
    """The full weekly table of ``scenario``'s policy, built once per scenario (the rehearsal
    shows several policies, and a rubric tick must not rebuild their tables)."""
    return _weekly(scenario.to_json(), what)


# -- ensembles of worlds ------------------------------------------------------------------
# Shared by every session of this server (one store), bounded in entries, and run at most
# ENSEMBLE_SLOTS at a time: thirty people pressing the button at once queue instead of
# starting thirty pools. TRADEOFF_DASK_SCHEDULER sends the worlds to a Dask cluster instead.

ENSEMBLE_EVENTS = 5_000  # events per week in each world of a page's ensemble (the page says so)
ENSEMBLE_SLOTS = max(1, int(os.environ.get("TRADEOFF_ENSEMBLE_SLOTS", "1")))
ENSEMBLE_WORKERS = max(1, int(os.environ.get("TRADEOFF_ENSEMBLE_WORKERS",
                                             str(os.cpu_count() or 1))))
DASK_SCHEDULER = os.environ.get("TRADEOFF_DASK_SCHEDULER") or None


class _EnsembleStore:
    """Finished ensembles by specification and bands, and the slots that bound running ones."""

    def __init__(self, slots: int, entries: int = 4):
        self.lock = threading.Lock()
        self.slots = threading.BoundedSemaphore(slots)
        self.entries = entries
        self.done: OrderedDict[tuple, EnsembleResult] = OrderedDict()
        self.running: dict[tuple, threading.Lock] = {}

    def get(self, spec: Ensemble, bands: tuple, progress, queued) -> EnsembleResult:
        key = (spec.to_json(), bands)
        with self.lock:
            if key in self.done:
                self.done.move_to_end(key)
                return self.done[key]
            same = self.running.setdefault(key, threading.Lock())
        if same.locked():
            queued("Another session is running this same ensemble; it will be shared.")
        with same:
            with self.lock:
                if key in self.done:
                    return self.done[key]
            if not self.slots.acquire(blocking=False):
                queued("Queued: other ensembles are running on this server; yours starts as "
                       "soon as one finishes.")
                self.slots.acquire()
            try:
                result = run_ensemble(spec, workers=ENSEMBLE_WORKERS, scheduler=DASK_SCHEDULER,
                                      bands=bands, progress=progress)
                result.warm(slider_thresholds())  # a band move on the slider: lookups only
            finally:
                self.slots.release()
            with self.lock:
                self.done[key] = result
                while len(self.done) > self.entries:
                    self.done.popitem(last=False)
                self.running.pop(key, None)
        return result

    def bounded(self, fn, queued):
        """Run ``fn()`` in one of the slots (another heavy ensemble job: a tornado)."""
        if not self.slots.acquire(blocking=False):
            queued("Queued: other ensembles are running on this server; yours starts as soon "
                   "as one finishes.")
            self.slots.acquire()
        try:
            return fn()
        finally:
            self.slots.release()

    def peek(self, spec: Ensemble, bands: tuple) -> EnsembleResult | None:
        with self.lock:
            return self.done.get((spec.to_json(), bands))


@st.cache_resource
def _ensembles() -> _EnsembleStore:
    return _EnsembleStore(ENSEMBLE_SLOTS)


def ensemble_spec(scenario: Scenario, worlds: int, ranges=()) -> Ensemble:
    """The ensemble a page runs: ``scenario`` at ENSEMBLE_EVENTS events a week at most, keyed
    like the single run (the default band when the band cannot change what is learnt)."""
    events = min(scenario.population.events_per_week, ENSEMBLE_EVENTS)
    base = Scenario.from_json(run_key(scenario)).with_changes(
        population={"events_per_week": events})
    return Ensemble(base, int(worlds), tuple(ranges))


def ensemble(spec: Ensemble, bands=()) -> EnsembleResult:
    """The ensemble from the shared store, or run now with a progress bar (worlds done, time
    left) and a message while it waits for a free slot."""
    bands = tuple(sorted({(float(b[0]), float(b[1])) for b in bands})) \
        if spec.base.policy_changes_labels else ()
    store = _ensembles()
    found = store.peek(spec, bands)
    if found is not None:
        return found
    progress, queued, clear = _progress_bar("worlds")
    try:
        return store.get(spec, bands, progress, queued)
    finally:
        clear()


def _progress_bar(what: str):
    """(progress callback, queued callback, clear) drawing worlds done and time left."""
    note = st.empty()
    bar = st.progress(0.0, text=f"Simulating {what}…")

    last = {"done": 0, "at": 0.0}

    def progress(done: int, total: int, seconds: float) -> None:
        note.empty()
        if done == 0:
            bar.progress(0.0, text=f"0 of {total} {what} done ({seconds:.0f} s so far: the "
                                   "first ones are running)")
            return
        if done > last["done"]:
            last.update(done=done, at=seconds)
        per_world = last["at"] / done
        left = max(per_world * (total - done) - (seconds - last["at"]), 0.0)
        # between two finished worlds the bar creeps on at the pace worlds have been finishing
        # (never past the next one), so it moves while a wave of worlds runs
        creep = min((seconds - last["at"]) / per_world, 0.95) if per_world > 0 else 0.0
        bar.progress(min((done + (creep if done < total else 0.0)) / total, 1.0),
                     text=f"{done} of {total} {what} done, about {left:.0f} s left")

    def clear() -> None:
        bar.empty()
        note.empty()

    return progress, lambda text: note.info(text, icon=":material/hourglass:"), clear


@st.cache_resource(max_entries=16, ttl=TTL_SECONDS, show_spinner="Finding the robust band…")
def _robust(spec_json: str, guardrails: tuple, share: float, objective: str,
            single: tuple | None) -> RobustBand:
    spec = Ensemble.from_json(spec_json)
    result = ensemble(spec)
    return robust_band(result, slider_thresholds(), Guardrails(*guardrails), share=share,
                       objective=objective, single=single)


def robust(spec: Ensemble, guardrails: Guardrails, share: float, objective: str,
           single: tuple[float, float] | None) -> RobustBand:
    """The robust band on the slider's grid over ``spec``'s worlds (run first if need be)."""
    ensemble(spec)  # with its progress bar, outside the cached function
    g = guardrails
    return _robust(spec.to_json(), (g.min_precision, g.min_recall, g.min_pass_rate,
                                    g.max_review_per_week), float(share), objective,
                   None if single is None else (float(single[0]), float(single[1])))


_TORNADOS: OrderedDict[tuple, object] = OrderedDict()
_TORNADO_LOCK = threading.Lock()
TORNADO_WORLDS = 3


def tornado_table(spec: Ensemble, band: tuple[float, float], compare: tuple):
    """What matters most for ``spec``'s ranges (simulated in a slot, kept for every session)."""
    key = (spec.to_json(), tuple(band), tuple(map(tuple, compare)))
    with _TORNADO_LOCK:
        if key in _TORNADOS:
            return _TORNADOS[key]
    progress, queued, clear = _progress_bar("tornado worlds")
    try:
        table = _ensembles().bounded(
            lambda: tornado(spec, band, compare, worlds=TORNADO_WORLDS,
                            workers=ENSEMBLE_WORKERS, scheduler=DASK_SCHEDULER,
                            progress=progress), queued)
    finally:
        clear()
    with _TORNADO_LOCK:
        _TORNADOS[key] = table
        while len(_TORNADOS) > 8:
            _TORNADOS.popitem(last=False)
    return table


# -- the data plan ---------------------------------------------------------------------------

_PLANS: OrderedDict[tuple, tuple] = OrderedDict()
_PLAN_LOCK = threading.Lock()


def plan_spec(scenario: Scenario, budget: float, strategies: tuple[str, ...], worlds: int,
              steps: int = 5) -> DataPlan:
    """The data plan a page runs: ``scenario`` at ENSEMBLE_EVENTS events a week at most (the
    page says so), like the page's other ensembles."""
    events = min(scenario.population.events_per_week, ENSEMBLE_EVENTS)
    return DataPlan(scenario.with_changes(population={"events_per_week": events}),
                    float(budget), tuple(strategies), int(steps), int(worlds))


def _plan_key(plan: DataPlan) -> tuple:
    return (plan.scenario.to_json(), plan.budget, plan.strategies, plan.steps, plan.worlds)


def peek_plan(plan: DataPlan):
    """The finished plan's (summary, per world) tables if some session ran it, else None."""
    with _PLAN_LOCK:
        return _PLANS.get(_plan_key(plan))


def data_plan(plan: DataPlan):
    """(summary, per world) of ``plan``: kept for every session, or run now in an ensemble
    slot with a progress bar (worlds done, time left)."""
    found = peek_plan(plan)
    if found is not None:
        return found
    progress, queued, clear = _progress_bar("worlds of the data plan")
    try:
        tables = _ensembles().bounded(
            lambda: run_plan(plan, workers=ENSEMBLE_WORKERS, scheduler=DASK_SCHEDULER,
                             progress=progress), queued)
    finally:
        clear()
    with _PLAN_LOCK:
        _PLANS[_plan_key(plan)] = tables
        while len(_PLANS) > 8:
            _PLANS.popitem(last=False)
    return tables


# -- one decision explained ----------------------------------------------------------------

@st.cache_resource(max_entries=MAX_RUNS, ttl=TTL_SECONDS, show_spinner=False)
def _feature_space(key: str) -> FeatureSpace:
    return FeatureSpace.of_run(_run(key))


def feature_space(scenario: Scenario) -> FeatureSpace:
    """Ranges, spreads and the background sample of the run's features (once per run)."""
    return _feature_space(run_key(scenario))


@st.cache_resource(max_entries=16, ttl=TTL_SECONDS,
                   show_spinner="Looking for a feasible change for each audited event…")
def _recourse_audit(scenario_json: str, action: str):
    scenario = Scenario.from_json(scenario_json)
    result, outcome_ = outcome(scenario)
    return recourse_audit(result, outcome_, feature_space(scenario), action)


def recourse_audit_table(scenario: Scenario, action: str):
    """The recourse audit per segment of ``scenario``'s band (once per band and action)."""
    return _recourse_audit(scenario.to_json(), action)
