"""The cancellation-risk model as it was until issue #18, in scikit-learn: kept only to be compared with.

The analytics function now fits a NumPy logistic regression (functions/analytics/linear_model/) so its asset
carries neither scikit-learn nor SciPy. benchmarks/risk_model_auc.py fits this former pipeline and the NumPy
model on the same folds of the same data, so the change's cost in AUC and Brier score is measured, not assumed.
scikit-learn is a dev dependency (pyproject.toml); nothing under functions/ imports it.
"""
from __future__ import annotations

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import RandomForestClassifier, VotingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegressionCV
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

MIN_CATEGORY_COUNT, INNER_FOLDS = 5, 5


def _as_float(block: np.ndarray) -> np.ndarray:
    return np.asarray(block, dtype=float)


def _as_text(block: np.ndarray) -> np.ndarray:
    return np.asarray(block, dtype=str)


def build_pipeline(n_numeric: int, n_columns: int, seed: int = 0, forest: bool = True) -> Pipeline:
    """The former production pipeline (forest=True), or its logistic-regression half alone (forest=False)."""
    numeric = Pipeline([
        ("as_float", FunctionTransformer(_as_float)),
        ("impute", SimpleImputer(strategy="median", add_indicator=True, keep_empty_features=True)),
        ("scale", StandardScaler()),
    ])
    categorical = Pipeline([
        ("as_text", FunctionTransformer(_as_text)),
        ("one_hot", OneHotEncoder(handle_unknown="infrequent_if_exist", min_frequency=MIN_CATEGORY_COUNT)),
    ])
    columns = ColumnTransformer(
        [("numeric", numeric, list(range(n_numeric))),
         ("categorical", categorical, list(range(n_numeric, n_columns)))],
        sparse_threshold=0,
    )
    linear = LogisticRegressionCV(
        Cs=np.logspace(-3, 1, 7), l1_ratios=(0.0,),
        cv=StratifiedKFold(INNER_FOLDS, shuffle=True, random_state=seed),
        scoring="neg_log_loss", solver="newton-cholesky", max_iter=1000, use_legacy_attributes=False,
    )
    if not forest:
        return Pipeline([("features", columns), ("classifier", linear)])
    trees = RandomForestClassifier(n_estimators=100, min_samples_leaf=5, random_state=seed, n_jobs=1)
    classifier = VotingClassifier([("linear", linear), ("forest", trees)], voting="soft")
    return Pipeline([("features", columns), ("classifier", classifier)])
