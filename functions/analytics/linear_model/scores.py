"""Folds and scores for the risk model, in NumPy: stratified (grouped) k-fold splits, ROC AUC by ranks, the
Brier score and log loss, and the logistic function itself."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # exact and overflow-free for any z


def log_loss(labels: np.ndarray, probabilities: np.ndarray) -> float:
    p = np.clip(probabilities, 1e-15, 1 - 1e-15)
    return float(-np.mean(labels * np.log(p) + (1 - labels) * np.log(1 - p)))


def stratified_folds(labels: np.ndarray, folds: int, seed: int,
                     groups: Sequence[str] | None = None) -> list[tuple[np.ndarray, np.ndarray]]:
    """(train, test) index pairs: each group (each row when there are none) in exactly one test fold, and each
    fold's share of positives close to the whole's. Groups are shuffled by `seed`, ordered by their share of
    positives (stable) and dealt round-robin, so every fold gets groups from across that order."""
    labels = np.asarray(labels)
    keys = list(groups) if groups is not None else list(range(len(labels)))
    names, unit_of = np.unique(np.asarray([str(k) for k in keys]), return_inverse=True)
    share = np.bincount(unit_of, weights=labels, minlength=len(names)) / np.bincount(unit_of, minlength=len(names))
    order = np.random.default_rng(seed).permutation(len(names))
    order = order[np.argsort(share[order], kind="stable")]
    fold_of_unit = np.empty(len(names), dtype=int)
    fold_of_unit[order] = np.arange(len(names)) % folds
    fold_of_row = fold_of_unit[unit_of]
    return [(np.flatnonzero(fold_of_row != k), np.flatnonzero(fold_of_row == k)) for k in range(folds)]


def roc_auc(labels: np.ndarray, scores: np.ndarray) -> float:
    """The probability that a random positive scores above a random negative (ties count half): Mann-Whitney."""
    labels, scores = np.asarray(labels), np.asarray(scores, dtype=float)
    positives = int(labels.sum())
    negatives = len(labels) - positives
    if not positives or not negatives:
        raise ValueError("ROC AUC needs both classes among the labels")
    values, inverse, counts = np.unique(scores, return_inverse=True, return_counts=True)
    average_rank = np.cumsum(counts) - (counts - 1) / 2.0  # 1-based rank of each distinct value, ties averaged
    rank_sum = float(average_rank[inverse][labels == 1].sum())
    return (rank_sum - positives * (positives + 1) / 2.0) / (positives * negatives)


def brier_score(labels: np.ndarray, probabilities: np.ndarray) -> float:
    return float(np.mean((np.asarray(probabilities, dtype=float) - np.asarray(labels)) ** 2))
