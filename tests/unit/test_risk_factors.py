"""The risk view's "why": each scored interview's top contributing factors, from the model's linear terms."""

from __future__ import annotations

import numpy as np

from functions.analytics import risk, risk_model
from tests.unit.test_risk_model import synthetic_history, without


def test_the_factors_of_a_risky_row_name_what_raises_its_risk_with_the_rows_own_values():
    # GIVEN a model trained where not viewing the job description, not clicking the link and earlier
    # cancellations make a no-show likelier
    model = risk_model.train(synthetic_history(300, seed=11))
    risky = without(synthetic_history(1, seed=12)[0], "outcome")
    risky.update(viewed_jd="0", clicked_link="0", prior_cancellations="2", source="agency")
    safe = dict(risky, interview_id="safe", viewed_jd="1", clicked_link="1", prior_cancellations="0",
                source="referral")

    # WHEN the factors of both rows are asked for
    [risky_factors, safe_factors] = risk.contributions(model, [risky, safe], top=3)

    # THEN the risky row's factors are among the known causes, largest first, each with the row's own value
    names = [f["factor"] for f in risky_factors]
    assert len(names) == 3 and set(names) <= {"viewed_jd", "clicked_link", "prior_cancellations", "source",
                                               "answers_no", "answers_yes"}
    assert [f["weight"] for f in risky_factors] == sorted((f["weight"] for f in risky_factors), reverse=True)
    assert all(f["weight"] > 0 for f in risky_factors)
    values = {f["factor"]: f["value"] for f in risky_factors}
    assert values.get("viewed_jd", "0") == "0" and values.get("prior_cancellations", "2") == "2"
    # AND the safe row is not blamed for what it did right
    assert not {"viewed_jd", "clicked_link"} & {f["factor"] for f in safe_factors}


def test_the_factors_add_up_to_the_linear_models_log_odds_above_its_intercept():
    # GIVEN a trained model and one row
    model = risk_model.train(synthetic_history(200, seed=13))
    row = without(synthetic_history(1, seed=14)[0], "outcome")

    # WHEN every factor is asked for (positive ones only are named, so compare with the positive terms)
    [factors] = risk.contributions(model, [row], top=100)

    # THEN their weights are the positive part of the logistic regression's decision function, split by column
    interviews = risk_model.parse_rows([row], require_outcome=False)
    log_odds = float(model.linear.decision_function(risk_model.feature_matrix(interviews, model.schema))[0]
                     - model.linear.intercept)
    negative = log_odds - sum(f["weight"] for f in factors)
    assert negative <= 1e-3  # what is left is the sum of the negative columns
    assert np.isfinite(log_odds) and len({f["factor"] for f in factors}) == len(factors)
