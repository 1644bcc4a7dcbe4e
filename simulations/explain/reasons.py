"""The principal reasons for one decision: the features that moved this event's score toward
its action, measured against the run's typical events.

A feature's effect is how far the event's log-odds sit above (or below) what they would be
with that one feature set to each background event's value, averaged over the background (an
interventional one-feature attribution; for a logistic regression it is exactly
w_j * (x_j - mean of the background's x_j)). A feature the model never uses moves nothing, so
it can never be a reason. At most four are given, as Regulation B's commentary advises for
adverse-action notices, each marked changeable or fixed as the domain declares.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .counterfactual import proba
from .space import FeatureSpace

MAX_REASONS = 4


@dataclass(frozen=True)
class Reason:
    column: int
    feature: str
    text: str  # "the amount of $1,240 (typical: $36)"
    effect: float  # log-odds this feature moved the score toward the action
    changeable: bool


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-12, 1 - 1e-12)
    return np.log(p / (1 - p))


def effects(model, x: np.ndarray, space: FeatureSpace) -> np.ndarray:
    """Per column, the log-odds of ``x`` minus their average with that column replaced by the
    background's values (positive: the feature raised the score)."""
    background = space.background
    m, d = len(background), len(x)
    swapped = np.repeat(x[None, :], d * m, axis=0)
    for j in range(d):
        swapped[j * m:(j + 1) * m, j] = background[:, j]
    replaced = _logit(proba(model, swapped)).reshape(d, m).mean(axis=1)
    return _logit(proba(model, x[None, :]))[0] - replaced


def reason_text(space: FeatureSpace, j: int, value: float) -> str:
    spec = space.specs[j]
    if j >= space.n_numeric:
        return f"{spec.words} '{space.text(j, value)}'"
    if spec.flag is not None:
        return spec.text(value)
    return f"{spec.words} of {spec.text(value)} (typical: {spec.text(space.typical[j])})"


def principal_reasons(model, x: np.ndarray, action: str, space: FeatureSpace,
                      limit: int = MAX_REASONS) -> list[Reason]:
    """Up to ``limit`` features that pushed the score toward ``action`` (up for flag and
    review, down for pass), strongest first."""
    effect = effects(model, x, space)
    toward = effect if action in ("flag", "review") else -effect
    order = [j for j in np.argsort(-toward, kind="stable") if toward[j] > 1e-9][:limit]
    return [Reason(int(j), space.names[j], reason_text(space, j, x[j]), float(toward[j]),
                   space.specs[j].change != "fixed") for j in order]
