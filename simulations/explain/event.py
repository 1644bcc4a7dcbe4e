"""One decision explained: an event's features, score and action, its principal reasons, the
nearest counterfactual to each threshold of the band, a recourse sentence in plain words,
partial dependence for its top features and whether the advice holds under the run's other
models (after a retraining, or before it).

Everything is computed with the model version that served the event's week, kept in
``RunResult.fitted``; ``quick_picks`` finds the events a person would open first.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from threadpoolctl import threadpool_limits

from .counterfactual import boundaries, nearest_changes, on_side, proba
from .dependence import Dependence, dependence
from .reasons import Reason, principal_reasons
from .space import FeatureSpace, event_row

ACTIONS = ("pass", "review", "flag")
DEPENDENCE_FEATURES = 3


@dataclass(frozen=True)
class Counterfactual:
    """The nearest change that sends the event to ``target`` (across ``threshold``)."""

    boundary: str  # "t_low" or "t_high"
    threshold: float
    side: str  # "below" or "at_or_above"
    target: str  # the action the changed event gets (past a 0/1 flip, maybe beyond review)
    column: int  # -1: no single change of a changeable feature within range reaches it
    old: float  # model units
    new: float
    score: float  # the changed event re-scored by the same model
    size: float  # |change| / the feature's typical spread
    method: str
    row: np.ndarray  # the changed event's design row

    @property
    def feasible(self) -> bool:
        return self.column >= 0


@dataclass(frozen=True)
class Explanation:
    row: int
    week: int
    segment: str
    score: float
    action: str
    label: int
    version: int
    trained_week: int
    features: list[dict]  # feature, value as shown, may change
    reasons: list[Reason]
    counterfactuals: list[Counterfactual]
    sentence: str
    advice: list[dict]  # the advice re-scored by the run's other models
    dependence_columns: list[int]  # numeric columns worth a partial-dependence plot, first first


def trained_weeks(result) -> dict[int, int]:
    """Model version -> the week at whose end it was trained (0: before week 1)."""
    return {m.version: m.week for m in result.models if m.status == "trained"}


def action_of(score: float, t_low: float, t_high: float) -> str:
    """The policy's action for a score: flag at or above t_high, pass below t_low."""
    return "flag" if score >= t_high else "pass" if score < t_low else "review"


def counterfactuals(model, x: np.ndarray, action: str, t_low: float, t_high: float,
                    space: FeatureSpace) -> list[Counterfactual]:
    out = []
    for name, threshold, side, target in boundaries(action, t_low, t_high):
        found = nearest_changes(model, x[None, :], threshold, side, space)
        column = int(found.feature[0])
        changed = x.copy()
        if column >= 0:
            changed[column] = found.new[0]
        if column >= 0:  # a whole step (a 0/1 flag) may jump past the review band too
            target = action_of(float(found.score[0]), t_low, t_high)
        out.append(Counterfactual(name, threshold, side, target, column,
                                  float(x[column]) if column >= 0 else np.nan,
                                  float(found.new[0]), float(found.score[0]),
                                  float(found.size[0]), found.method, changed))
    return out


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _change_clause(space: FeatureSpace, cf: Counterfactual, word: str) -> str:
    if not cf.feasible:
        return (f"no single change of a changeable feature within the range seen in the data "
                f"would make it '{word}'")
    spec = space.specs[cf.column]
    if spec.flag is not None:
        return f"with {spec.text(cf.new)} it would be '{word}'"
    more = cf.new > cf.old
    bound = (" or more" if more else " or less") if cf.method == "closed form" else ""
    return f"with {spec.words} at {spec.text(cf.new)}{bound} it would be '{word}'"


def recourse_sentence(space: FeatureSpace, action: str, reasons: list[Reason],
                      cfs: list[Counterfactual], week: int, version: int,
                      trained_week: int) -> str:
    """The explanation a customer (or a colleague) reads, in the domain's words."""
    words = space.domain.actions
    if reasons:
        first = f"The decision was '{words[action]}' mainly because of " \
                f"{_join([r.text for r in reasons])}."
    else:
        first = (f"The decision was '{words[action]}'; no feature moved this score toward it "
                 "against the typical event.")
    clauses = [_change_clause(space, cf, words[cf.target]) for cf in cfs]
    middle = "; ".join(clauses)
    middle = middle[0].upper() + middle[1:] + "."
    fixed = space.fixed_words
    fixed_part = f" Not treated as changeable: {_join(fixed)}." if fixed else ""
    when = "before week 1" if trained_week == 0 else f"at the end of week {trained_week}"
    return (f"{first} {middle}{fixed_part} Based on the model that served week {week} "
            f"(version {version}, trained {when}).")


def advice_under_other_models(result, cfs: list[Counterfactual], version: int) -> list[dict]:
    """Each feasible counterfactual re-scored by every other trained model of the run: does
    the advice still land on its side after a retraining (later versions), or would it have
    held before (earlier ones)?"""
    rows = []
    for other, week in trained_weeks(result).items():
        if other == version:
            continue
        for cf in cfs:
            if not cf.feasible:
                continue
            score = float(proba(result.fitted[other], cf.row[None, :])[0])
            rows.append({"model_version": other, "trained_week": week,
                         "later": other > version, "target": cf.target,
                         "boundary": cf.boundary, "score": score,
                         "holds": bool(on_side(np.array([score]), cf.threshold, cf.side)[0])})
    return rows


def explain_event(result, outcome, row: int, space: FeatureSpace,
                  band: tuple[float, float] | None = None) -> Explanation:
    """Explain event ``row`` of ``result`` under the band ``outcome`` gave its segment (or
    ``band``)."""
    # one thread: the model is called a dozen times on small batches, where OpenMP's start-up
    # on a busy machine costs far more than the work (163 ms against 21 ms a call, measured)
    with threadpool_limits(1):
        return _explain(result, outcome, row, space, band)


def _explain(result, outcome, row, space, band) -> Explanation:
    n = len(result.arrays["label"])
    if not 0 <= row < n:
        raise ValueError(f"event row must be between 0 and {n - 1}, not {row}")
    arrays = result.arrays
    p = outcome.scenario.policy
    segment = result.domain.segments[int(arrays["segment"][row])]
    t_low, t_high = band if band is not None else p.band_of(segment)  # its segment's band
    version = int(arrays["model_version"][row])
    model = result.fitted[version]
    x = event_row(result, row)
    score = float(proba(model, x[None, :])[0])
    action = (ACTIONS[int(outcome.action[row])] if band is None
              else action_of(score, t_low, t_high))
    reasons = principal_reasons(model, x, action, space)
    cfs = counterfactuals(model, x, action, t_low, t_high, space)
    week = int(arrays["week"][row])
    trained = trained_weeks(result)[version]
    features = [{"feature": space.specs[j].words, "value": space.text(j, x[j]),
                 "may change": space.specs[j].change} for j in range(len(x))]
    numeric_effects = [r.column for r in reasons if r.column < space.n_numeric]
    extra = [int(j) for j in space.changeable if j not in numeric_effects]
    shown = [int(j) for j in (numeric_effects + extra)[:DEPENDENCE_FEATURES]]
    return Explanation(
        row=row, week=week, segment=space.domain.segments[int(arrays["segment"][row])],
        score=score, action=action, label=int(arrays["label"][row]), version=version,
        trained_week=trained, features=features, reasons=reasons, counterfactuals=cfs,
        sentence=recourse_sentence(space, action, reasons, cfs, week, version, trained),
        advice=advice_under_other_models(result, cfs, version),
        dependence_columns=shown,
    )


def event_dependence(result, row: int, column: int, space: FeatureSpace) -> Dependence:
    """Partial dependence on ``column`` around event ``row``, with the model that served it
    (one plot at a time: each grid value is one batch through the model)."""
    with threadpool_limits(1):
        return dependence(result.fitted[int(result.arrays["model_version"][row])],
                          event_row(result, row), column, space)


def quick_picks(result, outcome) -> dict[str, int | None]:
    """Rows of a false flag (a negative flagged automatically), a missed positive (a positive
    passed) and a case in review: in the latest week that has one, the one with the median
    score among them (no draw involved). None when the run has none."""
    domain = result.domain
    action, label, week = outcome.action, result.arrays["label"], result.arrays["week"]
    score = result.arrays["score"]
    wanted = {
        f"a false '{domain.actions['flag']}'": (action == 2) & (label == 0),
        f"a missed {domain.positive_word} case": (action == 0) & (label == 1),
        f"a case in '{domain.actions['review']}'": action == 1,
    }
    picks: dict[str, int | None] = {}
    for name, mask in wanted.items():
        rows = np.flatnonzero(mask)
        if not len(rows):
            picks[name] = None
            continue
        latest = rows[week[rows] == week[rows].max()]
        order = latest[np.argsort(score[latest], kind="stable")]
        picks[name] = int(order[len(order) // 2])
    return picks
