"""How the room is doing, for the presenter: how many participants this server is serving and
whether it keeps up (the 95th percentile of the last minute's page updates).

Every run of a domain page records its session and how long it took in one process-wide
``RoomPulse`` (a Streamlit resource, shared by all sessions of this server process). A
participant counts as present while their session has run the page in the last
``ACTIVE_SECONDS``; behind a proxy with several replicas each process sees its own share.
The server's own warm-up (``deploy/warm.py``, marked by the ``WARM_HEADER`` request header)
is not a participant and is not counted.
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


class RoomPulse:
    """Sessions seen and run durations, thread-safe (sessions run in their own threads)."""

    def __init__(self, max_runs: int = 20_000):
        self._lock = threading.Lock()
        self._seen: dict[str, float] = {}
        self._runs: deque[tuple[float, float]] = deque(maxlen=max_runs)

    def record(self, session: str, seconds: float, now: float) -> None:
        with self._lock:
            self._seen[session] = now
            self._runs.append((now, seconds))
            if len(self._seen) > 10_000:  # forget sessions long gone
                cutoff = now - ACTIVE_SECONDS
                self._seen = {s: t for s, t in self._seen.items() if t >= cutoff}

    def snapshot(self, now: float) -> dict[str, float]:
        """Participants active in the last ``ACTIVE_SECONDS``; page updates in the last
        ``WINDOW_SECONDS``: how many and their 95th percentile in seconds (NaN for none)."""
        with self._lock:
            active = sum(t >= now - ACTIVE_SECONDS for t in self._seen.values())
            recent = sorted(s for t, s in self._runs if t >= now - WINDOW_SECONDS)
        p95 = recent[min(len(recent) - 1, int(round(0.95 * (len(recent) - 1))))] if recent \
            else float("nan")
        return {"active": active, "updates": len(recent), "p95": p95}


@st.cache_resource(show_spinner=False)
def pulse() -> RoomPulse:
    return RoomPulse()


@contextmanager
def timed_update():
    """Record how long the enclosed page update took, for this session."""
    started = time.perf_counter()
    try:
        yield
    finally:
        ctx = get_script_run_ctx()
        if ctx is not None and not _is_warm_up():
            pulse().record(ctx.session_id, time.perf_counter() - started, time.monotonic())


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
    """One line for the presenter: who is here and whether the server keeps up."""
    people = int(snapshot["active"])
    who = f"{people} participant{'' if people == 1 else 's'} active in the last " \
          f"{ACTIVE_SECONDS / 60:.0f} minutes on this server"
    if not snapshot["updates"]:
        return who + "; no page updates in the last minute."
    p95 = snapshot["p95"]
    pace = ("keeping up" if p95 < 1.0 else "busy: give the room a moment after each change"
            if p95 < 3.0 else "overloaded: pause, or serve from more processes (deploy/)")
    return (f"{who}; 95% of the last minute's {int(snapshot['updates'])} page updates took "
            f"under {p95:.1f} s ({pace}).")


def show_pulse() -> None:
    st.caption(pulse_sentence(pulse().snapshot(time.monotonic())),
               help="Counted by this server process. Behind the proxy in deploy/, each "
                    "replica counts the participants it serves.")
