"""The upload page's answered questions show the right figures, not only some figures.

Each test uploads a file with one open question (which label value is the positive class,
how to read scores outside [0, 1], what to do with rows with empty cells), answers it on the
page, and compares the KPI cards with a reference computed here from the same CSV text with
pandas and scikit-learn: the page's defaults are a single threshold at 0.5 (flag from 0.5 up),
a missed positive costing 10, a false alarm 1 and a review 0.5, unlimited review capacity and
reviewers who are always right. Then the band is moved and the cards are checked again.
"""

from __future__ import annotations

import io
import re

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import precision_score, recall_score

from tests.test_pages import app

FN, FP, REVIEW = 10.0, 1.0, 0.5


def _file(kind: str) -> bytes:
    rng = np.random.default_rng(16)
    n = 300
    label = rng.random(n) < 0.3
    score = np.clip(0.35 * label + rng.random(n) * 0.65, 0, 1).round(3)
    frame = pd.DataFrame({"score": score, "label": label.astype(int)})
    if kind == "words":
        frame["label"] = np.where(label, "fraud", "legit")
    elif kind == "logits":
        frame["score"] = (4 * score - 2).round(3)
    elif kind == "gaps":
        frame = frame.astype(object)
        frame.loc[[3, 50], "score"] = None
        frame.loc[[7], "label"] = None
    return frame.to_csv(index=False).encode()


def reference(data: bytes, kind: str, t_low: float = 0.5, t_high: float = 0.5) -> dict:
    """The band's figures from the CSV text: pandas to read, scikit-learn to score."""
    frame = pd.read_csv(io.BytesIO(data))
    if kind == "gaps":
        frame = frame.dropna()
    y = (frame["label"] == "fraud").to_numpy() if kind == "words" else (
        frame["label"].astype(int).to_numpy() == 1)
    s = frame["score"].astype(float).to_numpy()
    if kind == "logits":
        s = 1 / (1 + np.exp(-s))
    band = (s >= t_low) & (s < t_high)
    flagged = (s >= t_high) | (band & y)  # unlimited reviewers, always right
    return {"precision": precision_score(y, flagged, zero_division=np.nan),
            "recall": recall_score(y, flagged, zero_division=np.nan),
            "pass_rate": 1 - flagged.mean(),
            "cost": FN * np.sum(y & ~flagged) + FP * np.sum(~y & flagged) + REVIEW * band.sum(),
            "reviews": float(band.sum())}


def shown(at) -> dict:
    cards = {m.label: m.value for m in at.metric}
    review = next(k for k in cards if k.startswith("Reviews / week"))
    return {"precision": float(cards["Precision"].rstrip("%")) / 100,
            "recall": float(cards["Recall"].rstrip("%")) / 100,
            "pass_rate": float(cards["'pass' rate"].rstrip("%")) / 100,
            "cost": float(re.sub(r"[^0-9.\-]", "", cards["Total cost"])),
            "reviews": float(cards[review].replace(",", ""))}


def same(page: dict, want: dict) -> None:
    for key in ("precision", "recall", "pass_rate"):
        assert page[key] == pytest.approx(want[key], abs=0.0005 + 1e-12), key
    assert page["cost"] == pytest.approx(want["cost"], abs=0.5 + 1e-9)
    assert page["reviews"] == pytest.approx(want["reviews"], abs=0.5 + 1e-9)


def _answered(kind: str):
    data = _file(kind)
    at = app("upload")
    at.file_uploader(key="upload_file").set_value((f"{kind}.csv", data, "text/csv")).run()
    assert not at.exception and not at.metric  # the question comes first
    if kind == "words":
        at.selectbox(key=next(s.key for s in at.selectbox if s.key.endswith("_positive"))
                     ).set_value("fraud").run()
    elif kind == "logits":
        next(r for r in at.radio if r.key.endswith("_transform")).set_value(
            "logits: apply a sigmoid").run()
    else:
        at.checkbox(key=next(c.key for c in at.checkbox if c.key.endswith("_drop"))
                    ).check().run()
    assert not at.exception
    return at, data


@pytest.mark.parametrize("kind", ["words", "logits", "gaps"])
def test_an_answered_question_shows_the_figures_of_the_file_read_that_way(kind):
    at, data = _answered(kind)
    same(shown(at), reference(data, kind))
    band = next(s for s in at.slider if s.key.endswith("_band"))
    band.set_value((0.3, 0.7)).run()
    assert not at.exception
    same(shown(at), reference(data, kind, 0.3, 0.7))


def test_the_positive_class_answer_is_the_one_used():
    """Choosing the other value as positive turns precision and recall into those of the
    other class: the page must not keep a default reading."""
    data = _file("words")
    at = app("upload")
    at.file_uploader(key="upload_file").set_value(("words.csv", data, "text/csv")).run()
    at.selectbox(key=next(s.key for s in at.selectbox if s.key.endswith("_positive"))
                 ).set_value("legit").run()
    assert not at.exception
    frame = pd.read_csv(io.BytesIO(data))
    y = (frame["label"] == "legit").to_numpy()
    flagged = frame["score"].to_numpy() >= 0.5
    page = shown(at)
    assert page["precision"] == pytest.approx(precision_score(y, flagged), abs=0.0005)
    assert page["recall"] == pytest.approx(recall_score(y, flagged), abs=0.0005)
