"""Interviewers' calendars in the deployed stack: the notify function (which writes and reads them) gets the
configured connections as CALENDAR_CONNECTIONS and may read exactly the secrets they name, and nothing else
may; a connection that would need a wildcard grant or has no URL is refused at synth."""

from __future__ import annotations

import json

import pytest
from conftest import CALENDAR_CONNECTIONS, CALENDAR_SECRETS
from infra_helpers import as_list, functions_by_name, iam_statements, refs


def _secret_actions_by_role(synth) -> dict[str, dict[str, set[str]]]:
    """function name -> secret ARN (literal) -> the secretsmanager actions its role is allowed on it."""
    found: dict[str, dict[str, set[str]]] = {}
    for name, role in synth.stack.functions.roles.items():
        role_id = synth.logical_id(role)
        policies = {k: v for k, v in synth.resources.items()
                    if role_id in refs(v.get("Properties", {}).get("Roles", []))}
        for _, statement in iam_statements(policies):
            actions = {a for a in as_list(statement.get("Action", [])) if a.startswith("secretsmanager:")}
            for resource in as_list(statement.get("Resource", [])):
                if actions and isinstance(resource, str):
                    found.setdefault(name, {}).setdefault(resource, set()).update(actions)
    return found


def test_only_the_notify_function_reads_the_calendar_secrets_and_exactly_those(synth):
    # GIVEN a synth with three connections naming two secrets
    # WHEN we read what each function role may do with a secret named by its ARN
    granted = _secret_actions_by_role(synth)
    # THEN notify may read both calendar secrets, by their complete ARNs (no wildcard), and no other role may
    assert set(granted) == {"notify"}
    assert set(granted["notify"]) == set(CALENDAR_SECRETS)
    for actions in granted["notify"].values():
        assert "secretsmanager:GetSecretValue" in actions
        assert not any(a.endswith("*") for a in actions)
        assert actions <= {"secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"}


def test_the_notify_function_gets_the_connections_and_the_others_do_not(synth):
    # GIVEN the functions in the template
    functions = functions_by_name(synth)
    for name, logical_id in functions.items():
        variables = synth.resources[logical_id]["Properties"]["Environment"]["Variables"]
        # THEN only notify has CALENDAR_CONNECTIONS, and it is the configured JSON
        if name == "notify":
            assert json.loads(variables["CALENDAR_CONNECTIONS"]) == CALENDAR_CONNECTIONS
        else:
            assert "CALENDAR_CONNECTIONS" not in variables, name


@pytest.mark.parametrize("entry, problem", [
    ({"url": "https://dav.example.com/x/", "secret_arn": "arn:aws:secretsmanager:us-east-1:123456789012:secret:cal"},
     "complete ARN"),
    ({"url": "https://dav.example.com/x/", "secret_arn": "calendar/jun"}, "complete ARN"),
    ({"url": "ftp://dav.example.com/x/", "secret_arn": CALENDAR_SECRETS[0]}, "http(s) url"),
])
def test_a_connection_without_a_complete_secret_arn_or_an_http_url_is_refused_at_synth(entry, problem):
    from infra.stack import DeploymentConfig

    # GIVEN a connection with a partial secret ARN (it would need a wildcard grant), a secret's name, or no URL
    context = {"calendarConnections": json.dumps({"@company.example.com": entry})}
    # WHEN the deployment configuration is read THEN it is refused, saying why
    with pytest.raises(ValueError, match=problem.replace("(", r"\(").replace(")", r"\)")):
        DeploymentConfig.from_context(context.get)


def test_without_connections_no_function_gets_calendar_access():
    from infra.stack import DeploymentConfig

    # GIVEN the shipped cdk.json context (no calendarConnections)
    config = DeploymentConfig.from_context({}.get)
    # THEN the configuration holds none (the stack then grants nothing and sets no CALENDAR_CONNECTIONS)
    assert config.calendar_connections == {}
