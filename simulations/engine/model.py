"""The scikit-learn model that scores events: construction, fitting and scoring.

Features arrive as a float matrix of numeric columns and an integer matrix of categorical
codes. The logistic regression standardises the numeric columns and one-hot encodes the
categorical ones; the gradient-boosting model (HistGradientBoostingClassifier) takes the codes
as native categorical features.
"""

from __future__ import annotations

import warnings

import numpy as np
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
    """P(label = 1) for each event."""
    return model.predict_proba(design_matrix(numeric, categorical))[:, 1]
