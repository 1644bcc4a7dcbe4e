"""One Streamlit process of the app on loopback, and the wait until it answers.

``deploy/serve.py`` starts its replicas this way, and so do the load and soak benchmarks and
the browser tests, so every one of them runs the app exactly as a workshop server does (the
repository's ``.streamlit/config.toml`` applies: it is read from the working directory).
"""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def start(port: int, output=subprocess.DEVNULL) -> subprocess.Popen:
    """Start ``streamlit run dashboard/app.py`` on 127.0.0.1:``port`` in its own process group
    (so that stopping the group stops its children too)."""
    return subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard" / "app.py"),
         "--server.port", str(port), "--server.address", "127.0.0.1",
         "--server.headless", "true"],
        cwd=ROOT, stdout=output, stderr=subprocess.STDOUT if output is not subprocess.DEVNULL
        else subprocess.DEVNULL, start_new_session=True)


def wait_healthy(url: str, process: subprocess.Popen, seconds: float = 120) -> None:
    """Return once ``url``'s health check answers "ok"; RuntimeError if ``process`` exits
    first or ``seconds`` pass."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited with status {process.returncode} while starting")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read().strip() == b"ok":
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer its health check within {seconds:.0f} s")
