"""Comparing on identical traffic: two policies paired week by week (``compare``), Monte Carlo
over seeds (``monte_carlo``) and the contaminated A/B test (``ab_test``)."""

from .ab_test import contaminated_ab_test
from .compare import PAIRED_METRICS, Comparison, compare_policies
from .monte_carlo import MONTE_CARLO_METRICS, monte_carlo

__all__ = ["MONTE_CARLO_METRICS", "PAIRED_METRICS", "Comparison", "compare_policies",
           "contaminated_ab_test", "monte_carlo"]
