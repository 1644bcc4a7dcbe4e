"""Serve one workshop from several Streamlit processes behind nginx, in the foreground.

    python deploy/serve.py [--replicas 2] [--port 8501] [--address 127.0.0.1] [--no-warm]

A Streamlit server is one Python process and uses one core. This starts ``--replicas``
Streamlit processes of ``dashboard/app.py`` on loopback ports, waits until each answers its
health check, writes an nginx configuration (``deploy/nginx.conf.template``: session affinity
by a cookie, websockets upgraded, the 100 MB upload limit) into a temporary folder and runs
nginx in the foreground on ``--address:--port``. Participants open that one address.
Before it says it is serving, it opens each domain page once on every replica
(``deploy/warm.py``), so the first participants find the default simulations computed; this
takes about half a minute, and ``--no-warm`` skips it.

Ctrl-C (SIGINT) or SIGTERM stops every process it started, by its own process id (each in its
own process group, so a replica's children go too), then removes the temporary folder. If any
process dies on its own, the others are stopped as well and the exit status is 1.

Needs nginx on the PATH (Debian: ``apt-get install nginx``); nothing is installed or changed
outside the temporary folder.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from replica import start, wait_healthy
from warm import DOMAIN_PAGES, warm

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = Path(__file__).resolve().parent / "nginx.conf.template"
STOP_SECONDS = 15


def free_port(address: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((address, 0))
        return s.getsockname()[1]


def nginx_config(prefix: Path, listen: str, backends: list[int]) -> str:
    upstreams = "\n".join(f"        server 127.0.0.1:{port} max_fails=0;" for port in backends)
    return (TEMPLATE.read_text().replace("@PREFIX@", str(prefix))
            .replace("@LISTEN@", listen).replace("@UPSTREAMS@", upstreams))


def stop(processes: list[subprocess.Popen]) -> None:
    """SIGTERM to each process group, then SIGKILL to whatever is still there."""
    for p in processes:
        if p.poll() is None:
            try:
                os.killpg(p.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
    deadline = time.monotonic() + STOP_SECONDS
    for p in processes:
        try:
            p.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            p.wait()


class _Stop(Exception):
    pass


def _raise_stop(signum, frame):  # noqa: ARG001
    raise _Stop


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicas", type=int, default=2, help="Streamlit processes (2)")
    parser.add_argument("--port", type=int, default=8501, help="the proxy's port (8501)")
    parser.add_argument("--address", default="127.0.0.1",
                        help="the proxy's address (127.0.0.1; 0.0.0.0 for a room's network)")
    parser.add_argument("--no-warm", action="store_true",
                        help="do not open the domain pages once on each replica before serving")
    args = parser.parse_args(argv)
    if not 1 <= args.replicas <= 64:
        print(f"error: --replicas {args.replicas} must be between 1 and 64", file=sys.stderr)
        return 2
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists()
                                      else None)
    if nginx is None:
        print("error: nginx is not installed (Debian: apt-get install nginx)", file=sys.stderr)
        return 2

    signal.signal(signal.SIGTERM, _raise_stop)
    signal.signal(signal.SIGINT, _raise_stop)
    prefix = Path(tempfile.mkdtemp(prefix="tradeoff-lab-proxy-"))
    processes: list[subprocess.Popen] = []
    status = 0
    try:
        ports = [free_port() for _ in range(args.replicas)]
        for port in ports:
            processes.append(start(port))
        for port, process in zip(ports, processes, strict=True):
            wait_healthy(f"http://127.0.0.1:{port}", process)
        if not args.no_warm:
            print(f"warming {', '.join(DOMAIN_PAGES)} on {len(ports)} replicas…", flush=True)
            try:
                warm([f"127.0.0.1:{port}" for port in ports])
            except (OSError, TimeoutError) as err:
                raise RuntimeError(f"warming the replicas failed: {err}") from None
        # nginx's workers run as an unprivileged user when started as root: let them write
        # their temporary files (large uploads are buffered there)
        prefix.chmod(0o755)
        for sub in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (prefix / sub).mkdir(mode=0o777)
            (prefix / sub).chmod(0o777)
        conf = prefix / "nginx.conf"
        conf.write_text(nginx_config(prefix, f"{args.address}:{args.port}", ports))
        check = subprocess.run([nginx, "-t", "-q", "-p", str(prefix), "-c", str(conf)],
                               capture_output=True, text=True)
        if check.returncode != 0:
            raise RuntimeError("nginx rejected the configuration: " + check.stderr.strip())
        processes.append(subprocess.Popen(
            [nginx, "-p", str(prefix), "-c", str(conf), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True))
        wait_healthy(f"http://127.0.0.1:{args.port}", processes[-1], 30)
        pids = ", ".join(str(p.pid) for p in processes[:-1])
        print(f"serving http://{args.address}:{args.port} through nginx (pid "
              f"{processes[-1].pid}) with {args.replicas} Streamlit replicas (pids {pids}); "
              "Ctrl-C stops them all", flush=True)
        while all(p.poll() is None for p in processes):
            time.sleep(0.5)
        dead = next(p for p in processes if p.poll() is not None)
        print(f"error: process {dead.pid} exited with status {dead.returncode}; stopping the "
              "others", file=sys.stderr)
        status = 1
    except _Stop:
        print("stopping", flush=True)
    except RuntimeError as err:
        print(f"error: {err}", file=sys.stderr)
        status = 1
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        stop(processes)
        shutil.rmtree(prefix, ignore_errors=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
