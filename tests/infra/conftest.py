"""Shared fixtures for the infra tests: the CDK app synthesized once per session, in-process.

The session synth uses cdk.json's context (so it is the app `cdk synth` runs) with `skipAssetBuild=true`:
building the real Lambda assets is the job of test_infra_lambda_assets.py and of the CLI synth test.
"""

from __future__ import annotations

import json
import os

import pytest

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "1")

from infra_helpers import Synth, cdk_json_context  # noqa: E402

# cdk.json turns error annotations into a failed synth (what the CLI and CI rely on); here the synth goes on
# so that the cdk-nag test can list every finding instead of stopping at the first.
# Two interviewers' calendars are connected, so that cdk-nag and the security tests see the secret grants too.
CALENDAR_SECRETS = (
    "arn:aws:secretsmanager:us-east-1:123456789012:secret:calendar/company-AbC123",
    "arn:aws:secretsmanager:us-east-1:123456789012:secret:calendar/jun-XyZ789",
)
CALENDAR_CONNECTIONS = {
    "@company.example.com": {"url": "https://dav.company.example.com/{user}/interviews/",
                             "secret_arn": CALENDAR_SECRETS[0]},
    "jun.park@company.example.com": {"url": "https://caldav.example.com/p1/calendars/work/",
                                     "secret_arn": CALENDAR_SECRETS[1]},
    "mei.lin@company.example.com": {"url": "https://dav.company.example.com/mei/interviews/",
                                    "secret_arn": CALENDAR_SECRETS[0]},
}
SYNTH_CONTEXT = {
    "calendarConnections": CALENDAR_CONNECTIONS,
    "skipAssetBuild": True,
    "owner": "ci",
    "stage": "dev",
    "@aws-cdk/core:annotationsInValidationReport": False,
}


@pytest.fixture(scope="session")
def synth(tmp_path_factory) -> Synth:
    return _synthesize(tmp_path_factory, {})


@pytest.fixture(scope="session")
def prod_synth(tmp_path_factory) -> Synth:
    """The same app for a production stage (what differs there: retention, protection, the per-client limit)."""
    return _synthesize(tmp_path_factory, {"stage": "prod"})


def _synthesize(tmp_path_factory, overrides: dict) -> Synth:
    import aws_cdk as cdk
    from aws_cdk.assertions import Annotations, Match, Template

    from infra.app import build

    context = {**cdk_json_context(), **SYNTH_CONTEXT, **overrides}
    outdir = tmp_path_factory.mktemp("cdk.out")
    app = cdk.App(context=context, outdir=str(outdir))
    stack = build(app, nag_reports=False)
    template = Template.from_stack(stack)  # runs the aspects, cdk-nag among them
    annotations = Annotations.from_stack(stack)
    findings = [
        (level, message.id, str(message.entry.data))
        for level, find in (("error", annotations.find_error), ("warning", annotations.find_warning))
        for message in find("*", Match.string_like_regexp("AwsSolutions-.*"))
    ]
    as_json = template.to_json()
    template_file = outdir / "template.json"
    template_file.write_text(json.dumps(as_json, indent=1))
    return Synth(
        stack, template, as_json["Resources"], as_json.get("Outputs", {}), template_file, findings, context
    )
