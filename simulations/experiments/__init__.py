"""Comparing on identical traffic: two policies paired week by week (``compare``), Monte Carlo
over seeds (``monte_carlo``), the contaminated A/B test (``ab_test``) and ensembles of worlds
(``ensemble`` the specification, ``worlds`` running them on joblib or Dask, ``answers`` the
weekly ranges and paired verdicts, ``robust`` the chance-constrained band, ``tornado`` what
matters most)."""

from .ab_test import contaminated_ab_test
from .answers import PairedWorlds, paired, weekly_bands
from .compare import PAIRED_METRICS, Comparison, compare_policies
from .ensemble import Ensemble, Range, parse_range
from .monte_carlo import MONTE_CARLO_METRICS, monte_carlo
from .robust import RobustBand, robust_band, suggest_in_world
from .tornado import tornado
from .worlds import EnsembleResult, World, run_ensemble

__all__ = ["MONTE_CARLO_METRICS", "PAIRED_METRICS", "Comparison", "Ensemble", "EnsembleResult",
           "PairedWorlds", "Range", "RobustBand", "World", "compare_policies",
           "contaminated_ab_test", "monte_carlo", "paired", "parse_range", "robust_band",
           "run_ensemble", "suggest_in_world", "tornado", "weekly_bands"]
