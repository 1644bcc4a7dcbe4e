"""One decision explained: principal reasons, the nearest counterfactual to each threshold of
the band (fixed features kept, directions respected, checked by re-scoring), a recourse
sentence, partial dependence, and a recourse audit per segment. Pure Python; the Data tab of
each domain page draws it."""

from .audit import recourse_audit
from .counterfactual import Changes, boundaries, nearest_changes
from .dependence import Dependence, dependence
from .event import Counterfactual, Explanation, event_dependence, explain_event, quick_picks
from .reasons import Reason, principal_reasons
from .space import FeatureSpace, event_row

__all__ = ["Changes", "Counterfactual", "Dependence", "Explanation", "FeatureSpace", "Reason",
           "boundaries", "dependence", "event_dependence", "event_row", "explain_event", "nearest_changes",
           "principal_reasons", "quick_picks", "recourse_audit"]
