"""Playing a world forward: the weekly loop (``loop``), the model it fits and scores
(``model``), which labels the team sees and when (``feedback``), retraining as its own step
(``retraining``) and what a policy yields over the run (``outcome``)."""

from .loop import run
from .outcome import WEEKLY_CONTRACT, Outcome, RunResult
from .retraining import ModelRecord

__all__ = ["WEEKLY_CONTRACT", "ModelRecord", "Outcome", "RunResult", "run"]
