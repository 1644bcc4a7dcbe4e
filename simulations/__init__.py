"""Tradeoff Lab's simulator: synthetic worlds, a real scikit-learn model, a decision policy with
a human-review band, and the weekly loop of drift, feedback and retraining. Pure Python; never
imports Streamlit, so it works from notebooks, the command line and the dashboard alike.

    from simulations import default_scenario, run
    result = run(default_scenario("fraud"))
    result.weekly  # one row per week

The folders follow the loop: ``scenario`` and ``presets`` (what to simulate), ``domains/`` (the
worlds), ``engine/`` (playing a world forward), ``policy/`` (what a band yields and which band
to choose), ``monitoring/`` (drift), ``experiments/`` (comparing on identical traffic),
``own_scores/`` (a team's own file), ``reporting/`` (summaries and safe CSV) and ``cli/``.
The names below are the public face; module paths inside may change, these names do not.
"""

from .engine import RunResult, run
from .experiments import (
    Ensemble,
    Range,
    compare_policies,
    contaminated_ab_test,
    monte_carlo,
    run_ensemble,
)
from .monitoring import DriftReference, js, kl, ks, psi
from .own_scores import Analysis, ScoreFileError, Setup, prepare, read_table
from .policy import BandTable, Guardrails, PolicyGrid, Suggestion, check, optimize_policy
from .presets import Preset, all_presets, load_preset, preset_names
from .reporting import to_csv_text, write_csv
from .scenario import Policy, Scenario, ScenarioError, default_scenario

__all__ = [
    "Analysis", "BandTable", "DriftReference", "Ensemble", "Guardrails", "Policy", "PolicyGrid", "Preset",
    "Range", "RunResult", "Scenario", "ScenarioError", "ScoreFileError", "Setup", "Suggestion",
    "all_presets", "check", "compare_policies", "contaminated_ab_test", "default_scenario",
    "js", "kl", "ks", "load_preset", "monte_carlo", "optimize_policy", "prepare",
    "preset_names", "psi", "read_table", "run", "run_ensemble", "to_csv_text", "write_csv",
]
