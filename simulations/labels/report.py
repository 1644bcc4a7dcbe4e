"""The audit and the retrained models in words and figures a page or a test can read: the
audits' precision and recall with the range another draw of the same size would give
(Wilson's 90% interval), and what the retrained models did on the weeks they served."""

from __future__ import annotations

import math

import numpy as np

from ..policy.metrics import safe_ratio
from .audit import Audit

Z90 = 1.6449  # two-sided 90%


def wilson_interval(hits: int, n: int, z: float = Z90) -> tuple[float, float]:
    """Wilson's interval for a share hits / n (NaN, NaN when n is 0)."""
    if n <= 0:
        return float("nan"), float("nan")
    p = hits / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def pooled(audits: list[Audit]) -> dict[str, float]:
    """Precision and recall of the mislabel flags over every audit, with 90% ranges, and
    the duplicates found beside those planted."""
    flagged = sum(a.flagged for a in audits)
    right = sum(a.flagged_wrong for a in audits)
    wrong = sum(a.wrong_labels for a in audits)
    rows = sum(a.rows - a.duplicates_found for a in audits)
    p_lo, p_hi = wilson_interval(right, flagged)
    r_lo, r_hi = wilson_interval(right, wrong)
    return {"audits": len(audits), "flagged": flagged, "flagged_wrong": right,
            "wrong_labels": wrong, "precision": float(safe_ratio(right, flagged)),
            "precision_low": p_lo, "precision_high": p_hi,
            "recall": float(safe_ratio(right, wrong)), "recall_low": r_lo, "recall_high": r_hi,
            "chance_precision": float(safe_ratio(wrong, rows)),
            "duplicates_planted": sum(a.duplicates_planted for a in audits),
            "duplicates_found": sum(a.duplicates_found for a in audits),
            "cleaned_rows": sum(a.cleaned_rows for a in audits),
            "clean_cost": float(sum(a.clean_cost for a in audits))}


def audit_sentence(audits: list[Audit], unit: str) -> str:
    """The audits in words, against the truth only a simulator knows."""
    if not audits:
        return "No retraining was audited: the scenario never retrained, or lacked the labels to."
    s = pooled(audits)

    def pct(x):
        return "undefined" if not np.isfinite(x) else f"{x:.0%}"

    dup = (f"{s['duplicates_found']:,} exact duplicates found, {s['duplicates_planted']:,} "
           "planted")
    if s["wrong_labels"] == 0:
        flags = (f"{s['flagged']:,} rows suspected mislabelled, and no label was wrong: "
                 "every flag is a false alarm (recall is undefined).")
    else:
        flags = (f"{s['flagged']:,} rows suspected mislabelled: {pct(s['precision'])} of them "
                 f"really were (90% range {pct(s['precision_low'])}-{pct(s['precision_high'])}; "
                 f"flagging as many at random would hit {pct(s['chance_precision'])}), and they "
                 f"catch {pct(s['recall'])} of the {s['wrong_labels']:,} wrong labels (range "
                 f"{pct(s['recall_low'])}-{pct(s['recall_high'])}).")
    biased = sorted({seg for a in audits for seg in a.bias_flagged})
    bias = (f" Under-represented in training: {', '.join(biased)}." if biased
            else " No segment is under-represented beyond the stated ratio.")
    clean = (f" Cleaning dropped {s['cleaned_rows']:,} rows for {s['clean_cost']:,.0f} {unit}."
             if s["cleaned_rows"] else "")
    return (f"Over {s['audits']} audited retraining{'s' * (s['audits'] != 1)}: {dup}; "
            f"{flags}{bias}{clean}")


def retrained_quality(weekly, retrain_weeks: list[int]) -> dict[str, float]:
    """The weeks served by retrained models (after the first retraining): their mean AUC
    and total cost, beside the whole run's total cost (NaN with no retraining)."""
    total = float(weekly["cost_total"].sum())
    if not retrain_weeks:
        return {"auc": float("nan"), "cost": float("nan"), "weeks": 0, "cost_total": total}
    later = weekly["week"] > retrain_weeks[0]
    return {"auc": float(weekly.loc[later, "auc"].mean()),
            "cost": float(weekly.loc[later, "cost_total"].sum()),
            "weeks": int(later.sum()), "cost_total": total}
