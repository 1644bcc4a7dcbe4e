"""Content recommendation: show a candidate item, hide it, or spend an exploration slot on it?

Where the defaults come from
----------------------------
* Each event is one candidate impression: a user (with a latent taste vector and a signup
  cohort) meets an item (with a latent vector, a category, a popularity from a Zipf law and a
  freshness). Engagement follows a logistic model of taste match, popularity and freshness;
  its intercept is set so that the configured engagement rate holds (default 12 %, a typical
  click-through/engagement rate of a feed's candidate set).
* The recommender never sees tastes, only what a production system logs: the item's
  popularity, freshness and category, the user's tenure and an affinity *estimate* built from
  the user's history. Short histories are shrunk toward the average taste (cold start), so the
  estimate is good for loyal users and poor for newcomers. A logistic regression reaches a ROC
  AUC near 0.8 on defaults.
* Costs, in minutes of engagement: hiding an item the user would have engaged with loses its
  watch time (the event's value, ~8 minutes on average); showing an item the user ignores
  costs 1.5 minutes of attention and trust; an exploration slot costs 0.5 minutes. An
  explored item is shown (the slot is an action, not a person's judgement) and its true
  outcome is observed, so reviewer accuracy plays no part here.
* Extra metrics: lift of the engagement rate of what is shown over a popularity baseline that
  shows the same number of items, catalogue coverage, the share of shown impressions taken by
  the top 10 % of items, and the cosine distance between this week's user-taste centroid and
  the reference window's (semantic drift of the audience).

Drift hooks
-----------
* covariate: the catalogue turns over; fresher items take more impressions.
* prior: engagement rises or falls overall.
* concept: tastes move toward a new trend faster than users' histories record it.
* cohort: a new signup cohort with different tastes becomes a growing share of users.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .base import (
    Batch,
    Domain,
    DriftState,
    FeatureSpec,
    ImpactSpec,
    WeeklyChart,
    blend,
    categorical_draw,
    centroid_cosine_distance,
    format_share,
    intercept_for_rate,
    peak_drift,
)

SEGMENTS = ("loyal", "casual", "new_cohort")
CATEGORIES = ("news", "sport", "music", "film", "comedy", "science", "food", "travel")
DIM = 8
N_ITEMS = 600


@dataclass(frozen=True)
class Catalogue:
    """The items every week draws from, fixed for a run."""

    vectors: np.ndarray  # (N_ITEMS, DIM) unit vectors
    category: np.ndarray  # (N_ITEMS,) code into CATEGORIES
    log_popularity: np.ndarray  # (N_ITEMS,) standardised log impression share
    impression_share: np.ndarray  # (N_ITEMS,) probability an impression is of this item
    age_days: np.ndarray  # (N_ITEMS,) days since release
    established_taste: np.ndarray  # (DIM,) centroid of the existing audience
    new_cohort_taste: np.ndarray  # (DIM,) centroid of the arriving cohort
    trend: np.ndarray  # (DIM,) where tastes move under concept drift


def _unit(x: np.ndarray) -> np.ndarray:
    return x / np.linalg.norm(x, axis=-1, keepdims=True)


def make_world(rng: np.random.Generator) -> Catalogue:
    vectors = _unit(rng.normal(size=(N_ITEMS, DIM)))
    category = np.argmax(vectors, axis=1).astype(np.int16)
    share = 1.0 / np.arange(1, N_ITEMS + 1) ** 0.9
    share = share[rng.permutation(N_ITEMS)]
    share /= share.sum()
    log_pop = np.log(share)
    established = _unit(rng.normal(size=DIM))
    # The new cohort's taste is mostly unlike the established audience's.
    other = rng.normal(size=DIM)
    other -= other @ established * established
    new_cohort = _unit(0.3 * established + _unit(other))
    trend = _unit(rng.normal(size=DIM))
    return Catalogue(
        vectors=vectors,
        category=category,
        log_popularity=(log_pop - log_pop.mean()) / log_pop.std(),
        impression_share=share,
        age_days=rng.exponential(60.0, N_ITEMS),
        established_taste=established,
        new_cohort_taste=new_cohort,
        trend=trend,
    )


def generate(
    n: int, base_rate: float, drift: DriftState, world: Catalogue, rng: np.random.Generator
) -> Batch:
    """One week of n candidate impressions under the given drift state."""
    seg_probs = blend([0.55, 0.43, 0.02], [0.22, 0.18, 0.60], drift.cohort)
    segment = categorical_draw(np.broadcast_to(seg_probs, (n, 3)).copy(), rng)
    new = segment == 2
    tenure_days = np.where(
        segment == 0,
        rng.gamma(3.0, 250.0, n),
        np.where(new, rng.gamma(1.5, 12.0, n), rng.gamma(1.5, 90.0, n)),
    )
    centroid = np.where(new[:, None], world.new_cohort_taste, world.established_taste)
    history_taste = _unit(centroid + rng.normal(scale=0.55, size=(n, DIM)))
    true_taste = _unit(history_taste + 2.2 * drift.concept * world.trend)

    # What the system knows of a user: its history, shrunk toward the average taste when short.
    confidence = (tenure_days / (tenure_days + 30.0))[:, None]
    noisy_history = history_taste + rng.normal(scale=0.25, size=(n, DIM))
    estimate = _unit(confidence * noisy_history + (1 - confidence) * world.established_taste)

    fresh_boost = np.exp(-world.age_days / 20.0) * 3.0 * drift.covariate
    item_probs = world.impression_share * (1 + fresh_boost)
    item = rng.choice(N_ITEMS, size=n, p=item_probs / item_probs.sum()).astype(np.int16)
    vec = world.vectors[item]
    log_pop = world.log_popularity[item]
    age = world.age_days[item]

    match = np.einsum("ij,ij->i", true_taste, vec)
    logits = np.where(new, 3.0, 3.4) * match + np.where(new, 0.6, 0.35) * log_pop
    logits += -0.004 * age + 0.3 * (segment == 0)
    logits += rng.normal(scale=0.4, size=n)
    logits += intercept_for_rate(logits, base_rate)
    label = (rng.random(n) < 1 / (1 + np.exp(-logits))).astype(np.int8)

    affinity_estimate = np.einsum("ij,ij->i", estimate, vec)
    top_category = np.argmax(estimate, axis=1)
    category_match = (top_category == world.category[item]).astype(float)
    numeric = np.column_stack(
        [affinity_estimate, category_match, log_pop, np.log1p(age), np.log1p(tenure_days)]
    )
    watch_minutes = np.round(rng.lognormal(1.9, 0.6, n), 2)
    session_taste = _unit(true_taste + rng.normal(scale=0.3, size=(n, DIM)))
    return Batch(
        numeric=numeric,
        categorical=world.category[item][:, None],
        label=label,
        value=watch_minutes,
        segment=segment.astype(np.int16),
        extra={"item": item, "taste": session_taste.astype(np.float32),
               # impressions from most to least popular item: the baseline's ranking,
               # sorted once here rather than on every band move
               "popularity_order": _order_by_popularity(log_pop)},
        orders={"popularity_order": _popularity_order_of},
    )


def _order_by_popularity(log_pop: np.ndarray) -> np.ndarray:
    """Impressions from the most to the least popular item (ties in event order)."""
    return np.argsort(-log_pop, kind="stable").astype(np.int32)


def _popularity_order_of(batch: Batch) -> np.ndarray:
    return _order_by_popularity(batch.numeric[:, 2])  # column 2 is log_popularity


def extra_metrics(
    label: np.ndarray,
    shown: np.ndarray,
    numeric: np.ndarray,
    extra: dict[str, np.ndarray],
) -> dict[str, float]:
    """Recommendation metrics for one week, for the items the policy shows.

    * ``lift_vs_popularity``: engagement rate of shown items divided by the engagement rate
      of the same number of impressions picked by popularity alone, minus 1 (NaN if nothing
      is shown).
    * ``catalogue_coverage``: share of the catalogue shown at least once.
    * ``top10_exposure``: share of shown impressions taken by the 10 % most-shown items.
    """
    k = int(shown.sum())
    items = extra["item"]
    if k:
        by_popularity = extra["popularity_order"][:k]
        baseline_rate = label[by_popularity].mean()
        model_rate = label[shown].mean()
        lift = model_rate / baseline_rate - 1 if baseline_rate > 0 else np.nan
        counts = np.sort(np.bincount(items[shown], minlength=N_ITEMS))[::-1]
        top10 = counts[: N_ITEMS // 10].sum() / k
        coverage = np.count_nonzero(counts) / N_ITEMS
    else:
        lift, top10, coverage = np.nan, np.nan, 0.0
    return {
        "lift_vs_popularity": float(lift),
        "catalogue_coverage": float(coverage),
        "top10_exposure": float(top10),
    }


def monitor(extra: dict[str, np.ndarray], reference_extra: dict[str, np.ndarray]) -> dict:
    """Semantic drift of the audience: ``taste_drift_cosine`` = 1 - cos(centroid of this
    week's session-taste embeddings, centroid of the reference window's)."""
    return {"taste_drift_cosine": centroid_cosine_distance(extra["taste"],
                                                           reference_extra["taste"])}


def highlights(totals: dict[str, float], outcome) -> list[tuple[str, str, str]]:
    """Lift over popularity, catalogue coverage and peak taste drift."""
    weekly = outcome.weekly  # the recommendation extras need the per-event decisions
    lift = weekly["lift_vs_popularity"].mean()
    coverage = weekly["catalogue_coverage"].mean()
    return [
        ("Lift over popularity", "undefined" if not np.isfinite(lift) else f"{lift:+.1%}",
         "How much more often shown items are engaged with than the same number of items "
         "picked by popularity alone (weekly average)."),
        ("Catalogue coverage", format_share(coverage), "Share of the catalogue shown at least "
         "once in a week (weekly average): low coverage means a narrow, repetitive feed."),
        peak_drift(weekly, "taste_drift_cosine", "Peak taste drift", "audience taste"),
    ]


DOMAIN = Domain(
    name="recommendation",
    title="Recommendations",
    question="Show more personalised items: does engagement lift survive new cohorts?",
    unit="min",
    value_name="watch_minutes",
    positive_word="engaged",
    negative_word="ignored",
    actions={"flag": "show", "pass": "hide", "review": "explore"},
    reviewers="exploration slots",
    numeric_features=(
        "affinity_estimate",
        "category_match",
        "log_popularity",
        "log_item_age_days",
        "log_tenure_days",
    ),
    categorical_features=(("item_category", CATEGORIES),),
    segments=SEGMENTS,
    base_rate=0.12,
    costs={
        "fn_fixed": 0.0,
        "fn_per_value": 1.0,
        "fp_fixed": 1.5,
        "fp_per_value": 0.0,
        "review": 0.5,
        "retrain": 2000.0,
    },
    review_capacity=1200,
    policy=(0.30, 0.40),
    # Selective feedback: shown items reveal engagement, hidden ones reveal nothing.
    reveal=((0.0, 0.0), (1.0, 1.0)),
    make_world=make_world,
    generate=generate,
    extra_metrics=extra_metrics,
    monitor=monitor,
    semantic_drift="taste_drift_cosine",
    review_decides=False,
    highlights=highlights,
    weekly_charts=(WeeklyChart(
        "Semantic drift of the audience", {"taste_drift_cosine": "taste centroid distance"},
        "cosine distance", {"alert line 0.15": 0.15}),),
    icon=":material/movie:",
    # A click or a skip is logged within the session that showed the item: at once.
    realistic_delay={"kind": "fixed", "weeks": 0},
    # engagement is drawn from the item and user features, so fresher items taking more
    # impressions (covariate drift) leave P(engaged | features) as it was
    covariate_keeps_relation=True,
    # What could differ for an impression: the affinity the user's history shows and, with
    # time, the user's tenure and the item's age. The item's popularity and category, and
    # whether it matches the user's top category, are the item's own.
    explain={
        "affinity_estimate": FeatureSpec("the estimated affinity", "any", step=0.01,
                                         fmt="{:.2f}"),
        "category_match": FeatureSpec("the category match", step=1.0,
                                      flag=("not the user's top category",
                                            "the user's top category")),
        "log_popularity": FeatureSpec("the item's popularity (log scale)", step=0.01,
                                      fmt="{:.2f}"),
        "log_item_age_days": FeatureSpec("the item's age", "up", log1p=True, step=1.0,
                                         fmt="{:,.0f} days"),
        "log_tenure_days": FeatureSpec("the user's tenure", "up", log1p=True, step=1.0,
                                       fmt="{:,.0f} days"),
        "item_category": FeatureSpec("the item's category"),
    },
    # Delayed impact: a user who is not shown what they would have engaged with finds less in
    # the feed and comes back less, so a cohort whose good items are hidden shrinks. The
    # share is illustrative: the project's notes and source essays give no figure.
    impact=ImpactSpec(
        action="pass", label=1, harm="items the user would have engaged with, hidden",
        response=0.2,
        source="illustrative, no sourced figure: each hidden item the user would have "
               "engaged with loses that user with a 20% chance"),
)


def ab_test_week(label: np.ndarray, shown: np.ndarray, score: np.ndarray,
                 popularity_order: np.ndarray, contamination: float) -> tuple[float, float]:
    """True and measured lift of one week of an A/B test of the model against popularity.

    The treatment shows what the policy shows. The control shows the same number of
    impressions ranked by popularity. In a clean test that popularity is the audience's own;
    in a contaminated one, a share ``contamination`` of the control's ranking comes from the
    previous model (its recommendations shaped what became popular), so the control already
    behaves partly like the treatment. Lift = treatment engagement rate / control's - 1.
    Returns (true lift, measured lift); NaN when nothing is shown.
    """
    k = int(shown.sum())
    if k == 0:
        return float("nan"), float("nan")
    n = len(label)
    treatment = label[shown].mean()
    pop_rank = np.empty(n)
    pop_rank[popularity_order] = np.arange(n)  # 0 = most popular
    model_rank = np.empty(n)
    model_rank[np.argsort(-score, kind="stable")] = np.arange(n)
    clean = label[popularity_order[:k]].mean()
    blended = (1 - contamination) * pop_rank + contamination * model_rank
    contaminated = label[np.argsort(blended, kind="stable")[:k]].mean()
    true_lift = treatment / clean - 1 if clean > 0 else float("nan")
    measured = treatment / contaminated - 1 if contaminated > 0 else float("nan")
    return float(true_lift), float(measured)
