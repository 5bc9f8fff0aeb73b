"""What the cancellation-risk model must not use: no gender, marital status or other protected attribute, checked
against the columns the import format accepts, the schema a trained model reads and the rows production
builds; and the per-source score distribution the model card asks to watch."""

from __future__ import annotations

import re

import numpy as np
import pytest

from functions.analytics import risk_fairness, risk_model, risk_rows

# The deny list the model card promises, written out here independently of the code's own list.
DENIED = ("gender", "sex", "marital", "married", "spouse", "religion", "caste", "race", "ethnic", "ethnicity",
          "nationality", "citizenship", "age", "birth", "dob", "disability", "pregnancy", "orientation")


def _denied(column: str) -> bool:
    return bool(set(DENIED) & set(re.split(r"[^a-z0-9]+", column.lower())))


def _rows(extra: dict[str, list[str]] | None = None, n: int = 40) -> list[dict]:
    rows = []
    for i in range(n):
        row = {"interview_id": f"i-{i}", "scheduled_at": f"2030-01-{1 + i % 28:02d}T10:00:00+00:00",
               "invited_at": "2029-12-01T10:00:00+00:00", "outcome": "cancelled" if i % 2 else "attended",
               "source": ["agency", "referral"][i % 3 % 2], "job_level": "L2", "feature_client": "acme"}
        for column, values in (extra or {}).items():
            row[column] = values[i % len(values)]
        rows.append(row)
    return rows


@pytest.mark.parametrize("column", ["feature_gender", "feature_marital_status", "Gender", "feature_date_of_birth",
                                    "feature_age", "feature_religion", "feature_ethnicity", "nationality"])
def test_a_history_with_a_protected_attribute_is_refused_with_a_clear_error(column):
    # GIVEN history rows with a protected column
    rows = _rows({column: ["a", "b"]})
    # WHEN they are trained on, THEN the import refuses them and names the column
    with pytest.raises(risk_rows.HistoryFormatError, match=re.escape(column)):
        risk_model.train(rows)


def test_words_that_only_contain_a_protected_word_are_not_refused():
    # GIVEN columns whose words merely contain "age" or "race" (message, agency, trace)
    columns = ["feature_message_opened", "feature_agency_tier", "feature_trace_id", "source"]
    # THEN none is taken for a protected attribute
    assert risk_rows.protected_columns(columns) == []


def test_no_column_a_trained_model_reads_and_no_column_production_builds_is_on_the_deny_list():
    # GIVEN a model trained on every kind of column the import format accepts
    rows = _rows({"viewed_jd": ["1", "0"], "clicked_link": ["1", ""], "prior_cancellations": ["0", "1"],
                  "feature_completed_parts": ["0", "2"]})
    model = risk_model.train(rows)
    # THEN its schema has no denied column
    assert not [c for c in model.schema.columns if _denied(c)]
    # and the code's deny list covers the model card's
    assert all(risk_rows.protected_columns([f"feature_{w}"]) for w in DENIED)
    # and the converter of the public data set writes none
    from scripts.convert_attendance import OUTPUT_COLUMNS

    assert not [c for c in OUTPUT_COLUMNS if _denied(c)]


def test_the_score_distribution_by_source_shows_each_groups_scores_beside_its_observed_rate():
    # GIVEN held-out scores of two sources
    groups = ["agency"] * 4 + ["referral"] * 4 + [""]
    labels = np.array([1, 1, 0, 1, 0, 0, 0, 1, 0])
    scores = np.array([.8, .7, .6, .9, .2, .1, .3, .4, .5])
    # WHEN summarised at the threshold 0.5
    table = risk_fairness.score_distribution(groups, labels, scores, 0.5)
    # THEN each group has its count, mean score, observed rate and flagged share
    by_group = {row["group"]: row for row in table}
    assert by_group["agency"]["interviews"] == 4 and by_group["agency"]["mean_score"] == 0.75
    assert by_group["agency"]["observed_rate"] == 0.75 and by_group["agency"]["flagged_share"] == 1.0
    assert by_group["referral"]["flagged_share"] == 0.0 and by_group["(none)"]["interviews"] == 1
    with pytest.raises(ValueError, match="equally long"):
        risk_fairness.score_distribution(groups[:2], labels, scores, None)
