"""Workshop mode on the domain pages: presenter view, a copyable link to the exact view, and
stepping through a named scenario's story with the controls set for each step."""

from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st

from dashboard import seam
from dashboard.controls import Control
from simulations.presets import Preset
from simulations.scenario import Scenario
from simulations.text import plain_markdown

PRESENTER_CSS = """
<style>
section[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"] {display: none;}
html, body, [data-testid="stMarkdownContainer"] p {font-size: 1.25rem;}
[data-testid="stMetricValue"], [data-testid="stMetricValue"] p {font-size: 3rem !important;}
[data-testid="stMetricLabel"] p {font-size: 1.2rem !important;}
h1 {font-size: 3.2rem !important;}
</style>
"""


def show_preset_problems() -> None:
    """One warning per damaged preset file; the others work as usual."""
    for problem in seam.preset_problems():
        st.warning(plain_markdown(problem, 300), icon=":material/warning:")


def presenter_toggle(page: str) -> bool:
    """The presenter switch (kept in the link); in presenter mode the sidebar disappears and
    text and numbers grow for the back of the room."""
    on = st.toggle("Presenter mode", key="present", bind="query-params",
                   persist_state="session",
                   help="Hide the controls and enlarge text and charts for a projector. The "
                        "switch stays at the top of the page to turn it off again.")
    if on:
        st.html(PRESENTER_CSS)
    return on


def values_from_scenario(scenario: Scenario) -> dict:
    """The control values that describe ``scenario`` (the inverse of scenario_from_values)."""
    drift = list(scenario.drift)
    main = next((d for d in drift if d.kind != "prior"), None)
    prior = next((d for d in drift if d.kind == "prior"), None)
    first = main or prior
    c, r = scenario.costs, scenario.retrain
    values = {
        "events": scenario.population.events_per_week, "weeks": scenario.population.weeks,
        "base_rate": scenario.population.base_rate, "model": scenario.model.kind,
        "seed": scenario.seed, "drift": [d.kind for d in drift],
        "capacity": scenario.review.capacity, "accuracy": scenario.review.reviewer_accuracy,
        "overflow": scenario.review.overflow_action, "fn_fixed": c.fn_fixed,
        "fn_per_value": c.fn_per_value, "fp_fixed": c.fp_fixed, "fp_per_value": c.fp_per_value,
        "review_cost": c.review, "retrain_cost": c.retrain, "feedback": scenario.feedback.mode,
        "delay": scenario.feedback.label_delay, "retrain": r.trigger, "every": r.every_weeks,
        "drift_metric": r.drift_metric, "drift_on": r.drift_on,
        "drift_threshold": r.drift_threshold, "perf_metric": r.performance_metric,
        "perf_floor": r.performance_floor, "window": r.window_weeks,
        "band": (scenario.policy.t_low, scenario.policy.t_high),
    }
    if first is not None:
        values.update(onset=first.onset_week, ramp=first.ramp_weeks)
    if main is not None:
        values["strength"] = main.strength
    if prior is not None:
        values["prior_shift"] = prior.strength
    return values


def _set_controls(controls: list[Control], page: str, values: dict) -> None:
    for control in controls:
        if control.name in values:
            value = values[control.name]
            if control.kind == "range":
                value = tuple(float(v) for v in value)
            elif control.kind == "int":
                value = int(value)
            elif control.kind == "float":
                value = float(value)
            st.session_state[control.key(page)] = value


def share_link(controls: list[Control], page: str, values: dict, extra: dict) -> str:
    """The address that reproduces this view: every control that differs from its default."""
    params = []
    for control in controls:
        value = values.get(control.name, control.default)
        if control.kind == "range":
            value = tuple(float(v) for v in value)
            default = tuple(float(v) for v in control.default)
        else:
            default = control.default
        if value == default or (control.kind == "multi" and list(value) == list(default)):
            continue
        key = control.key(page)
        if control.kind in ("multi", "range"):
            params += [(key, control.shown(v) if control.kind == "multi" else f"{v:g}")
                       for v in value]
        elif control.kind == "choice":
            params.append((key, control.shown(value)))
        else:
            params.append((key, f"{value:g}" if isinstance(value, float) else str(value)))
    params += [(k, v) for k, v in extra.items() if v]
    base = st.context.url or f"/{page}"
    return base + ("?" + urlencode(params) if params else "")


def story_panel(domain_name: str, controls: list[Control], page: str) -> tuple[Preset, int] | None:
    """Sidebar picker for a named scenario of this domain, with previous/next steps that set
    the controls. Returns the active story and step, or None."""
    show_preset_problems()
    presets = {p.title: p for p in seam.presets() if p.domain == domain_name}
    if not presets:
        return None
    step_key = f"{page}_story_step"

    def apply(title: str | None, step: int) -> None:
        if title is None:
            return
        preset = presets[title]
        step = max(0, min(step, len(preset.steps) - 1))
        st.session_state[step_key] = step
        scenario = preset.steps[step].scenario(preset.scenario) if preset.steps \
            else preset.scenario
        _set_controls(controls, page, values_from_scenario(scenario))

    with st.sidebar.expander("Story", expanded=True):
        title = st.selectbox(
            "Named scenario", list(presets), index=None, key=f"{page}_story",
            placeholder="Pick a story to step through",
            on_change=lambda: apply(st.session_state.get(f"{page}_story"), 0),
            help="Sets every control to the scenario of a real product story, then walks "
                 "through it step by step.")
        if title is None:
            return None
        preset = presets[title]
        step = st.session_state.get(step_key, 0)
        left, right = st.columns(2)
        left.button("Previous", on_click=apply, args=(title, step - 1), disabled=step == 0,
                    width="stretch", key=f"{page}_story_prev")
        right.button("Next", on_click=apply, args=(title, step + 1),
                     disabled=step >= len(preset.steps) - 1, width="stretch",
                     key=f"{page}_story_next")
        st.caption(f"Step {step + 1} of {len(preset.steps)}")
    return preset, step


def show_story(preset: Preset, step: int) -> None:
    current = preset.steps[step] if preset.steps else None
    with st.container(border=True):
        st.markdown(f"### {preset.title}")
        st.markdown(preset.story)
        st.markdown(f"**Question.** {preset.question}")
        if current is not None:
            st.info(f"**Step {step + 1}: {current.title}.** {current.note}",
                    icon=":material/visibility:")
        with st.expander("What to look at, and notes for the facilitator"):
            st.markdown(f"**Look at.** {preset.look_at}")
            st.markdown(f"**Facilitator notes.** {preset.facilitator_notes}")
            st.markdown(f"**Expected finding.** {preset.expected_finding}")
