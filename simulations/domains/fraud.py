"""Card-payment fraud: should this transaction be approved, declined or sent to an analyst?

Where the defaults come from
----------------------------
* Base rate 0.8 %: public card-fraud data sets sit between 0.17 % (the European card-holder
  data set on OpenML / Kaggle) and ~0.8 % (the transaction simulator of the *Reproducible
  Machine Learning for Credit Card Fraud Detection* handbook); we take the simulator's figure
  so that a 20k-event week still holds ~160 frauds to measure recall on.
* Money per decision follows scikit-learn's cost-sensitive learning example on credit-card
  fraud: approving a fraud loses the amount plus a chargeback fee ($15 here); declining a
  legitimate payment costs ~$5 of customer friction plus the ~2 % margin that approving it
  would have earned. A manual review costs $3 (a few minutes of an analyst).
* Transactions are generated label-first (fraud or not), then the features from
  class-conditional distributions: amounts are log-normal with fraud skewing higher, fraud
  concentrates in card-not-present and cross-border channels, on new devices, far from home,
  at night, at high 24-hour velocity and on young accounts. The overlap is tuned so that a
  logistic regression reaches a ROC AUC near 0.9, as production fraud models report.
* Review capacity: 350 reviews a week (two analysts, ~35 productive hours, ~5 reviews an hour).

Drift hooks
-----------
* covariate: a shopping season; amounts grow, online share and velocity rise for everyone.
* prior: more or fewer fraud attempts (the engine shifts the base rate).
* concept: fraudsters adapt. A growing share of frauds becomes card testing and gift-card
  cash-out: small amounts, card present-like behaviour, the newly targeted ``gift_cards``
  merchant category, no unusual distance. A stale model scores them as legitimate.
* cohort: a new market opens; cross-border customers become a larger share of traffic.
"""

from __future__ import annotations

import numpy as np

from .base import (
    Batch,
    Domain,
    DriftState,
    FeatureSpec,
    ImpactSpec,
    categorical_draw,
    draw_labels,
    no_world,
    pick,
)

SEGMENTS = ("in_store", "online", "cross_border")
MERCHANTS = (
    "grocery",
    "fuel",
    "restaurants",
    "travel",
    "electronics",
    "digital_goods",
    "gift_cards",
)

# P(segment | label) before cohort drift, and the mix a new market brings.
_SEGMENT_MIX = {0: np.array([0.62, 0.31, 0.07]), 1: np.array([0.22, 0.50, 0.28])}
_NEW_MARKET_MIX = np.array([0.25, 0.35, 0.40])
# P(merchant | label); adaptive fraud moves to gift cards.
_MERCHANT_MIX = {
    0: np.array([0.30, 0.14, 0.22, 0.07, 0.10, 0.15, 0.02]),
    1: np.array([0.10, 0.08, 0.10, 0.16, 0.26, 0.27, 0.03]),
}
_ADAPTIVE_MERCHANT_MIX = np.array([0.10, 0.05, 0.05, 0.02, 0.06, 0.12, 0.60])


def generate(
    n: int, base_rate: float, drift: DriftState, world, rng: np.random.Generator
) -> Batch:
    """One week of n card payments under the given drift state."""
    label = draw_labels(n, base_rate, rng)
    # A share of frauds follow the adapted pattern once concept drift sets in.
    adaptive = (label == 1) & (rng.random(n) < 0.8 * drift.concept)
    classic = (label == 1) & ~adaptive

    seg_probs = np.where(label[:, None] == 1, _SEGMENT_MIX[1], _SEGMENT_MIX[0])
    seg_probs = (1 - drift.cohort) * seg_probs + drift.cohort * _NEW_MARKET_MIX
    seg_probs[:, 0] *= 1 - 0.3 * drift.covariate  # the season moves spending online
    segment = categorical_draw(seg_probs, rng)
    card_present = (segment == 0).astype(float)
    foreign = (segment == 2).astype(float)

    merch_probs = np.where(label[:, None] == 1, _MERCHANT_MIX[1], _MERCHANT_MIX[0])
    merch_probs[adaptive] = _ADAPTIVE_MERCHANT_MIX
    merchant = categorical_draw(merch_probs, rng)

    season = 0.35 * drift.covariate
    mu = np.where(classic, 3.95, 3.55) + season
    mu = np.where(adaptive, 4.3, mu)
    amount = np.round(rng.lognormal(mu, np.where(classic, 1.15, np.where(adaptive, 0.7, 1.0))), 2)

    account_age_days = rng.gamma(pick(classic, 2.0, 1.2), pick(classic, 450.0, 260.0))
    velocity_24h = rng.poisson(pick(classic, 2.0, 2.8) * (1 + 0.5 * drift.covariate)).astype(float)
    distance_km = rng.lognormal(pick(classic, 2.0, 2.5), 1.2)
    night = rng.random(n) < pick(classic, 0.12, 0.26)
    hour = np.where(night, rng.integers(0, 6, n), rng.integers(6, 24, n)).astype(float)
    new_device = (rng.random(n) < pick(classic, 0.06, 0.18)).astype(float)
    new_device[adaptive] = (rng.random(int(adaptive.sum())) < 0.10).astype(float)

    numeric = np.column_stack(
        [
            np.log1p(amount),
            np.log1p(account_age_days),
            velocity_24h,
            np.log1p(distance_km),
            hour,
            foreign,
            card_present,
            new_device,
        ]
    )
    return Batch(
        numeric=numeric,
        categorical=merchant[:, None],
        label=label,
        value=amount,
        segment=segment,
    )


def highlights(totals: dict[str, float], outcome) -> list[tuple[str, str, str]]:
    """Losses, good customers declined and frauds caught over the horizon."""
    return [
        ("Fraud losses", f"${totals['cost_fn']:,.0f}", "Amounts of approved fraud plus "
         "chargeback fees over the horizon."),
        ("Good customers declined", f"{totals['fp']:,.0f}", "Legitimate payments declined: "
         "friction, lost margin, and customers who may not come back."),
        ("Frauds caught", f"{totals['tp']:,.0f} of {totals['positives']:,.0f}",
         "Frauds declined (automatically or by an analyst)."),
    ]


DOMAIN = Domain(
    name="fraud",
    title="Card fraud",
    question="Raise fraud sensitivity: what happens to approvals and losses?",
    unit="$",
    value_name="amount",
    positive_word="fraud",
    negative_word="legitimate",
    actions={"flag": "decline", "pass": "approve", "review": "manual review"},
    reviewers="fraud analysts",
    numeric_features=(
        "log_amount",
        "log_account_age_days",
        "velocity_24h",
        "log_distance_km",
        "hour",
        "foreign",
        "card_present",
        "new_device",
    ),
    categorical_features=(("merchant_category", MERCHANTS),),
    segments=SEGMENTS,
    base_rate=0.008,
    costs={
        "fn_fixed": 15.0,
        "fn_per_value": 1.0,
        "fp_fixed": 5.0,
        "fp_per_value": 0.02,
        "review": 3.0,
        "retrain": 5000.0,
    },
    review_capacity=350,
    policy=(0.08, 0.30),
    # Selective feedback: approved payments reveal fraud through chargebacks; declined ones
    # are never learned about.
    reveal=((1.0, 1.0), (0.0, 0.0)),
    make_world=no_world,
    generate=generate,
    highlights=highlights,
    icon=":material/credit_card:",
    # Chargebacks: a cardholder disputes a fraudulent payment after seeing the statement, so
    # most fraud labels come back within one to two monthly statement cycles (1-8 weeks) with
    # a tail; the card networks' dispute window for fraud is 120 days (Visa reason code 10.4,
    # Mastercard 4837), about 17 weeks, after which a label never arrives. A log-normal with
    # a 4-week median and spread 0.6 puts ~1% within the first week, ~88% within 8 weeks and
    # under 1% past the window.
    realistic_delay={"kind": "lognormal", "median_weeks": 4.0, "sigma": 0.6, "max_weeks": 17},
    # What a declined customer could change: a smaller amount, fewer payments in a day, a
    # device used before, another hour. The account's age, the distance from home, the
    # channel (which defines the segment) and the merchant are what they are.
    explain={
        "log_amount": FeatureSpec("the amount", "down", log1p=True, step=1.0, fmt="${:,.0f}"),
        "log_account_age_days": FeatureSpec("the account's age", log1p=True, step=1.0,
                                            fmt="{:,.0f} days"),
        "velocity_24h": FeatureSpec("payments in the last 24 hours", "down", step=1.0,
                                    fmt="{:,.0f}"),
        "log_distance_km": FeatureSpec("the distance from home", log1p=True, step=1.0,
                                       fmt="{:,.0f} km"),
        "hour": FeatureSpec("the hour", "any", step=1.0, fmt="{:02.0f}:00"),
        "foreign": FeatureSpec("the country", step=1.0,
                               flag=("a domestic payment", "a cross-border payment")),
        "card_present": FeatureSpec("the card's presence", step=1.0,
                                    flag=("card not present", "card present")),
        "new_device": FeatureSpec("the device", "down", step=1.0,
                                  flag=("a device used before", "a new device")),
        "merchant_category": FeatureSpec("the merchant category"),
    },
    # Delayed impact: a good customer whose payment is declined may not come back, so a
    # segment's share of next weeks' payments falls with its false declines. The share who
    # leave is illustrative: neither the project's notes nor its source essays give a figure.
    impact=ImpactSpec(
        action="flag", label=0, harm="legitimate payments declined", response=0.3,
        source="illustrative, no sourced figure: each declined good payment loses that "
               "customer with a 30% chance"),
)
