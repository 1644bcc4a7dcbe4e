"""Streamlit's websocket protocol as a browser speaks it: the messages a page load and a band
move send, and the reading of one script run's answer.

A browser talks to a Streamlit server over a websocket on ``/_stcore/stream`` (subprotocol
``streamlit``): it sends protobuf ``BackMsg``s (``rerun_script``: open a page, or rerun after a
widget changed) and reads ``ForwardMsg``s (the elements a run draws, then ``script_finished``).
The warm-up (``deploy/warm.py``, Tornado's client), the load and move-cost benchmarks and the
tests of clumped moves (the ``websockets`` client) all speak it through this module, so they
send exactly the same messages. Transport-free: ``read_run`` takes the client's receive
function.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

TIMEOUT = 120.0

# how a run ended (ForwardMsg.script_finished)
FULL_RUN = ForwardMsg.FINISHED_SUCCESSFULLY
FRAGMENT_RUN = ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY
STOPPED_FOR_RERUN = ForwardMsg.FINISHED_EARLY_FOR_RERUN


def rerun_message(page: str, widget_id: str | None = None,
                  band: tuple[float, float] | None = None, fragment_id: str = "",
                  query_string: str = "") -> bytes:
    """What a browser sends: a page load (``query_string`` is the link's, without ``?``), or a
    band move (rerunning only the band's fragment, as the browser does when a widget inside
    ``st.fragment`` changes: it sends that widget's new value and the fragment's id)."""
    msg = BackMsg()
    state = msg.rerun_script
    state.query_string = query_string
    state.page_name = page
    state.fragment_id = fragment_id
    if widget_id is not None:
        widget = state.widget_states.widgets.add()
        widget.id = widget_id
        widget.double_array_value.data.extend(band)
    return msg.SerializeToString()


@dataclass
class Run:
    """One script run as the browser received it: every element it drew, and how it ended."""

    status: int  # FULL_RUN, FRAGMENT_RUN, STOPPED_FOR_RERUN, or a compile error
    elements: list = field(default_factory=list)  # (fragment id, Element proto), in order

    def widget(self, kind: str, key: str) -> tuple[str | None, str]:
        """The id of the ``kind`` widget (e.g. "slider") whose key is ``key``, and the id of
        the fragment it sits in; (None, "") if this run did not draw it."""
        for fragment_id, element in self.elements:
            if element.WhichOneof("type") == kind and getattr(element, kind).id.endswith(key):
                return getattr(element, kind).id, fragment_id
        return None, ""

    def metrics(self) -> list[tuple[str, str]]:
        """(label, value) of every ``st.metric`` the run drew: the KPIs a person reads."""
        return [(e.metric.label, e.metric.body) for _, e in self.elements
                if e.WhichOneof("type") == "metric"]

    def code(self) -> list[str]:
        """The text of every ``st.code`` block (the page's copyable link is one)."""
        return [e.code.code_text for _, e in self.elements if e.WhichOneof("type") == "code"]


async def read_run(recv: Callable[[], Awaitable[bytes | None]],
                   timeout: float = TIMEOUT) -> Run:
    """Read ForwardMsgs with ``recv`` (a client's receive; None means closed) until the script
    run finishes. TimeoutError if it has not within ``timeout`` seconds, RuntimeError if the
    server closes the connection first."""
    elements = []
    deadline = time.monotonic() + timeout
    while True:
        raw = await asyncio.wait_for(recv(), max(deadline - time.monotonic(), 0.001))
        if raw is None:
            raise RuntimeError("the server closed the connection during a script run")
        msg = ForwardMsg()
        msg.ParseFromString(raw)
        kind = msg.WhichOneof("type")
        if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            elements.append((msg.delta.fragment_id, msg.delta.new_element))
        elif kind == "script_finished":
            return Run(msg.script_finished, elements)
