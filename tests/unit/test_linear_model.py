"""The risk model's NumPy mathematics (functions/analytics/linear_model/): encoding, the logistic regression,
folds and scores, checked on data whose answer is known and against scikit-learn (a dev dependency) as oracle."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, roc_auc_score

from functions.analytics import linear_model, risk_model
from functions.analytics.linear_model import Encoder, LinearModel
from tests.unit.test_risk_model import synthetic_history, without


def _matrix(numbers: list[list[float]], texts: list[list[str]]) -> np.ndarray:
    """An object matrix as risk_model.feature_matrix builds it: floats (NaN for empty), then strings."""
    return np.array([list(n) + list(t) for n, t in zip(numbers, texts)], dtype=object)


def test_separable_data_is_ranked_perfectly_held_out():
    # GIVEN rows whose label is exactly "x > 0", split into training and held-out rows
    rng = np.random.default_rng(1)
    x = rng.uniform(-3, 3, 200)
    x = x[np.abs(x) > 0.1]
    labels = (x > 0).astype(int)
    matrix = _matrix([[v] for v in x], [[] for _ in x])

    # WHEN the model is fitted on the first half and scores the second
    model = LinearModel.fit(matrix[:100], 1, labels[:100], seed=0)
    scores = model.predict_proba(matrix[100:])

    # THEN the held-out AUC is 1.0, the weight points the right way and every probability is finite and in (0, 1)
    assert linear_model.roc_auc(labels[100:], scores) == 1.0
    assert model.weights[0] > 0 and model.c in linear_model.C_GRID
    assert np.all((scores > 0) & (scores < 1))


def test_a_constant_column_and_an_always_empty_column_are_harmless():
    # GIVEN a signal column, a constant column and a column that is empty in every training row
    rng = np.random.default_rng(2)
    x = rng.normal(size=150)
    labels = (x + rng.normal(scale=0.5, size=150) > 0).astype(int)
    matrix = _matrix([[v, 7.0, math.nan] for v in x], [["same"] for _ in x])

    # WHEN the model is fitted and scores rows (one with a value in the once-empty column)
    model = LinearModel.fit(matrix, 3, labels, seed=0)
    scores = model.predict_proba(_matrix([[0.5, 7.0, 3.0], [-0.5, 7.0, math.nan]], [["same"], ["same"]]))

    # THEN the constant column is centred to 0 (scale 1) and weighs nothing; the empty one is imputed with 0
    encoder = model.encoder
    assert encoder.scales[1] == 1.0 and encoder.means[1] == 7.0
    assert encoder.medians[2] == 0.0 and 2 in encoder.indicator_columns
    assert abs(model.weights[1]) < 1e-9
    # AND the scores are finite and follow the signal
    assert np.all(np.isfinite(scores)) and scores[0] > scores[1]


def test_an_unseen_category_scores_like_the_grouped_rare_ones_or_like_none_when_there_were_none():
    # GIVEN a text column with two frequent categories and one rare one, and one with only frequent ones
    texts = [["a", "x"]] * 20 + [["b", "y"]] * 20 + [["rare", "x"]] * 2
    matrix = _matrix([[] for _ in texts], texts)
    labels = np.array([0, 1] * 10 + [1, 0] * 10 + [1, 1])

    # WHEN the encoder is fitted and meets categories never seen in training
    encoder = Encoder.fit(matrix, 0)
    seen = encoder.transform(_matrix([[], []], [["rare", "x"], ["new", "zzz"]]))

    # THEN the rare category and the unseen one share the first column's "infrequent" column; in the second
    # column (no rare category in training, so no such column) the unseen value is all zeros
    assert encoder.vocabularies == [["a", "b"], ["x", "y"]] and encoder.has_infrequent == [True, False]
    assert seen.shape == (2, 5)
    assert list(seen[0]) == [0, 0, 1, 1, 0] and list(seen[1]) == [0, 0, 1, 0, 0]
    assert encoder.sources() == [0, 0, 0, 1, 1]
    # AND a fitted model scores the unseen row without error
    probability = LinearModel.fit(matrix, 0, labels, seed=0).predict_proba(_matrix([[]], [["new", "zzz"]]))
    assert 0 < probability[0] < 1


def test_the_fit_matches_scikit_learns_l2_logistic_regression_at_the_same_strength():
    # GIVEN standardised features with a known logistic rule
    rng = np.random.default_rng(3)
    features = rng.normal(size=(400, 6))
    labels = (rng.random(400) < 1 / (1 + np.exp(-(features @ [1.5, -1, 0.5, 0, 0, 2] - 0.3)))).astype(int)

    for c in (0.01, 1.0, 10.0):
        # WHEN both fit at the same C
        weights, intercept = linear_model.fit_logistic(features, labels, c)
        oracle = LogisticRegression(C=c, solver="newton-cholesky", tol=1e-10, max_iter=1000).fit(features, labels)

        # THEN the coefficients agree
        np.testing.assert_allclose(weights, oracle.coef_[0], atol=1e-5)
        assert intercept == pytest.approx(oracle.intercept_[0], abs=1e-5)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 1), st.sampled_from([0.0, 0.25, 0.5, 0.5, 0.75, 1.0])),
                min_size=2, max_size=40).filter(lambda pairs: len({label for label, _ in pairs}) == 2))
def test_roc_auc_and_brier_score_agree_with_scikit_learn_ties_included(pairs):
    # GIVEN labels with both classes and scores with many ties
    labels = np.array([label for label, _ in pairs])
    scores = np.array([score for _, score in pairs])
    # THEN ROC AUC (ties count half) and the Brier score are scikit-learn's
    assert linear_model.roc_auc(labels, scores) == pytest.approx(roc_auc_score(labels, scores), abs=1e-12)
    assert linear_model.brier_score(labels, scores) == pytest.approx(brier_score_loss(labels, scores), abs=1e-12)


def test_roc_auc_refuses_labels_of_one_class():
    with pytest.raises(ValueError, match="both classes"):
        linear_model.roc_auc(np.array([1, 1]), np.array([0.2, 0.3]))


def test_folds_cover_every_row_once_keep_groups_together_and_are_stratified():
    # GIVEN 300 rows in 150 groups of two (an interview's 48 h and 24 h snapshots), 30% positive per group
    groups = [f"int-{i // 2}" for i in range(300)]
    labels = np.array([1 if (i // 2) % 10 < 3 else 0 for i in range(300)])

    # WHEN they are split into 5 folds
    folds = linear_model.stratified_folds(labels, 5, seed=4, groups=groups)

    # THEN every row is in exactly one test fold, never in its own training fold
    tested = np.concatenate([test for _, test in folds])
    assert sorted(tested.tolist()) == list(range(300))
    assert all(not set(train) & set(test) for train, test in folds)
    # AND no group is split across folds
    fold_of = {i: k for k, (_, test) in enumerate(folds) for i in test}
    assert all(fold_of[2 * g] == fold_of[2 * g + 1] for g in range(150))
    # AND each fold's positive share is the whole's within one group's worth
    assert all(abs(labels[test].mean() - 0.3) <= 2 / len(test) for _, test in folds)
    # AND another seed deals other folds
    assert linear_model.stratified_folds(labels, 5, seed=5, groups=groups)[0][1].tolist() != folds[0][1].tolist()


def test_a_saved_model_is_json_and_loads_back_scoring_identically(tmp_path):
    # GIVEN a trained risk model
    model = risk_model.train(synthetic_history(150, seed=21))
    rows = [without(row, "outcome") for row in synthetic_history(10, seed=22)]

    # WHEN it is saved
    risk_model.save(model, tmp_path / "risk.json")

    # THEN the file is plain JSON of the encoder and coefficients, and the loaded model scores exactly the same
    stored = json.loads((tmp_path / "risk.json").read_text())
    assert stored["format"] == risk_model.MODEL_FORMAT
    assert len(stored["linear"]["weights"]) == len(stored["linear"]["encoder"]["means"]) + sum(
        len(v) + int(i) for v, i in zip(stored["linear"]["encoder"]["vocabularies"],
                                        stored["linear"]["encoder"]["has_infrequent"]))
    assert risk_model.score(risk_model.load(tmp_path / "risk.json"), rows) == risk_model.score(model, rows)


@pytest.mark.parametrize(("content", "message"), [
    (b"\x80\x04\x95joblib pickle bytes", "not JSON"),
    (b'{"format": "risk-model/1"}', "format risk-model/2"),
    (b"[1, 2]", "format risk-model/2"),
    (b'{"format": "risk-model/2", "schema": {"numeric": [], "categorical": []}}', "not a complete risk model"),
])
def test_a_file_that_is_not_a_saved_model_is_refused_with_a_clear_error(tmp_path, content, message):
    # GIVEN a file that `save` did not write (a former joblib pickle, another format, a truncated model)
    path = tmp_path / "model.json"
    path.write_bytes(content)
    # WHEN it is loaded THEN it is refused, naming why, and nothing is executed or changed
    with pytest.raises(risk_model.ModelFileError, match=message):
        risk_model.load(path)
    assert path.read_bytes() == content


def test_weights_that_do_not_match_the_encoder_are_refused(tmp_path):
    # GIVEN a saved model whose weights list was cut short
    model = risk_model.train(synthetic_history(150, seed=23))
    risk_model.save(model, tmp_path / "risk.json")
    stored = json.loads((tmp_path / "risk.json").read_text())
    stored["linear"]["weights"] = stored["linear"]["weights"][:-1]
    (tmp_path / "risk.json").write_text(json.dumps(stored))
    # WHEN it is loaded THEN it is refused
    with pytest.raises(risk_model.ModelFileError, match="do not match"):
        risk_model.load(tmp_path / "risk.json")
