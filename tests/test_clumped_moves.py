"""Dragging the band faster than the server answers: the page ends on the newest position.

A real server (``deploy/replica.py``, as a workshop serves the app) and a websocket session
speaking Streamlit's protocol as a browser does (``deploy/stream_protocol.py``, shared with
the load benchmark). The session opens /fraud, then sends six band positions back to back
without waiting, as a participant dragging the handle sends them. Streamlit keeps one pending
rerun per session and merges a newer widget value into it, so the positions that arrive while
a run is being drawn are folded into one more run with the newest of them: the page must end
showing the last position (the same KPIs as opening that position's link), with fewer
runs than positions sent, and only the band's fragment rerun, never the whole page. If moves
were queued, every position would be drawn in turn (six runs): this test fails then. The
presenter's line (``dashboard/teaching/room.py``) must count such fragment runs as band moves
and whole-page runs as page loads.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
from urllib.parse import parse_qs, urlsplit

import pytest
import websockets

from deploy.replica import start, wait_healthy
from deploy.stream_protocol import FRAGMENT_RUN, read_run, rerun_message

PAGE = "fraud"
# distinct positions on the slider's 0.005 grid, none the default band (0.08, 0.30), so each
# shows in the page's copyable link
BURST = [(0.02, 0.3), (0.05, 0.4), (0.1, 0.55), (0.15, 0.6), (0.04, 0.7), (0.12, 0.45)]
LOAD_SECONDS = 300.0  # a cold server simulates the page first, on a busy 2-core machine
MOVE_SECONDS = 60.0


@pytest.fixture(scope="module")
def server():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    process = start(port)
    try:
        wait_healthy(f"http://127.0.0.1:{port}", process, 120)
        yield f"127.0.0.1:{port}"
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def connect(address: str):
    return websockets.connect(f"ws://{address}/_stcore/stream", subprotocols=["streamlit"],
                              origin=f"http://{address}", max_size=None,
                              open_timeout=60, ping_interval=None)


def shown_band(run) -> tuple[float, float] | None:
    """The band the run drew, read from the page's "Copy link to this view" address."""
    for text in run.code():
        values = parse_qs(urlsplit(text).query).get(f"{PAGE}_band")
        if values:
            return tuple(float(v) for v in values)
    return None


async def quiet(ws, seconds: float) -> list[str]:
    """What the server sends in the next ``seconds``: the kinds of its messages."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    kinds = []
    loop = asyncio.get_running_loop()
    end = loop.time() + seconds
    while (left := end - loop.time()) > 0:
        try:
            raw = await asyncio.wait_for(ws.recv(), left)
        except TimeoutError:
            break
        kinds.append(ForwardMsg.FromString(raw).WhichOneof("type"))
    return kinds


async def drag_fast(address: str) -> dict:
    async with connect(address) as ws:
        await ws.send(rerun_message(PAGE))
        load = await read_run(ws.recv, LOAD_SECONDS)
        slider, fragment = load.widget("slider", f"{PAGE}_band")
        for band in BURST:  # back to back, without waiting for an answer
            await ws.send(rerun_message(PAGE, slider, band, fragment))
        runs = []
        while len(runs) <= len(BURST):  # until the newest position is drawn (or too many runs)
            try:
                runs.append(await read_run(ws.recv, MOVE_SECONDS))
            except TimeoutError:  # the server stopped answering: the assertions say where
                break
            if shown_band(runs[-1]) == BURST[-1]:
                break
        trailing = await quiet(ws, 3.0)  # no older position is still to come
    return {"load": load, "slider": slider, "fragment": fragment, "runs": runs,
            "trailing": trailing}


async def open_at(address: str, band: tuple[float, float], then: tuple[float, float]):
    """KPIs of the page opened from ``band``'s link, and after one move to ``then``."""
    async with connect(address) as ws:
        await ws.send(rerun_message(PAGE, query_string=f"{PAGE}_band={band[0]:g}&"
                                                        f"{PAGE}_band={band[1]:g}"))
        load = await read_run(ws.recv, LOAD_SECONDS)
        slider, fragment = load.widget("slider", f"{PAGE}_band")
        await ws.send(rerun_message(PAGE, slider, then, fragment))
        moved = await read_run(ws.recv, MOVE_SECONDS)
    return load, moved


def test_a_burst_of_band_moves_ends_on_the_newest_position_and_drops_the_older_ones(server):
    burst = asyncio.run(drag_fast(server))
    assert burst["slider"] and burst["fragment"], "the band slider must sit in a fragment"
    runs = burst["runs"]
    # every run the server made ends with one script_finished (when a run starts, Streamlit
    # relabels a previous run's unsent 'finished' as 'finished early for rerun', so the
    # label does not tell complete runs apart): the runs are counted, whatever their label
    shown = [shown_band(r) for r in runs]
    assert runs, "the server answered none of the moves"
    assert runs[-1].status == FRAGMENT_RUN and shown[-1] == BURST[-1], \
        f"the page ended on {shown}, not {BURST[-1]}"
    # older positions were dropped, not drawn one after another
    assert len(runs) < len(BURST), f"{len(runs)} runs for {len(BURST)} moves: {shown}"
    # and never drawn after a newer one
    order = [BURST.index(b) for b in shown if b is not None]
    assert order == sorted(order), shown
    # a move reruns the band's fragment only, never the whole page (sidebar included)
    assert all(fragment == burst["fragment"] for r in runs for fragment, _ in r.elements)
    assert "script_finished" not in burst["trailing"] and "delta" not in burst["trailing"]

    # what the page ends on is what opening the newest position's link shows
    direct, other = asyncio.run(open_at(server, BURST[-1], BURST[0]))
    assert shown_band(direct) == BURST[-1]
    assert runs[-1].metrics() and runs[-1].metrics() == direct.metrics()
    # (and the KPIs do tell the positions apart)
    assert shown_band(other) == BURST[0] and other.metrics() != direct.metrics()


def pulse_counts(run) -> dict[str, int]:
    """Participants, band moves and page loads in the presenter's line of a page run."""
    line = next(e.markdown.body for _, e in run.elements
                if e.WhichOneof("type") == "markdown" and "participant" in e.markdown.body)
    moves = re.search(r"last minute's (\d+) answered", line)
    loads = re.search(r"Page loads: (\d+) in", line)
    return {"active": int(re.search(r"(\d+) participants? active", line).group(1)),
            "moves": int(moves.group(1)) if moves else 0,
            "loads": int(loads.group(1)) if loads else 0}


async def presenter_then_participant_then_presenter(address: str) -> tuple[dict, dict]:
    async def presenter() -> dict:
        async with connect(address) as ws:
            await ws.send(rerun_message(PAGE, query_string="present=true"))
            return pulse_counts(await read_run(ws.recv, LOAD_SECONDS))

    before = await presenter()
    async with connect(address) as ws:  # a participant opens the page and drags three times
        await ws.send(rerun_message(PAGE))
        slider, fragment = (await read_run(ws.recv, LOAD_SECONDS)).widget("slider",
                                                                          f"{PAGE}_band")
        for band in BURST[:3]:
            await ws.send(rerun_message(PAGE, slider, band, fragment))
            await read_run(ws.recv, MOVE_SECONDS)  # one at a time: each is drawn
        after = await presenter()
    return before, after


def test_the_presenter_counts_band_moves_as_moves_and_page_loads_as_loads(server):
    before, after = asyncio.run(presenter_then_participant_then_presenter(server))
    # between the two looks: the first look's own page run and the participant's page load
    # (whole-page runs), and the participant's three band moves (fragment runs)
    assert after["moves"] - before["moves"] == 3, (before, after)
    assert after["loads"] - before["loads"] == 2, (before, after)
