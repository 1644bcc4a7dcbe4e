"""What explaining a run's decisions needs to know about its features, computed once per run.

``FeatureSpace`` holds, per feature of the design matrix (numeric columns, then categorical
codes), the domain's ``FeatureSpec`` (words, whether and which way it may change, the units
people know), the range a counterfactual may reach (the 1st-99th percentile of the run's
events, as Ustun et al.'s actionable recourse uses, always including the event's own value),
the typical spread that measures the size of a change (the median absolute deviation, or the
standard deviation where half the events share one value, as with 0/1 flags) and a seeded
background sample of events that reasons and partial dependence average over.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..domains.base import Domain, FeatureSpec
from ..engine import model as model_lib

BACKGROUND = 200  # events the reasons and the partial dependence average over


@dataclass(frozen=True)
class FeatureSpace:
    """Features of one run as counterfactuals and reasons see them (arrays by column)."""

    domain: Domain
    names: tuple[str, ...]
    specs: tuple[FeatureSpec, ...]
    n_numeric: int
    lo: np.ndarray  # reachable range, model units
    hi: np.ndarray
    spread: np.ndarray  # size of a change is |change| / spread
    typical: np.ndarray  # the median event's value (model units; a category's mode)
    background: np.ndarray  # (BACKGROUND, d) design rows

    @classmethod
    def of_run(cls, result, seed: int = 0) -> FeatureSpace:
        """The space of a ``RunResult``'s events (the background is a seeded sample)."""
        arrays = result.arrays
        return cls.build(result.domain, arrays["numeric"], arrays["categorical"], seed)

    @classmethod
    def build(cls, domain: Domain, numeric: np.ndarray, categorical: np.ndarray,
              seed: int = 0) -> FeatureSpace:
        rng = np.random.default_rng(seed)
        n = len(numeric)
        # percentiles of a sample: the range does not need every one of millions of events
        sample = rng.choice(n, min(n, 50_000), replace=False) if n > 50_000 else np.arange(n)
        sample.sort()
        num = numeric[sample]
        lo, median, hi = np.percentile(num, [1, 50, 99], axis=0)
        binary = np.all((num == 0) | (num == 1), axis=0)
        lo = np.where(binary, 0.0, lo)
        hi = np.where(binary, 1.0, hi)
        mad = np.median(np.abs(num - median), axis=0)
        std = num.std(axis=0)
        spread = np.where(mad > 0, mad, np.where(std > 0, std, 1.0))
        modes = [np.bincount(categorical[sample, j]).argmax()
                 for j in range(categorical.shape[1])]
        k = len(domain.categorical_features)
        names = domain.feature_names
        background = rng.choice(n, min(n, BACKGROUND), replace=False)
        background.sort()
        return cls(
            domain=domain, names=names, specs=tuple(domain.explain[f] for f in names),
            n_numeric=len(domain.numeric_features),
            lo=np.concatenate([lo, np.full(k, np.nan)]),
            hi=np.concatenate([hi, np.full(k, np.nan)]),
            spread=np.concatenate([spread, np.ones(k)]),
            typical=np.concatenate([median, np.asarray(modes, dtype=float)]),
            background=model_lib.design_matrix(numeric[background], categorical[background]),
        )

    @property
    def changeable(self) -> np.ndarray:
        """Indexes of the columns a counterfactual may move (numeric and not "fixed")."""
        return np.array([j for j in range(self.n_numeric) if self.specs[j].change != "fixed"],
                        dtype=int)

    @property
    def fixed_words(self) -> list[str]:
        return [s.words for s in self.specs if s.change == "fixed"]

    def text(self, j: int, model_value: float) -> str:
        """Column ``j``'s value as a person reads it (a category by its name)."""
        if j >= self.n_numeric:
            cats = self.domain.categorical_features[j - self.n_numeric][1]
            return cats[int(model_value)]
        return self.specs[j].text(model_value)


def event_row(result, row: int) -> np.ndarray:
    """The design row (numeric then categorical codes) of event ``row`` of a run."""
    arrays = result.arrays
    return model_lib.design_matrix(arrays["numeric"][row:row + 1],
                                   arrays["categorical"][row:row + 1])[0]
