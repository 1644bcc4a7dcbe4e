"""Open pages once on a fresh Streamlit server, so the first participants find them ready.

A workshop's first minute is everyone opening the same link. On a fresh server the first
of them waits for the default simulation of the page (seconds) and the rest queue behind it;
opened once beforehand, the run sits in the server's shared run cache and each participant
pays only for drawing the page. ``deploy/serve.py`` warms every replica this way before it
says it is serving, and ``benchmarks/load_bench.py --warm`` measures the same situation.

A page is opened the way a browser opens it (``deploy/stream_protocol.py``): a websocket on
``/_stcore/stream`` (subprotocol ``streamlit``) and one ``rerun_script`` message, then messages
are read until the script run finishes, with the ``WARM_HEADER`` request header so that the
presenter's count of participants leaves it out. Tornado's client is used (Streamlit's own
server library), so this needs nothing beyond the runtime requirements. Every wait has a
timeout.
"""

from __future__ import annotations

import asyncio
import time

from stream_protocol import read_run, rerun_message
from tornado.httpclient import HTTPRequest
from tornado.websocket import websocket_connect

from dashboard.teaching.room import WARM_HEADER

DOMAIN_PAGES = ("fraud", "triage", "recommendation", "assistant")


async def open_page(address: str, page: str, timeout: float = 180.0) -> float:
    """Open ``page`` on the server at ``address`` (host:port); seconds until its run finished.

    Raises TimeoutError if the run does not finish within ``timeout`` seconds, and
    RuntimeError if the server closes the connection first.
    """
    request = HTTPRequest(f"ws://{address}/_stcore/stream",
                          headers={"Origin": f"http://{address}", WARM_HEADER: "1"},
                          connect_timeout=timeout, request_timeout=timeout)
    started = time.perf_counter()
    conn = await asyncio.wait_for(websocket_connect(request, subprotocols=["streamlit"],
                                                    max_message_size=2**30), timeout)
    try:
        await conn.write_message(rerun_message(page), binary=True)
        await read_run(conn.read_message, max(started + timeout - time.perf_counter(), 0.001))
        return time.perf_counter() - started
    finally:
        conn.close()


def warm(addresses: list[str], pages=DOMAIN_PAGES, timeout: float = 180.0) -> list[dict]:
    """Open each page once on every server (servers at once, pages one after the other);
    per server, the seconds each page took."""
    async def one_server(address: str) -> dict[str, float]:
        return {page: await open_page(address, page, timeout) for page in pages}

    async def every_server() -> list[dict[str, float]]:
        return list(await asyncio.gather(*(one_server(a) for a in addresses)))

    return asyncio.run(every_server())
