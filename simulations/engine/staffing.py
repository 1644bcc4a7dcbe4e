"""Staffing a review queue for one working day: Erlang C, and what it says in words.

Erlang C (M/M/N, first come first served) is stationary: it describes one working day with
steady arrivals, not a backlog carried across weeks (``engine.queue`` plays that). With
arrivals lambda an hour and a handling time of h hours per review, the offered load is
A = lambda h (in analysts' worth of work); with N analysts and A < N

    P(wait) = C(N, A) = N B / (N - A (1 - B)),  B = Erlang B(N, A) by the stable recursion
    B(0) = 1, B(k) = A B(k-1) / (k + A B(k-1)),
    P(wait <= t) = 1 - C(N, A) exp(-(N - A) t / h).

For A >= N the queue grows without limit and Erlang C is undefined: NaN here, and a plain
sentence on the page.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


def erlang_c(load: float, agents: int) -> float:
    """Probability that an arrival has to wait; NaN when ``load >= agents`` (no steady state)."""
    if agents <= 0 or load >= agents:
        return float("nan")
    b = 1.0
    for k in range(1, agents + 1):
        b = load * b / (k + load * b)
    return agents * b / (agents - load * (1 - b))


def service_level(per_hour: float, handle_hours: float, agents: int, target_hours: float) -> float:
    """Share of arrivals answered within ``target_hours`` (NaN when demand exceeds the agents)."""
    load = per_hour * handle_hours
    c = erlang_c(load, agents)
    if math.isnan(c):
        return float("nan")
    return 1.0 - c * math.exp(-(agents - load) * target_hours / handle_hours)


def agents_needed(per_hour: float, handle_hours: float, target_hours: float,
                  level: float = 0.8) -> int:
    """The fewest agents for which ``service_level`` reaches ``level``."""
    n = max(1, math.floor(per_hour * handle_hours) + 1)
    while service_level(per_hour, handle_hours, n, target_hours) < level:
        n += 1
    return n


@dataclass(frozen=True)
class DayView:
    """One working day of a review team, as Erlang C sees it."""

    per_hour: float  # review demand an hour while the team works
    handle_hours: float  # hours of one analyst's paid time per review (shrinkage included)
    analysts: float  # on duty (the capacity's equivalent when not given as people)
    target_hours: float
    level: float  # share decided within the target with int(analysts) on duty; NaN if overloaded
    needed: int  # analysts to decide 80% within the target
    sentence: str


def _hours(h: float) -> str:
    return f"{h * 60:g} min" if h < 1 else f"{h:g} h"


def day_view(review, weekly_demand: float, people: str = "analysts") -> DayView:
    """Erlang C for an average working day: the week's review demand worked over
    ``working_days`` sessions of ``hours_per_day`` hours."""
    per_hour = weekly_demand / review.working_days / review.hours_per_day
    handle = 1.0 / (review.items_per_hour * (1.0 - review.shrinkage))
    per_analyst_day = review.hours_per_day / handle
    on_duty = (review.analysts if review.analysts is not None
               else review.capacity / review.working_days / per_analyst_day)
    agents, load, target = int(math.floor(on_duty + 1e-9)), per_hour * handle, review.target_hours
    level = service_level(per_hour, handle, agents, target)
    needed = agents_needed(per_hour, handle, target) if per_hour > 0 else 0
    if per_hour <= 0:
        sentence = "No review demand: nobody waits."
    elif math.isnan(level):
        sentence = (f"Demand is {load:.1f} {people}' worth of work while {on_duty:.1f} are on "
                    f"duty: the queue grows every day, and Erlang C, which assumes a queue "
                    f"that settles, has no answer. To decide 80% within "
                    f"{_hours(target)} on a steady day you need {needed} {people}.")
    else:
        sentence = (f"Erlang C for one working day: with {agents} {people} "
                    f"({load:.1f} of them busy on average) {level:.0%} are decided within "
                    f"{_hours(target)}; to decide 80% within {_hours(target)} you need "
                    f"{needed} {people}.")
    return DayView(per_hour, handle, on_duty, target, level, needed, sentence)


def queue_summary(review, weekly_demand: float, people: str, default_word: str) -> str:
    """The queue's order, staffing and one-day Erlang C view, in words for the page."""
    if review.analysts is not None:
        staffed = (f"{review.analysts:g} {people} x {review.hours_per_day:g} h x "
                   f"{review.items_per_hour:g} an hour x {1 - review.shrinkage:.0%} of the "
                   f"time reviewing x {review.working_days} days = {review.capacity:,} a week")
    else:
        staffed = f"{review.capacity:,} a week over {review.working_days} working days"
    return (f"Oldest first: {staffed}; a case waiting {review.max_wait_hours:g} h takes "
            f"'{default_word}' (expired). "
            f"{day_view(review, weekly_demand, people).sentence}")
