"""The local stand-in for the Cognito user pool and API Gateway's authorizer: signed, expiring JWTs.

Just as strict: no token, a bad signature, another audience or an expired token is 401 before any function runs;
the function then sees the same `claims` a Cognito authorizer would pass.
"""

from __future__ import annotations

import time

import jwt

ISSUER = "local-user-pool"
AUDIENCE = "interviews-local"


class Unauthorized(Exception):
    pass


def issue(key: str, *, subject: str, email: str, groups: list[str], ttl_seconds: int = 8 * 3600) -> str:
    now = int(time.time())
    return jwt.encode({"sub": subject, "email": email, "cognito:groups": groups, "iss": ISSUER, "aud": AUDIENCE,
                       "token_use": "id", "iat": now, "exp": now + ttl_seconds}, key, algorithm="HS256")


def claims_from(key: str, authorization: str | None) -> dict:
    if not authorization or not authorization.startswith("Bearer "):
        raise Unauthorized("missing bearer token")
    try:
        claims = jwt.decode(authorization.removeprefix("Bearer ").strip(), key, algorithms=["HS256"],
                            audience=AUDIENCE, issuer=ISSUER, options={"require": ["exp", "sub", "aud", "iss"]})
    except jwt.PyJWTError as exc:
        raise Unauthorized(str(exc)) from exc
    # API Gateway's Cognito authorizer passes groups as one string.
    return {**claims, "cognito:groups": ",".join(claims.get("cognito:groups", []))}
