"""Watching a model without (all) the labels: distribution drift of features and scores
against the current model's training window (``drift``: PSI, KL, JS, KS)."""

from .drift import DriftReference, js, kl, ks, psi

__all__ = ["DriftReference", "js", "kl", "ks", "psi"]
