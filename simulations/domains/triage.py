"""Medical triage: escalate a patient contact, advise self-care, or ask a nurse?

Where the defaults come from
----------------------------
* Base rate 10 %: the share of urgent contacts in telephone and online triage services is
  usually reported between 5 % and 15 %; we take the middle.
* Vital signs follow adult reference ranges (heart rate ~75/min, respiratory rate ~16/min,
  SpO2 ~97 %, temperature ~36.9 °C, systolic pressure ~125 mmHg); urgent contacts are shifted
  toward tachycardia, tachypnoea, low saturation, fever and high self-reported severity, with
  wide overlap so that a logistic regression reaches a ROC AUC near 0.87.
* Children have higher normal heart and respiratory rates. They are only 5 % of the training
  contacts, so a model that learnt adult norms reads their vitals less well and recall differs
  by segment, the disparity the dashboard's Segments tab makes visible.
* Money: a missed urgent case is valued at ~$20,000 of harm and later care (scaled per
  patient by age and comorbidities), an unnecessary escalation at $600 (an emergency visit),
  a nurse review at $40 (about twenty minutes of a nurse's time). Trauma-care benchmarks ask
  for undertriage (1 - recall) under 5 % and overtriage (1 - precision) under 50 %.
* Review capacity: 4,000 nurse reviews a week (twenty nurses, ~40 hours, ~5 reviews an hour);
  contacts no nurse reaches are escalated (the safe default when in doubt).

Drift hooks
-----------
* covariate: an older, sicker population (age and comorbidities rise; thermometers read high).
* prior: an outbreak raises the share of urgent contacts.
* concept: a new variant presents differently; urgent patients show little fever and little
  self-reported severity but silent hypoxia (low SpO2) and longer illness.
* cohort: a paediatric wave (children become a larger share of contacts).
"""

from __future__ import annotations

import numpy as np

from .base import (
    Batch,
    Domain,
    DriftState,
    FeatureSpec,
    blend,
    categorical_draw,
    draw_labels,
    format_share,
    no_world,
    pick,
)

SEGMENTS = ("adult", "older_adult", "child")
COMPLAINTS = ("breathing", "chest_pain", "fever", "abdominal", "injury", "other")

_SEGMENT_MIX = {0: np.array([0.70, 0.25, 0.05]), 1: np.array([0.58, 0.37, 0.05])}
_PAEDIATRIC_WAVE_MIX = np.array([0.45, 0.15, 0.40])
_COMPLAINT_MIX = {
    0: np.array([0.12, 0.08, 0.22, 0.18, 0.15, 0.25]),
    1: np.array([0.28, 0.22, 0.18, 0.12, 0.08, 0.12]),
}


def generate(
    n: int, base_rate: float, drift: DriftState, world, rng: np.random.Generator
) -> Batch:
    """One week of n patient contacts under the given drift state."""
    label = draw_labels(n, base_rate, rng)
    urgent = label == 1
    variant = urgent & (rng.random(n) < 0.85 * drift.concept)
    typical = urgent & ~variant

    seg_probs = np.where(urgent[:, None], _SEGMENT_MIX[1], _SEGMENT_MIX[0])
    seg_probs = blend(seg_probs, _PAEDIATRIC_WAVE_MIX, drift.cohort)
    segment = categorical_draw(seg_probs, rng)
    child = segment == 2
    older = segment == 1

    age = np.where(
        child,
        rng.uniform(0.5, 16, n),
        np.where(older, rng.uniform(65, 95, n), rng.uniform(18, 65, n)),
    )
    age = age + np.where(child, 0.0, 6.0 * drift.covariate)
    comorbidities = rng.poisson(
        pick(urgent, 0.4, 0.8) + 1.2 * older + 0.5 * drift.covariate
    ).astype(float)

    # Children's normal vitals differ: faster heart and breathing for both classes.
    heart_rate = rng.normal(76 + 28 * child + pick(typical, 0.0, 7.0) + 4 * variant, 13)
    resp_rate = rng.normal(16 + 8 * child + pick(typical, 0.0, 2.0) + 1.0 * variant, 3.2)
    spo2 = np.minimum(100, rng.normal(97.2 - pick(typical, 0.0, 1.0) - 4.5 * variant, 1.6))
    temperature = rng.normal(
        36.9 + 0.3 * drift.covariate + pick(typical, 0.0, 0.42) + 0.05 * variant, 0.55
    )
    systolic_bp = rng.normal(125 - 20 * child - pick(typical, 0.0, 6.0) + 4 * older, 16)
    severity = np.clip(
        rng.normal(4.0 + pick(typical, 0.0, 1.1) + 0.1 * variant, 1.9), 0, 10
    ).round()
    duration_days = rng.gamma(pick(typical, 2.0, 1.6) + 4.5 * variant, 1.5)

    complaint_probs = np.where(typical[:, None], _COMPLAINT_MIX[1], _COMPLAINT_MIX[0])
    complaint_probs[variant] = _COMPLAINT_MIX[0]
    complaint = categorical_draw(complaint_probs, rng)

    numeric = np.column_stack(
        [
            age,
            heart_rate,
            resp_rate,
            spo2,
            temperature,
            systolic_bp,
            severity,
            np.log1p(duration_days),
            comorbidities,
        ]
    )
    harm_if_missed = 20_000.0 * rng.lognormal(0.0, 0.35, n) * (1 + 0.15 * comorbidities)
    harm_if_missed *= np.where(older, 1.3, 1.0)
    return Batch(
        numeric=numeric,
        categorical=complaint[:, None],
        label=label,
        value=np.round(harm_if_missed, 2),
        segment=segment,
    )


def highlights(totals: dict[str, float], outcome) -> list[tuple[str, str, str]]:
    """Undertriage, overtriage and missed urgent cases, in the clinicians' words."""
    under = 1 - totals["recall"] if np.isfinite(totals["recall"]) else np.nan
    over = 1 - totals["precision"] if np.isfinite(totals["precision"]) else np.nan
    return [
        ("Undertriage", format_share(under), "Urgent patients not escalated (1 - recall). "
         "Trauma-care benchmarks ask for under 5 %."),
        ("Overtriage", format_share(over), "Escalations that were not urgent (1 - precision). "
         "Benchmarks tolerate up to 50 %: over-escalating is the safer error."),
        ("Missed urgent cases", f"{totals['fn']:,.0f}", "Urgent patients sent to self-care "
         "over the whole horizon."),
    ]


DOMAIN = Domain(
    name="triage",
    title="Medical triage",
    question="Catch more urgent cases: how much more nurse and clinician load?",
    unit="$",
    value_name="harm_if_missed",
    positive_word="urgent",
    negative_word="non-urgent",
    actions={"flag": "escalate", "pass": "self-care advice", "review": "nurse review"},
    reviewers="triage nurses",
    numeric_features=(
        "age",
        "heart_rate",
        "resp_rate",
        "spo2",
        "temperature",
        "systolic_bp",
        "symptom_severity",
        "log_duration_days",
        "comorbidities",
    ),
    categorical_features=(("chief_complaint", COMPLAINTS),),
    segments=SEGMENTS,
    base_rate=0.10,
    costs={
        "fn_fixed": 0.0,
        "fn_per_value": 1.0,
        "fp_fixed": 600.0,
        "fp_per_value": 0.0,
        "review": 40.0,
        "retrain": 20000.0,
    },
    review_capacity=4000,
    policy=(0.08, 0.35),
    # Selective feedback: escalated patients are seen by a clinician (label known); of those
    # sent to self-care, urgent ones come back 70 % of the time, others 10 %.
    reveal=((0.10, 0.70), (1.0, 1.0)),
    make_world=no_world,
    generate=generate,
    highlights=highlights,
    icon=":material/medical_services:",
    overflow_action="flag",
    # Triage outcomes are known within days: admission or discharge from the emergency
    # department the same day, unplanned returns within the 72-hour and 7-day windows that
    # quality studies of undertriage use. So most labels arrive within the week of the
    # contact and the rest the week after.
    realistic_delay={"kind": "discrete", "shares": [0.7, 0.3]},
    # A contact's readings could have been different (what would have escalated it); age,
    # comorbidities and the chief complaint are fixed, and an illness only lasts longer.
    explain={
        "age": FeatureSpec("age", step=1.0, fmt="{:.0f} years"),
        "heart_rate": FeatureSpec("heart rate", "any", step=1.0, fmt="{:.0f}/min"),
        "resp_rate": FeatureSpec("breathing rate", "any", step=1.0, fmt="{:.0f}/min"),
        "spo2": FeatureSpec("oxygen saturation", "any", step=1.0, fmt="{:.0f}%"),
        "temperature": FeatureSpec("temperature", "any", step=0.1, fmt="{:.1f} °C"),
        "systolic_bp": FeatureSpec("systolic pressure", "any", step=1.0, fmt="{:.0f} mmHg"),
        "symptom_severity": FeatureSpec("self-reported severity", "any", step=1.0,
                                        fmt="{:.0f} of 10"),
        "log_duration_days": FeatureSpec("days of illness", "up", log1p=True, step=0.5,
                                         fmt="{:.1f} days"),
        "comorbidities": FeatureSpec("comorbidities", step=1.0, fmt="{:.0f}"),
        "chief_complaint": FeatureSpec("the chief complaint"),
    },
)
