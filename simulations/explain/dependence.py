"""Partial dependence of the score on one feature, average and individual lines, computed by
scikit-learn's ``sklearn.inspection.partial_dependence`` on the event's own model.

The data are the run's background sample with the explained event as its first row, so the
first individual line is the event's own: how its score would move with that one feature.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.inspection import partial_dependence

from .space import FeatureSpace

GRID_RESOLUTION = 25  # each grid value is one call of the model (sklearn's brute method)


@dataclass(frozen=True)
class Dependence:
    column: int
    feature: str
    grid: np.ndarray  # model units
    shown: np.ndarray  # the grid in the units people know
    average: np.ndarray  # mean score over the data at each grid value
    individual: np.ndarray  # (rows, grid); row 0 is the event
    event_value: float  # model units
    event_shown: float  # in the units people know


def dependence_data(x: np.ndarray, space: FeatureSpace) -> np.ndarray:
    """The rows partial dependence runs over: the event first, then the background."""
    return np.vstack([x[None, :], space.background])


def dependence(model, x: np.ndarray, j: int, space: FeatureSpace,
               grid_resolution: int = GRID_RESOLUTION) -> Dependence:
    """The partial dependence of ``model``'s score on numeric column ``j`` around event ``x``."""
    data = dependence_data(x, space)
    found = partial_dependence(model, data, [j], kind="both", grid_resolution=grid_resolution,
                               response_method="predict_proba")
    grid = np.asarray(found["grid_values"][0], dtype=float)
    return Dependence(j, space.names[j], grid, np.asarray(space.specs[j].shown(grid)),
                      found["average"][0], found["individual"][0], float(x[j]),
                      float(space.specs[j].shown(x[j])))
