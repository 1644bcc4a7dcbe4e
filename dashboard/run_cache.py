"""A cache of simulation runs bounded by the memory they hold, shared by a server's sessions.

A count of entries says nothing about memory: eight runs of 200k events x 26 weeks hold
~12 GB. Here every run's size is estimated before it starts
(``simulations.engine.estimate_size``): while it is computed it reserves its peak, once
cached it counts what it keeps, and the sum over cached and running runs stays within
``budget`` bytes. To make room the least recently used runs are dropped; a run that still
does not fit next to the runs being computed waits up to ``wait`` seconds for them, then
``RunTooLarge`` says why. Two sessions asking for the same run share one computation, and the
second waits for it however long it takes (its memory is already reserved).
Pure Python (no Streamlit), so it is tested on its own.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from simulations.engine import RunSize


class RunTooLarge(Exception):
    """A run the server cannot hold now (or ever); the message says which and what to do."""


def _gb(n: float) -> str:
    return f"{n / 2**30:.1f} GB"


class MemoryBoundedCache:
    def __init__(self, budget: int, ttl: float = 3600.0, wait: float = 20.0,
                 clock: Callable[[], float] = time.monotonic):
        self.budget, self.ttl, self.wait, self.clock = budget, ttl, wait, clock
        self._entries: OrderedDict[str, tuple[Any, int, float]] = OrderedDict()
        self._running: dict[str, int] = {}
        self._lock = threading.Condition()

    @property
    def used(self) -> int:
        """Bytes held by cached runs plus bytes reserved by runs being computed."""
        with self._lock:
            return self._used()

    def _used(self) -> int:
        return sum(kept for _, kept, _ in self._entries.values()) + sum(self._running.values())

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: str) -> bool:
        with self._lock:
            self._expire()
            return key in self._entries

    def _expire(self) -> None:
        now = self.clock()
        for key in [k for k, (_, _, t) in self._entries.items() if now - t > self.ttl]:
            del self._entries[key]

    def _reserve(self, key: str, size: RunSize) -> Any:
        """The cached value, or None after reserving ``size.peak`` for computing it."""
        if size.peak > self.budget:
            raise RunTooLarge(
                f"this simulation needs about {_gb(size.peak)} of memory ({size.describe()}); "
                f"this server runs at most {_gb(self.budget)} of simulations at a time: use "
                "fewer events per week or fewer weeks")
        deadline = time.monotonic() + self.wait
        while True:
            self._expire()
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key][0]
            if key in self._running:  # another session is computing this very run: its
                self._lock.wait(timeout=1.0)  # memory is reserved, so wait as long as it takes
                deadline = time.monotonic() + self.wait
                continue
            while self._entries and self._used() + size.peak > self.budget:
                self._entries.popitem(last=False)  # least recently used first
            if self._used() + size.peak <= self.budget:
                self._running[key] = size.peak
                return None
            left = deadline - time.monotonic()
            if left <= 0:
                raise RunTooLarge(
                    f"the server is busy with other large simulations ({_gb(self._used())} "
                    f"of {_gb(self.budget)} in use; this one needs about {_gb(size.peak)}): "
                    "try again in a moment, or use fewer events per week or fewer weeks")
            self._lock.wait(timeout=left)

    def keys(self) -> list[str]:
        """The keys of the cached runs, least recently used first."""
        with self._lock:
            return list(self._entries)

    def peek(self, key: str) -> Any:
        """The cached run under ``key`` (marked as just used), or None: a band move asks this
        first, without estimating the size of a run that is already here."""
        with self._lock:
            self._expire()
            if key not in self._entries:
                return None
            self._entries.move_to_end(key)
            return self._entries[key][0]

    def get(self, key: str, size: RunSize, compute: Callable[[], Any], keep: bool = True) -> Any:
        """The run under ``key``, computed with ``compute()`` if it is not cached. With
        ``keep=False`` the computation only reserves memory while it runs (for results that
        are small once done) and nothing is cached."""
        with self._lock:
            cached = self._reserve(key, size)
        if cached is not None:
            return cached
        try:
            value = compute()
        except BaseException:
            with self._lock:
                del self._running[key]
                self._lock.notify_all()
            raise
        with self._lock:
            del self._running[key]
            if keep:
                self._entries[key] = (value, size.kept, self.clock())
            while len(self._entries) > 1 and self._used() > self.budget:
                self._entries.popitem(last=False)
            self._lock.notify_all()
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._lock.notify_all()
