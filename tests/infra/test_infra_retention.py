"""The retention period is set per deployment (CDK context `retentionDays`) and reaches every function as
RETENTION_DAYS, which the nightly retention run reads (docs/privacy.md)."""

from __future__ import annotations

import pytest

from infra.stack import DeploymentConfig


def test_a_deployment_sets_its_retention_period_in_days():
    # GIVEN the context of a deployment that keeps personal data 180 days after the last interview
    # WHEN its configuration is read
    # THEN the period is 180 days; without the value there is none (kept until erased on request)
    assert DeploymentConfig.from_context({"retentionDays": "180"}.get).retention_days == 180
    assert DeploymentConfig.from_context({"retentionDays": 30}.get).retention_days == 30
    assert DeploymentConfig.from_context({}.get).retention_days is None


@pytest.mark.parametrize("bad", ["0", "-1", "half a year", "1.5"])
def test_a_retention_period_that_is_not_a_whole_number_of_days_stops_the_synth(bad):
    # WHEN the context holds a period that is not a whole number of days, at least 1
    # THEN reading it fails, naming the context key
    with pytest.raises(ValueError, match="retentionDays"):
        DeploymentConfig.from_context({"retentionDays": bad}.get)
