"""What every command shares: the one-line usage error (exit status 2), the argument parser
that raises it, the ``--scenario`` option, number options that refuse what they cannot hold,
the check that an output path can be written (before any work) and the writer, and progress
on stderr (weeks of one run, or worlds of an ensemble)."""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from pathlib import Path

from ..reporting.safe_csv import write_csv
from ..reporting.text import clip


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


class WorldsProgress:
    """'worlds k/N, elapsed, about T left' on stderr, at most about once a second (the
    progress of the commands that run an ensemble of worlds)."""

    def __init__(self):
        self.last = -1.0
        self.tty = sys.stderr.isatty()

    def __call__(self, done: int, total: int, seconds: float) -> None:
        if done < total and seconds - self.last < 1.0:
            return
        self.last = seconds
        end = "" if self.tty and done < total else "\n"
        left = (f"about {seconds / done * (total - done):.0f} s left" if done
                else "the first ones are running")
        print(f"\rworlds {done}/{total} ({seconds:.1f} s, {left})", end=end,
              file=sys.stderr, flush=True)


def add_scenario_argument(parser: argparse.ArgumentParser) -> None:
    """``--scenario``, the world every simulating command starts from (``resolve_scenario``
    reads it)."""
    parser.add_argument("--scenario", required=True,
                        help="a domain name, a preset name, a scenario or preset JSON file, or "
                             "a JSON object")


def check_parallel(workers: int, scheduler: str | None) -> None:
    """``--workers`` and ``--dask-scheduler`` of the commands that run many worlds: at least
    one worker, and Dask distributed installed when a scheduler is named."""
    if workers < 1:
        raise UsageError(f"--workers {workers}: give at least 1")
    if scheduler:
        try:
            import distributed  # noqa: F401
        except ImportError:
            raise UsageError("--dask-scheduler needs Dask distributed: pip install -e "
                             "\".[cluster]\"") from None


def check_writable(path: str | None, flag: str) -> None:
    """Refuse, before any work, an output that cannot be written (opening it for appending
    is the test; a file this creates is removed again)."""
    if path and path != "-":
        shown = clip(path, 80)
        parent = Path(path).resolve().parent
        if not parent.is_dir():
            raise UsageError(f"{flag}: folder {clip(parent, 80)!r} does not exist")
        if Path(path).is_dir():
            raise UsageError(f"{flag}: {shown!r} is a folder, give a file name")
        existed = os.path.lexists(path)
        try:
            with open(path, "a", encoding="utf-8"):
                pass
        except OSError as err:
            raise UsageError(f"{flag}: cannot write {shown!r}: "
                             f"{err.strerror or err}") from None
        if not existed:
            os.remove(path)


def write_output(frame, path: str | None, flag: str) -> None:
    """A table as formula-safe CSV to ``path`` (standard output for none or "-"); a failed
    write names the file and the option."""
    if not path or path == "-":
        write_csv(frame, sys.stdout)
        return
    try:
        write_csv(frame, path)
    except OSError as err:
        raise UsageError(f"{flag}: writing {clip(path, 80)!r} failed: "
                         f"{err.strerror or err}") from None


def whole(text: str) -> int:
    """A whole number from the command line; a long one is refused without being repeated."""
    if len(text.strip()) > 30:
        raise argparse.ArgumentTypeError(f"{clip(text, 30)!r} is not a whole number in range")
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{clip(text, 30)!r} is not a whole number") from None


def number(text: str) -> float:
    """A finite number from the command line (inf, nan and 1e400 are refused)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{clip(text, 30)!r} is not a number") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{clip(text, 30)!r} is not a finite number")
    return value
