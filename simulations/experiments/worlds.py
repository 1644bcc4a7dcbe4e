"""Running an ensemble's worlds in parallel, and what each world keeps to answer any band.

``run_ensemble`` simulates every world of an ``Ensemble`` through joblib: the local process
pool (loky) by default, or a Dask distributed cluster when a scheduler address is given
(``joblib.parallel_config(backend="dask")``). Results are put back in world order, and each
world runs with its BLAS thread pool limited to one thread, so the tables are identical bit
for bit whatever the number of workers, the backend or the order in which worlds finish.

A ``World`` keeps only what answers a band: its ``BandTable`` (sorted scores and cumulative
sums; the per-event order and the events themselves are dropped) and the weekly columns no
band changes (AUC, drift, retraining). When the band cannot change what the model learns
(``Scenario.policy_changes_labels`` is False), moving the band re-answers every world from
these tables without simulating again; otherwise each band asked for is simulated per world.
A table simulated in a worker process travels back packed (``CutTable``: its sorted scores,
two bits and one cost an event, a quarter of its size or less) and is rebuilt on arrival, bit
for bit, from the same code that built it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..engine import run
from ..engine.outcome import WEEKLY_CONTRACT
from ..policy.metrics import BandTable, event_costs
from ..scenario import Scenario
from .ensemble import Ensemble
from .worker_heap import keep_freed_heap

Band = tuple[float, float]
_STACKS = 8  # bands whose stacked weekly arrays an ensemble result keeps
_MEMO = 4096  # thresholds whose cut positions a world remembers
# the weekly metrics the ranges and the paired verdict read, stacked together on a band move
STACKED = ("precision", "recall", "pass_rate", "cost_total", "review_demand", "review_overflow",
           "auc", "score_psi", "tp", "positives", "passed", "events", "reviewed")
# The Dask configuration a worker of an ensemble should start with (the README's `dask worker`
# line sets it through the environment): without the nanny's 64 KiB malloc trim threshold,
# which makes glibc hand freed memory back at once and disables its adaptive mmap threshold,
# so a world's week-sized numpy arrays page-fault afresh each time (measured: about twice the
# page faults and a fifth to a third more CPU per world). Every job now also sets glibc's
# malloc itself in its worker process, once (``worker_heap.keep_freed_heap``), so this only
# spares the first world a worker runs. Workers should also run one thread each
# (`--nthreads 1`): a world is Python and numpy in one thread.
DASK_WORKER_CONFIG = {"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}
ProgressFn = Callable[[int, int, float], None]  # (worlds done, worlds in all, seconds so far)
# How often progress is reported while worlds run, finished or not: a world takes seconds, so
# a bar that moved only when one finished would stand still for as long as the first wave runs.
TICK_SECONDS = 0.5
# Set while a job runs in a worker process whose result is pickled back to the caller (a loky
# worker or a Dask worker): only then is a world's table packed for the journey (see _pack).
_TRAVELS: ContextVar[bool] = ContextVar("ensemble_result_travels", default=False)


@dataclass(frozen=True)
class CutTable(BandTable):
    """A ``BandTable`` that remembers where each threshold cuts every week's sorted scores,
    so a band dragged along a grid is answered with lookups instead of binary searches (the
    same cut positions ``BandTable.cuts`` finds, so the same answers bit for bit).

    A table built in a worker process travels back packed (``packed``, see ``_pack``): its
    sorted scores, two bits per event and only the costs that are not zero, about a quarter
    of its size or less; it is rebuilt on arrival with ``BandTable.from_sorted``, the same
    code that built it, so the parent holds the same arrays bit for bit."""

    memo: dict = field(default_factory=dict, compare=False, repr=False)
    packed: dict | None = field(default=None, compare=False, repr=False)

    @classmethod
    def of(cls, table: BandTable, fn_cost=None, fp_cost=None) -> CutTable:
        """``table`` without its per-event order; with the events' costs (in event order, as
        the table was built from), packed to travel to another process."""
        kept = {f: getattr(table, f) for f in BandTable.__dataclass_fields__}
        kept["order"] = np.empty(0, dtype=np.int64)  # per-event decisions are not needed
        out = cls(**kept)
        if fn_cost is None:
            return out
        return cls(**kept, packed=_pack(out, np.asarray(fn_cost, dtype=float)[table.order],
                                        np.asarray(fp_cost, dtype=float)[table.order]))

    def __reduce_ex__(self, protocol):
        if self.packed is None:
            return super().__reduce_ex__(protocol)
        return _unpack, (self.packed, self.memo)

    def warm(self, thresholds) -> None:
        """Find every threshold's cuts now, one vectorised search per week."""
        t = np.asarray(thresholds, dtype=float)
        s, starts = self.sorted_score, self.starts
        cuts = np.vstack([starts[i] + np.searchsorted(s[starts[i]:starts[i + 1]], t, side="left")
                          for i in range(len(self.weeks))])
        for k, value in enumerate(t):
            self.memo[float(value)] = cuts[:, k].astype(np.int64)

    def _cut(self, t: float) -> np.ndarray:
        found = self.memo.get(float(t))
        if found is None:
            s, starts = self.sorted_score, self.starts
            found = np.array([starts[i] + np.searchsorted(s[starts[i]:starts[i + 1]], t,
                                                          side="left")
                              for i in range(len(self.weeks))], dtype=np.int64)
            if len(self.memo) < _MEMO:
                self.memo[float(t)] = found
        return found

    def cuts(self, t_low: float, t_high: float, capacity: int):
        a, b = self._cut(t_low), self._cut(t_high)
        return a, np.maximum(a, b - capacity), b


def _pack(table: CutTable, fn_c: np.ndarray, fp_c: np.ndarray) -> dict | None:
    """What ``table`` travels as, from its events' costs in table order: the sorted scores,
    each event's label and reviewer bit packed eight to a byte, the missed-positive costs of
    the positives only and the false-alarm costs of the negatives only (one number when they
    are all the same). The rest, every cumulative sum, is rebuilt on arrival. Returns None
    (the table travels whole) unless the rebuilt table is the same bit for bit."""
    pos = np.diff(table.cum_pos) != 0  # counts of 0/1 summed in float: exact differences
    cor = np.where(pos, np.diff(table.cum_pos_correct) != 0, np.diff(table.cum_neg_wrong) == 0)
    packed = {"sorted_score": table.sorted_score, "starts": table.starts, "weeks": table.weeks,
              "bits": np.packbits(np.vstack([pos, cor]), axis=1), "n": len(pos),
              "fn": _only_at(fn_c, pos), "fp": _only_at(fp_c, ~pos)}
    rebuilt = _unpack(packed, {})
    for name in BandTable.__dataclass_fields__:
        a, b = getattr(table, name), getattr(rebuilt, name)
        if name != "order" and not (a.dtype == b.dtype and a.shape == b.shape
                                    and np.array_equal(_bits(a), _bits(b))):
            return None
    return packed


def _only_at(cost: np.ndarray, where: np.ndarray) -> tuple[str, np.ndarray]:
    """``cost`` as ("at", its values where ``where`` holds, or the one value they all share)
    when it is +0.0 everywhere else, else ("all", cost)."""
    if np.any(_bits(cost[~where])):
        return "all", cost
    values = cost[where]
    if len(values) and np.all(_bits(values) == _bits(values[:1])):
        values = values[:1]
    return "at", values


def _spread(kind_values: tuple[str, np.ndarray], where: np.ndarray) -> np.ndarray:
    kind, values = kind_values
    if kind == "all":
        return values
    out = np.zeros(len(where))
    out[where] = values[0] if len(values) == 1 else values
    return out


def _bits(a: np.ndarray) -> np.ndarray:
    """The array's raw bits (floats compared as bits: -0.0 and NaN payloads count)."""
    a = np.ascontiguousarray(a)
    return a.view(f"u{a.dtype.itemsize}")  # same length, one unsigned integer per element


def _unpack(packed: dict, memo: dict) -> CutTable:
    """A travelled ``CutTable`` rebuilt from what ``_pack`` kept."""
    pos, cor = np.unpackbits(packed["bits"], axis=1, count=packed["n"]).astype(bool)
    return CutTable.from_sorted(
        np.empty(0, dtype=np.int64), packed["sorted_score"], packed["starts"], packed["weeks"],
        pos, cor, _spread(packed["fn"], pos), _spread(packed["fp"], ~pos), memo=memo)


@dataclass(frozen=True)
class World:
    """One simulated world, slimmed to what answers any band in O(weeks)."""

    index: int
    scenario: Scenario
    assumptions: dict[str, float | int]
    table: BandTable
    band_free: dict[str, np.ndarray]  # weekly columns no band changes, one array each
    seconds: float

    def answers(self, band: Band) -> bool:
        """Whether this world can answer ``band`` without simulating again."""
        if not self.scenario.policy_changes_labels:
            return True
        p = self.scenario.policy
        return (p.t_low, p.t_high) == tuple(band)

    def weekly(self, band: Band) -> dict[str, np.ndarray]:
        """The weekly counts, ratios and costs of ``band``, plus the band-free columns, as
        arrays (what ``run(...).at_policy(*band).core`` holds, without building a frame)."""
        if not self.answers(band):
            raise ValueError("this scenario learns from the labels its decisions reveal, so "
                             "each band needs its own simulation: run the ensemble with it")
        s = self.scenario
        out = self.table.query(band[0], band[1], s.review.capacity, s.review.unreviewed_action,
                               s.costs.review)
        for col, values in self.band_free.items():
            if col != "week":
                out[col] = values
        out["cost_total"] = out["cost_total"] + out["cost_retrain"]
        return out

    @property
    def nbytes(self) -> int:
        arrays = [v for v in vars(self.table).values() if isinstance(v, np.ndarray)]
        return int(sum(a.nbytes for a in arrays) + sum(a.nbytes for a in self.band_free.values()))


def simulate_world(index: int, scenario: Scenario, assumptions: dict) -> World:
    """Simulate one world and keep its band table and band-free columns (runs in a worker)."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):  # the same arithmetic in every process: bit-identical
        result = run(scenario)
    if _TRAVELS.get():  # pickled back to the caller: pack the table for the journey
        costs = event_costs(result.arrays["value"], result.arrays["label"], scenario.costs)
        table = CutTable.of(result.table, *costs)
    else:
        table = CutTable.of(result.table)
    band_free = {c: result.band_free[c].to_numpy() for c in result.band_free.columns}
    return World(index, scenario, dict(assumptions), table, band_free, result.seconds)


def map_worlds(jobs: Sequence[tuple[int, Scenario, dict]], *, workers: int = 1,
               scheduler: str | None = None, progress: ProgressFn | None = None) -> list[World]:
    """Simulate ``jobs`` (index, scenario, assumptions) and return the worlds in job order.

    ``workers`` local processes (1: in this process); with ``scheduler`` (a Dask scheduler
    address such as ``tcp://10.0.0.5:8786``), the Dask cluster's workers instead.
    """
    return map_jobs(_world_job, jobs, workers=workers, scheduler=scheduler, progress=progress)


def map_jobs(fn: Callable, jobs: Sequence[tuple[int, Scenario, dict]], *, workers: int = 1,
             scheduler: str | None = None, progress: ProgressFn | None = None) -> list:
    """``fn(index, scenario, assumptions)`` for every job, returned in job order, on the same
    joblib machinery as ``map_worlds`` (local processes, or a Dask cluster with
    ``scheduler``); ``fn`` must be a module-level function so that workers can import it. A
    failure inside one job is reported as a ``WorldError`` naming the world. ``progress`` is
    called from the calling thread (a page's script thread) every ``TICK_SECONDS`` with the
    worlds finished so far, and once more with all of them; a thread only collects joblib's
    results meanwhile."""
    from joblib import Parallel, delayed, parallel_config

    total = len(jobs)
    started = time.perf_counter()
    out: list = [None] * total
    travels = bool(scheduler) or workers > 1  # the results are pickled back from workers
    tasks = (delayed(_job)(fn, travels, pos, *job) for pos, job in enumerate(jobs))

    def collect(results) -> None:
        if progress is None:
            for pos, world in results:
                out[pos] = world
            return
        finished: list = []  # (pos, world) in the order the worlds finish
        failed: list[BaseException] = []

        def drain() -> None:  # takes joblib's results as they come; joblib does the work
            try:
                finished.extend(results)
            except BaseException as err:  # re-raised in the calling thread below
                failed.append(err)

        worker = threading.Thread(target=drain, name="ensemble-results", daemon=True)
        worker.start()
        shown = 0
        while worker.is_alive():
            worker.join(TICK_SECONDS)
            shown = len(finished)
            progress(shown, total, time.perf_counter() - started)
        if failed:
            raise failed[0]
        for pos, world in finished:
            out[pos] = world
        if shown < total:
            progress(total, total, time.perf_counter() - started)

    if scheduler:
        from distributed import Client

        with Client(scheduler, set_as_default=False) as client, \
                parallel_config(backend="dask", client=client):
            collect(Parallel(n_jobs=-1, return_as="generator_unordered")(tasks))
    else:
        backend = "sequential" if workers <= 1 else "loky"
        with parallel_config(backend=backend, n_jobs=max(int(workers), 1)):
            collect(Parallel(return_as="generator_unordered")(tasks))
    return out


class WorldError(RuntimeError):
    """A world could not be simulated; the message names the world and its assumptions."""


def _world_job(index: int, scenario: Scenario, assumptions: dict) -> World:
    return simulate_world(index, scenario, assumptions)


def _job(fn: Callable, travels: bool, pos: int, index: int, scenario: Scenario,
         assumptions: dict):
    from joblib import parallel_config

    if travels:  # in a worker process: keep one world's memory for the next (worker_heap)
        keep_freed_heap()
    token = _TRAVELS.set(travels)
    try:
        # A world runs in its worker alone. scikit-learn calls joblib inside a world (every
        # ColumnTransformer fit and transform, every LogisticRegression fit); joblib's Dask
        # backend runs each job under its own "dask" config, so without this each of those
        # calls would go back to the cluster as tasks of its own (its arrays scattered, its
        # results gathered, dozens of round trips a week), a world taking 5x as long as in a
        # local worker, where they already run inline.
        with parallel_config(backend="sequential"):
            return pos, fn(index, scenario, assumptions)
    except Exception as err:  # one line naming the world, whatever went wrong inside it
        drawn = ", ".join(f"{k}={v:g}" for k, v in assumptions.items())
        first = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise WorldError(f"world {index}{f' ({drawn})' if drawn else ''} could not be "
                         f"simulated: {first}; narrow the ranges") from None
    finally:
        _TRAVELS.reset(token)


@dataclass(frozen=True)
class EnsembleResult:
    """Every world of an ensemble; ``runs[band]`` holds worlds simulated at that band when the
    band changes what the model learns (else ``runs`` is empty and ``worlds`` answer all)."""

    ensemble: Ensemble
    worlds: tuple[World, ...]
    runs: dict[Band, tuple[World, ...]]
    seconds: float
    _stacks: dict = field(default_factory=dict, compare=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, compare=False, repr=False)

    @property
    def unit(self) -> str:
        from ..domains import get_domain

        return get_domain(self.ensemble.base.domain).unit

    @property
    def band_free_learning(self) -> bool:
        return not self.ensemble.base.policy_changes_labels

    def at(self, band: Band) -> tuple[World, ...]:
        """The worlds that answer ``band`` (the cached ones, or those simulated at it)."""
        band = (float(band[0]), float(band[1]))
        if self.band_free_learning:
            return self.worlds
        if band in self.runs:
            return self.runs[band]
        raise ValueError(f"this scenario learns from the labels its decisions reveal, so the "
                         f"band {band[0]:g}-{band[1]:g} needs its own simulation: run the "
                         f"ensemble with it")

    def stack(self, band: Band, metrics: Sequence[str]) -> dict[str, np.ndarray]:
        """Per metric, a (worlds, weeks) array of ``band``'s weekly values (the last few bands
        asked for are kept, so the ranges and the verdict of one band move share the work)."""
        band = (float(band[0]), float(band[1]))
        with self._lock:  # one result may be shared by several sessions' threads
            found = self._stacks.get(band)
        if found is None or any(m not in found for m in metrics):
            weekly = [w.weekly(band) for w in self.at(band)]
            wanted = dict.fromkeys([*STACKED, *metrics, *(found or {})])
            found = {m: np.vstack([np.asarray(t[m], dtype=float) for t in weekly])
                     for m in wanted}
            with self._lock:
                while band not in self._stacks and len(self._stacks) >= _STACKS:
                    self._stacks.pop(next(iter(self._stacks)))
                self._stacks[band] = found
        return {m: found[m] for m in metrics}

    def table(self, band: Band) -> pd.DataFrame:
        """One row per world and week: world, its sampled assumptions, the weekly contract."""
        frames = []
        for w in self.at(band):
            weekly = w.weekly(band)
            frame = pd.DataFrame({c: weekly[c] for c in WEEKLY_CONTRACT if c in weekly})
            frame.insert(0, "world", w.index)
            for j, (name, value) in enumerate(w.assumptions.items(), start=1):
                frame.insert(j, name, value)
            frames.append(frame)
        return pd.concat(frames, ignore_index=True)

    def warm(self, thresholds) -> None:
        """Let every world answer bands on ``thresholds`` (a slider's grid) by lookup."""
        for w in {id(w): w for ws in [self.worlds, *self.runs.values()] for w in ws}.values():
            w.table.warm(thresholds)

    @property
    def nbytes(self) -> int:
        worlds = list(self.worlds) + [w for ws in self.runs.values() for w in ws]
        return sum(w.nbytes for w in worlds)


def run_ensemble(ensemble: Ensemble, *, workers: int = 1, scheduler: str | None = None,
                 bands: Sequence[Band] = (), progress: ProgressFn | None = None
                 ) -> EnsembleResult:
    """Simulate every world of ``ensemble``.

    When the band cannot change what the model learns, one simulation per world answers every
    band. Otherwise each band in ``bands`` (default: the base scenario's own) is simulated in
    every world, on the same world seeds (common random numbers).
    """
    started = time.perf_counter()
    worlds = ensemble.scenarios()
    if not ensemble.base.policy_changes_labels:
        jobs = [(k, s, a) for k, (s, a) in enumerate(worlds)]
        done = map_worlds(jobs, workers=workers, scheduler=scheduler, progress=progress)
        return EnsembleResult(ensemble, tuple(done), {}, time.perf_counter() - started)
    p = ensemble.base.policy
    wanted = list(dict.fromkeys([(float(b[0]), float(b[1])) for b in bands]
                                or [(p.t_low, p.t_high)]))
    jobs = [(k, s.with_policy(*band), a) for band in wanted for k, (s, a) in enumerate(worlds)]
    done = map_worlds(jobs, workers=workers, scheduler=scheduler, progress=progress)
    n = len(worlds)
    runs = {band: tuple(done[i * n:(i + 1) * n]) for i, band in enumerate(wanted)}
    return EnsembleResult(ensemble, runs[wanted[0]], runs, time.perf_counter() - started)
