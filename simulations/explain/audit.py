"""The recourse audit: per segment, how many of the events given one action (declined,
escalated) have a feasible change that leaves it, and how large that change is.

Each audited event is changed under the model that served its week. At most ``PER_SEGMENT``
events per segment are audited (a seeded sample; all of them when there are fewer), and the
share comes with the half-width of its 95 % interval over other such samples (Wilson's, with
the finite-population correction: 0 when every event was audited).
Ustun et al. (2019) show why this is worth a table: a model that leans on fixed features can
leave a whole group without recourse.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from .counterfactual import boundaries, nearest_changes
from .space import FeatureSpace

PER_SEGMENT = 200
AUDIT_GRID = 24  # coarser than one event's grid: the audit changes hundreds of events


def _wilson_half_width(share: float, m: int, z: float = 1.96) -> float:
    """Half the width of the 95 % Wilson interval (not zero at a share of 0 or 1)."""
    return z / (1 + z * z / m) * np.sqrt(share * (1 - share) / m + z * z / (4 * m * m))


def recourse_audit(result, outcome, space: FeatureSpace, action: str = "flag",
                   per_segment: int = PER_SEGMENT, seed: int = 0,
                   grid: int = AUDIT_GRID) -> pd.DataFrame:
    """One row per segment: events with ``action``, how many were audited, the share with a
    feasible change past the nearest threshold (``past_t_high`` for flagged events: out of
    'flag') and past the far one, the interval of the first, the median size of the nearest
    change (in typical spreads) and the feature changed most often."""
    with threadpool_limits(1):  # many small batches: see explain_event
        return _audit(result, outcome, space, action, per_segment, seed, grid)


def _audit(result, outcome, space, action, per_segment, seed, grid) -> pd.DataFrame:
    code = {"pass": 0, "review": 1, "flag": 2}[action]
    p = outcome.scenario.policy
    arrays = result.arrays
    X = np.hstack([arrays["numeric"], arrays["categorical"].astype(float)])
    rng = np.random.default_rng(seed)
    rows = []
    for s, segment in enumerate(space.domain.segments):
        steps = boundaries(action, *p.band_of(segment))  # a segment may have its own band
        events = np.flatnonzero((outcome.action == code) & (arrays["segment"] == s))
        audited = events
        if len(events) > per_segment:
            audited = np.sort(rng.choice(events, per_segment, replace=False))
        found = {name: np.zeros(len(audited), dtype=bool) for name, *_ in steps}
        size = np.full(len(audited), np.nan)
        feature = np.full(len(audited), -1)
        versions = arrays["model_version"][audited]
        for v in np.unique(versions):
            mine = versions == v
            for k, (name, threshold, side, _) in enumerate(steps):
                ch = nearest_changes(result.fitted[int(v)], X[audited[mine]], threshold, side,
                                     space, grid)
                found[name][mine] = ch.feasible
                if k == 0:
                    size[mine], feature[mine] = ch.size, ch.feature
        m, n = len(audited), len(events)
        near = found[steps[0][0]]
        share = near.mean() if m else np.nan
        correction = (n - m) / (n - 1) if n > 1 else 0.0
        half = _wilson_half_width(share, m) * np.sqrt(correction) if m else np.nan
        used = feature[feature >= 0]
        rows.append({
            "segment": segment, "events": n, "audited": m,
            f"past_{steps[0][0]}": share, "interval": half,
            **({f"past_{steps[1][0]}": found[steps[1][0]].mean() if m else np.nan}
               if len(steps) > 1 else {}),
            "median_size": float(np.median(size[near])) if near.any() else np.nan,
            "most_changed": space.specs[np.bincount(used).argmax()].words if len(used) else "",
        })
    return pd.DataFrame(rows)
