"""AI support assistant: send the drafted answer, hand the question to a person, or decline?

Each event is one customer question to a retrieval-augmented support assistant. The score is
the model's probability that the drafted answer is wrong (unsupported by the knowledge base,
or made up); *pass* sends the answer, *review* hands the conversation to a human agent, *flag*
declines with a safe fallback ("I'm not sure; here is the help article and how to reach us").
The share of questions answered without a person is the automation (deflection) rate.

Where the defaults come from
----------------------------
* Base rate 10 % wrong drafts at the default temperature. Public hallucination leaderboards
  (Vectara's, for grounded summarisation) put current models at a few percent when the right
  document is in hand; support traffic adds retrieval misses, vague questions and topics the
  knowledge base does not cover, and published evaluations of retrieval-augmented assistants
  commonly find one answer in ten to one in five unsupported. We take the lower end.
* Features are what such a system logs: the similarity of the best retrieved source, the
  question's length, whether it matches a known frequent question, its topic (from a topic
  classifier), the account tier, and self-consistency: the share of five sampled drafts that
  agree with the most common one (the idea behind SelfCheckGPT and semantic-entropy
  detectors). A logistic regression on them reaches a week-1 ROC AUC of about 0.82-0.86.
* Language style (the segments): plain English, code-switching (two languages in one
  message) and emoji-heavy messages. The retriever and the drafting model were tuned on
  plain English, so minority-style questions are often misread: the drafts agree with each
  other and retrieval looks fine, yet the answer addresses the wrong question. The scorer is
  not told the style and cannot see a misreading, so it catches fewer of those wrong answers
  (recall 10-20 points lower than for plain English).
* Money, in dollars. An agent-handled contact is often quoted at about $8 against cents for
  self-service (Gartner's widely cited comparison); an agent checking a drafted answer costs
  $6 (about eight minutes at a loaded $45 an hour). A needless fallback costs the customer's
  effort and, more often than not, a later contact: $5. A wrong answer that reaches the
  customer costs a follow-up contact, a complaint and sometimes a promise to honour (in 2024
  a Canadian tribunal made Air Canada pay the bereavement refund its chatbot had wrongly
  promised): $20, plus
  10 % of the account's monthly value at stake (churn risk), so mistakes hurt most for
  enterprise accounts. The event's value is that monthly account value (free ~$8, pro ~$60,
  enterprise ~$900). A declined wrong draft costs nothing extra: there was no good answer.
* Review capacity: 1,500 agent reviews a week (five agents, ~35 productive hours, ~8-9
  reviews an hour). Questions no agent reaches get the safe fallback.
* Temperature (a ``world`` knob, default 0.7): every question has a most likely answer and
  a few alternatives; sampling at temperature T rescales that distribution (T = 0 always
  gives the most likely answer). Alternatives are more often wrong, so a higher temperature
  makes answers to the same question agree less often, makes wrong answers more likely, and
  spreads the sampled drafts, which makes self-consistency more informative. The base rate
  is set at the default temperature.
* Answer cache (a ``world`` knob, default off): frequent questions (30 % of traffic; 3,000
  of them, popularity falling as 1 / sqrt(rank)) are served the answer drafted once and
  cached, so the same question always gets the same answer, right or wrong. The weekly consistency
  rate (two asks of the same frequent question in a week got the same answer) is the
  monitor of (in)consistency.

Drift hooks
-----------
* covariate: a product launch; questions about the new device (which the knowledge base
  barely covers) grow to 45 % of traffic. The topic classifier, trained on the old taxonomy,
  files them under account settings and integrations, and the drafts confidently repeat the
  old device's articles, so the model's inputs hardly move. Every question carries a
  16-dimensional sentence embedding (its topic's centroid plus noise, styles shifting it a
  little); the new questions form their own cluster, the weekly centroid moves away from the
  training weeks' and ``question_drift_cosine`` reports the distance (alert line 0.15).
* prior: more or fewer wrong drafts overall (the engine shifts the base rate).
* concept: a knowledge-base change (prices and plans changed, the articles did not): billing
  and plan answers keep the same retrieval scores and the same agreement between drafts, but
  up to 75 % of them are now wrong. Same confidence, more wrong answers.
* cohort: a new market; code-switching and emoji-heavy messages grow from 20 % to 55 % of
  traffic.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from .base import (
    Batch,
    Domain,
    DriftState,
    FeatureSpec,
    WeeklyChart,
    WorldParam,
    blend,
    centroid_cosine_distance,
    format_share,
    intercept_for_rate,
    peak_drift,
    sigmoid,
)

STYLES = ("plain", "code_switching", "emoji_heavy")
TOPICS = ("billing", "login", "shipping", "returns", "account_settings", "integrations",
          "privacy", "plans")
# What a launch brings: questions the topic classifier, trained on the old taxonomy, files
# under the nearest old topic (setup under account settings, syncing under integrations).
LAUNCH_TOPICS = ("new_device_setup", "new_device_sync")
_FILED_AS = np.array([4, 5])
TIERS = ("free", "pro", "enterprise")
N_ESTABLISHED = len(TOPICS)
STALE_TOPICS = np.array([0, 7])  # billing and plans: what a pricing change makes stale
DIM = 16  # embedding dimensions
N_FAQ = 3_000
FAQ_SHARE = 0.30
VARIANTS = 6  # alternative answers a question can get besides its most likely one
DRAFTS = 5  # sampled drafts behind the self-consistency feature
DEFAULT_TEMPERATURE = 0.7

_TOPIC_MIX = np.array([0.22, 0.16, 0.14, 0.12, 0.10, 0.10, 0.06, 0.10])
# How much the knowledge base is missing per topic, launch topics last (0: well covered),
# and how poor retrieval looks: the old device's articles read as relevant to the new one.
_COVERAGE_GAP = np.array([0.2, 0.0, 0.3, 0.2, 0.1, 0.9, 0.6, 0.3, 1.6, 1.4])
_RETRIEVAL_GAP = np.array([0.2, 0.0, 0.3, 0.2, 0.1, 0.9, 0.6, 0.3, 0.1, 0.1])
_STYLE_MIX = np.array([0.80, 0.12, 0.08])
_NEW_MARKET_STYLE_MIX = np.array([0.45, 0.35, 0.20])
_MISREAD = np.array([0.03, 0.35, 0.35])  # P(the question is misread) by style
_RETRIEVAL_PENALTY = np.array([0.0, 0.03, 0.02])  # the retriever is tuned on plain English
_TIER_MIX = np.array([0.62, 0.30, 0.08])
_TIER_VALUE = np.array([8.0, 60.0, 900.0])  # monthly account value, median, $
COMMON_WEIGHT = 0.4  # how much the established topics' embeddings share a direction
LAUNCH_COSINE = 0.0  # launch topics vs the established questions' average direction
LAUNCH_SHARE = 0.45  # share of questions about the new device at full covariate drift
STALE_WRONG = 0.75  # share of stale-topic answers a full knowledge-base change makes wrong
WRONG_SLOPE, ALTERNATIVE_PENALTY, MISREAD_PENALTY = 1.3, 1.8, 2.0


@dataclass(frozen=True)
class SupportWorld:
    """What stays fixed for a run: topics and their embeddings, the frequent questions (with
    their fixed properties and the answers they would get), the cache, the temperature."""

    temperature: float
    answer_cache: bool
    topic_centroids: np.ndarray  # (topics, DIM)
    style_offsets: np.ndarray  # (styles, DIM)
    faq_share: np.ndarray  # (N_FAQ,) probability a frequent-question ask is this question
    faq_topic: np.ndarray
    faq_obscurity: np.ndarray
    faq_log_words: np.ndarray
    faq_similarity: np.ndarray  # best-source similarity (the same question, the same source)
    faq_noise: np.ndarray  # unobserved difficulty
    faq_embedding: np.ndarray  # (N_FAQ, DIM)
    faq_wrong_u: np.ndarray  # (N_FAQ,) the cached answer is wrong if u < P(wrong)
    faq_stale_u: np.ndarray  # (N_FAQ,) stale after a knowledge-base change if u < its reach
    cached: dict  # per frequent question: cached answer id, its drafts' agreement, its logit
    reference_logits: np.ndarray  # quantiles of the wrong-answer logit at the default temperature
    # base rate -> the intercept that gives it (``intercept_for_rate`` on reference_logits)
    intercepts: dict = field(default_factory=dict, compare=False, repr=False)


def _draw(probs: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """n category codes, each drawn with the same probability vector ``probs``."""
    cumulative = np.cumsum(probs)
    return np.searchsorted(cumulative / cumulative[-1], rng.random(n), side="right").astype(
        np.int16)


def _unit(x: np.ndarray) -> np.ndarray:
    return x / np.linalg.norm(x, axis=-1, keepdims=True)


def _mode_probability(difficulty: np.ndarray, temperature: float) -> np.ndarray:
    """P(a sampled draft is the question's most likely answer) at ``temperature``.

    At T = 1 the most likely answer has probability a = sigmoid(2 - 1.2 * difficulty) and each
    of the VARIANTS alternatives (1 - a) / VARIANTS; temperature T raises every probability to
    the power 1 / T and renormalises, so T -> 0 always gives the most likely answer.
    """
    if temperature == 0:
        return np.ones_like(difficulty)
    a = np.clip(sigmoid(2.0 - 1.2 * difficulty), 0.2, 0.995)
    ratio = (1 - a) / VARIANTS / a
    return 1.0 / (1.0 + VARIANTS * ratio ** (1.0 / temperature))


def _drafts(difficulty: np.ndarray, temperature: float, rng: np.random.Generator):
    """(served answer id, self-consistency) of DRAFTS sampled drafts per question.

    Answer 0 is the most likely one, 1..VARIANTS the alternatives; the first draft is served;
    self-consistency is the share of drafts equal to the most common one.
    """
    n = len(difficulty)
    mode = rng.random((n, DRAFTS)) < _mode_probability(difficulty, temperature)[:, None]
    ids = np.where(mode, 0, rng.integers(1, VARIANTS + 1, (n, DRAFTS)))
    rows = np.repeat(np.arange(n) * (VARIANTS + 1), DRAFTS)
    counts = np.bincount(rows + ids.ravel(), minlength=n * (VARIANTS + 1))
    agreement = counts.reshape(n, VARIANTS + 1).max(axis=1) / DRAFTS
    return ids[:, 0].astype(np.int8), agreement


def _similarity(gap, obscurity, rng, n):
    """Similarity of the best retrieved source: lower for uncovered topics and obscure asks."""
    return 0.80 - 0.10 * (gap + obscurity) + rng.normal(0.0, 0.05, n)


def _difficulty(gap, obscurity, log_words, enterprise, noise):
    """How hard the question is for the assistant (higher: more likely a wrong answer)."""
    return gap + obscurity + 0.45 * (log_words - 2.8) / 0.6 + 0.25 * enterprise + noise


def _embed(centroids: np.ndarray, topic: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A sentence embedding per question: its topic's centroid plus noise, unit length."""
    noise = rng.standard_normal((len(topic), DIM), dtype=np.float32)
    return _unit(centroids[topic].astype(np.float32) + np.float32(0.22) * noise)


def make_world(rng: np.random.Generator, temperature: float = DEFAULT_TEMPERATURE,
               answer_cache: bool = False) -> SupportWorld:
    """The run's fixed world at the scenario's temperature, with or without the cache."""
    # Real sentence embeddings share a common direction; topics differ around it.
    common = _unit(rng.normal(size=DIM))
    old = _unit(COMMON_WEIGHT * common + _unit(rng.normal(size=(N_ESTABLISHED, DIM))))
    # The launch topics sit at a fixed angle from the established questions' average
    # direction (cosine LAUNCH_COSINE), so every seed's launch moves the centroid alike.
    mean = _unit(_TOPIC_MIX @ old)
    other = rng.normal(size=(1 + len(LAUNCH_TOPICS), DIM))
    other = _unit(other - (other @ mean)[:, None] * mean)
    product = _unit(other[0] + 0.4 * other[1:])  # the two launch topics are about one product
    new = LAUNCH_COSINE * mean + np.sqrt(1 - LAUNCH_COSINE**2) * product
    centroids = np.vstack([old, new])
    style_offsets = _unit(rng.normal(size=(len(STYLES), DIM))).astype(np.float32)
    style_offsets[0] = 0.0
    share = 1.0 / np.arange(1, N_FAQ + 1) ** 0.5
    share = share[rng.permutation(N_FAQ)] / share.sum()
    topic = _draw(_TOPIC_MIX, N_FAQ, rng)
    gap = _COVERAGE_GAP[topic]
    # frequent questions are the well-trodden ones: less obscure than one-off questions
    obscurity = rng.normal(-0.3, 0.6, N_FAQ)
    log_words = rng.normal(2.7, 0.5, N_FAQ)
    similarity = _similarity(_RETRIEVAL_GAP[topic], obscurity, rng, N_FAQ)
    noise = rng.normal(0.0, 0.6, N_FAQ)
    embedding = _embed(centroids, topic, rng)
    difficulty = _difficulty(gap, obscurity, log_words, 0.0, noise)
    answer, agreement = _drafts(difficulty, temperature, rng)
    cached = {"answer": answer, "agreement": agreement,
              "logit": WRONG_SLOPE * difficulty + ALTERNATIVE_PENALTY * (answer > 0)}
    world = SupportWorld(
        temperature=float(temperature), answer_cache=bool(answer_cache),
        topic_centroids=centroids, style_offsets=style_offsets, faq_share=share,
        faq_topic=topic, faq_obscurity=obscurity, faq_log_words=log_words,
        faq_similarity=similarity, faq_noise=noise, faq_embedding=embedding,
        faq_wrong_u=rng.random(N_FAQ), faq_stale_u=rng.random(N_FAQ),
        cached=cached, reference_logits=np.empty(0))
    # The wrong-answer logit without its intercept, over a large sample of undrifted traffic
    # at the default temperature; the intercept for any base rate is solved on its quantiles.
    sample = _questions(100_000, DriftState(), world, rng, DEFAULT_TEMPERATURE, cache=False,
                        embed=False)
    quantiles = np.quantile(sample["logit"], (np.arange(2_000) + 0.5) / 2_000)
    return replace(world, reference_logits=quantiles, intercepts={})


def _questions(n: int, drift: DriftState, world: SupportWorld, rng: np.random.Generator,
               temperature: float, cache: bool, embed: bool = True) -> dict[str, np.ndarray]:
    """Everything about n questions except whether the answer is wrong (the logit of that).
    ``embed=False`` leaves out the embeddings, the last draws: for a sample that only needs
    the logits, whose generator draws nothing after it."""
    launch = rng.random(n) < LAUNCH_SHARE * drift.covariate
    faq_ask = ~launch & (rng.random(n) < FAQ_SHARE)
    faq = np.where(faq_ask, _draw(world.faq_share, n, rng), -1).astype(np.int32)
    f = np.maximum(faq, 0)
    true_topic = _draw(_TOPIC_MIX, n, rng)
    true_topic = np.where(launch, N_ESTABLISHED + (rng.random(n) < 0.45), true_topic)
    true_topic = np.where(faq_ask, world.faq_topic[f], true_topic)
    topic = np.where(launch, _FILED_AS[np.maximum(true_topic - N_ESTABLISHED, 0)], true_topic)
    style = _draw(blend(_STYLE_MIX, _NEW_MARKET_STYLE_MIX, drift.cohort), n, rng)
    tier = _draw(_TIER_MIX, n, rng)
    enterprise = (tier == 2).astype(float)
    gap = _COVERAGE_GAP[true_topic]

    obscurity = np.where(faq_ask, world.faq_obscurity[f], rng.normal(0.0, 0.8, n))
    log_words = np.where(faq_ask, world.faq_log_words[f], rng.normal(2.8, 0.6, n))
    log_words = log_words - 0.25 * (style == 2)  # emoji say in one symbol what words would
    noise = np.where(faq_ask, world.faq_noise[f], rng.normal(0.0, 0.6, n))
    similarity = np.where(faq_ask, world.faq_similarity[f],
                          _similarity(_RETRIEVAL_GAP[true_topic], obscurity, rng, n))
    similarity = np.clip(similarity - _RETRIEVAL_PENALTY[style], 0.05, 0.99)
    misread = rng.random(n) < _MISREAD[style]
    difficulty = _difficulty(gap, obscurity, log_words, enterprise, noise)
    # The drafts of a misread question agree on the wrong reading, and the drafts about the
    # new device agree on what the old device's articles say: confidently wrong, both.
    known_gap = np.where(launch, _RETRIEVAL_GAP[true_topic], gap)
    answer, agreement = _drafts(difficulty - gap + known_gap, temperature, rng)
    if cache:  # a frequent question is served its cached answer, whoever asks and however
        hit = faq_ask
        answer = np.where(hit, world.cached["answer"][f], answer)
        agreement = np.where(hit, world.cached["agreement"][f], agreement)
        similarity = np.where(hit, np.clip(world.faq_similarity[f], 0.05, 0.99), similarity)
    logit = WRONG_SLOPE * (difficulty + MISREAD_PENALTY * misread)
    logit = logit + ALTERNATIVE_PENALTY * (answer > 0)
    if cache:  # the cached answer was drafted once, for everyone who asks
        logit = np.where(hit, world.cached["logit"][f], logit)
    if not embed:
        return {"logit": logit}
    # The same question has the same embedding; its style moves it a little.
    embedding = world.topic_centroids[true_topic].astype(np.float32)
    embedding += np.float32(0.22) * rng.standard_normal((n, DIM), dtype=np.float32)
    embedding[faq_ask] = world.faq_embedding[faq[faq_ask]]
    embedding += np.float32(0.35) * world.style_offsets[style]
    embedding = _unit(embedding)
    return {"launch": launch, "faq": faq, "topic": topic.astype(np.int16),
            "true_topic": true_topic, "style": style, "tier": tier,
            "log_words": log_words, "similarity": similarity, "agreement": agreement,
            "answer": answer, "logit": logit, "embedding": embedding}


def generate(n: int, base_rate: float, drift: DriftState, world: SupportWorld,
             rng: np.random.Generator) -> Batch:
    """One week of n customer questions under the given drift state."""
    q = _questions(n, drift, world, rng, world.temperature, world.answer_cache)
    intercept = world.intercepts.get(base_rate)
    if intercept is None:  # the same every week the base rate is: solved once per rate
        intercept = world.intercepts[base_rate] = intercept_for_rate(world.reference_logits,
                                                                     base_rate)
    p_wrong = sigmoid(q["logit"] + intercept)
    faq = q["faq"]
    asked = faq >= 0
    f = np.maximum(faq, 0)
    # A cached answer is right or wrong for everyone it is served to; a fresh draft's
    # correctness also depends on the asker's account and wording.
    u = rng.random(n)
    if world.answer_cache:
        u = np.where(asked, world.faq_wrong_u[f], u)
    label = u < p_wrong
    stale_u = np.where(asked, world.faq_stale_u[f], rng.random(n))
    stale = np.isin(q["true_topic"], STALE_TOPICS) & (stale_u < STALE_WRONG * drift.concept)
    label = (label | stale).astype(np.int8)

    tier = q["tier"]
    value = np.round(_TIER_VALUE[tier] * rng.lognormal(0.0, 0.5, n), 2)
    numeric = np.column_stack([q["similarity"], q["log_words"], q["agreement"],
                               asked.astype(float)])
    return Batch(
        numeric=numeric,
        categorical=np.column_stack([q["topic"], tier]).astype(np.int16),
        label=label,
        value=value,
        segment=q["style"].astype(np.int16),
        extra={"embedding": q["embedding"].astype(np.float16), "faq": faq,
               "answer": q["answer"], "agreement": q["agreement"].astype(np.float16)},
    )


def consistency_rate(faq: np.ndarray, answer: np.ndarray) -> float:
    """P(two asks of the same frequent question got the same answer), pairs drawn within the
    given events: sum over questions and answers of n_qa (n_qa - 1) over sum of n_q (n_q - 1).
    NaN when no frequent question was asked twice."""
    asked = faq >= 0
    key = faq[asked].astype(np.int64) * (VARIANTS + 1) + answer[asked]
    per_answer = np.bincount(key, minlength=N_FAQ * (VARIANTS + 1)).astype(np.int64)
    per_question = per_answer.reshape(N_FAQ, VARIANTS + 1).sum(axis=1)
    pairs = int((per_question * (per_question - 1)).sum())
    same = int((per_answer * (per_answer - 1)).sum())
    return same / pairs if pairs else float("nan")


def monitor(extra: dict[str, np.ndarray], reference_extra: dict[str, np.ndarray]) -> dict:
    """Label-free weekly signals: ``question_drift_cosine`` (cosine distance between this
    week's question-embedding centroid and the training weeks'), ``answer_consistency`` (of
    repeated questions) and ``draft_agreement`` (the mean self-consistency of the drafts)."""
    return {
        "question_drift_cosine": centroid_cosine_distance(extra["embedding"],
                                                          reference_extra["embedding"]),
        "answer_consistency": consistency_rate(extra["faq"], extra["answer"]),
        "draft_agreement": float(extra["agreement"].mean(dtype=np.float64)),
    }


def extra_metrics(label: np.ndarray, declined: np.ndarray, numeric: np.ndarray,
                  extra: dict[str, np.ndarray]) -> dict[str, float]:
    """``wrong_answer_rate``: share of all questions whose customer got a wrong answer;
    ``wrong_among_answered``: share of the answers sent that were wrong (NaN if none)."""
    wrong_sent = int((label.astype(bool) & ~declined).sum())
    sent = int((~declined).sum())
    return {"wrong_answer_rate": wrong_sent / len(label) if len(label) else float("nan"),
            "wrong_among_answered": wrong_sent / sent if sent else float("nan")}


def highlights(totals: dict[str, float], outcome) -> list[tuple[str, str, str]]:
    """Automation rate, wrong answers sent and peak semantic drift."""
    automated = float(np.mean(outcome.action == 0)) if len(outcome.action) else float("nan")
    weekly = outcome.weekly
    share = totals["fn"] / totals["events"] if totals["events"] else float("nan")
    return [
        ("Automation rate, no agent", format_share(automated), "Questions answered by the "
         "assistant alone, with no agent involved (the deflection rate). The 'answer' rate "
         "card above also counts the drafts an agent checked and sent"
         + (f" ({format_share(totals['pass_rate'] - automated)} of all questions)."
            if np.isfinite(automated) else ".")),
        ("Wrong answers sent", f"{totals['fn']:,.0f} ({format_share(share)})",
         "Wrong or made-up answers that reached a customer over the horizon, and their share "
         "of all questions."),
        peak_drift(weekly, "question_drift_cosine", "Peak semantic drift", "question-embedding"),
    ]


DOMAIN = Domain(
    name="assistant",
    title="Support assistant",
    question="Automate more answers: how many wrong ones reach customers, and who catches them?",
    unit="$",
    value_name="account_value",
    positive_word="wrong",
    negative_word="right",
    actions={"flag": "safe fallback", "pass": "answer", "review": "agent review"},
    reviewers="support agents",
    numeric_features=("retrieval_similarity", "log_question_words", "self_consistency",
                      "known_question"),
    categorical_features=(("topic", TOPICS), ("account_tier", TIERS)),
    segments=STYLES,
    base_rate=0.10,
    costs={
        "fn_fixed": 20.0,
        "fn_per_value": 0.10,
        "fp_fixed": 5.0,
        "fp_per_value": 0.0,
        "review": 6.0,
        "retrain": 2000.0,
    },
    review_capacity=1500,
    policy=(0.15, 0.45),
    # Selective feedback: customers flag 60 % of wrong answers (thumbs down, a repeat contact)
    # and confirm 20 % of right ones; a declined draft is never checked.
    reveal=((0.20, 0.60), (0.0, 0.0)),
    make_world=make_world,
    generate=generate,
    extra_metrics=extra_metrics,
    monitor=monitor,
    semantic_drift="question_drift_cosine",
    overflow_action="flag",
    highlights=highlights,
    world_params=(
        WorldParam("temperature", "Sampling temperature", DEFAULT_TEMPERATURE,
                   "How varied the drafted answers are. Higher: the same question gets "
                   "different answers more often and more of them are wrong, but the "
                   "disagreement between sampled drafts says more about which ones.",
                   lo=0.0, hi=2.0, step=0.05),
        WorldParam("answer_cache", "Answer cache", False,
                   "Serve frequent questions the answer drafted once and cached: the same "
                   "question always gets the same answer, right or wrong.", kind="bool"),
    ),
    weekly_charts=(
        WeeklyChart("Semantic drift of the questions",
                    {"question_drift_cosine": "question centroid distance"}, "cosine distance",
                    {"alert line 0.15": 0.15}),
        WeeklyChart("Answer consistency and wrong answers",
                    {"answer_consistency": "same answer to a repeated question",
                     "draft_agreement": "sampled drafts that agree",
                     "wrong_answer_rate": "questions that got a wrong answer"},
                    "share", y_format=".0%"),
    ),
    icon=":material/support_agent:",
    # What the team could change about a drafted answer: better retrieval, more agreement
    # between drafts, a shorter question. Whether it is a known question, its topic and the
    # customer's tier are given.
    explain={
        "retrieval_similarity": FeatureSpec("the retrieval similarity", "up", step=0.01,
                                            fmt="{:.2f}"),
        "log_question_words": FeatureSpec("the question's length (log words)", "any",
                                          step=0.05, fmt="{:.2f}"),
        "self_consistency": FeatureSpec("the agreement between drafts", "up", step=0.01,
                                        fmt="{:.2f}"),
        "known_question": FeatureSpec("the question", step=1.0,
                                      flag=("a new question", "a known question")),
        "topic": FeatureSpec("the topic"),
        "account_tier": FeatureSpec("the account tier"),
    },
)
