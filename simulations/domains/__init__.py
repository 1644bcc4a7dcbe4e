"""The synthetic worlds, by name."""

from __future__ import annotations

from . import assistant, fraud, recommendation, triage
from .base import ACTIONS, Batch, Domain, DriftState

DOMAINS: dict[str, Domain] = {
    d.name: d for d in (fraud.DOMAIN, triage.DOMAIN, recommendation.DOMAIN, assistant.DOMAIN)
}


def get_domain(name: str) -> Domain:
    """The domain called ``name``; a ValueError lists the known names otherwise."""
    try:
        return DOMAINS[name]
    except KeyError:
        known = ", ".join(DOMAINS)
        raise ValueError(f"unknown domain {name!r}; choose one of: {known}") from None


__all__ = ["ACTIONS", "DOMAINS", "Batch", "Domain", "DriftState", "get_domain"]
