"""How much memory a run will need, estimated from the scenario alone before anything runs.

The command line refuses a run whose peak would not fit, and the dashboard's run cache is
bounded by the bytes its runs hold (``dashboard/run_cache.py``); both ask ``estimate_size``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..domains import Domain, DriftState, get_domain
from ..scenario import Scenario

# Arrays a finished run keeps per event besides the generated batch: week, score, two review
# and reveal draws, model version, final decision, seen flags, label week and the week the
# outcome arrives (~49 bytes), and the BandTable's sorted order, scores and cumulative counts
# and costs (72 bytes).
_KEPT_PER_EVENT = 49 + 72
# Peak over kept, measured with VmHWM of CLI runs (tests/test_safety.py checks the estimate):
# the per-week arrays are concatenated once more at the end and the band table sorts a copy.
PEAK_FACTOR = 2.1
_FIXED_BYTES = 64 * 2**20  # models, weekly and drift tables, scikit-learn's working memory


_BYTES_PER_EVENT: dict[str, int] = {}


def batch_bytes_per_event(domain: Domain) -> int:
    """Bytes one generated event takes in ``domain`` (features, label, value, segment, extras);
    measured once per domain (a page asks on every band move)."""
    if domain.name not in _BYTES_PER_EVENT:
        _BYTES_PER_EVENT[domain.name] = _measure_bytes_per_event(domain)
    return _BYTES_PER_EVENT[domain.name]


def _measure_bytes_per_event(domain: Domain) -> int:
    batch = domain.generate(64, domain.base_rate, DriftState(),
                            domain.make_world(np.random.default_rng(0)),
                            np.random.default_rng(0))
    arrays = [batch.numeric, batch.categorical, batch.label, batch.value, batch.segment,
              *batch.extra.values()]
    return -(-sum(a.nbytes for a in arrays) // 64)


@dataclass(frozen=True)
class RunSize:
    """What a run will hold once finished (``kept``) and at its peak, in bytes, estimated from
    the scenario alone before anything is simulated."""

    events: int
    kept: int
    peak: int

    def describe(self) -> str:
        return (f"{self.events:,} events: about {_gb(self.kept)} kept, {_gb(self.peak)} at "
                f"peak")


def _gb(n: int) -> str:
    return f"{n / 2**30:,.1f} GB" if n >= 2**30 else f"{n / 2**20:,.0f} MB"


def estimate_size(scenario: Scenario) -> RunSize:
    """The memory ``run(scenario)`` needs, before running it (see ``RunSize``)."""
    pop = scenario.population
    per_event = batch_bytes_per_event(get_domain(scenario.domain)) + _KEPT_PER_EVENT
    events = pop.events_per_week * pop.weeks
    kept = events * per_event + _FIXED_BYTES
    reference = pop.events_per_week * pop.reference_weeks * per_event
    return RunSize(events, kept, int(PEAK_FACTOR * events * per_event) + reference
                   + _FIXED_BYTES)
