"""Soak: one server, many sessions cycling seeds and sizes at the link's maxima; memory must hold.

    python benchmarks/soak_bench.py [--sessions 20] [--minutes 5] [--page fraud]
                                    [--ceiling-gb 10]

Starts ``streamlit run dashboard/app.py`` on a free localhost port and opens ``--sessions``
websocket sessions (the protocol benchmarks/load_bench.py speaks). Until ``--minutes`` have
passed, each session loads the domain page from a link with a new random seed and a size
drawn from the link's maxima (200k events a week; 26 or 52 weeks), waits for the page to
finish and records what it showed: results, the memory guard's "Not simulated" message, or an
exception. The server's resident memory is sampled every second. Prints the peak and final
resident memory against ``--ceiling-gb``, and counts of each outcome; exits 1 if the peak
passes the ceiling or any page showed an exception.

The default ceiling, 10 GB: the run cache's budget is 8 GB (dashboard/seam.py,
RUN_BUDGET_GB: cached runs plus runs being computed), plus ~0.5 GB for the interpreter and
its libraries and headroom for figures, session state and allocator slack. That leaves
14 GB of a 24 GB machine to the operating system and everything else running on it.
Bounded: every wait has a timeout, and the server is stopped by its process id at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import websockets

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from load_bench import free_port, rss_mb  # noqa: E402
from replica import start, wait_healthy  # noqa: E402
from stream_protocol import read_run, rerun_message  # noqa: E402

RUN_TIMEOUT = 600.0  # one page load at the maxima, on a busy 2-core machine


async def one_load(url: str, page: str, query: str) -> str:
    """'results', 'refused' (the memory guard's message) or 'exception', for one page load."""
    async with websockets.connect(f"ws://{url}/_stcore/stream", subprotocols=["streamlit"],
                                  origin=f"http://{url}", max_size=None,
                                  open_timeout=60, ping_interval=None) as ws:
        # no keepalive pings: a server busy simulating answers them late, and the client
        # would drop a session that is only waiting for its results
        await ws.send(rerun_message(page, query_string=query))
        run = await read_run(ws.recv, RUN_TIMEOUT)
    kinds = [element.WhichOneof("type") for _, element in run.elements]
    if "exception" in kinds:
        return "exception"
    if any(element.WhichOneof("type") == "alert" and "Not simulated" in element.alert.body
           for _, element in run.elements):
        return "refused"
    return "results"


async def session(url: str, page: str, rng: random.Random, until: float,
                  outcomes: dict[str, int], errors: list[str]) -> None:
    while time.monotonic() < until:
        weeks = rng.choice((26, 52))
        query = (f"{page}_events=200000&{page}_weeks={weeks}"
                 f"&{page}_seed={rng.randrange(1_000_000)}")
        try:
            outcome = await one_load(url, page, query)
        except Exception as err:  # counted, not raised: one failure must not hide the rest
            errors.append(f"{type(err).__name__}: {err}")
            outcome = "error"
        outcomes[outcome] = outcomes.get(outcome, 0) + 1


async def soak(url: str, page: str, sessions: int, minutes: float, pid: int) -> dict:
    rng = random.Random(0)
    until = time.monotonic() + minutes * 60
    outcomes: dict[str, int] = {}
    errors: list[str] = []
    samples: list[float] = []

    async def sample() -> None:
        while True:
            samples.append(rss_mb([pid]))
            await asyncio.sleep(1.0)

    sampler = asyncio.create_task(sample())
    await asyncio.gather(*(session(url, page, random.Random(rng.random()), until, outcomes,
                                   errors) for _ in range(sessions)))
    sampler.cancel()
    return {"outcomes": outcomes, "errors": errors, "samples": samples}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--page", default="fraud", choices=["fraud", "triage", "recommendation"])
    parser.add_argument("--ceiling-gb", type=float, default=10.0)
    args = parser.parse_args()

    port = free_port()
    server = start(port)
    url = f"127.0.0.1:{port}"
    failed = False
    try:
        wait_healthy(f"http://{url}", server, 60)
        idle = rss_mb([server.pid])
        print(f"{args.sessions} sessions for {args.minutes:g} min on /{args.page} at 200k events "
              f"x 26/52 weeks, new seed each load; {os.cpu_count()} cores, load average "
              f"{os.getloadavg()[0]:.1f}; idle server {idle:.0f} MB")
        r = asyncio.run(soak(url, args.page, args.sessions, args.minutes, server.pid))
        peak, final = max(r["samples"]), r["samples"][-1]
        hwm = next((int(line.split()[1]) / 1024 for line in
                    Path(f"/proc/{server.pid}/status").read_text().splitlines()
                    if line.startswith("VmHWM")), float("nan"))
        print(f"page loads: {r['outcomes']}")
        print(f"server RSS: peak sampled {peak / 1024:.2f} GB, high-water mark {hwm / 1024:.2f} "
              f"GB, at the end {final / 1024:.2f} GB; ceiling {args.ceiling_gb:g} GB; load "
              f"average {os.getloadavg()[0]:.1f}")
        if r["errors"]:
            print(f"{len(r['errors'])} session errors, first: {r['errors'][0]}")
        failed = hwm / 1024 > args.ceiling_gb or r["outcomes"].get("exception", 0) > 0
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
