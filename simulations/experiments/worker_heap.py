"""Letting a worker process keep the memory of one world for the next.

A world allocates and frees tens of megabytes of week-sized numpy arrays. In a process that
holds nothing else (a loky or Dask worker: each world's result is pickled back and freed),
glibc's malloc gives the top of the heap back to the system at the end of every world, so the
next world page-faults all of it afresh: measured at 5,000 events a week, about 7,900 minor
page faults a world in a worker against about 2,000 in the calling process, which keeps its
results and so its heap (a tenth or so of a world's CPU time). ``keep_freed_heap`` asks malloc
once per process to keep what it frees (up to ``TRIM_BYTES`` above the heap's top) and to
serve arrays below ``MMAP_BYTES`` from the heap, glibc's own ceiling for its adaptive
threshold, so a worker stays at the footprint of its largest world instead of shrinking and
growing again. Elsewhere than glibc (macOS, musl, Windows) it does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import threading

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # glibc's mallopt parameters (malloc.h)
TRIM_BYTES = 1 << 30  # freed memory kept at the heap's top before any goes back
MMAP_BYTES = 32 << 20  # larger blocks are still mapped and unmapped on their own
_lock = threading.Lock()
_done = False


def keep_freed_heap() -> bool:
    """Set this process's malloc to keep freed heap memory; True when it took effect (first
    call in a glibc process), False otherwise. Safe to call from every job."""
    global _done
    with _lock:
        if _done:
            return False
        _done = True
        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
            mallopt = libc.mallopt
            libc.gnu_get_libc_version  # noqa: B018 -- only glibc has it: musl's mallopt differs
        except (OSError, AttributeError):
            return False
        mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
        # the mmap threshold first: setting either fixes both (glibc stops adapting them)
        return bool(mallopt(M_MMAP_THRESHOLD, MMAP_BYTES)) and bool(
            mallopt(M_TRIM_THRESHOLD, TRIM_BYTES))
