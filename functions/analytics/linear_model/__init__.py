"""The cancellation-risk model's mathematics in NumPy alone: encoding, an L2 logistic regression, folds and scores.

encoding.py (Encoder), logistic.py (LinearModel, the fit), scores.py (folds, ROC AUC, Brier score).

Why not scikit-learn: with SciPy it is 138 MB of the analytics function's asset (issue #18: under 200 MB unpacked,
without stripping native libraries), for what is a few hundred lines here. NumPy stays: the feature matrix, the
Newton steps and the rank statistics need arrays, and it is 44 MB. scikit-learn is a dev dependency only, so
benchmarks/risk_model_auc.py can compare this model with the former scikit-learn pipeline on the same folds.

What is fitted, and kept as plain lists so a model file is JSON (no pickle):
- numbers: an empty cell becomes the column's training median (0 if the column was always empty) plus a 0/1
  "was empty" column for each column that had an empty cell in training; then every column is standardised
  (a constant column is only centred);
- text: one-hot over the categories seen at least MIN_CATEGORY_COUNT times; rarer ones share an "infrequent"
  column, which a category never seen in training also goes to (all zeros when there was no rare category);
- a logistic regression with an L2 penalty on the weights (not the intercept), minimising
  sum(log loss) + |w|^2 / (2 C), fitted by Newton's method; C is chosen from C_GRID by the mean held-out log loss
  of an inner stratified k-fold.
"""

from functions.analytics.linear_model.encoding import MIN_CATEGORY_COUNT, Encoder
from functions.analytics.linear_model.logistic import C_GRID, INNER_FOLDS, LinearModel, choose_c, fit_logistic
from functions.analytics.linear_model.scores import brier_score, log_loss, roc_auc, sigmoid, stratified_folds

__all__ = ["C_GRID", "INNER_FOLDS", "MIN_CATEGORY_COUNT", "Encoder", "LinearModel", "brier_score", "choose_c",
           "fit_logistic", "log_loss", "roc_auc", "sigmoid", "stratified_folds"]
