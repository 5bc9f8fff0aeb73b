"""The risk model's L2 logistic regression: Newton's method, the penalty's strength chosen by inner stratified
cross-validation on log loss, and the fitted model (encoder + coefficients) to and from JSON-ready dicts."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from functions.analytics.linear_model.encoding import Encoder
from functions.analytics.linear_model.scores import log_loss, sigmoid, stratified_folds

C_GRID = tuple(float(c) for c in np.logspace(-3, 1, 7))  # the former LogisticRegressionCV's Cs
INNER_FOLDS = 5
NEWTON_STEPS, NEWTON_TOLERANCE = 100, 1e-8


def _objective(design: np.ndarray, labels: np.ndarray, beta: np.ndarray, penalty: np.ndarray) -> float:
    z = design @ beta
    # log(1 + e^z) - y z, summed, computed without overflow
    return float(np.sum(np.logaddexp(0.0, z) - labels * z) + 0.5 * np.sum(penalty * beta * beta))


def fit_logistic(features: np.ndarray, labels: np.ndarray, c: float) -> tuple[np.ndarray, float]:
    """(weights, intercept) minimising sum(log loss) + |weights|^2 / (2 c), by damped Newton steps."""
    design = np.hstack([features, np.ones((len(features), 1))])
    penalty = np.full(design.shape[1], 1.0 / c)
    penalty[-1] = 0.0  # the intercept is not shrunk
    beta = np.zeros(design.shape[1])
    rate = float(np.clip(labels.mean(), 1e-6, 1 - 1e-6))
    beta[-1] = np.log(rate / (1 - rate))
    current = _objective(design, labels, beta, penalty)
    for _ in range(NEWTON_STEPS):
        p = sigmoid(design @ beta)
        gradient = design.T @ (p - labels) + penalty * beta
        hessian = (design * (p * (1 - p))[:, None]).T @ design + np.diag(penalty + 1e-10)
        step = np.linalg.solve(hessian, gradient)
        size = 1.0
        while size > 1e-10:  # halve until the objective does not rise (it is convex: this ends)
            candidate = beta - size * step
            value = _objective(design, labels, candidate, penalty)
            if value <= current:
                break
            size /= 2
        else:
            break
        beta, previous, current = candidate, current, value
        if previous - current <= NEWTON_TOLERANCE * max(1.0, abs(current)):
            break
    return beta[:-1], float(beta[-1])


def choose_c(features: np.ndarray, labels: np.ndarray, seed: int, folds: int = INNER_FOLDS) -> float:
    """The C of C_GRID with the lowest mean held-out log loss over stratified folds (the first one on a tie)."""
    losses = np.zeros(len(C_GRID))
    for train_index, test_index in stratified_folds(labels, folds, seed):
        for k, c in enumerate(C_GRID):
            weights, intercept = fit_logistic(features[train_index], labels[train_index], c)
            losses[k] += log_loss(labels[test_index], sigmoid(features[test_index] @ weights + intercept))
    return C_GRID[int(np.argmin(losses))]


@dataclass
class LinearModel:
    """The fitted encoder and logistic regression: what scoring needs, as JSON-ready lists."""

    encoder: Encoder
    weights: list[float]
    intercept: float
    c: float

    @classmethod
    def fit(cls, matrix: np.ndarray, n_numeric: int, labels: np.ndarray, seed: int = 0) -> LinearModel:
        encoder = Encoder.fit(matrix, n_numeric)
        features = encoder.transform(matrix)
        c = choose_c(features, labels, seed)
        weights, intercept = fit_logistic(features, labels, c)
        return cls(encoder, [float(w) for w in weights], intercept, c)

    def decision_function(self, matrix: np.ndarray) -> np.ndarray:
        return self.encoder.transform(matrix) @ np.asarray(self.weights) + self.intercept

    def predict_proba(self, matrix: np.ndarray) -> np.ndarray:
        """The probability of the positive class (1) per row."""
        return sigmoid(self.decision_function(matrix))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, stored: dict[str, Any]) -> LinearModel:
        encoder = Encoder(**stored["encoder"])
        if len(stored["weights"]) != len(encoder.sources()):
            raise ValueError("the weights do not match the encoder's columns")
        return cls(encoder, [float(w) for w in stored["weights"]], float(stored["intercept"]), float(stored["c"]))


