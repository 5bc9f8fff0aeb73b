"""The console page as the deployed function serves it: it signs staff in with the code flow at the user pool
domain the CDK gave it (never from a token in the URL), and its CSP lets its script reach that domain's token
endpoint and nothing else outside its own origin."""

from __future__ import annotations

import json
import re

import pytest

from functions.core import settings as settings_module
from local_runtime.lambda_events import LambdaContext, api_gateway_event
from tests.integration.conftest import header

DOMAIN = "https://interviews-dev-123456789012.auth.us-east-1.amazoncognito.com"
COGNITO = {"STAFF_SIGN_IN_URL": f"{DOMAIN}/oauth2/authorize", "STAFF_AUTH_DOMAIN_URL": DOMAIN,
           "STAFF_CLIENT_ID": "4example0client0id"}


@pytest.fixture
def deployed_sign_in(monkeypatch):
    """The environment the CDK sets on the console's function (infra/constructs/functions.py)."""
    for name, value in COGNITO.items():
        monkeypatch.setenv(name, value)
    settings_module.get_settings.cache_clear()
    yield
    for name in COGNITO:
        monkeypatch.delenv(name)
    settings_module.get_settings.cache_clear()


def _console(lang: str | None = None) -> dict:
    from functions.cancel.handler import lambda_handler

    event = api_gateway_event(method="GET", path="/staff", resource="/staff", path_parameters={},
                              query={"lang": lang} if lang else {}, headers={"Accept-Language": "en"}, body=b"",
                              claims=None, source_ip="198.51.100.7")
    return lambda_handler(event, LambdaContext("cancel"))


def _config(page: str):
    return json.loads(re.search(r"const config = (.*?);\n", page).group(1))


def test_the_console_signs_in_at_the_user_pool_domain_with_the_code_flow(deployed_sign_in):
    # GIVEN the console's function with the deployment's sign-in settings
    # WHEN the console page is opened, in Chinese
    response = _console("zh-CN")
    page = response["body"]
    # THEN its script has the client and the domain's endpoints, and asks for a code with an S256 challenge
    assert response["statusCode"] == 200
    assert _config(page) == {"client_id": "4example0client0id", "authorize": f"{DOMAIN}/oauth2/authorize",
                             "token": f"{DOMAIN}/oauth2/token", "revoke": f"{DOMAIN}/oauth2/revoke",
                             "logout": f"{DOMAIN}/logout"}
    assert 'response_type: "code"' in page and 'code_challenge_method: "S256"' in page
    # AND it never takes a token from the URL (the implicit flow's #id_token=)
    assert "location.hash" not in page and "id_token=" not in page
    # AND it offers sign-in and sign-out in Chinese
    assert ">登录</button>" in page and ">退出登录</button>" in page
    # AND the page may call the domain (the token endpoint) besides its own origin, and nowhere else
    csp = header(response, "Content-Security-Policy")
    assert f"connect-src 'self' {DOMAIN};" in csp
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp


def test_without_sign_in_settings_the_console_offers_no_sign_in_and_connects_only_home():
    # GIVEN a function without the sign-in settings (a unit test's environment)
    settings_module.get_settings.cache_clear()
    # WHEN the console page is opened
    response = _console()
    # THEN it says the visitor is not signed in but offers no button to a sign-in that does not exist
    assert _config(response["body"]) is None
    assert 'id="sign-in"' not in response["body"]
    assert "connect-src 'self';" in header(response, "Content-Security-Policy")
