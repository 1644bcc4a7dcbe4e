"""Playing a world forward: the weekly loop (``loop``), the model it fits and scores
(``model``), which labels the team sees and when (``feedback``), retraining as its own step
(``retraining``), what a policy yields over the run (``outcome``) and how much memory a run
will need (``size``)."""

from .loop import run
from .outcome import WEEKLY_CONTRACT, Outcome, RunResult
from .retraining import ModelRecord
from .size import RunSize, estimate_size

__all__ = ["WEEKLY_CONTRACT", "ModelRecord", "Outcome", "RunResult", "RunSize", "estimate_size",
           "run"]
