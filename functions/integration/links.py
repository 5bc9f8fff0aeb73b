"""Signed, expiring links. Candidate links are personal and reusable; approver links are bound to one approver
at one escalation level, and single-use (the store records each use).

itsdangerous signs the payload with HMAC-SHA256 and a per-purpose salt, so a candidate token can never pass as
an approver token. The key lives in Secrets Manager in the cloud and in the environment locally.
"""

from __future__ import annotations

import re
import secrets
import time
from dataclasses import dataclass
from functools import lru_cache

from itsdangerous import BadSignature, URLSafeSerializer

from functions.core.errors import LinkExpiredError, LinkInvalidError
from functions.core.settings import get_settings

_CANDIDATE = "candidate-link"
# A leading "." marks a payload itsdangerous compressed; then base64url payload "." base64url signature.
_TOKEN_SHAPE = re.compile(r"\.?[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+")
_APPROVER = "approver-link"
_RATING = "rating-link"


@lru_cache(maxsize=1)
def _signing_key() -> str:
    settings = get_settings()
    if settings.link_signing_key is not None:
        return settings.link_signing_key.get_secret_value()
    if settings.link_signing_secret_arn:
        from aws_lambda_powertools.utilities.parameters import get_secret

        return get_secret(settings.link_signing_secret_arn, max_age=300)
    raise RuntimeError("no link signing key: set LINK_SIGNING_KEY or LINK_SIGNING_SECRET_ARN")


def _serializer(purpose: str) -> URLSafeSerializer:
    return URLSafeSerializer(_signing_key(), salt=purpose)


def _sign(purpose: str, payload: dict, ttl_seconds: int) -> str:
    return _serializer(purpose).dumps({**payload, "exp": int(time.time()) + ttl_seconds})


def _verify(purpose: str, token: str) -> dict:
    # itsdangerous skips characters outside base64 when decoding; we refuse them, so a token is exactly itself.
    if not _TOKEN_SHAPE.fullmatch(token or ""):
        raise LinkInvalidError("This link is not valid. Please use the latest link you received.",
                               code="link_superseded")
    try:
        payload = _serializer(purpose).loads(token)
    except BadSignature as exc:
        raise LinkInvalidError("This link is not valid. Please use the latest link you received.",
                               code="link_superseded") from exc
    if not isinstance(payload, dict) or not isinstance(payload.get("exp"), int):
        raise LinkInvalidError("This link is not valid.")
    if payload["exp"] < time.time():
        raise LinkExpiredError("This link has expired.")
    return payload


# ---- candidates ---------------------------------------------------------------------------------------------------

def candidate_token(candidate_id: str, ttl_seconds: int | None = None) -> str:
    ttl = ttl_seconds or get_settings().candidate_link_ttl_seconds
    return _sign(_CANDIDATE, {"c": candidate_id}, ttl)


def candidate_of(token: str) -> str:
    payload = _verify(_CANDIDATE, token)
    candidate_id = payload.get("c")
    if not isinstance(candidate_id, str):
        raise LinkInvalidError("This link is not valid.")
    return candidate_id


def portal_url(candidate_id: str) -> str:
    return f"{get_settings().public_base_url}/portal/{candidate_token(candidate_id)}"


# ---- approvers ----------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ApproverLink:
    request_id: str
    level: int
    approver_id: str
    link_id: str
    expires_at: int


def approver_token(request_id: str, level: int, approver_id: str, ttl_seconds: int) -> str:
    payload = {"r": request_id, "l": level, "a": approver_id, "j": secrets.token_urlsafe(12)}
    return _sign(_APPROVER, payload, ttl_seconds)


def approver_link_of(token: str) -> ApproverLink:
    payload = _verify(_APPROVER, token)
    try:
        return ApproverLink(str(payload["r"]), int(payload["l"]), str(payload["a"]), str(payload["j"]),
                            int(payload["exp"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise LinkInvalidError("This link is not valid.") from exc


def approval_url(request_id: str, level: int, approver_id: str, ttl_seconds: int) -> str:
    token = approver_token(request_id, level, approver_id, ttl_seconds)
    return f"{get_settings().public_base_url}/approvals/{token}"


# ---- satisfaction ratings (the outcome e-mail's link) ---------------------------------------------------------------

def rating_url(request_id: str, ttl_seconds: int | None = None) -> str:
    token = _sign(_RATING, {"r": request_id}, ttl_seconds or get_settings().candidate_link_ttl_seconds)
    return f"{get_settings().public_base_url}/ratings/{token}"


def rated_request_of(token: str) -> str:
    request_id = _verify(_RATING, token).get("r")
    if not isinstance(request_id, str):
        raise LinkInvalidError("This link is not valid.")
    return request_id
