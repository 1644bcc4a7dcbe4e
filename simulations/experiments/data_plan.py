"""The data plan: one labelling budget spent four ways, each scored as the next model's cost.

A team has a labelled training set (the scenario's reference window, every event labelled
once by a reviewer of the scenario's accuracy, hard cases near the boundary wrong more often)
and a budget in the domain's money unit. One review costs ``costs.review``, so a budget B buys
``floor(B / costs.review)`` reviews; the ``labels`` column counts the reviews a strategy
actually bought. Four ways to spend them:

* ``more_labels``: label new events from an unlabelled pool of the same traffic, once each;
* ``double_labels``: label new events twice; the share on which the two reviewers disagree
  goes to a third review that adjudicates (majority of three), so an event costs 2 or 3;
* ``uncertainty``: label, once each, the pool events the current model is least sure of
  (score nearest 0.5: classic uncertainty sampling);
* ``clean``: review again the training rows that confident learning flags as mislabelled
  (most confidently wrong first); the new verdict replaces the old. Cleaning can only spend
  what it flags: the rest of the budget stays unspent, and ``labels`` says so.

Confident learning (Northcutt, Jiang and Chuang, JAIR 2021), binary and in a few lines: the
out-of-fold score p of every training row (3 folds); per class j a threshold t_j, the mean
out-of-fold probability of class j over the rows labelled j; a row is confidently of class j
when its probability of j reaches t_j, and flagged when the confident class with the larger
probability is not its label.

Each strategy's training set trains the next model (the scenario's model kind), which is
scored on four weeks of production traffic drawn like the reference window (drift aside: the
plan compares labels, not time): ``auc`` on the true labels and ``cost_total``, the cost per
production week of the scenario's band (on the true labels, with the week's review capacity
and reviewer errors), from the same ``BandTable`` that answers every band. ``label_error`` is
the share of the training labels that are wrong. A zero budget trains on the unchanged set,
so every strategy's first point is the baseline model.

Worlds. Each world is one seed of an ``Ensemble`` of the scenario; within a world every
strategy and budget shares the same events, reviewer draws and model seed (common random
numbers), and a larger budget's labels include a smaller one's. The worlds run on the
ensemble machinery (``worlds.map_jobs``: joblib processes, or Dask with a scheduler), so the
plan is the same whatever the number of workers. The table gives, per strategy and budget,
the median over worlds and the 5th-95th percentile of the cost (``cost_low``, ``cost_high``).
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..domains import DriftState, get_domain
from ..engine import model as model_lib
from ..engine.outcome import band_table
from ..engine.reviewers import case_accuracy
from ..policy.metrics import roc_auc
from ..scenario import Scenario, ScenarioError
from .ensemble import Ensemble
from .worlds import ProgressFn, map_jobs

STRATEGIES = ("more_labels", "double_labels", "uncertainty", "clean")
STRATEGY_WORDS = {"more_labels": "more single labels",
                  "double_labels": "double labels with adjudication",
                  "uncertainty": "uncertainty sampling",
                  "clean": "cleaning the flagged rows"}
PLAN_COLUMNS = ("strategy", "budget", "labels", "label_error", "auc", "cost_total", "cost_low",
                "cost_high")
PRODUCTION_WEEKS = 4
POOL_FACTOR = 5  # the unlabelled pool holds this many times the training set
FOLDS = 3


@dataclass(frozen=True)
class DataPlan:
    """What to plan: a scenario, a budget (in the domain's money unit), the strategies, how
    many budget points from 0 to the budget (``steps``, at least 2) and how many worlds."""

    scenario: Scenario
    budget: float
    strategies: tuple[str, ...] = STRATEGIES
    steps: int = 5
    worlds: int = 20

    def __post_init__(self):
        if not (isinstance(self.budget, int | float) and math.isfinite(self.budget)) \
                or self.budget < 0:
            raise ScenarioError(f"budget {self.budget!r}: give a number of at least 0")
        unknown = [s for s in self.strategies if s not in STRATEGIES]
        if unknown or not self.strategies:
            raise ScenarioError(f"unknown strategy {unknown[0] if unknown else '(none)'!r}; "
                                f"choose from {', '.join(STRATEGIES)}")
        if len(set(self.strategies)) != len(self.strategies):
            raise ScenarioError("each strategy may be named once")
        if not 2 <= self.steps <= 50:
            raise ScenarioError(f"steps {self.steps}: give 2 to 50 budget points (0 and the "
                                "budget included)")
        if not 1 <= self.worlds <= 1000:
            raise ScenarioError(f"worlds {self.worlds}: give 1 to 1000")
        if self.max_labels > POOL_FACTOR * self.training_size:
            cap = POOL_FACTOR * self.training_size * self.scenario.costs.review
            raise ScenarioError(
                f"budget {self.budget:g} buys {self.max_labels:,} reviews, more than "
                f"{POOL_FACTOR} times the {self.training_size:,} training labels the plan can "
                f"draw new events for; give a budget of at most {cap:g}")

    @property
    def training_size(self) -> int:
        pop = self.scenario.population
        return pop.events_per_week * pop.reference_weeks

    @property
    def max_labels(self) -> int:
        return reviews_bought(self.budget, self.scenario.costs.review)

    @property
    def budgets(self) -> np.ndarray:
        return np.linspace(0.0, float(self.budget), self.steps)


def reviews_bought(budget: float, review_cost: float) -> int:
    """How many reviews a budget buys (a free review: one per unit of budget)."""
    per = review_cost if review_cost > 0 else 1.0
    return int(math.floor(budget / per + 1e-9))


def confident_flags(p: np.ndarray, label: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(flagged, margin): confident learning's out-of-fold rule for a binary label (see the
    module's docstring); ``margin`` ranks flagged rows, most confidently wrong first."""
    label = np.asarray(label).astype(bool)
    prob = np.column_stack([1.0 - p, p])
    t = np.array([prob[~label, 0].mean() if (~label).any() else np.inf,
                  prob[label, 1].mean() if label.any() else np.inf])
    confident = prob >= t
    either = confident.any(axis=1)
    best = np.where(confident.all(axis=1), prob.argmax(axis=1), confident.argmax(axis=1))
    flagged = either & (best != label.astype(int))
    margin = np.where(label, prob[:, 0] - prob[:, 1], prob[:, 1] - prob[:, 0])
    return flagged, margin


class _World:
    """One world's fixed material: training set, pool, production traffic, reviewer draws."""

    def __init__(self, scenario: Scenario):
        self.scenario = s = scenario
        self.domain = d = get_domain(s.domain)
        pop = s.population
        root = np.random.default_rng(s.seed)
        world_rng, train_rng, pool_rng, prod_rng, review_rng, model_rng = root.spawn(6)
        world = d.make_world(world_rng, **s.world_values)
        n = pop.events_per_week * pop.reference_weeks
        self.train = d.generate(n, pop.base_rate, DriftState(), world, train_rng)
        self.pool = d.generate(POOL_FACTOR * n, pop.base_rate, DriftState(), world, pool_rng)
        self.prod = d.generate(pop.events_per_week * PRODUCTION_WEEKS, pop.base_rate,
                               DriftState(), world, prod_rng)
        self.prod_u = prod_rng.random(len(self.prod))
        self.model_seed = int(model_rng.integers(2**31 - 1))
        self.cat_sizes = tuple(len(c) for _, c in d.categorical_features)
        self.models: dict[str, object] = {}  # by the training set's content
        # three independent reviewer draws per event: first, second and adjudicating review
        self.u_train = review_rng.random((3, len(self.train)))
        self.u_pool = review_rng.random((3, len(self.pool)))
        hard = s.review.hard_cases
        if d.review_decides and hard > 0:  # difficulty as a model fit on the truth sees it
            truth = self.fit(self.train.numeric, self.train.categorical, self.train.label)
            self.acc_train = case_accuracy(self.score(truth, self.train), s.review.reviewer_accuracy,
                                           hard)
            self.acc_pool = case_accuracy(self.score(truth, self.pool), s.review.reviewer_accuracy,
                                          hard)
        else:
            a = s.review.reviewer_accuracy if d.review_decides else 1.0
            self.acc_train = np.full(len(self.train), a)
            self.acc_pool = np.full(len(self.pool), a)
        self.train_label = self.verdict(self.train.label, self.u_train[0], self.acc_train)

    @staticmethod
    def verdict(label, u, accuracy) -> np.ndarray:
        """A reviewer's label: the truth when the draw falls under the case's accuracy."""
        label = np.asarray(label).astype(np.int64)
        return np.where(u < accuracy, label, 1 - label)

    def fit(self, numeric, categorical, label):
        """The scenario's model trained on these rows (one fit per distinct training set: a
        zero budget, or a cleaning that has run out of flags, asks for one already made)."""
        digest = hashlib.sha1()
        for part in (numeric, categorical, label):
            digest.update(np.ascontiguousarray(part).tobytes())
        key = digest.hexdigest()
        if key not in self.models:
            blank = model_lib.build_model(self.scenario.model.kind,
                                          len(self.domain.numeric_features), self.cat_sizes,
                                          self.model_seed)
            self.models[key] = model_lib.fit(blank, numeric, categorical, label)
        return self.models[key]

    @staticmethod
    def score(model, batch) -> np.ndarray:
        return model_lib.score(model, batch.numeric, batch.categorical)

    def evaluate(self, numeric, categorical, label, truth) -> dict[str, float]:
        """The next model trained on these labels, scored on production's true labels."""
        s = self.scenario
        model = self.fit(numeric, categorical, label)
        scores = self.score(model, self.prod)
        weeks = np.repeat(np.arange(1, PRODUCTION_WEEKS + 1), s.population.events_per_week)
        arrays = {"week": weeks, "score": scores, "label": self.prod.label,
                  "value": self.prod.value, "u_review": self.prod_u}
        table = band_table(s, self.domain, arrays)
        p, review = s.policy, s.review
        out = table.query(p.t_low, p.t_high, review.capacity, review.unreviewed_action,
                          s.costs.review)
        return {"label_error": float(np.mean(np.asarray(label) != np.asarray(truth))),
                "auc": roc_auc(self.prod.label, scores),
                "cost_total": float(np.mean(out["cost_total"]))}

    def baseline(self) -> dict[str, float]:
        """The model trained on the labelled set as it is (what every zero budget buys)."""
        t = self.train
        return {"labels": 0, **self.evaluate(t.numeric, t.categorical, self.train_label,
                                             t.label)}


def _with_pool(w: _World, rows: np.ndarray, labels: np.ndarray, reviews: int) -> dict:
    t, q = w.train, w.pool
    return {"labels": int(reviews), **w.evaluate(
        np.concatenate([t.numeric, q.numeric[rows]]),
        np.concatenate([t.categorical, q.categorical[rows]]),
        np.concatenate([w.train_label, labels]),
        np.concatenate([t.label, q.label[rows]]))}


def more_labels(w: _World, reviews: int, _state) -> dict:
    rows = np.arange(reviews)
    return _with_pool(w, rows, w.verdict(w.pool.label[rows], w.u_pool[0, rows],
                                         w.acc_pool[rows]), reviews)


def double_labels(w: _World, reviews: int, state) -> dict:
    first, second, third = (w.verdict(w.pool.label, w.u_pool[k], w.acc_pool) for k in range(3))
    disagree = first != second
    spent = np.cumsum(2 + disagree)
    taken = int(np.searchsorted(spent, reviews, side="right"))
    rows = np.arange(taken)
    label = np.where(disagree[rows], third[rows], first[rows])  # the odd one is outvoted
    return _with_pool(w, rows, label, int(spent[taken - 1]) if taken else 0)


def uncertainty(w: _World, reviews: int, state) -> dict:
    rows = state["uncertain"][:reviews]
    return _with_pool(w, rows, w.verdict(w.pool.label[rows], w.u_pool[0, rows],
                                         w.acc_pool[rows]), reviews)


def clean(w: _World, reviews: int, state) -> dict:
    rows = state["flagged"][:reviews]
    label = w.train_label.copy()
    label[rows] = w.verdict(w.train.label[rows], w.u_train[1, rows], w.acc_train[rows])
    t = w.train
    return {"labels": len(rows), **w.evaluate(t.numeric, t.categorical, label, t.label)}


SPEND = {"more_labels": more_labels, "double_labels": double_labels,
         "uncertainty": uncertainty, "clean": clean}


def _state(w: _World, strategies) -> dict:
    """What a strategy needs from the baseline: the pool ranked by uncertainty, the training
    rows flagged by confident learning."""
    state = {}
    if "uncertainty" in strategies:
        p = w.score(w.fit(w.train.numeric, w.train.categorical, w.train_label), w.pool)
        state["uncertain"] = np.argsort(np.abs(p - 0.5), kind="stable")
    if "clean" in strategies:
        p = out_of_fold(w)
        flagged, margin = confident_flags(p, w.train_label)
        rows = np.flatnonzero(flagged)
        state["flagged"] = rows[np.argsort(-margin[rows], kind="stable")]
    return state


def out_of_fold(w: _World) -> np.ndarray:
    """Each training row's score from a model that did not see it (stratified folds)."""
    from sklearn.model_selection import StratifiedKFold

    y = w.train_label
    p = np.empty(len(y))
    if min(int(y.sum()), int(len(y) - y.sum())) < FOLDS:  # too few of a class to fold
        return np.full(len(y), float(y.mean()))
    folds = StratifiedKFold(FOLDS, shuffle=True, random_state=w.model_seed)
    t = w.train
    for fit_rows, held in folds.split(t.numeric, y):
        model = w.fit(t.numeric[fit_rows], t.categorical[fit_rows], y[fit_rows])
        p[held] = model_lib.score(model, t.numeric[held], t.categorical[held])
    return p


def plan_world(index: int, scenario: Scenario, plan_fields: dict) -> pd.DataFrame:
    """One world's rows: per strategy and budget, the reviews bought and the next model's
    label error, AUC and cost per production week (runs in a worker)."""
    from threadpoolctl import threadpool_limits

    strategies, budgets = plan_fields["strategies"], plan_fields["budgets"]
    with threadpool_limits(limits=1):  # the same arithmetic in every process: bit-identical
        w = _World(scenario)
        state = _state(w, strategies)
        rows = []
        for name in strategies:
            for budget in budgets:
                got = SPEND[name](w, reviews_bought(budget, scenario.costs.review), state)
                rows.append({"world": index, "strategy": name, "budget": float(budget), **got})
    return pd.DataFrame(rows)


def baseline_world(scenario: Scenario) -> dict[str, float]:
    """The baseline model of one world (the labelled set untouched), for checks and pages."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        return _World(scenario).baseline()


def run_plan(plan: DataPlan, *, workers: int = 1, scheduler: str | None = None,
             progress: ProgressFn | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(summary, per world): the plan's table (``PLAN_COLUMNS``, one row per strategy and
    budget point, in the order asked) and every world's own rows."""
    worlds = Ensemble(plan.scenario, plan.worlds).scenarios() if plan.worlds > 1 \
        else [(plan.scenario, {})]
    fields = {"strategies": tuple(plan.strategies), "budgets": tuple(plan.budgets)}
    jobs = [(k, s, {}) for k, (s, _) in enumerate(worlds)]
    frames = map_jobs(_PlanJob(fields), jobs, workers=workers, scheduler=scheduler,
                      progress=progress)
    per_world = pd.concat(frames, ignore_index=True)
    return summarise(per_world), per_world


class _PlanJob:
    """``plan_world`` with the plan's fields bound (a picklable callable for the workers)."""

    def __init__(self, fields: dict):
        self.fields = fields

    def __call__(self, index: int, scenario: Scenario, assumptions: dict) -> pd.DataFrame:
        return plan_world(index, scenario, self.fields)


def summarise(per_world: pd.DataFrame) -> pd.DataFrame:
    """Median over worlds per strategy and budget, with the cost's 5th-95th percentile."""
    groups = per_world.groupby(["strategy", "budget"], sort=False)
    out = groups.agg(labels=("labels", "median"), label_error=("label_error", "median"),
                     auc=("auc", "median"), cost_total=("cost_total", "median"),
                     cost_low=("cost_total", lambda c: np.percentile(c, 5)),
                     cost_high=("cost_total", lambda c: np.percentile(c, 95))).reset_index()
    out["labels"] = out["labels"].round().astype(np.int64)  # the median, in whole reviews
    return out[list(PLAN_COLUMNS)]


def verdict(summary: pd.DataFrame, budget: float, unit: str = "") -> str:
    """The cheapest strategy at ``budget`` (the nearest budget point) and whether its 90 %
    range overlaps the next best's, in one sentence."""
    points = summary["budget"].unique()
    at = float(points[np.argmin(np.abs(points - budget))])
    rows = summary[summary["budget"] == at].sort_values("cost_total", kind="stable")
    best = rows.iloc[0]

    def money(v: float) -> str:  # "$1,200" or "1,200 min"
        return f"{unit}{v:,.0f}" if unit == "$" else f"{v:,.0f} {unit}".rstrip()

    head = (f"At a budget of {money(at)}, {STRATEGY_WORDS[best['strategy']]} gives the "
            f"cheapest next model: {money(best['cost_total'])} a production week (90% of "
            f"worlds {money(best['cost_low'])} to {money(best['cost_high'])})")
    if len(rows) < 2:
        return head + "."
    nxt = rows.iloc[1]
    overlap = best["cost_high"] >= nxt["cost_low"]
    tail = (f"; its range overlaps that of the next best, {STRATEGY_WORDS[nxt['strategy']]} "
            f"({money(nxt['cost_total'])}), so the worlds do not separate them."
            if overlap else
            f"; its range stays clear of the next best, {STRATEGY_WORDS[nxt['strategy']]} "
            f"({money(nxt['cost_total'])}).")
    return head + tail
