"""The per-client rate limit: a WAF web ACL with a rate-based rule on the API stage, on by default in prod, off in
dev (context apiClientRateLimit), with cdk-nag and cfn-lint as clean on the prod template as on dev's."""

from __future__ import annotations

import pytest
from cfnlint.api import ManualArgs, lint_file
from infra_helpers import refs

from infra.stack import PROD_CLIENT_RATE_LIMIT, DeploymentConfig


def _web_acl(synth) -> tuple[str, dict]:
    (found,) = synth.of_type("AWS::WAFv2::WebACL").items()
    return found


def test_a_prod_stage_limits_each_client_with_a_rate_based_rule_that_answers_429(prod_synth):
    # GIVEN the app synthesized for prod with the default context
    # WHEN its web ACL is read
    _, web_acl = _web_acl(prod_synth)
    props = web_acl["Properties"]
    # THEN its regional web ACL lets everything through except a client over its limit
    assert props["Scope"] == "REGIONAL" and props["DefaultAction"] == {"Allow": {}}
    (rule,) = props["Rules"]
    assert rule["Statement"]["RateBasedStatement"] == {
        "AggregateKeyType": "IP", "Limit": PROD_CLIENT_RATE_LIMIT, "EvaluationWindowSec": 300}
    # which is blocked with API Gateway's own throttling answer, 429 and a JSON message
    response = rule["Action"]["Block"]["CustomResponse"]
    assert response["ResponseCode"] == 429
    body = props["CustomResponseBodies"][response["CustomResponseBodyKey"]]
    assert body == {"Content": '{"message": "Too Many Requests"}', "ContentType": "APPLICATION_JSON"}
    # and both the ACL and the rule report metrics and sampled requests
    for visibility in (props["VisibilityConfig"], rule["VisibilityConfig"]):
        assert visibility["CloudWatchMetricsEnabled"] is True and visibility["SampledRequestsEnabled"] is True


def test_the_prod_web_acl_is_associated_with_the_api_stage(prod_synth):
    # GIVEN the prod template's web ACL, its API and the API's one stage
    # WHEN the associations are read
    acl_id, _ = _web_acl(prod_synth)
    (stage_id, stage), = prod_synth.of_type("AWS::ApiGateway::Stage").items()
    (api_id,) = prod_synth.of_type("AWS::ApiGateway::RestApi")
    # THEN exactly one association ties that ACL to that stage's ARN (the API's id and the stage's name)
    (association,) = prod_synth.of_type("AWS::WAFv2::WebACLAssociation").values()
    props = association["Properties"]
    assert props["WebACLArn"] == {"Fn::GetAtt": [acl_id, "Arn"]}
    assert {api_id, stage_id} <= refs(props["ResourceArn"])
    assert stage["Properties"]["StageName"] == "prod"
    assert "/restapis/" in str(props["ResourceArn"]) and "/stages/" in str(props["ResourceArn"])


def test_a_dev_stage_has_no_web_acl_by_default_and_its_nag_suppression_says_why(synth):
    # GIVEN the app synthesized for dev with the default context
    # WHEN its WAF resources and the stage's nag metadata are read
    # THEN there is no web ACL (it costs from $5 a month), and the stage's APIG3 suppression gives the reason
    assert synth.of_type("AWS::WAFv2::WebACL") == {} and synth.of_type("AWS::WAFv2::WebACLAssociation") == {}
    (stage,) = synth.of_type("AWS::ApiGateway::Stage").values()
    suppressed = {r["id"]: r["reason"] for r in stage["Metadata"]["cdk_nag"]["rules_to_suppress"]}
    assert "apiClientRateLimit" in suppressed["AwsSolutions-APIG3"]


def test_the_prod_stage_needs_no_waf_suppression_and_cdk_nag_finds_nothing(prod_synth):
    # GIVEN the prod template
    # WHEN it is checked with cdk-nag's AwsSolutions pack
    (stage,) = prod_synth.of_type("AWS::ApiGateway::Stage").values()
    suppressed = [r["id"] for r in stage.get("Metadata", {}).get("cdk_nag", {}).get("rules_to_suppress", [])]
    # THEN the WAF rule (APIG3) holds without a suppression, and no finding is left unsuppressed
    assert "AwsSolutions-APIG3" not in suppressed
    assert prod_synth.nag_findings == [], "\n".join(
        f"{level} {path}: {data[:300]}" for level, path, data in prod_synth.nag_findings)


def test_cfn_lint_finds_no_errors_or_warnings_in_the_prod_template(prod_synth):
    # GIVEN the prod template
    # WHEN cfn-lint checks it for its region
    matches = lint_file(prod_synth.template_file, config=ManualArgs(regions=[prod_synth.stack.config.region]))
    # THEN there is no error, and no warning beyond the one CDK's own output causes (W3005, see the dev test)
    assert [f"{m.rule.id} {m.path_string}: {m.message}" for m in matches
            if m.rule.id.startswith(("E", "W")) and m.rule.id != "W3005"] == []


@pytest.mark.parametrize("context, limit", [
    ({"stage": "prod"}, PROD_CLIENT_RATE_LIMIT), ({"stage": "dev"}, 0),
    ({"stage": "prod", "apiClientRateLimit": 0}, 0), ({"stage": "dev", "apiClientRateLimit": "500"}, 500),
])
def test_the_per_client_limit_is_a_context_value_on_by_default_only_in_prod(context, limit):
    # GIVEN a stage and, or not, an explicit apiClientRateLimit
    # WHEN the deployment configuration is read from the context
    config = DeploymentConfig.from_context(context.get)
    # THEN the limit is the stage's default unless the context says otherwise (0: no web ACL)
    assert config.api_client_rate_limit == limit
