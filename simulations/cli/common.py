"""What every command shares: the one-line usage error (exit status 2), the argument parser
that raises it, the check that an output path can be written, and progress on stderr."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path


class UsageError(Exception):
    """A problem with the command line or its inputs, reported as one line with exit status 2."""


class Parser(argparse.ArgumentParser):
    def error(self, message):  # one clear line instead of usage + error
        raise UsageError(f"{self.prog}: {message} (see --help)")


class Progress:
    """Prints 'week k/W' to stderr once a run has taken more than a second."""

    def __init__(self, label: str):
        self.label = label
        self.start = time.perf_counter()
        self.last = 0.0
        self.shown = False
        self.tty = sys.stderr.isatty()

    def __call__(self, week: int, weeks: int) -> None:
        now = time.perf_counter() - self.start
        if now < 1.0 or (not self.tty and now - self.last < 2.0 and week < weeks):
            return
        self.last = now
        self.shown = True
        end = "" if self.tty else "\n"
        print(f"\r{self.label}: week {week}/{weeks} ({now:.1f} s)", end=end, file=sys.stderr,
              flush=True)

    def close(self) -> None:
        if self.shown and self.tty:
            print(file=sys.stderr)


def check_writable(path: str | None, flag: str) -> None:
    if path and path != "-":
        parent = Path(path).resolve().parent
        if not parent.is_dir():
            raise UsageError(f"{flag}: folder {str(parent)!r} does not exist")
        if Path(path).is_dir():
            raise UsageError(f"{flag}: {path!r} is a folder, give a file name")
