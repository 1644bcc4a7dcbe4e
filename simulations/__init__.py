"""Tradeoff Lab's simulator: synthetic worlds, a real scikit-learn model, a decision policy with
a human-review band, and the weekly loop of drift, feedback and retraining. Pure Python; never
imports Streamlit, so it works from notebooks, the command line and the dashboard alike.

    from simulations import default_scenario, run
    result = run(default_scenario("fraud"))
    result.weekly  # one row per week
"""

from .engine import RunResult, run
from .scenario import Scenario, ScenarioError, default_scenario

__all__ = ["RunResult", "Scenario", "ScenarioError", "default_scenario", "run"]
