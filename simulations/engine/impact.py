"""Delayed impact: what this week's decisions do to who arrives in the weeks after it.

After ml-fairness-gym's delayed-impact lending, where an accepted loan moves the group's
credit mass: here a decision that harms a person (the world says which, ``Domain.impact``: a
good payment declined, an item the user would have engaged with hidden) costs the segment a
share of its people. Each segment has a size ``m`` (1 at the start); after week w

    m  <-  m * (1 - response * harmed / events)  +  recovery * (1 - m)

with ``harmed / events`` the share of the segment's events of week w that the final decision
harmed (a segment without events that week loses nothing: nothing happened to it). Week
w + 1 keeps its number of events n and gives segment s the quota

    q_s = n * c_s * m_s / sum_k c_k * m_k        (largest remainders, ties in segment order)

where c_s is the segment's count in the week's natural traffic: the events the world would
have sent without any impact, drawn exactly as a run without impact draws them. So drift
still moves the mix (a new cohort still arrives) and impact reweights it. A segment short of
its quota is topped up from further weeks' worth of natural traffic drawn from a child
stream of the week's generator; every other draw of the run is untouched, and a run without
impact never comes here. The kept events are the first q_s of each segment in the order they
were drawn, so each segment's events are a random sample of its natural traffic.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..domains import Batch, Domain
from ..scenario import Scenario, ScenarioError

MAX_POOLS = 50  # weeks' worth of natural traffic a week may draw to fill its quotas


class ImpactError(ScenarioError):
    """The sizes moved so far that a week cannot be filled from natural traffic."""


def quotas(natural: np.ndarray, size: np.ndarray, n: int) -> np.ndarray:
    """Events per segment for a week of ``n``: proportional to natural count x size, rounded
    by largest remainders (ties to the earlier segment)."""
    weight = natural * size
    total = weight.sum()
    if total <= 0:  # nothing arrives by nature: the natural counts are the quotas
        return natural.astype(np.int64)
    exact = n * weight / total
    out = np.floor(exact).astype(np.int64)
    left = n - int(out.sum())
    order = np.argsort(-(exact - out), kind="stable")
    out[order[:left]] += 1
    return out


class Presence:
    """Each segment's size under the scenario's delayed impact, updated week by week."""

    def __init__(self, scenario: Scenario, domain: Domain):
        self.spec = domain.impact
        self.response = scenario.impact_response
        self.recovery = scenario.impact.recovery
        self.segments = domain.segments
        self.k = len(domain.segments)
        self.size = np.ones(self.k)

    def harmed_share(self, segment: np.ndarray, final: np.ndarray,
                     label: np.ndarray) -> np.ndarray:
        """Per segment, the share of its events the final decision harmed (NaN: no events)."""
        flag = 1 if self.spec.action == "flag" else 0
        harmed = (final == flag) & (label == self.spec.label)
        events = np.bincount(segment, minlength=self.k)
        hurt = np.bincount(segment, weights=harmed, minlength=self.k)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(events > 0, hurt / np.where(events > 0, events, 1), np.nan)

    def update(self, segment: np.ndarray, final: np.ndarray, label: np.ndarray) -> None:
        share = self.harmed_share(segment, final, label)
        lost = np.where(np.isfinite(share), self.response * np.nan_to_num(share), 0.0)
        self.size = self.size * (1 - lost) + self.recovery * (1 - self.size)

    def week(self, first: Batch, draw: Callable[[np.random.Generator], Batch],
             rng: np.random.Generator) -> tuple[Batch, np.ndarray]:
        """This week's events from its natural traffic ``first`` (more drawn with ``draw``
        from ``rng`` when a segment is short), and the natural counts per segment."""
        n = len(first)
        natural = np.bincount(first.segment, minlength=self.k)
        want = quotas(natural, self.size, n)
        pools, have = [first], natural.copy()
        while (have < want).any():
            if len(pools) >= MAX_POOLS:
                short = self.segments[int(np.argmax(want - have))]
                raise ImpactError(
                    f"impact: segment {short!r} would need more than {MAX_POOLS} weeks' worth of "
                    "its natural traffic in one week; lower impact.response or raise "
                    "impact.recovery")
            more = draw(rng)
            pools.append(more)
            have += np.bincount(more.segment, minlength=self.k)
        pool = pools[0] if len(pools) == 1 else Batch.concat(pools)
        rank = _rank_within(pool.segment, self.k)
        keep = np.flatnonzero(rank < want[pool.segment])
        return pool.take(keep), natural


def impact_columns(domain: Domain, segment: np.ndarray, natural: np.ndarray) -> dict:
    """The week's weekly-table columns: each segment's share of the traffic that arrived
    (``traffic_share_<segment>``) and of the natural traffic (``natural_share_<segment>``)."""
    n = len(segment)
    counts = np.bincount(segment, minlength=len(domain.segments))
    return {**{f"traffic_share_{s}": counts[i] / n for i, s in enumerate(domain.segments)},
            **{f"natural_share_{s}": natural[i] / n for i, s in enumerate(domain.segments)}}


def _rank_within(segment: np.ndarray, k: int) -> np.ndarray:
    """Per event, how many events of its segment come before it (0 for the first)."""
    rank = np.empty(len(segment), dtype=np.int64)
    for s in range(k):  # one vectorised pass per segment, not per event
        where = np.flatnonzero(segment == s)
        rank[where] = np.arange(len(where))
    return rank

