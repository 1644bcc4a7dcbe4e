"""The nearest change of one feature that moves an event across one threshold of the band.

An event on one side of a threshold t (score >= t or score < t) is moved to the other side by
changing a single changeable feature, in a direction its domain allows, to a value inside the
range seen in the run, stated as a multiple of the feature's step in the units people know.
The nearest change is the one of least size, |change| / the feature's typical spread (the
scaled L1 distance of Wachter et al., for one feature). Fixed features never move.

* A logistic regression is linear in its log-odds, so the change is closed-form:
  change_j = (logit t - logit s) / w_j, with w_j the coefficient per unit of the feature.
* Any other model (gradient boosting) is searched on a one-feature grid of ``GRID`` values
  between the event's value and the end of the range, nearest first.

Either way every candidate is re-scored with the same model and kept only when the new score
lands on the stated side; the re-scored value is what is reported.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from .space import FeatureSpace

GRID = 48  # values per feature and direction on the one-feature grid
SIDES = ("below", "at_or_above")


@dataclass(frozen=True)
class Changes:
    """The nearest change per event (arrays of length n). ``feature`` is -1 where no single
    change of a changeable feature within range crosses the threshold."""

    feature: np.ndarray
    new: np.ndarray  # the feature's new value, model units (NaN when none)
    size: np.ndarray  # |change| / spread (NaN when none)
    score: np.ndarray  # the changed event re-scored by the same model (NaN when none)
    method: str  # "closed form" or "grid"

    @property
    def feasible(self) -> np.ndarray:
        return self.feature >= 0


def proba(model, X: np.ndarray) -> np.ndarray:
    return model.predict_proba(X)[:, 1]


def on_side(score: np.ndarray, threshold: float, side: str) -> np.ndarray:
    """The policy's own comparison: flag is score >= t_high, pass is score < t_low."""
    return score < threshold if side == "below" else score >= threshold


def linear_weights(model, n_numeric: int) -> np.ndarray | None:
    """Log-odds per unit of each numeric feature for the lab's logistic pipeline, else None."""
    if isinstance(model, Pipeline) and isinstance(model[-1], LogisticRegression):
        scaler = model.named_steps["prepare"].named_transformers_["numeric"]
        return model[-1].coef_[0][:n_numeric] / scaler.scale_
    return None


def _allowed(change: str) -> tuple[int, ...]:
    return {"up": (1,), "down": (-1,), "any": (1, -1)}[change]


def _snap(space: FeatureSpace, j: int, model_value: np.ndarray, direction: int) -> np.ndarray:
    """``model_value`` rounded away from the event, to the feature's step in shown units."""
    spec = space.specs[j]
    if spec.step <= 0:
        return model_value + direction * 1e-9 * np.maximum(1.0, np.abs(model_value))
    shown = spec.shown(model_value) / spec.step
    shown = np.ceil(shown - 1e-9) if direction > 0 else np.floor(shown + 1e-9)
    return spec.to_model(shown * spec.step)


def _next_step(space: FeatureSpace, j: int, model_value: np.ndarray,
               direction: int) -> np.ndarray:
    spec = space.specs[j]
    if spec.step <= 0:
        return model_value + direction * 1e-6 * np.maximum(1.0, np.abs(model_value))
    return spec.to_model(spec.shown(model_value) + direction * spec.step)


def _in_range(space: FeatureSpace, j: int, x: np.ndarray, new: np.ndarray) -> np.ndarray:
    lo, hi = np.minimum(space.lo[j], x), np.maximum(space.hi[j], x)
    with np.errstate(invalid="ignore"):
        return np.isfinite(new) & (new >= lo - 1e-12) & (new <= hi + 1e-12)


def _keep_best(best: dict, j: int, new, size, score, holds) -> None:
    better = holds & (size < best["size"])
    best["feature"][better] = j
    best["new"][better] = new[better]
    best["size"][better] = size[better]
    best["score"][better] = score[better]


def _empty(n: int) -> dict:
    return {"feature": np.full(n, -1), "new": np.full(n, np.nan), "size": np.full(n, np.inf),
            "score": np.full(n, np.nan)}


def _rescore_all(model, X, columns, values) -> np.ndarray:
    """Scores of X with column columns[k] set to values[k] (n,), all in one model call:
    (len(columns), n). One call, because a pipeline's per-call overhead dwarfs the work."""
    n = len(X)
    changed = np.tile(X, (len(columns), 1))
    for k, (j, v) in enumerate(zip(columns, values, strict=True)):
        changed[k * n:(k + 1) * n, j] = v
    return proba(model, changed).reshape(len(columns), n) if columns else np.empty((0, n))


def _closed_form(model, X, threshold, side, space, weights) -> dict:
    best = _empty(len(X))
    logit_t = np.log(threshold / (1 - threshold))
    logit = model.decision_function(X)
    columns, directions, news, insides = [], [], [], []
    for j in space.changeable:
        w = weights[j]
        if w == 0:
            continue
        direction = int(-np.sign(w) if side == "below" else np.sign(w))
        if direction not in _allowed(space.specs[j].change):
            continue
        x = X[:, j]
        with np.errstate(all="ignore"):  # a change past the range is dropped below
            new = _snap(space, j, x + (logit_t - logit) / w, direction)
        inside = _in_range(space, j, x, new)
        columns.append(j)
        directions.append(direction)
        news.append(np.where(inside, new, x))  # out of range: not a candidate
        insides.append(inside)
    scores = _rescore_all(model, X, columns, news)
    # a change that landed on the threshold itself takes one more step
    retries = [insides[k] & ~on_side(scores[k], threshold, side) for k in range(len(columns))]
    if any(r.any() for r in retries):
        for k, j in enumerate(columns):
            news[k] = np.where(retries[k], _next_step(space, j, news[k], directions[k]),
                               news[k])
            insides[k] &= _in_range(space, j, X[:, j], news[k])
        scores = _rescore_all(model, X, columns, [np.where(i, v, X[:, j]) for i, v, j in
                                                  zip(insides, news, columns, strict=True)])
    for k, j in enumerate(columns):
        holds = on_side(scores[k], threshold, side) & insides[k]
        _keep_best(best, j, news[k], np.abs(news[k] - X[:, j]) / space.spread[j], scores[k],
                   holds)
    return best


def _grid(model, X, threshold, side, space, grid) -> dict:
    n = len(X)
    best = _empty(n)
    fractions = np.arange(1, grid + 1) / grid
    lines = []  # (column, grid values (n, grid), inside (n, grid)) per feature and direction
    for j in space.changeable:
        x = X[:, j]
        for direction in _allowed(space.specs[j].change):
            end = np.maximum(space.hi[j], x) if direction > 0 else np.minimum(space.lo[j], x)
            with np.errstate(all="ignore"):
                values = _snap(space, j, x[:, None] + (end - x)[:, None] * fractions, direction)
            inside = _in_range(space, j, np.repeat(x, grid), values.ravel()).reshape(n, grid)
            lines.append((j, np.where(inside, values, x[:, None]), inside))
    if not lines:
        return best
    changed = np.tile(np.repeat(X, grid, axis=0), (len(lines), 1))
    block = n * grid
    for k, (j, values, _) in enumerate(lines):
        changed[k * block:(k + 1) * block, j] = values.ravel()
    scores = proba(model, changed).reshape(len(lines), n, grid)  # one call for every line
    for (j, values, inside), score in zip(lines, scores, strict=True):
        x = X[:, j]
        holds = on_side(score, threshold, side) & inside & (values != x[:, None])
        first = holds.argmax(axis=1)  # nearest grid value that crosses
        found = holds[np.arange(n), first]
        pick = np.arange(n), first
        _keep_best(best, j, values[pick], np.abs(values[pick] - x) / space.spread[j],
                   score[pick], found)
    return best


def nearest_changes(model, X: np.ndarray, threshold: float, side: str, space: FeatureSpace,
                    grid: int = GRID) -> Changes:
    """The nearest one-feature change of each row of ``X`` (design rows) that makes the
    model's score land ``side`` ("below" or "at_or_above") ``threshold``."""
    if side not in SIDES:
        raise ValueError(f"side must be one of {SIDES}, not {side!r}")
    X = np.asarray(X, dtype=float)
    if not 0 < threshold < 1:  # a band edge at 0 or 1: no score in (0, 1) crosses it
        none = _empty(len(X))
        return Changes(none["feature"], none["new"], np.full(len(X), np.nan), none["score"],
                       "none")
    weights = linear_weights(model, space.n_numeric)
    if weights is not None:
        best, method = _closed_form(model, X, threshold, side, space, weights), "closed form"
    else:
        best, method = _grid(model, X, threshold, side, space, grid), "grid"
    size = np.where(best["feature"] >= 0, best["size"], np.nan)
    return Changes(best["feature"], best["new"], size, best["score"], method)


def boundaries(action: str, t_low: float, t_high: float) -> list[tuple[str, float, str, str]]:
    """The thresholds an event with ``action`` can cross: (name, threshold, side, action on the
    other side), nearest first. No review band (t_low == t_high): one threshold."""
    if action == "flag":
        out = [("t_high", t_high, "below", "review"), ("t_low", t_low, "below", "pass")]
    elif action == "pass":
        out = [("t_low", t_low, "at_or_above", "review"), ("t_high", t_high, "at_or_above",
                                                           "flag")]
    else:
        out = [("t_low", t_low, "below", "pass"), ("t_high", t_high, "at_or_above", "flag")]
    if t_low == t_high:
        out = [(name, t, side, "pass" if side == "below" else "flag")
               for name, t, side, _ in out[:1]]
    return out
