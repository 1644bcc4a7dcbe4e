"""Regenerate ``breast_cancer_scores.csv``: out-of-fold scores of a real model on real data.

scikit-learn bundles the Wisconsin diagnostic breast cancer data (569 biopsies, 212 malignant).
A standardised logistic regression is scored with 5-fold cross-validation, so every row's score
comes from a model that never saw that row: the scores behave like a deployed model's.
Columns: ``score`` (probability the tumour is malignant), ``label`` (1 = malignant), ``segment``
(tumour size: the mean radius above or below the median) and ``week`` (a made-up arrival:
the rows are shuffled with a fixed seed, then taken 60 per week) so the weekly view can be
tried. The arrival is random, so any drift it shows between weeks is chance.

    python data/samples/make_breast_cancer_scores.py
"""

from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.datasets import load_breast_cancer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler


def main() -> Path:
    data = load_breast_cancer(as_frame=True)
    X = data.frame[data.feature_names]
    malignant = (data.target == 0).astype(int)  # scikit-learn codes malignant as 0
    model = make_pipeline(StandardScaler(), LogisticRegression(C=0.05, max_iter=1000))
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=0)
    score = cross_val_predict(model, X, malignant, cv=folds, method="predict_proba")[:, 1]
    radius = X["mean radius"]
    out = pd.DataFrame({
        "score": np.round(score, 6),
        "label": malignant,
        "segment": np.where(radius > radius.median(), "larger tumour", "smaller tumour"),
    })
    # the bundled rows are not in a random order (malignant cases cluster): shuffle them so
    # that the made-up weeks are a random arrival order
    out = out.sample(frac=1.0, random_state=1).reset_index(drop=True)
    out["week"] = np.arange(len(out)) // 60 + 1
    path = Path(__file__).with_name("breast_cancer_scores.csv")
    out.to_csv(path, index=False)
    return path


if __name__ == "__main__":
    print(main())
