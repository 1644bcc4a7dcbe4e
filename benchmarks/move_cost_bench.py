"""Server CPU time per band move: what one session's drag costs the server (loopback only).

    python benchmarks/move_cost_bench.py [--page fraud] [--query "fraud_tab=Data+plan"]
                                         [--seconds 20]

Starts ``streamlit run dashboard/app.py`` on a free localhost port, opens the page in one
websocket session (as ``load_bench.py`` does), then moves the band slider as fast as the
server answers (a fragment rerun per move, random bands) for ``--seconds``. The figure is the
server process's CPU time (user + system, from /proc) over the second half of that time,
divided by the moves finished in it: the cost that many sessions moving at once queue
behind, and the figure a shared machine's load inflates least (latency is printed too, but
it is the machine's). ``--query`` opens another tab (its query string). Bounded: one
session, a fixed time, and the server is stopped by its process id at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import sys
import time
from pathlib import Path

import websockets

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load_bench import free_port, start, wait_healthy  # noqa: E402
from stream_protocol import TIMEOUT, read_run, rerun_message  # noqa: E402


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def drag(url: str, page: str, query: str, seconds: float, pid: int) -> dict:
    async with websockets.connect(f"ws://{url}/_stcore/stream", subprotocols=["streamlit"],
                                  origin=f"http://{url}", max_size=None, open_timeout=TIMEOUT,
                                  ping_interval=None) as ws:
        await ws.send(rerun_message(page, query_string=query))
        slider, fragment = (await read_run(ws.recv)).widget("slider", f"{page}_band")
        rng, latencies = random.Random(0), []
        start_at = time.monotonic()
        half, cpu0 = start_at + seconds / 2, None
        while time.monotonic() < start_at + seconds:
            if cpu0 is None and time.monotonic() >= half:
                cpu0, moves0 = cpu_seconds(pid), len(latencies)
            low = round(rng.uniform(0.02, 0.2), 3)
            band = (low, round(low + 0.3, 3))
            t0 = time.perf_counter()
            await ws.send(rerun_message(page, slider, band, fragment, query))
            await read_run(ws.recv)
            latencies.append(time.perf_counter() - t0)
        cpu = cpu_seconds(pid) - cpu0
        moves = len(latencies) - moves0
    latencies.sort()
    return {"moves": moves, "cpu_ms": 1e3 * cpu / max(moves, 1),
            "p50_ms": 1e3 * latencies[len(latencies) // 2]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--page", default="fraud", choices=["fraud", "triage", "recommendation"])
    parser.add_argument("--query", default="", help='e.g. "fraud_tab=Monitor" (default: Tradeoff)')
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    port = free_port()
    server = start(port)
    url = f"127.0.0.1:{port}"
    try:
        wait_healthy(f"http://{url}", server, 60)
        r = asyncio.run(drag(url, args.page, args.query, args.seconds, server.pid))
        print(f"/{args.page}?{args.query}: {r['cpu_ms']:.1f} ms of server CPU per band move "
              f"({r['moves']} moves in the measured half), rerun p50 {r['p50_ms']:.0f} ms, "
              f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=15)


if __name__ == "__main__":
    main()
