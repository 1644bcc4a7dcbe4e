"""Views that many sessions show at once, computed once for all of them.

In a workshop most people look at the same view: the same scenario, the same band (the slider
moves in steps of 0.005, and a story step sets one band for the room). ``SharedViews`` keeps
the last ``entries`` views by key (whatever identifies a view completely: the scenario with
its band, the display options), least recently used dropped first. Two sessions asking for a
view that is being computed share that one computation. ``built`` and ``served`` count
computations and answers from the store. Values are treated as read-only by every session.
Pure Python (no Streamlit), so it is tested on its own.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any


class SharedViews:
    def __init__(self, entries: int = 256):
        self.entries = entries
        self.built = 0  # views computed
        self.served = 0  # answers from the store (or from another session's computation)
        self._done: OrderedDict[Hashable, Any] = OrderedDict()
        self._running: dict[Hashable, threading.Event] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._done)

    def get(self, key: Hashable, build: Callable[[], Any]) -> Any:
        """The view under ``key``, computed with ``build()`` only if no session has it."""
        while True:
            with self._lock:
                if key in self._done:
                    self._done.move_to_end(key)
                    self.served += 1
                    return self._done[key]
                running = self._running.get(key)
                if running is None:
                    running = self._running[key] = threading.Event()
                    break
            running.wait()  # another session computes this view: take its answer
        try:
            value = build()
        except BaseException:
            with self._lock:
                del self._running[key]
            running.set()  # a waiting session computes it itself
            raise
        with self._lock:
            self._done[key] = value
            self.built += 1
            while len(self._done) > self.entries:
                self._done.popitem(last=False)
            del self._running[key]
        running.set()
        return value
