"""Workshop mode on the domain pages: presenter view, a copyable link to the exact view, and
stepping through a named scenario's story with the controls set for each step."""

from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st

from dashboard import seam
from dashboard.controls import Control, impact_control_values, staffed, world_control_values
from dashboard.teaching.report_html import ReportStory
from simulations.presets import Preset
from simulations.reporting.text import plain_markdown
from simulations.scenario import Scenario

PRESENTER_CSS = """
<style>
section[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"] {display: none;}
html, body, [data-testid="stMarkdownContainer"] p {font-size: 1.25rem;}
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p {font-size: 1.05rem;}
/* Fluid numbers: 5 cards must fit a 1280 px projector as well as a 1920 px one. */
[data-testid="stMetricValue"], [data-testid="stMetricValue"] div,
[data-testid="stMetricValue"] p {font-size: clamp(1.6rem, 2.6vw, 3rem) !important;}
[data-testid="stMetricLabel"] p {font-size: clamp(1rem, 1.1vw, 1.25rem) !important;}
[data-testid="stMetricLabel"], [data-testid="stMetricLabel"] div,
[data-testid="stMetricLabel"] p {white-space: normal !important; overflow: visible !important;}
[data-testid="stMetricDelta"] div {font-size: clamp(0.95rem, 1.1vw, 1.25rem) !important;}
h1 {font-size: clamp(2.2rem, 3.4vw, 3.2rem) !important;}
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


def queue_values(review) -> dict:
    """The queue's control values (people rather than a weekly capacity)."""
    return {"analysts": review.analysts if review.analysts is not None else staffed(review),
            "default_action": review.default_action, "target_hours": review.target_hours,
            "max_wait_hours": review.max_wait_hours, "abandon": review.abandon_per_day,
            "abandon_cost": review.abandon_cost, "overtime": review.overtime_hours,
            "hard_cases": review.hard_cases, "double_share": review.double_share}


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
        "overflow": scenario.review.overflow_action, **queue_values(scenario.review),
        "fn_fixed": c.fn_fixed,
        "fn_per_value": c.fn_per_value, "fp_fixed": c.fp_fixed, "fp_per_value": c.fp_per_value,
        "review_cost": c.review, "retrain_cost": c.retrain, "feedback": scenario.feedback.mode,
        "delay": scenario.feedback.delay.fixed_weeks or 1,
        "delay_kind": "fixed" if scenario.feedback.delay.fixed_weeks is not None else "realistic",
        "retrain": r.trigger, "every": r.every_weeks,
        "drift_metric": r.drift_metric, "drift_on": r.drift_on,
        "drift_threshold": r.drift_threshold, "perf_metric": r.performance_metric,
        "perf_floor": r.performance_floor, "window": r.window_weeks,
        "alert_rule": r.alert_rule,
        "band": (scenario.policy.t_low, scenario.policy.t_high),
        **world_control_values(scenario),
        **impact_control_values(scenario),
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


STEP_KEYS_JS = """
<script>
(function () {
  // Left and right arrows step through the story, unless the focus is on a control that
  // uses the arrows itself. Installed once per page; it makes no request of its own.
  if (window.__tradeoffStoryKeys) { return; }
  window.__tradeoffStoryKeys = true;
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) { return; }
    var label = {ArrowRight: "Next", ArrowLeft: "Previous"}[event.key];
    var target = event.target;
    if (!label || (target.closest && target.closest(
        "input, textarea, select, [contenteditable], [role=slider], [role=tab], [role=option]"))) {
      return;
    }
    var button = Array.prototype.find.call(document.querySelectorAll("button"), function (b) {
      return b.closest(".st-key-story-nav") && b.innerText.trim().endsWith(label) &&
        !b.disabled;
    });
    if (button) { event.preventDefault(); button.click(); }
  });
})();
</script>
"""


def story_key(page: str) -> str:
    return f"{page}_story"


def step_key(page: str) -> str:
    return f"{page}_step"


def _apply_step(presets: dict[str, Preset], controls: list[Control], page: str,
                name: str | None, step: int, set_controls: bool = True) -> None:
    """Go to ``step`` (0-based) of story ``name``: the controls and the tab follow it."""
    if name is None or name not in presets:
        return
    preset = presets[name]
    step = max(0, min(step, len(preset.steps) - 1))
    st.session_state[f"_{page}_story_step"] = step
    current = preset.steps[step] if preset.steps else None
    if set_controls:
        scenario = current.scenario(preset.scenario) if current else preset.scenario
        _set_controls(controls, page, values_from_scenario(scenario))
    if current is not None and current.tab:
        st.session_state[f"{page}_tab"] = current.tab


def _story_from_link(presets: dict[str, Preset], controls: list[Control], page: str) -> list[str]:
    """Read the story and step a link carries (once per distinct link). A link that also
    carries this page's controls (a copied view) keeps them; a bare story link (the
    Overview's) sets the controls to the step's scenario."""
    name = st.query_params.get(story_key(page))
    if name is None:
        return []
    raw_step = st.query_params.get(step_key(page), "1")
    token = (page, name, raw_step)
    handled = st.session_state.setdefault("_story_links", set())
    if token in handled:
        return []
    handled.add(token)
    if name not in presets:
        return [f"Ignored link parameter `{story_key(page)}={name}`: no such story on this "
                f"page; choose one of: {', '.join(presets)}."]
    warnings = []
    count = max(len(presets[name].steps), 1)
    try:
        step = int(raw_step)
    except ValueError:
        step = 0
    if not 1 <= step <= count:
        warnings.append(f"Ignored link parameter `{step_key(page)}={raw_step}`: this story has "
                        f"steps 1 to {count}. Showing step 1.")
        step = 1
    st.session_state[story_key(page)] = name
    carries_view = any(c.key(page) in st.query_params for c in controls)
    _apply_step(presets, controls, page, name, step - 1, set_controls=not carries_view)
    return warnings


def story_panel(domain_name: str, controls: list[Control], page: str) -> tuple[Preset, int] | None:
    """Sidebar picker for a named scenario of this domain (its steps set the controls and the
    tab). Returns the active story and its step (0-based), or None. The story and step are
    kept in the page address; a bad story or step in a link gets a warning."""
    show_preset_problems()
    presets = {p.name: p for p in seam.presets() if p.domain == domain_name}
    if not presets:
        return None
    for message in _story_from_link(presets, controls, page):
        st.warning(message, icon=":material/warning:")
    with st.sidebar.expander("Story", expanded=True):
        name = st.selectbox(
            "Named scenario", list(presets), index=None, key=story_key(page),
            format_func=lambda n: presets[n].title,
            placeholder="Pick a story to step through",
            on_change=lambda: _apply_step(presets, controls, page,
                                          st.session_state.get(story_key(page)), 0),
            help="Sets every control to the scenario of a real product story, then walks "
                 "through it step by step (Previous / Next in the story box, or the arrow "
                 "keys).")
    if name is None:
        for key in (story_key(page), step_key(page)):
            st.query_params.pop(key, None)
        return None
    step = st.session_state.get(f"_{page}_story_step", 0)
    st.query_params[story_key(page)] = name
    st.query_params[step_key(page)] = str(step + 1)
    # the address now says what the page shows: not a link to follow on the next run
    st.session_state.setdefault("_story_links", set()).add((page, name, str(step + 1)))
    return presets[name], step


def step_reference(preset: Preset, step: int) -> tuple[str, Scenario] | None:
    """The previous step's label and scenario, which the KPI deltas compare with."""
    if step <= 0 or not preset.steps:
        return None
    previous = preset.steps[step - 1]
    return f"step {step} ({previous.title})", previous.scenario(preset.scenario)


def show_story(preset: Preset, step: int, controls: list[Control], page: str,
               presenter: bool) -> None:
    """The story box in the main area: the story, its question, this step's note and the
    navigation between steps. In presenter mode the facilitator's notes stay off the
    projected screen unless the presenter asks for them."""
    presets = {preset.name: preset}
    count = len(preset.steps)
    current = preset.steps[step] if preset.steps else None
    with st.container(border=True, key="story-nav"):
        head, back, where, forward = st.columns([3.4, 1.2, 1, 1.2], vertical_alignment="center")
        head.markdown(f"### {preset.title}")
        back.button("Previous", icon=":material/arrow_back:", on_click=_apply_step,
                    args=(presets, controls, page, preset.name, step - 1),
                    disabled=step == 0, width="stretch", key=f"{page}_story_prev")
        where.markdown(f"<div style='text-align:center;white-space:nowrap'><b>Step {step + 1} "
                       f"of {max(count, 1)}</b></div>", unsafe_allow_html=True)
        forward.button("Next", icon=":material/arrow_forward:", on_click=_apply_step,
                       args=(presets, controls, page, preset.name, step + 1),
                       disabled=step >= count - 1, width="stretch", key=f"{page}_story_next")
        st.markdown(preset.story)
        st.markdown(f"**Question.** {preset.question}")
        if current is not None:
            st.info(f"**Step {step + 1}: {current.title}.** {current.note}",
                    icon=":material/visibility:")
        st.html(STEP_KEYS_JS, unsafe_allow_javascript=True)
        if presenter:
            shown = st.toggle("Show the facilitator's notes on screen", value=False,
                              key=f"{page}_story_notes",
                              help="Off while presenting, so the expected finding does not "
                                   "spoil the exercise.")
            if shown:
                _notes(preset)
        else:
            with st.expander("What to look at, and notes for the facilitator"):
                _notes(preset)


def report_story(preset: Preset, step: int) -> ReportStory:
    """What the one-page report says about the active story and step."""
    current = preset.steps[step] if preset.steps else None
    return ReportStory(preset.title, preset.story, preset.question,
                       f"Step {step + 1} of {len(preset.steps)}: {current.title}. {current.note}"
                       if current else "", preset.expected_finding)


def _notes(preset: Preset) -> None:
    st.markdown(f"**Look at.** {preset.look_at}")
    st.markdown(f"**Facilitator notes.** {preset.facilitator_notes}")
    st.markdown(f"**Expected finding.** {preset.expected_finding}")
