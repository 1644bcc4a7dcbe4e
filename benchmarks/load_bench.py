"""Workshop load: many browser-like sessions moving the band slider on one server (loopback only).

    python benchmarks/load_bench.py [--sessions 60] [--moves 5] [--page fraud] [--think 1.5 4]
                                    [--first-think 0 0] [--replicas N] [--warm]

Starts ``streamlit run dashboard/app.py`` on a free localhost port, opens ``--sessions``
websocket sessions on ``/_stcore/stream`` (subprotocol ``streamlit``, protobuf ``BackMsg`` /
``ForwardMsg``), loads the domain page in each, then every session moves the band slider
``--moves`` times, all sessions at once; after each result a session "looks" for a random
``--think`` interval (default 1.5-4 s: reading the KPIs before the next drag) before moving
again; ``--think 0.2 1`` is a stress test of people dragging non-stop. ``--first-think``
is the wait before a session's first move (default: the same as ``--think``);
``--first-think 0 0`` is a room that starts dragging together the moment the page has loaded
(every session moves as soon as the last one has loaded). Prints the
rerun latency (a move sent until the server reports the script finished) p50 / p95 / max, the
page-load latency, and the server's resident memory before, after the loads and at the end.
With ``--replicas N`` the load goes through ``deploy/serve.py``: N Streamlit processes behind
nginx, every session carrying its own affinity cookie as a browser would, and the memory
figures are the sum over the replicas. ``--warm`` opens the page once before the sessions
come (``deploy/warm.py``: what an instructor who tried the link, or ``deploy/serve.py``'s
warm-up, leaves behind); without it the first wave also waits for the page's simulation.
Bounded: a fixed number of sessions and reruns, every wait has a timeout, and the server is
stopped by its process id at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import websockets

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "deploy"))
from replica import start, wait_healthy  # noqa: E402
from stream_protocol import TIMEOUT, read_run, rerun_message  # noqa: E402
from warm import warm  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pids: list[int]) -> float:
    """Resident memory of the server processes, summed."""
    total = 0.0
    for pid in pids:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1]) / 1024
    return total


async def session(url: str, page: str, moves: int, rng: random.Random, loads: list[float],
                  latencies: list[float], errors: list[str], start_moving: asyncio.Event,
                  loaded: list[int], think: tuple[float, float],
                  first_think: tuple[float, float]) -> None:
    try:
        # each session is one browser: its own affinity cookie (used behind the proxy)
        cookie = {"Cookie": f"tl_replica={rng.getrandbits(64):016x}"}
        async with websockets.connect(f"ws://{url}/_stcore/stream", subprotocols=["streamlit"],
                                      origin=f"http://{url}", max_size=None,
                                      open_timeout=TIMEOUT, additional_headers=cookie,
                                      ping_interval=None) as ws:  # browsers send no pings
            t0 = time.perf_counter()
            await ws.send(rerun_message(page))
            slider_id, fragment_id = (await read_run(ws.recv)).widget("slider", f"{page}_band")
            loads.append(time.perf_counter() - t0)
            loaded[0] += 1
            if slider_id is None:
                raise RuntimeError("band slider not found in the page")
            await asyncio.wait_for(start_moving.wait(), TIMEOUT)
            for move in range(moves):
                # a person looks, then drags again
                await asyncio.sleep(rng.uniform(*(first_think if move == 0 else think)))
                low = round(rng.uniform(0.02, 0.2), 3)
                band = (low, round(rng.uniform(low, 0.8), 3))
                t0 = time.perf_counter()
                await ws.send(rerun_message(page, slider_id, band, fragment_id))
                await read_run(ws.recv)
                latencies.append(time.perf_counter() - t0)
    except Exception as err:  # reported, not raised: one failing session must not hide the rest
        errors.append(f"{type(err).__name__}: {err}")


async def drive(url: str, page: str, sessions: int, moves: int, pids: list[int],
                think: tuple[float, float], first_think: tuple[float, float]) -> dict:
    rng = random.Random(0)
    loads, latencies, errors = [], [], []
    start_moving = asyncio.Event()
    loaded = [0]
    memory = {"idle": rss_mb(pids)}
    tasks = [asyncio.create_task(session(url, page, moves, random.Random(rng.random()), loads,
                                         latencies, errors, start_moving, loaded, think,
                                         first_think))
             for _ in range(sessions)]
    deadline = time.monotonic() + TIMEOUT * 2
    while loaded[0] + len(errors) < sessions and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
    memory["after loads"] = rss_mb(pids)
    start_moving.set()
    await asyncio.wait_for(asyncio.gather(*tasks), TIMEOUT * 3)
    memory["after moves"] = rss_mb(pids)
    return {"loads": loads, "latencies": latencies, "errors": errors, "memory": memory}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=60)
    parser.add_argument("--moves", type=int, default=5)
    parser.add_argument("--page", default="fraud", choices=["fraud", "triage", "recommendation"])
    parser.add_argument("--think", type=float, nargs=2, default=(1.5, 4.0),
                        metavar=("MIN", "MAX"), help="seconds between a result and the next move")
    parser.add_argument("--first-think", type=float, nargs=2, default=None,
                        metavar=("MIN", "MAX"),
                        help="seconds before a session's first move, once every session has "
                             "loaded (default: --think; 0 0: the room drags together)")
    parser.add_argument("--pause", type=float, default=0.0,
                        help="seconds between rounds (lets the server drop closed sessions)")
    parser.add_argument("--rounds", type=int, default=2,
                        help="repeat the whole load this many times (memory should stay flat)")
    parser.add_argument("--replicas", type=int, default=0,
                        help="serve through deploy/serve.py: this many Streamlit processes "
                             "behind nginx (0: one Streamlit process, no proxy)")
    parser.add_argument("--warm", action="store_true",
                        help="open the page once before the load (first loads find its run)")
    args = parser.parse_args()
    think = tuple(args.think)
    first_think = think if args.first_think is None else tuple(args.first_think)
    for name, (low, high) in (("--think", think), ("--first-think", first_think)):
        if not 0 <= low <= high:
            parser.error(f"{name} needs 0 <= MIN <= MAX seconds, got {low:g} {high:g}")

    port = free_port()
    if args.replicas:
        server = subprocess.Popen(
            [sys.executable, str(ROOT / "deploy" / "serve.py"), "--replicas",
             str(args.replicas), "--port", str(port), *([] if args.warm else ["--no-warm"])],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            start_new_session=True)
        line = server.stdout.readline()
        while line.startswith("warming"):
            line = server.stdout.readline()
        if not line.startswith("serving"):
            raise RuntimeError(f"deploy/serve.py did not start: {line}")
        pids = [int(p) for p in line.split("(pids ", 1)[1].split(")")[0].split(", ")]
    else:
        server = start(port)
        pids = [server.pid]
    url = f"127.0.0.1:{port}"
    try:
        wait_healthy(f"http://{url}", server, 60)
        if args.warm and not args.replicas:  # serve.py warms its replicas itself
            warm([url], [args.page])
        where = (f"{args.replicas} replicas behind nginx" if args.replicas
                 else "one Streamlit process") + (", page opened once before" if args.warm
                                                  else ", cold server")
        first = ("first move at once, all sessions together" if first_think == (0, 0)
                 else f"first move after {first_think[0]:g}-{first_think[1]:g} s")
        print(f"{args.sessions} sessions x {args.moves} band moves on /{args.page}, {first}, "
              f"then think time {think[0]:g}-{think[1]:g} s, {where}, {os.cpu_count()} cores, "
              f"load average {os.getloadavg()[0]:.1f}")
        for round_no in range(1, args.rounds + 1):
            r = asyncio.run(drive(url, args.page, args.sessions, args.moves, pids, think,
                                  first_think))
            lat = r["latencies"]
            if r["loads"]:
                print(f"round {round_no}: {len(r['loads'])} page loads, "
                      f"p50 {statistics.median(r['loads']):.2f} s, "
                      f"p95 {percentile(r['loads'], 0.95):.2f} s")
            else:
                print(f"round {round_no}: no page load finished")
            if lat:
                print(f"  band move rerun latency over {len(lat)} moves: "
                      f"p50 {statistics.median(lat) * 1e3:.0f} ms, "
                      f"p95 {percentile(lat, 0.95) * 1e3:.0f} ms, max {max(lat) * 1e3:.0f} ms")
            print("  server RSS: " + ", ".join(f"{k} {v:.0f} MB" for k, v in r["memory"].items()))
            if r["errors"]:
                print(f"  {len(r['errors'])} session errors, first: {r['errors'][0]}")
            if round_no < args.rounds:
                time.sleep(args.pause)
    finally:
        os.killpg(server.pid, signal.SIGINT if args.replicas else signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


if __name__ == "__main__":
    main()
