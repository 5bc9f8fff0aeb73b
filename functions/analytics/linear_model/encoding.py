"""How the risk model's rows become numbers: median imputation with "was empty" columns, standardisation, and
one-hot encoding with rare and unseen categories grouped; fitted values kept as lists so a model file is JSON."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MIN_CATEGORY_COUNT = 5


@dataclass
class Encoder:
    """Numbers imputed and standardised, text one-hot: fitted on the training rows, replayed on any rows."""

    n_numeric: int
    medians: list[float]
    indicator_columns: list[int]  # numeric columns that had an empty cell in training
    vocabularies: list[list[str]]  # per text column, its frequent categories (sorted)
    has_infrequent: list[bool]  # per text column, whether a rarer category was seen (its shared column exists)
    means: list[float]  # over the imputed numbers and the indicators
    scales: list[float]

    @classmethod
    def fit(cls, matrix: np.ndarray, n_numeric: int) -> Encoder:
        numbers = np.asarray(matrix[:, :n_numeric], dtype=float)
        empty = np.isnan(numbers)
        medians = [float(np.median(column[~gap])) if (~gap).any() else 0.0
                   for column, gap in zip(numbers.T, empty.T)]
        vocabularies, infrequent = [], []
        for column in matrix[:, n_numeric:].T:
            values, counts = np.unique(np.asarray(column, dtype=str), return_counts=True)
            vocabularies.append([str(v) for v, n in zip(values, counts) if n >= MIN_CATEGORY_COUNT])
            infrequent.append(bool((counts < MIN_CATEGORY_COUNT).any()))
        encoder = cls(n_numeric, medians, [int(i) for i in np.flatnonzero(empty.any(axis=0))], vocabularies,
                      infrequent, [], [])
        dense = encoder._dense_numbers(numbers)
        encoder.means = [float(m) for m in dense.mean(axis=0)]
        scales = dense.std(axis=0)
        encoder.scales = [float(s) if s > 0 else 1.0 for s in scales]
        return encoder

    def _dense_numbers(self, numbers: np.ndarray) -> np.ndarray:
        empty = np.isnan(numbers)
        imputed = np.where(empty, np.asarray(self.medians, dtype=float), numbers)
        return np.hstack([imputed, empty[:, self.indicator_columns].astype(float)])

    def transform(self, matrix: np.ndarray) -> np.ndarray:
        numbers = np.asarray(matrix[:, :self.n_numeric], dtype=float).reshape(len(matrix), self.n_numeric)
        blocks = [(self._dense_numbers(numbers) - np.asarray(self.means)) / np.asarray(self.scales)]
        for column, vocabulary, infrequent in zip(matrix[:, self.n_numeric:].T, self.vocabularies,
                                                  self.has_infrequent):
            text = np.asarray(column, dtype=str)
            one_hot = (text[:, None] == np.asarray(vocabulary, dtype=str)[None, :]).astype(float)
            if infrequent:
                one_hot = np.hstack([one_hot, (one_hot.sum(axis=1) == 0).astype(float)[:, None]])
            blocks.append(one_hot.reshape(len(matrix), -1))
        return np.hstack(blocks)

    def sources(self) -> list[int]:
        """For each column `transform` puts out, the index of the input column it comes from."""
        found = list(range(self.n_numeric)) + list(self.indicator_columns)
        for index, (vocabulary, infrequent) in enumerate(zip(self.vocabularies, self.has_infrequent)):
            found += [self.n_numeric + index] * (len(vocabulary) + int(infrequent))
        return found


