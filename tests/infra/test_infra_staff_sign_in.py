"""Staff can sign in after `cdk deploy`: the synthesized template has the user pool domain with managed login, a
staff app client with the authorization code flow only whose callback and sign-out URL is the API's /staff, and
the console's function knows where to send people (STAFF_SIGN_IN_URL and the rest)."""

from __future__ import annotations

from infra_helpers import functions_by_name, refs

from infra import topology


def _staff_client(synth) -> tuple[str, dict]:
    """The people's app client (the ATS's has a secret)."""
    (found,) = [(k, v["Properties"]) for k, v in synth.of_type("AWS::Cognito::UserPoolClient").items()
                if not v["Properties"].get("GenerateSecret")]
    return found


def _api_staff_url(synth) -> dict:
    """https://<rest api id>.execute-api.<region>.<suffix>/<stage>/staff, as the template spells it."""
    (api_id,) = synth.of_type("AWS::ApiGateway::RestApi")
    stage = synth.context["stage"]
    return {"Fn::Join": ["", ["https://", {"Ref": api_id}, ".execute-api.", {"Ref": "AWS::Region"}, ".",
                              {"Ref": "AWS::URLSuffix"}, f"/{stage}/staff"]]}


def test_the_user_pool_has_a_domain_with_managed_login_branded_for_the_staff_client(synth):
    # GIVEN the synthesized template
    (domain_id, domain), = synth.of_type("AWS::Cognito::UserPoolDomain").items()
    (branding,) = [b["Properties"] for b in synth.of_type("AWS::Cognito::ManagedLoginBranding").values()]
    (pool_id,) = synth.of_type("AWS::Cognito::UserPool")
    client_id, _ = _staff_client(synth)
    # THEN the pool has a Cognito domain with the newer managed login (its pages speak the ?lang= asked for)
    assert domain["Properties"]["UserPoolId"] == {"Ref": pool_id}
    assert domain["Properties"]["ManagedLoginVersion"] == 2
    # AND the staff client has a branding style (managed login shows no page for a client without one)
    assert branding["ClientId"] == {"Ref": client_id} and branding["UseCognitoProvidedValues"] is True
    assert domain_id in synth.resources[_branding_id(synth)].get("DependsOn", [])


def _branding_id(synth) -> str:
    (found,) = synth.of_type("AWS::Cognito::ManagedLoginBranding")
    return found


def test_the_staff_client_allows_only_the_code_flow_back_to_the_apis_staff_page(synth):
    # GIVEN the staff app client
    _, client = _staff_client(synth)
    # THEN only the authorization code flow (no implicit flow: no token in a URL), from the user pool only,
    # with the OpenID scopes, no secret (a browser cannot keep one: PKCE instead) and revocable refresh tokens
    assert client["AllowedOAuthFlows"] == ["code"]
    assert client["AllowedOAuthFlowsUserPoolClient"] is True
    assert sorted(client["AllowedOAuthScopes"]) == ["email", "openid", "profile"]
    assert client["SupportedIdentityProviders"] == ["COGNITO"]
    assert client["EnableTokenRevocation"] is True and not client.get("GenerateSecret")
    # AND the code comes back to, and sign-out returns to, the API's /staff: nothing else (not CDK's example.com)
    assert client["CallbackURLs"] == [_api_staff_url(synth)]
    assert client["LogoutURLs"] == [_api_staff_url(synth)]


def test_the_console_function_gets_the_sign_in_url_the_domain_and_the_client_id(synth):
    # GIVEN the function serving GET /staff and the template's domain and staff client
    (console,) = [r.function for r in topology.ROUTES if r.method == "GET" and r.path == "/staff"]
    function = synth.resources[functions_by_name(synth)[console]]["Properties"]
    variables = function["Environment"]["Variables"]
    (domain_id,) = synth.of_type("AWS::Cognito::UserPoolDomain")
    client_id, _ = _staff_client(synth)
    # THEN the page knows the domain (https://<domain>.auth.<region>.amazoncognito.com), STAFF_SIGN_IN_URL is its
    # authorize endpoint, and the client is the staff client
    domain = variables["STAFF_AUTH_DOMAIN_URL"]
    region_suffix = domain["Fn::Join"][1][2]
    assert domain == {"Fn::Join": ["", ["https://", {"Ref": domain_id}, region_suffix]]}
    assert region_suffix.startswith(".auth.") and region_suffix.endswith(".amazoncognito.com")
    assert variables["STAFF_SIGN_IN_URL"] == {
        "Fn::Join": ["", ["https://", {"Ref": domain_id}, f"{region_suffix}/oauth2/authorize"]]}
    assert variables["STAFF_CLIENT_ID"] == {"Ref": client_id}


def test_the_stack_outputs_say_where_staff_sign_in(synth):
    # GIVEN the stack's outputs
    outputs = synth.outputs
    # THEN the console's URL (the client's callback) and the sign-in domain are there for the README's steps
    assert outputs["StaffConsoleUrl"]["Value"] == _api_staff_url(synth)
    (domain_id,) = synth.of_type("AWS::Cognito::UserPoolDomain")
    assert domain_id in refs(outputs["StaffSignInDomain"]["Value"])


def test_with_a_custom_domain_the_callback_is_that_domains_staff_page(tmp_path_factory):
    # GIVEN the stack with a custom API domain
    from conftest import _synthesize

    custom = _synthesize(tmp_path_factory, {
        "domainName": "interviews.example.com",
        "certificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/abc"})
    # WHEN its staff client is read
    _, client = _staff_client(custom)
    # THEN the code comes back to https://<domain>/staff (the execute-api URL is switched off there)
    assert client["CallbackURLs"] == ["https://interviews.example.com/staff"]
    assert client["LogoutURLs"] == ["https://interviews.example.com/staff"]
