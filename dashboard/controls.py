"""Sidebar and band controls: one declarative list per domain, mirrored into the URL.

Each control is a ``Control`` spec; ``render`` draws it with ``bind="query-params"`` (the URL
carries every value, so a copied link reproduces the view) and ``persist_state="session"``
(values survive page switches). Before anything is drawn, ``check_url`` reads this page's
query parameters and drops any that are malformed or out of range, with a warning naming the
parameter, so the widget falls back to its default for that parameter only.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import streamlit as st

from simulations.domains import Domain, get_domain
from simulations.reporting.text import plain_markdown, quoted
from simulations.scenario import (
    Costs,
    DriftSpec,
    Feedback,
    Impact,
    ModelConfig,
    Policy,
    Population,
    Retrain,
    Review,
    Scenario,
    default_scenario,
)

GROUPS = ("Population and model", "Drift", "Human review", "Costs", "Feedback and retraining")


@dataclass(frozen=True)
class Control:
    """One widget: ``name`` is the key suffix and URL parameter suffix."""

    name: str
    label: str
    kind: str  # "int", "float", "choice", "multi", "range"
    default: Any
    help: str
    group: str = ""
    lo: float | None = None
    hi: float | None = None
    step: float | None = None
    options: tuple = ()
    labels: dict = field(default_factory=dict)  # option -> shown text (also its URL form)
    widget: str = "number"  # "number" or "slider" for numeric kinds
    fmt: str | None = None
    visible: Callable[[dict], bool] | None = None  # shown only when this returns True

    def key(self, page: str) -> str:
        return f"{page}_{self.name}"

    def shown(self, option: Any) -> str:
        return str(self.labels.get(option, option))


def _num(name, label, default, lo, hi, step, help, group, widget="number", fmt=None,
         visible=None, kind=None):
    kind = kind or ("int" if isinstance(step, int) else "float")
    return Control(name, label, kind, default, help, group, lo, hi, step, widget=widget, fmt=fmt,
                   visible=visible)


def _choice(name, label, default, options, labels, help, group, visible=None):
    return Control(name, label, "choice", default, help, group, options=tuple(options),
                   labels=labels, visible=visible)


BAND_STEP = 0.005  # every band slider's step; suggestions are searched on the same grid


def slider_thresholds() -> np.ndarray:
    """Every threshold the band slider can show, so a suggestion can be applied exactly."""
    return np.round(np.arange(0, round(1 / BAND_STEP) + 1) * BAND_STEP, 3)


def band_control(domain: Domain, default: tuple[float, float]) -> Control:
    words = domain.actions
    return Control(
        "band", f"{words['pass']}  |  {words['review']}  |  {words['flag']}", "range",
        tuple(default),
        help=(f"Scores below the left handle are automatically **{words['pass']}**; scores at "
              f"or above the right handle are automatically **{words['flag']}**; scores in "
              f"between go to **{words['review']}** ({domain.reviewers}). Drag the handles "
              "together to remove the review band. To open handles that sit on top of each "
              "other, press on the track just left of them and drag left, or click them and "
              "use the arrow keys (Tab moves between the two handles)."),
        lo=0.0, hi=1.0, step=BAND_STEP, widget="slider", fmt="%.3f")


def world_controls(domain: Domain) -> list[Control]:
    """A control per knob the world declares (``Domain.world_params``): a number, or on/off."""
    out = []
    for p in domain.world_params:
        if p.kind == "bool":
            out.append(_choice(p.name, p.label, "on" if p.default else "off", ("off", "on"), {},
                               p.help, GROUPS[0]))
        else:
            out.append(_num(p.name, p.label, float(p.default), p.lo, p.hi, float(p.step), p.help,
                            GROUPS[0], widget="slider"))
    return out


def world_values(domain: Domain, v: dict[str, Any]) -> dict[str, Any]:
    """The scenario's ``world`` section from the values of ``world_controls``."""
    return {p.name: v[p.name] == "on" if p.kind == "bool" else float(v[p.name])
            for p in domain.world_params}


def world_control_values(scenario: Scenario) -> dict[str, Any]:
    """The values of ``world_controls`` that describe ``scenario`` (the inverse of the above)."""
    params = get_domain(scenario.domain).world_params
    values = scenario.world_values
    return {p.name: ("on" if values[p.name] else "off") if p.kind == "bool"
            else float(values[p.name]) for p in params}


def impact_controls(domain: Domain) -> list[Control]:
    """Delayed impact, for a world that declares what a decision does to who comes back."""
    spec = domain.impact
    if spec is None:
        return []
    return [
        _choice("impact", "Decisions change who comes back", "off", ("off", "on"), {},
                f"On: some of the people behind {spec.harm} do not come back, so their "
                "segment's share of the next weeks' traffic falls (Over time tab). Each band "
                "move then re-runs the simulation.", GROUPS[4]),
        _num("impact_response", f"Share lost per one of the {spec.harm}", spec.response, 0.0,
             0.95, 0.05, f"The chance that one of the {spec.harm} costs the segment that "
             f"person for good. The default is {spec.source}.", GROUPS[4], widget="slider",
             visible=lambda v: v.get("impact") == "on"),
    ]


def impact_values(domain: Domain, v: dict[str, Any]) -> Impact:
    """The scenario's ``impact`` section from the values of ``impact_controls``."""
    if domain.impact is None or v.get("impact", "off") != "on":
        return Impact()
    response = float(v.get("impact_response", domain.impact.response))
    same = abs(response - domain.impact.response) < 1e-9
    return Impact(enabled=True, response=None if same else response)


def impact_control_values(scenario: Scenario) -> dict[str, Any]:
    """The values of ``impact_controls`` that describe ``scenario``."""
    if get_domain(scenario.domain).impact is None:
        return {}
    return {"impact": "on" if scenario.impact.enabled else "off",
            "impact_response": scenario.impact_response}


def domain_controls(domain: Domain) -> list[Control]:
    """Every scenario control of a domain page, with the domain's defaults."""
    s = default_scenario(domain.name)
    a, unit, pos = domain.actions, domain.unit, domain.positive_word
    g_pop, g_drift, g_review, g_cost, g_learn = GROUPS
    drift_on = lambda v: bool(v.get("drift"))  # noqa: E731
    retrain_is = lambda *kinds: lambda v: v.get("retrain") in kinds  # noqa: E731
    return [
        _num("events", "Events per week", s.population.events_per_week, 1_000, 200_000, 1_000,
             "How many decisions the model makes each week. More events give steadier weekly "
             "numbers but take longer to simulate.", g_pop),
        _num("weeks", "Weeks to simulate", s.population.weeks, 4, 52, 1,
             "The horizon. Drift and retraining play out over these weeks.", g_pop,
             widget="slider"),
        _num("base_rate", f"Share of events that are {pos}", s.population.base_rate, 0.0005,
             0.5, 0.0005, f"The base rate of {pos} events in the weeks the model learnt from. "
             "Rare positives make high precision hard: most flags land on the many negatives.",
             g_pop, fmt="%.4f"),
        _choice("model", "Model", s.model.kind, ("logistic", "gradient_boosting"),
                {"logistic": "logistic regression", "gradient_boosting": "gradient boosting"},
                "The scikit-learn model trained on the reference weeks. Gradient boosting "
                "captures interactions; logistic regression is simpler and better calibrated "
                "out of the box.", g_pop),
        _num("seed", "Random seed", s.seed, 0, 999_999, 1,
             "Same seed, same events, same results. Change it to see how much of a result "
             "is luck.", g_pop),
        Control("drift", "Drift kinds", "multi", (), (
            "What changes in the world after the model was trained. Covariate: the inputs "
            "move. Prior: the share of positives moves. Concept: the link between inputs and "
            "outcome changes. Cohort: a new kind of user arrives. Pick several to combine."),
            g_drift, options=("covariate", "prior", "concept", "cohort"),
            labels={"covariate": "covariate shift", "prior": "prior shift",
                    "concept": "concept drift", "cohort": "cohort mix"}),
        _num("onset", "Drift starts in week", 9, 1, 52, 1,
             "The first week the world differs from the training data.", g_drift,
             widget="slider", visible=drift_on),
        _num("strength", "Drift strength", 0.8, 0.0, 1.0, 0.05,
             "How far the covariate, concept and cohort drifts go (1 is the strongest this "
             "world models).", g_drift, widget="slider", visible=drift_on),
        _num("prior_shift", "Base-rate change (log2 odds)", 1.0, -2.0, 2.0, 0.25,
             "For prior shift: +1 doubles the odds of a positive, -1 halves them.", g_drift,
             widget="slider", visible=lambda v: "prior" in (v.get("drift") or ())),
        _num("ramp", "Weeks to reach full strength", 3, 1, 12, 1,
             "1 means the change is sudden; more weeks make it gradual.", g_drift,
             widget="slider", visible=drift_on),
        _choice("overflow", "When reviewers are full", s.review.overflow_action,
                ("pass", "flag", "queue"),
                {"pass": a["pass"], "flag": a["flag"], "queue": "wait for the next day"},
                f"What happens to band events nobody had time to review: '{a['pass']}' or "
                f"'{a['flag']}' at once, unreviewed, or wait in a queue worked oldest first on "
                "the next working days (with a longest wait, customers giving up, overtime).",
                g_review),
        _num("capacity", f"Weekly {a['review']} capacity", s.review.capacity, 0, 1_000_000, 50,
             f"How many events {domain.reviewers} can handle per week. The riskiest cases in "
             "the band are reviewed first; the rest overflow to the default action.", g_review,
             visible=lambda v: v.get("overflow") != "queue"),
        _num("analysts", f"{domain.reviewers.capitalize()} on the team", staffed(s.review),
             1, 100_000, 1,
             f"People, not a number of reviews: each works {s.review.hours_per_day:g} h a day, "
             f"{s.review.working_days} days a week, {s.review.items_per_hour:g} cases an hour, "
             f"{1 - s.review.shrinkage:.0%} of the time (the rest is breaks, meetings and "
             "training).", g_review, visible=queued),
        _choice("default_action", "A case that waits too long", s.review.default_action,
                ("pass", "flag"), {"pass": a["pass"], "flag": a["flag"]},
                "What an expired case (or one whose customer gave up) ends as, unreviewed.",
                g_review, visible=queued),
        _num("target_hours", "Promise: decided within (hours)", s.review.target_hours, 0.05,
             720.0, 0.5, "The service target the weekly 'decided within target' share is "
             "measured against (fraud: 24 h; urgent triage: minutes; support: a working day).",
             g_review, visible=queued),
        _num("max_wait_hours", "Longest wait (hours)", s.review.max_wait_hours, 1.0, 2000.0,
             6.0, "A case still waiting this long takes the default action: an expiry.",
             g_review, visible=queued),
        _num("abandon", "Customers giving up per day", s.review.abandon_per_day, 0.0, 0.9,
             0.01, "The share of waiting customers who give up at each midnight (a held "
             "payment cancelled, a patient who leaves, a support customer who churns).",
             g_review, visible=queued, fmt="%.2f"),
        _num("abandon_cost", f"Cost of a customer giving up ({unit})", s.review.abandon_cost,
             0.0, 1e6, 1.0, "Lost margin, harm or churn of one customer who gave up waiting.",
             g_review, visible=queued),
        _num("overtime", "Overtime a day, at most (hours)", s.review.overtime_hours, 0.0,
             24.0 - s.review.hours_per_day, 0.5,
             f"Worked only while cases wait at closing time; each overtime review costs "
             f"{s.review.overtime_premium:g}x a regular one.", g_review,
             visible=lambda v: queued(v) and s.review.hours_per_day < 24),
        _num("accuracy", "Reviewer accuracy", s.review.reviewer_accuracy, 0.5, 1.0, 0.01,
             "How often a reviewer's decision is right. Reviews also produce labels, so "
             "mistakes here feed into retraining.", g_review, widget="slider",
             visible=lambda v: domain.review_decides),
        _num("hard_cases", "Hard cases are got wrong more", s.review.hard_cases, 0.0, 1.0, 0.1,
             "0: every case alike. 1: a case the model puts near 0.5 is got wrong twice as "
             "often as a middling one, a clear case almost never (the accuracy above is then "
             "the accuracy on a middling case).", g_review, widget="slider",
             visible=lambda v: domain.review_decides),
        _num("double_share", "Share of reviews done twice", s.review.double_share, 0.0, 1.0,
             0.05, "A second, independent reviewer sees this share of the reviewed cases; the "
             "pairs give the weekly agreement (Cohen's kappa) on the Over time tab. The first "
             "verdict stands.", g_review, widget="slider",
             visible=lambda v: domain.review_decides),
        _num("fn_fixed", f"Missed {pos}: fixed cost ({unit})", s.costs.fn_fixed, 0.0, 1e7, 1.0,
             f"Cost of each {pos} event that ends up '{a['pass']}', apart from its value.",
             g_cost),
        _num("fn_per_value", f"Missed {pos}: share of {domain.value_name}",
             s.costs.fn_per_value, 0.0, 100.0, 0.01,
             f"Multiplies each missed event's {domain.value_name}.", g_cost),
        _num("fp_fixed", f"False {a['flag']}: fixed cost ({unit})", s.costs.fp_fixed, 0.0, 1e7,
             1.0, f"Cost of each {domain.negative_word} event that ends up '{a['flag']}'.",
             g_cost),
        _num("fp_per_value", f"False {a['flag']}: share of {domain.value_name}",
             s.costs.fp_per_value, 0.0, 100.0, 0.01,
             f"Multiplies each wrongly flagged event's {domain.value_name}.", g_cost),
        _num("review_cost", f"Cost per {a['review']} ({unit})", s.costs.review, 0.0, 1e6, 0.5,
             "What one review costs in people's time.", g_cost),
        _num("retrain_cost", f"Cost per retraining ({unit})", s.costs.retrain, 0.0, 1e8, 100.0,
             "Engineering, compute and validation for one retraining.", g_cost),
        _choice("feedback", "Which labels come back", s.feedback.mode, ("full", "selective"),
                {"full": "all, after a delay", "selective": "only what decisions reveal"},
                "Selective: the team only learns the truth about events its decisions reveal "
                f"(for example, a '{a['flag']}' may never show whether it was right). Either "
                "way a reviewed case is labelled with the reviewer's verdict, right or wrong, "
                "until its true outcome arrives, if it ever does. Monitored numbers then look "
                "better than the truth.",
                g_learn),
        _choice("delay_kind", "How late labels come", "fixed", ("fixed", "realistic"),
                {"fixed": "all equally late", "realistic": f"spread out, as {pos} labels are"},
                "Fixed: every label arrives the same number of weeks after its event. "
                "Spread out: this domain's sourced delay distribution (for card fraud, "
                "chargebacks over 1-8 weeks with a tail; triage outcomes within a week; "
                "clicks at once).", g_learn),
        _num("delay", "Label delay (weeks)", s.feedback.delay.fixed_weeks, 0, 8, 1,
             "How many weeks until the truth about an event is known.", g_learn,
             widget="slider", visible=lambda v: v.get("delay_kind", "fixed") == "fixed"),
        _choice("retrain", "Retrain", s.retrain.trigger, ("never", "every", "drift",
                                                          "performance", "alert"),
                {"never": "never", "every": "on a schedule", "drift": "when drift is detected",
                 "performance": "when monitored performance drops",
                 "alert": "when a label-free alert fires"},
                "When the model is retrained on the labels seen in recent weeks.", g_learn),
        _num("every", "Retrain every (weeks)", s.retrain.every_weeks, 1, 26, 1,
             "The schedule, for example 13 weeks for quarterly.", g_learn, widget="slider",
             visible=retrain_is("every")),
        _choice("drift_metric", "Drift measure", s.retrain.drift_metric, ("psi", "kl", "js"),
                {"psi": "PSI", "kl": "KL divergence", "js": "JS divergence"},
                "How distribution change is measured against the training weeks.", g_learn,
                visible=retrain_is("drift")),
        _choice("drift_on", "Watch", s.retrain.drift_on,
                ("score", "features", *(("semantic",) if domain.semantic_drift else ())),
                {"score": "the score", "features": "the most-drifted feature",
                 "semantic": "semantic drift (cosine distance)"},
                "Which distribution the drift alarm watches. Semantic drift is the cosine "
                "distance between this week's embedding centroid and the training weeks' "
                "(0.15 is the customary line; the drift measure above does not apply).",
                g_learn, visible=retrain_is("drift")),
        _num("drift_threshold", "Retrain when drift exceeds", s.retrain.drift_threshold, 0.01,
             5.0, 0.01, "The alarm level, for example PSI 0.25 or KL 0.15.", g_learn,
             visible=retrain_is("drift")),
        _choice("alert_rule", "Alert rule", s.retrain.alert_rule,
                ("cusum", "page_hinkley", "estimate_floor"),
                {"cusum": "CUSUM on the estimated cost", "page_hinkley":
                 "Page-Hinkley on the estimated cost", "estimate_floor":
                 "estimated metric below a floor"},
                "Rules that need no labels: a change detector on the cost estimated from "
                "calibrated scores, or the estimated precision/recall under a floor. The "
                "Monitor tab shows how each would have done.", g_learn,
                visible=retrain_is("alert")),
        _choice("perf_metric", "Monitored metric", s.retrain.performance_metric,
                ("precision", "recall"), {}, "Measured on the labels that came back that week "
                "(or, for an alert rule, estimated without labels).", g_learn,
                visible=lambda v: v.get("retrain") == "performance" or (
                    v.get("retrain") == "alert" and v.get("alert_rule") == "estimate_floor")),
        _num("perf_floor", "Retrain when it falls below", s.retrain.performance_floor, 0.05,
             0.99, 0.01, "The floor for the monitored metric.", g_learn, widget="slider",
             visible=lambda v: v.get("retrain") == "performance" or (
                 v.get("retrain") == "alert" and v.get("alert_rule") == "estimate_floor")),
        _num("window", "Train on the last (weeks)", s.retrain.window_weeks, 1, 12, 1,
             "How many recent weeks of seen labels a retraining uses.", g_learn,
             widget="slider", visible=retrain_is("every", "drift", "performance", "alert")),
        *impact_controls(domain),
        *world_controls(domain),
    ]


def _parse(control: Control, raw: list[str]) -> tuple[Any, str]:
    """(value, "") if the raw URL values are valid for the control, else (None, reason)."""
    if control.kind in ("multi", "range"):
        values = raw
    else:
        if len(raw) != 1:
            return None, "expected one value"
        values = raw[0]
    if control.kind in ("int", "float"):
        if len(values) > 40:  # int() refuses 4,300+ digits; no allowed value is this long
            return None, f"outside the allowed range {control.lo:g} to {control.hi:g}"
        try:
            number = int(values) if control.kind == "int" else float(values)
        except ValueError:
            return None, f"not a {'whole ' if control.kind == 'int' else ''}number"
        except OverflowError:  # int(float("inf")): never raised for a string, kept safe
            return None, "not a finite number"
        if not math.isfinite(number) or not control.lo <= number <= control.hi:
            return None, f"outside the allowed range {control.lo:g} to {control.hi:g}"
        return number, ""
    if control.kind == "choice":
        allowed = [control.shown(o) for o in control.options]
        if values not in allowed:
            return None, f"choose one of: {', '.join(allowed)}"
        return values, ""
    if control.kind == "multi":
        allowed = [control.shown(o) for o in control.options]
        parts = [p for v in values for p in v.split(",") if p]
        bad = [p for p in parts if p not in allowed]
        return (None, f"unknown value {quoted(bad[0])}; choose from: {', '.join(allowed)}") \
            if bad \
            else (parts, "")
    try:
        lo, hi = (float(v) for v in values)
    except ValueError:
        return None, "expected two numbers, like band=0.1&band=0.6"
    if not (control.lo <= lo <= hi <= control.hi):
        return None, f"expected two numbers from {control.lo:g} to {control.hi:g}, low first"
    return (lo, hi), ""


def _default_state(control: Control) -> Any:
    """The value a widget's session state holds for the control's default."""
    if control.kind == "multi":
        return list(control.default)
    if control.kind == "range":
        return tuple(float(v) for v in control.default)
    return control.default


def _given(raw: list[str]) -> str:
    """A parameter's value(s) from the link, as quoted plain text."""
    return " and ".join(quoted(r) for r in raw[:3]) + (" …" if len(raw) > 3 else "") \
        if raw else "“”"


def check_url(controls: list[Control], page: str,
              choices: dict[str, tuple[tuple[str, ...], str]] | None = None) -> list[str]:
    """Guard this page's link parameters; call before drawing any control.

    Streamlit seeds a bound widget from the link on its first run and would accept, clamp or
    silently drop a bad value, and for a whole-number box it raises on a value such as
    ``inf`` or ``1e400`` before the page could say anything. So a bad parameter is removed
    from the address here, before any widget exists, and the page reruns at once: the widget
    is then seeded without it (its default), and the warnings, kept in the session for that
    rerun, are returned. Each warning echoes the parameter as plain text, cut to a readable
    length. ``choices`` guards other bound parameters of the page (tabs, toggles): key ->
    (allowed values, what the default is called).
    """
    pending = st.session_state.setdefault("_url_fixes", {})
    if page in pending:
        return pending.pop(page)["warnings"]
    warnings, bad = [], []
    for key, (allowed, what) in (choices or {}).items():
        given = st.query_params.get_all(key)
        if given and (len(given) != 1 or given[0] not in allowed):
            bad.append(key)
            warnings.append(f"Ignored link parameter {key} = {_given(given)}: choose one of "
                            f"{', '.join(map(quoted, allowed))}. Showing the default {what} "
                            "instead.")
    for control in controls:
        key = control.key(page)
        if key not in st.query_params:
            continue
        raw = st.query_params.get_all(key)
        _, reason = _parse(control, raw)
        if reason:
            bad.append(key)
            warnings.append(f"Ignored link parameter {key} = {_given(raw)}: {reason}. Using "
                            f"the default for {plain_markdown(control.label.lower(), None)} "
                            "instead.")
    if bad:
        for key in bad:
            del st.query_params[key]
        pending[page] = {"warnings": warnings}
        st.rerun()
    return []


def finish_url_check(page: str) -> None:
    """Kept for the pages' call order: ``check_url`` now settles bad links before drawing."""


def render(control: Control, page: str, container=st) -> Any:
    """Draw one control bound to the URL and kept across page switches; return its value."""
    key = control.key(page)
    common = {"key": key, "help": control.help, "bind": "query-params",
              "persist_state": "session"}
    if control.kind in ("int", "float"):
        cast = int if control.kind == "int" else float
        args = (control.label, cast(control.lo), cast(control.hi), cast(control.default))
        if control.widget == "slider":
            return container.slider(*args, step=cast(control.step), format=control.fmt, **common)
        return container.number_input(*args, step=cast(control.step), format=control.fmt,
                                      **common)
    if control.kind == "range":
        return container.slider(control.label, float(control.lo), float(control.hi),
                                tuple(float(v) for v in control.default),
                                step=float(control.step), format=control.fmt, **common)
    if control.kind == "choice":
        return container.selectbox(control.label, control.options,
                                   index=control.options.index(control.default),
                                   format_func=control.shown, **common)
    return container.multiselect(control.label, control.options, default=list(control.default),
                                 format_func=control.shown, **common)


def render_sidebar(controls: list[Control], page: str) -> dict[str, Any]:
    """All scenario controls in the sidebar, grouped in expanders; returns name -> value."""
    values: dict[str, Any] = {}
    for group in GROUPS:
        members = [c for c in controls if c.group == group]
        with st.sidebar.expander(group, expanded=group == GROUPS[0]):
            for control in members:
                if control.visible is None or control.visible(values):
                    values[control.name] = render(control, page)
                else:
                    values[control.name] = control.default
    return values


def staffed(review: Review) -> int:
    """The whole number of people whose staffed capacity is nearest the review capacity."""
    per_person = (review.working_days * review.hours_per_day * review.items_per_hour
                  * (1 - review.shrinkage))
    return max(1, round(review.capacity / per_person))


def queued(values: dict[str, Any]) -> bool:
    return values.get("overflow") == "queue"


def review_from_values(base: Review, v: dict[str, Any]) -> Review:
    """The review section the controls describe: a weekly capacity, or people and a queue."""
    labels = {"hard_cases": float(v["hard_cases"]), "double_share": float(v["double_share"])}
    if v["overflow"] != "queue":
        return Review(int(v["capacity"]), float(v["accuracy"]), v["overflow"], **labels)
    return replace(base, reviewer_accuracy=float(v["accuracy"]), overflow_action="queue",
                   **labels,
                   analysts=int(v["analysts"]), default_action=v["default_action"],
                   target_hours=float(v["target_hours"]),
                   max_wait_hours=float(v["max_wait_hours"]),
                   abandon_per_day=float(v["abandon"]), abandon_cost=float(v["abandon_cost"]),
                   overtime_hours=float(v["overtime"]))


def scenario_from_values(domain_name: str, v: dict[str, Any],
                         band: tuple[float, float]) -> Scenario:
    """The scenario the controls describe (raises ScenarioError on an impossible combination)."""
    base = default_scenario(domain_name)
    drift = []
    for kind in v.get("drift") or ():
        strength = v["prior_shift"] if kind == "prior" else v["strength"]
        drift.append(DriftSpec(kind, int(v["onset"]), float(strength), int(v["ramp"])))
    return Scenario(
        domain=domain_name,
        seed=int(v["seed"]),
        population=Population(int(v["events"]), int(v["weeks"]), float(v["base_rate"]),
                              base.population.reference_weeks),
        model=ModelConfig(v["model"]),
        drift=tuple(drift),
        review=review_from_values(base.review, v),
        costs=Costs(float(v["fn_fixed"]), float(v["fn_per_value"]), float(v["fp_fixed"]),
                    float(v["fp_per_value"]), float(v["review_cost"]), float(v["retrain_cost"])),
        feedback=Feedback(v["feedback"], int(v["delay"])
                          if v.get("delay_kind", "fixed") == "fixed"
                          else get_domain(domain_name).realistic_delay),
        retrain=Retrain(trigger=v["retrain"], every_weeks=int(v["every"]),
                        drift_metric=v["drift_metric"], drift_on=v["drift_on"],
                        drift_threshold=float(v["drift_threshold"]),
                        performance_metric=v["perf_metric"],
                        performance_floor=float(v["perf_floor"]),
                        window_weeks=int(v["window"]),
                        alert_rule=v.get("alert_rule", "cusum")),
        policy=Policy(*band),
        world=world_values(get_domain(domain_name), v),
        impact=impact_values(get_domain(domain_name), v),
    )
