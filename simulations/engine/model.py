"""The scikit-learn model that scores events: construction, fitting and scoring.

Features arrive as a float matrix of numeric columns and an integer matrix of categorical
codes. The logistic regression standardises the numeric columns and one-hot encodes the
categorical ones; the gradient-boosting model (HistGradientBoostingClassifier) takes the codes
as native categorical features.

Scoring a fitted logistic pipeline does scikit-learn's own arithmetic directly (``score``):
standardise, one-hot, ``X @ coef.T + intercept``, the logistic function. The pipeline's
validation and dispatch cost more than that arithmetic on a week of events, and a run scores
every week; the probabilities are the pipeline's, bit for bit (tests/test_model_score.py).
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy import special
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler


def build_model(kind: str, n_numeric: int, categorical_sizes: tuple[int, ...], seed: int):
    """An unfitted pipeline for ``kind`` ("logistic" or "gradient_boosting")."""
    numeric_cols = list(range(n_numeric))
    cat_cols = list(range(n_numeric, n_numeric + len(categorical_sizes)))
    if kind == "logistic":
        encoder = OneHotEncoder(
            categories=[np.arange(k) for k in categorical_sizes], handle_unknown="ignore"
        )
        prep = ColumnTransformer(
            [("numeric", StandardScaler(), numeric_cols), ("categorical", encoder, cat_cols)]
        )
        return Pipeline([("prepare", prep), ("classify", LogisticRegression(max_iter=500))])
    if kind == "gradient_boosting":
        mask = np.zeros(n_numeric + len(categorical_sizes), dtype=bool)
        mask[cat_cols] = True
        return HistGradientBoostingClassifier(
            max_iter=120, learning_rate=0.1, categorical_features=mask, random_state=seed
        )
    raise ValueError(f"unknown model kind {kind!r}")


def design_matrix(numeric: np.ndarray, categorical: np.ndarray) -> np.ndarray:
    """Numeric columns followed by categorical codes, as one float matrix."""
    return np.hstack([numeric, categorical.astype(float)])


def fit(model, numeric: np.ndarray, categorical: np.ndarray, label: np.ndarray):
    """Fit in place and return the model."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(design_matrix(numeric, categorical), label)
    return model


def score(model, numeric: np.ndarray, categorical: np.ndarray) -> np.ndarray:
    """P(label = 1) for each event (exactly ``model.predict_proba``'s second column)."""
    parts = _logistic_parts(model)
    if parts is None:
        return model.predict_proba(design_matrix(numeric, categorical))[:, 1]
    scaler, encoder, classifier = parts
    # the steps of Pipeline.predict_proba, in its order and dtypes: StandardScaler.transform
    # (a float64 copy, minus the mean, over the scale), OneHotEncoder.transform made dense as
    # ColumnTransformer does for a dense output (1.0 at each known code; an unknown code,
    # ignored, is a row of zeros), np.hstack, then LogisticRegression's decision function
    # and expit, written into one matrix as np.hstack would lay it out
    n, k = len(numeric), len(scaler.mean_)
    width = sum(len(c) for c in encoder.categories_)
    design = np.zeros((n, k + width))
    x = design[:, :k]
    x[...] = numeric
    x -= scaler.mean_
    x /= scaler.scale_
    rows = np.arange(n)
    offset = k
    for j, cats in enumerate(encoder.categories_):
        code = np.asarray(categorical[:, j], dtype=np.int64)
        known = (code >= 0) & (code < len(cats))
        design[rows[known], offset + code[known]] = 1.0
        offset += len(cats)
    decision = design @ classifier.coef_.T + classifier.intercept_
    return special.expit(decision.reshape(-1))


def _logistic_parts(model):
    """(scaler, encoder, classifier) of a fitted pipeline ``build_model("logistic")`` made,
    or None for any other model (scored by scikit-learn itself)."""
    if not isinstance(model, Pipeline) or len(model.steps) != 2:
        return None
    prep, classifier = model.steps[0][1], model.steps[1][1]
    if (not isinstance(prep, ColumnTransformer) or not isinstance(classifier, LogisticRegression)
            or getattr(prep, "sparse_output_", True) or len(classifier.classes_) != 2):
        return None
    fitted = prep.named_transformers_
    scaler, encoder = fitted.get("numeric"), fitted.get("categorical")
    if not (isinstance(scaler, StandardScaler) and isinstance(encoder, OneHotEncoder)
            and scaler.with_mean and scaler.with_std and encoder.drop_idx_ is None
            and not getattr(encoder, "_infrequent_enabled", True) and encoder.handle_unknown == "ignore"
            and all(np.array_equal(c, np.arange(len(c))) for c in encoder.categories_)):
        return None
    return scaler, encoder, classifier
