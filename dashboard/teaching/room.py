"""How the room is doing, for the presenter: how many participants this server is serving and
whether it keeps up with their band moves (the 95th percentile of the last minute's moves).

Every run of a domain page's results records its session, its kind and how long it took in
one process-wide ``RoomPulse`` (a Streamlit resource, shared by all sessions of this server
process). Two kinds: a *move* reruns only the band's fragment (a band drag, a tab switch),
and a *load* runs the whole page (opening the link, a sidebar setting, a story step). Whether
the server keeps up is judged on the moves alone: a load may simulate a new scenario for
seconds (everyone's first visit on a fresh server does), which is the simulation's time, not
a sign that the server is falling behind. The loads' figure is said separately. A participant
counts as present while their session has run the page in the last ``ACTIVE_SECONDS``; behind
a proxy with several replicas each process sees its own share. The server's own warm-up
(``deploy/warm.py``, marked by the ``WARM_HEADER`` request header) is not a participant and is
not counted.
"""

from __future__ import annotations

import functools
import threading
import time
from collections import deque
from contextlib import contextmanager

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

ACTIVE_SECONDS = 300.0
WINDOW_SECONDS = 60.0
WARM_HEADER = "X-Tradeoff-Lab-Warm-Up"
MOVE, LOAD = "move", "load"
# 95% of the last minute's moves answered within: a drag feels immediate (the workshop's
# target is 0.3 s) ...
KEEPING_UP_SECONDS = 0.5
# ... and from here a participant waits seconds for every drag
OVERLOADED_SECONDS = 2.0


def _p95(values: list[float]) -> float:
    """Nearest-rank 95th percentile; NaN for none."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))] if ordered \
        else float("nan")


class RoomPulse:
    """Sessions seen and run durations by kind, thread-safe (sessions run in their own
    threads)."""

    def __init__(self, max_runs: int = 20_000):
        self._lock = threading.Lock()
        self._seen: dict[str, float] = {}
        self._runs: deque[tuple[float, str, float]] = deque(maxlen=max_runs)

    def record(self, session: str, seconds: float, now: float, kind: str) -> None:
        """``kind``: ``MOVE`` (a fragment rerun) or ``LOAD`` (a whole-page run)."""
        if kind not in (MOVE, LOAD):
            raise ValueError(f"kind must be {MOVE!r} or {LOAD!r}, not {kind!r}")
        with self._lock:
            self._seen[session] = now
            self._runs.append((now, kind, seconds))
            if len(self._seen) > 10_000:  # forget sessions long gone
                cutoff = now - ACTIVE_SECONDS
                self._seen = {s: t for s, t in self._seen.items() if t >= cutoff}

    def snapshot(self, now: float) -> dict[str, float]:
        """Participants active in the last ``ACTIVE_SECONDS``; the moves and the loads of the
        last ``WINDOW_SECONDS``: how many of each and their 95th percentiles in seconds (NaN
        for none)."""
        with self._lock:
            active = sum(t >= now - ACTIVE_SECONDS for t in self._seen.values())
            recent = [(k, s) for t, k, s in self._runs if t >= now - WINDOW_SECONDS]
        moves = [s for k, s in recent if k == MOVE]
        loads = [s for k, s in recent if k == LOAD]
        return {"active": active, "moves": len(moves), "moves_p95": _p95(moves),
                "loads": len(loads), "loads_p95": _p95(loads)}


@st.cache_resource(show_spinner=False)
def pulse() -> RoomPulse:
    return RoomPulse()


@contextmanager
def timed_update():
    """Record how long the enclosed page update took, for this session, and its kind: a move
    when Streamlit is rerunning fragments only, else a load."""
    started = time.perf_counter()
    try:
        yield
    finally:
        ctx = get_script_run_ctx()
        if ctx is not None and not _is_warm_up():
            kind = MOVE if ctx.fragment_ids_this_run else LOAD
            pulse().record(ctx.session_id, time.perf_counter() - started, time.monotonic(),
                           kind)


def _is_warm_up() -> bool:
    """Whether this session is the server's warm-up. A session's headers never change, and
    reading them costs ~1.5 ms, so they are read once per session, not on every band move."""
    state = st.session_state
    if "_room_warm_up" not in state:
        state["_room_warm_up"] = bool(st.context.headers.get(WARM_HEADER))
    return state["_room_warm_up"]


def timed(fn):
    """Decorate a page function (under ``st.fragment`` too) so each of its runs is recorded."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with timed_update():
            return fn(*args, **kwargs)
    return wrapper


def pulse_sentence(snapshot: dict[str, float]) -> str:
    """For the presenter, on one line that leaves the projector's room to the results: who is
    here, whether the server keeps up with the band moves, and page loads apart (what the
    words mean is in the line's help)."""
    people = int(snapshot["active"])
    parts = [f"{people} participant{'' if people == 1 else 's'} active in the last "
             f"{ACTIVE_SECONDS / 60:.0f} min"]
    moves, p95 = int(snapshot["moves"]), snapshot["moves_p95"]
    if not moves:
        parts.append("No band moves in the last minute to judge the pace by")
    else:
        if p95 < KEEPING_UP_SECONDS:
            pace = "keeping up"
        elif p95 < OVERLOADED_SECONDS:
            pace = "busy: give the room a moment after each change"
        else:
            pace = "overloaded: pause, or serve from more processes"
        parts.append(f"Band moves: 95% of the last minute's {moves} answered within "
                     f"{_seconds(p95)} ({pace})")
    loads = int(snapshot["loads"])
    if loads:
        parts.append(f"Page loads: {loads} in the last minute, 95% within "
                     f"{_seconds(snapshot['loads_p95'])}")
    return " · ".join(parts) + "."


def _seconds(value: float) -> str:
    return f"{value:.2f} s" if value < 1 else f"{value:.1f} s"


def show_pulse() -> None:
    """The presenter's line, as of this run of the page. (Redrawing it on a timer, as a
    ``st.fragment(run_every=...)``, made the story's arrow-key test miss a step in Chromium:
    1 of 2 runs here and once in CI, against 4 of 4 passing with the timer off; why the press
    is lost was not found.)"""
    st.caption(pulse_sentence(pulse().snapshot(time.monotonic())),
               help=f"Counted by this server process, per browser session (a participant "
                    f"with two tabs open counts twice). A band move (or a tab switch) redraws "
                    f"the results only; 95% of them within {KEEPING_UP_SECONDS:g} s is keeping "
                    f"up (a drag shows at once), from {OVERLOADED_SECONDS:g} s every drag "
                    "waits seconds. Page loads are counted apart: opening the link or "
                    "changing a setting may simulate a new scenario first, so seconds are "
                    "normal there. Behind the proxy in deploy/, each replica counts the "
                    "participants it serves. The line is as of the presenter's last "
                    "page load or change.")
