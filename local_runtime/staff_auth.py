"""The local stand-in for the Cognito user pool and API Gateway's authorizer: signed, expiring JWTs.

Just as strict: no token, a bad signature, another audience or an expired token is 401 before any function runs;
the function then sees the same `claims` a Cognito authorizer would pass.

Two kinds of token, as the user pool issues them:
- a staff member's ID token (token_use "id"): their groups and their `custom:person_id` (the person id the ATS
  uses in job data, which scopes what they reach). Routes without OAuth scopes accept only these.
- the ATS's access token (token_use "access", client credentials): no user, no groups, only its client id and
  the custom scope of the ATS resource server. A route with OAuth scopes accepts only an access token holding one
  of them, as API Gateway does. A staff member's access token from the local sign-in (staff_sign_in.py) is of
  this kind too, with their subject and the OpenID scopes only: no route takes it.
Every token has its own id (jti), as Cognito's do: a refreshed token differs from the one it replaces.
"""

from __future__ import annotations

import secrets
import time

import jwt

ISSUER = "local-user-pool"
AUDIENCE = "interviews-local"
ATS_CLIENT_ID = "local-ats-client"


class Unauthorized(Exception):
    pass


def issue(key: str, *, subject: str, email: str, groups: list[str], person_id: str | None = None,
          ttl_seconds: int = 8 * 3600) -> str:
    now = int(time.time())
    claims = {"sub": subject, "email": email, "cognito:groups": groups, "iss": ISSUER, "aud": AUDIENCE,
              "token_use": "id", "iat": now, "exp": now + ttl_seconds, "jti": secrets.token_hex(8)}
    if person_id:
        claims["custom:person_id"] = person_id
    return jwt.encode(claims, key, algorithm="HS256")


def issue_machine(key: str, *, scopes: list[str], client_id: str = ATS_CLIENT_ID, ttl_seconds: int = 3600,
                  subject: str | None = None) -> str:
    """An access token: from the client credentials grant the client is the subject (no `subject`); from a
    staff member's sign-in, they are. The scopes are the ones granted."""
    now = int(time.time())
    return jwt.encode({"sub": subject or client_id, "client_id": client_id, "scope": " ".join(scopes),
                       "iss": ISSUER, "aud": AUDIENCE, "token_use": "access", "iat": now, "exp": now + ttl_seconds,
                       "jti": secrets.token_hex(8)},
                      key, algorithm="HS256")


def _decode(key: str, authorization: str | None) -> dict:
    if not authorization or not authorization.startswith("Bearer "):
        raise Unauthorized("missing bearer token")
    try:
        return jwt.decode(authorization.removeprefix("Bearer ").strip(), key, algorithms=["HS256"],
                          audience=AUDIENCE, issuer=ISSUER, options={"require": ["exp", "sub", "aud", "iss"]})
    except jwt.PyJWTError as exc:
        raise Unauthorized(str(exc)) from exc


def claims_from(key: str, authorization: str | None, scopes: tuple[str, ...] = ()) -> dict:
    """The claims API Gateway passes on: an ID token where the route has no scopes, else an access token
    holding one of the route's scopes."""
    claims = _decode(key, authorization)
    if scopes:
        if claims.get("token_use") != "access" or not set(str(claims.get("scope", "")).split()) & set(scopes):
            raise Unauthorized("the route needs an access token with one of its scopes")
        return claims
    if claims.get("token_use") != "id":
        raise Unauthorized("the route needs an ID token")
    # API Gateway's Cognito authorizer passes groups as one string.
    return {**claims, "cognito:groups": ",".join(claims.get("cognito:groups", []))}
