"""What one more person on a review team buys, on the same traffic: waiting and money.

For a queued scenario (``review.overflow_action = "queue"``) the same run's scores are
answered twice at a band, with the team as it is and with one more person (``analysts`` + 1,
or, where capacity is given as a number, one person's reviews a week more: working days x
floor(hours x items an hour x (1 - shrinkage))). Only the queue is replayed: the traffic, the
scores and the reviewers' draws are the same, so the difference is the person's alone. Where
the band changes which labels are seen (and so the models), the answer needs a new
simulation and is not given here.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from .outcome import Outcome


@dataclass(frozen=True)
class OneMore:
    """The queue's horizon figures with the team as it is (``now``) and one person more."""

    added_per_week: int
    now: dict[str, float]
    more: dict[str, float]


def _figures(weekly) -> dict[str, float]:
    reviewed = weekly["reviewed"].to_numpy(dtype=float)
    share = weekly["within_target"].to_numpy(dtype=float)
    done = reviewed.sum()
    return {"backlog": float(weekly["backlog"].mean()),
            "within_target": float(np.nansum(share * reviewed) / done) if done else math.nan,
            "expired": float(weekly["review_expired"].sum()),
            "abandoned": float(weekly["review_abandoned"].sum()),
            "cost_total": float(weekly["cost_total"].sum())}


def one_more(result, band: tuple[float, float]) -> OneMore | None:
    """The figures at ``band`` now and with one more person; None without a queue or where the
    band changes the model history (``scenario.policy_changes_labels``)."""
    s = result.scenario.with_policy(*band)
    review = s.review
    if not review.queued or s.policy_changes_labels:
        return None
    if review.analysts is not None:
        bigger = replace(review, analysts=review.analysts + 1)
    else:
        per_day = math.floor(review.hours_per_day * review.items_per_hour
                             * (1 - review.shrinkage) + 1e-9)
        bigger = replace(review, capacity=review.capacity + review.working_days * per_day)
    outcomes = [Outcome(sc, result.domain, result.table, result.band_free, result.arrays,
                        result.memo) for sc in (s, replace(s, review=bigger))]
    return OneMore(bigger.capacity - review.capacity,
                   *(_figures(o.core) for o in outcomes))


def one_more_sentence(answer: OneMore, person: str, target_hours: float,
                      money: Callable[[float], str]) -> str:
    """``answer`` in words: waiting first, then money (reviews cost what they cost; a salary
    is not in the model)."""
    a, b = answer.now, answer.more
    target = f"{target_hours * 60:g} min" if target_hours < 1 else f"{target_hours:g} h"

    def share(x: float) -> str:
        return "undefined" if math.isnan(x) else f"{x:.0%}"

    saved = a["cost_total"] - b["cost_total"]
    money_words = (f"saves {money(saved)}" if saved >= 0 else f"costs {money(-saved)} more")
    return (f"One more {person} (+{answer.added_per_week:,} reviews a week) buys: backlog at "
            f"the week's end {a['backlog']:,.0f} → {b['backlog']:,.0f} on average, decided "
            f"within {target} {share(a['within_target'])} → {share(b['within_target'])}, "
            f"{a['expired'] - b['expired']:,.0f} fewer expiries and "
            f"{a['abandoned'] - b['abandoned']:,.0f} fewer give-ups; over the run it "
            f"{money_words} (reviews, errors and give-ups; the person's salary is not in the "
            "model).")
