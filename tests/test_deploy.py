"""Serving a workshop: the presenter's view of the room, and several replicas behind nginx.

The proxy tests start ``deploy/serve.py`` (two Streamlit replicas and nginx, all on loopback),
open every page through the proxy in Chromium, upload a file and download the HTML report
through it (both need session affinity), then interrupt the script and check that every
process it started is gone. They need nginx (``.ci/run`` installs it) and Chromium.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.teaching.room import ACTIVE_SECONDS, WINDOW_SECONDS, RoomPulse, pulse_sentence
from tests.test_browser import browser  # noqa: F401  (the one Chromium fixture)

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "dashboard" / "app.py")


# -- the room's pulse ----------------------------------------------------------------------

def test_the_pulse_counts_recent_sessions_and_the_p95_of_the_last_minute():
    pulse = RoomPulse()
    now = 10_000.0
    durations = [0.05 * k for k in range(1, 41)]  # 40 updates in the last minute
    for k, seconds in enumerate(durations):
        pulse.record(f"s{k % 7}", seconds, now - k)
    pulse.record("gone", 9.0, now - ACTIVE_SECONDS - 1)  # left long ago: not counted
    pulse.record("earlier", 7.0, now - WINDOW_SECONDS - 5)  # present, but not this minute
    snap = pulse.snapshot(now)
    assert snap["active"] == 8  # s0..s6 and "earlier"
    assert snap["updates"] == 40
    ordered = sorted(durations)
    assert snap["p95"] == ordered[round(0.95 * 39)]  # nearest rank, written out here


def test_the_pulse_sentence_says_who_is_here_and_whether_the_server_keeps_up():
    assert pulse_sentence({"active": 1, "updates": 0, "p95": float("nan")}).startswith(
        "1 participant active")
    busy = pulse_sentence({"active": 31, "updates": 120, "p95": 2.2})
    assert "31 participants" in busy and "under 2.2 s" in busy and "busy" in busy
    assert "keeping up" in pulse_sentence({"active": 5, "updates": 10, "p95": 0.3})
    assert "overloaded" in pulse_sentence({"active": 60, "updates": 400, "p95": 4.0})


def test_presenter_mode_shows_the_room_and_normal_mode_does_not():
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    at.switch_page("views/fraud.py")
    at.run()
    assert not any("participant" in c.value for c in at.caption)
    at.toggle(key="present").set_value(True)
    at.run()
    assert not at.exception
    texts = [c.value for c in at.caption]
    assert any(re.search(r"\d+ participants? active", t) for t in texts), texts


# -- replicas behind nginx -----------------------------------------------------------------

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


def _need_nginx() -> None:
    if NGINX is None:
        if os.environ.get("CI"):
            pytest.fail("CI must run the proxy tests, but nginx is missing")
        pytest.skip("nginx not installed (apt-get install nginx)")


def _start_proxy(port: int, replicas: int = 2,
                 warm: bool = True) -> tuple[subprocess.Popen, list[int]]:
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "deploy" / "serve.py"), "--replicas", str(replicas),
         "--port", str(port), *([] if warm else ["--no-warm"])], cwd=ROOT,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 180
    line = ""
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if line.startswith("serving") or process.poll() is not None:
            break
    if not line.startswith("serving"):
        process.kill()
        raise RuntimeError(f"deploy/serve.py did not start: {line}{process.stdout.read()}")
    nginx = int(re.search(r"nginx \(pid (\d+)\)", line).group(1))
    replicas = [int(p) for p in re.search(r"\(pids ([\d, ]+)\)", line).group(1).split(", ")]
    return process, [nginx, *replicas]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie still answers kill(0): it is dead but not yet reaped
    status = Path(f"/proc/{pid}/status")
    return status.exists() and "zombie" not in status.read_text()




@pytest.fixture(scope="module")
def proxy():
    from tests.test_browser import _free_port

    _need_nginx()
    port = _free_port()
    process, pids = _start_proxy(port)
    yield f"http://127.0.0.1:{port}", process, pids
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=60)


@pytest.mark.browser
def test_the_warm_up_is_not_counted_as_a_participant(proxy, browser):  # noqa: F811
    """serve.py opened every domain page on both replicas before serving; the first person to
    open the presenter's view (first test on this proxy) must not see them counted."""
    from tests.test_browser import wait_until_idle

    url, _, _ = proxy
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    try:
        page.goto(f"{url}/fraud?present=true", wait_until="domcontentloaded")
        page.wait_for_selector('[data-testid="stMain"]', timeout=60_000)
        wait_until_idle(page)
        text = page.locator('[data-testid="stMain"]').inner_text()
        # the warm-up opened four domain pages on each replica: counted, they would make 4+
        assert re.search(r"\b[01] participants? active", text), text[:2000]
    finally:
        context.close()


@pytest.mark.browser
def test_every_page_opens_through_the_proxy_and_uploads_and_downloads_work(proxy, browser,  # noqa: F811
                                                                           tmp_path):
    from tests.test_browser import open_page, wait_until_idle

    url, _, pids = proxy
    assert len(pids) == 3  # nginx and two replicas
    context = browser.new_context(viewport={"width": 1400, "height": 1000},
                                  accept_downloads=True)
    page = context.new_page()
    try:
        for path in ("", "/fraud", "/triage", "/recommendation", "/upload", "/compare",
                     "/rehearsal"):
            open_page(page, f"{url}{path}", f"proxy{path.replace('/', '_') or '_overview'}")
        # an upload must reach the process that owns the session
        scores = tmp_path / "scores.csv"
        scores.write_text("score,label\n" + "".join(f"{(i % 50) / 50:.2f},{int(i % 50 > 30)}\n"
                                                     for i in range(300)))
        page.goto(f"{url}/upload", wait_until="domcontentloaded")
        page.wait_for_selector('[data-testid="stFileUploaderDropzoneInput"]', state="attached",
                               timeout=60_000)
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(scores))
        wait_until_idle(page)
        assert page.locator('[data-testid="stException"]').count() == 0
        assert len(page.locator('[data-testid="stMetricValue"]').all_inner_texts()) >= 5
        # and so must the download of a file the session made
        page.goto(f"{url}/fraud?fraud_tab=Data", wait_until="domcontentloaded")
        page.wait_for_selector('[data-testid="stMain"]', timeout=60_000)
        wait_until_idle(page)
        with page.expect_download(timeout=120_000) as download:
            page.get_by_role("button", name="One-page report (HTML)").first.click()
        path = tmp_path / "report.html"
        download.value.save_as(path)
        assert "<html" in path.read_text()[:500].lower()
    finally:
        context.close()


@pytest.mark.browser
def test_interrupting_the_start_script_stops_every_process_it_started():
    from tests.test_browser import _free_port

    _need_nginx()
    process, pids = _start_proxy(_free_port(), replicas=1, warm=False)
    assert all(_alive(pid) for pid in pids)
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=60) == 0
    deadline = time.monotonic() + 20
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not [pid for pid in pids if _alive(pid)]


def test_the_container_recipes_proxy_matches_the_template():
    """deploy/nginx.compose.conf is the template with the compose services as upstreams."""
    template = (ROOT / "deploy" / "nginx.conf.template").read_text()
    compose = (ROOT / "deploy" / "nginx.compose.conf").read_text()

    def directives(text: str) -> list[str]:
        lines = [ln.strip() for ln in text.splitlines()]
        return [ln for ln in lines if ln and not ln.startswith("#") and "@" not in ln
                and not ln.startswith(("server app", "error_log", "pid ", "listen "))]

    template_lines = [ln for ln in directives(template) if "_temp_path" not in ln]
    assert template_lines == directives(compose)
    assert "hash $tl_affinity consistent;" in compose
    assert compose.count("server app") == 2
