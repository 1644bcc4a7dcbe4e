"""The server's run cache is bounded by bytes (estimated before a run), not by entries."""

from __future__ import annotations

import threading
import time

import pytest

from dashboard.run_cache import MemoryBoundedCache, RunTooLarge
from simulations.engine import RunSize

MB = 2**20


def size(kept_mb: int, peak_mb: int | None = None) -> RunSize:
    return RunSize(1000, kept_mb * MB, (peak_mb or 2 * kept_mb) * MB)


def test_cached_runs_never_hold_more_than_the_budget_and_old_ones_go_first():
    cache = MemoryBoundedCache(budget=1000 * MB, wait=0)
    computed = []
    for i in range(10):
        cache.get(f"run{i}", size(300, 400), lambda i=i: computed.append(i) or i)
        assert cache.used <= 1000 * MB
    assert computed == list(range(10))
    # a new run needs 400 MB of headroom while computing: the newest runs stay cached
    assert "run9" in cache and "run8" in cache and "run0" not in cache
    assert 2 <= len(cache) <= 3
    assert cache.get("run9", size(300, 400), lambda: pytest.fail("recomputed")) == 9


def test_a_run_bigger_than_the_whole_budget_is_refused_with_its_estimate():
    cache = MemoryBoundedCache(budget=1000 * MB, wait=0)
    with pytest.raises(RunTooLarge, match=r"needs about 2\.0 GB .* at most 1\.0 GB"):
        cache.get("huge", size(1000, 2048), lambda: pytest.fail("must not start"))
    assert cache.used == 0


def test_a_run_that_does_not_fit_next_to_running_ones_waits_then_is_refused():
    cache = MemoryBoundedCache(budget=1000 * MB, wait=0.3)
    started, release = threading.Event(), threading.Event()

    def slow():
        started.set()
        release.wait(5)
        return "slow"

    worker = threading.Thread(target=lambda: cache.get("a", size(300, 700), slow))
    worker.start()
    started.wait(5)
    t0 = time.monotonic()
    with pytest.raises(RunTooLarge, match="busy"):
        cache.get("b", size(300, 700), lambda: "b")
    assert time.monotonic() - t0 >= 0.25
    release.set()
    worker.join(5)
    # once the first is done it keeps 300 MB: the second now fits (and evicts nothing it
    # does not have to)
    assert cache.get("b", size(300, 700), lambda: "b") == "b"
    assert cache.used <= 1000 * MB


def test_two_sessions_asking_for_the_same_run_share_one_computation():
    cache = MemoryBoundedCache(budget=1000 * MB, wait=5)
    calls = []

    def compute():
        calls.append(1)
        time.sleep(0.2)
        return "r"

    threads = [threading.Thread(target=lambda: cache.get("k", size(100), compute))
               for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(5)
    assert calls == [1]


def test_a_session_waiting_for_the_same_run_waits_as_long_as_it_takes():
    """60 people opening one link share one run; on a busy machine it can take longer than the
    wait for memory, and nobody must be told to come back for a run already on its way."""
    cache = MemoryBoundedCache(budget=1000 * MB, wait=0.1)
    results, errors = [], []

    def compute():
        time.sleep(0.6)  # six times the wait
        return "r"

    def ask():
        try:
            results.append(cache.get("k", size(100), compute))
        except RunTooLarge as err:
            errors.append(str(err))

    threads = [threading.Thread(target=ask) for _ in range(3)]
    for t in threads:
        t.start()
        time.sleep(0.02)
    for t in threads:
        t.join(5)
    assert errors == [] and results == ["r"] * 3


def test_a_failed_computation_releases_its_reservation():
    cache = MemoryBoundedCache(budget=1000 * MB, wait=0)
    with pytest.raises(ZeroDivisionError):
        cache.get("x", size(300), lambda: 1 / 0)
    assert cache.used == 0 and "x" not in cache


def test_entries_expire_after_their_time_to_live():
    now = [0.0]
    cache = MemoryBoundedCache(budget=1000 * MB, ttl=10, wait=0, clock=lambda: now[0])
    cache.get("k", size(100), lambda: 1)
    now[0] = 11
    assert "k" not in cache and cache.used == 0


def test_the_domain_page_says_when_a_run_would_not_fit_instead_of_running_it(monkeypatch):
    from streamlit.testing.v1 import AppTest

    from dashboard import seam
    from tests.test_pages import APP

    monkeypatch.setattr(seam.runs(), "budget", 64 * MB)
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["fraud_events"] = "200000"
    at.query_params["fraud_weeks"] = "52"
    at.switch_page("views/fraud.py")
    at.run()
    assert not at.exception
    text = " ".join(e.value for e in at.error)
    assert "Not simulated" in text and "GB of memory" in text and "fewer events" in text


def test_peek_answers_only_from_the_cache_and_counts_as_a_use():
    now = [0.0]
    cache = MemoryBoundedCache(budget=600 * MB, ttl=10, wait=0, clock=lambda: now[0])
    assert cache.peek("a") is None and len(cache) == 0  # nothing computed, nothing reserved
    cache.get("a", size(200, 300), lambda: "A")
    cache.get("b", size(200, 300), lambda: "B")
    assert cache.peek("a") == "A" and cache.keys() == ["b", "a"]  # "a" is now the newest
    cache.get("c", size(200, 300), lambda: "C")  # room for c's peak: the oldest, b, goes
    assert cache.keys() == ["a", "c"]
    now[0] = 11
    assert cache.peek("a") is None and cache.keys() == []  # expired
