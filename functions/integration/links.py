"""Signed, expiring links. Candidate links are personal and reusable until the candidate's link version is raised
(revoke_candidate_links); approver links are bound to one approver at one escalation level, and single-use (the
store records each use).

itsdangerous signs the payload with HMAC-SHA256 and a per-purpose salt, so a candidate token can never pass as
an approver token. The keys live in Secrets Manager in the cloud and in the environment locally: the current key
signs, and the previous one still verifies for a grace period after a rotation, so that rotating does not break
every link in every mailbox at once. Keys are read again after a short TTL, so a rotation reaches running
containers within minutes (docs/links.md).
"""

from __future__ import annotations

import json
import re
import secrets
import threading
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

from aws_lambda_powertools.utilities.parameters import SecretsProvider
from itsdangerous import BadData, BadSignature, URLSafeSerializer
from itsdangerous.encoding import base64_decode, base64_encode

from functions.core.clock import from_iso
from functions.core.errors import LinkExpiredError, LinkInvalidError
from functions.core.settings import get_settings
from functions.integration import aws
from functions.integration.data import candidate_store

_CANDIDATE = "candidate-link"
# A leading "." marks a payload itsdangerous compressed; then base64url payload "." base64url signature.
_TOKEN_SHAPE = re.compile(r"\.?[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+")
_APPROVER = "approver-link"
_RATING = "rating-link"
_OFFER = "offer-link"


# ---- keys ---------------------------------------------------------------------------------------------------------

def _epoch(text: str, where: str) -> float:
    try:
        return from_iso(text).timestamp()
    except ValueError as exc:
        raise RuntimeError(f"{where} is not an ISO 8601 time (e.g. 2030-01-01T00:00:00Z)") from exc


@dataclass(frozen=True)
class SigningKeys:
    current: str
    previous: str | None = None
    rotated_at: float | None = None  # epoch seconds; None: the previous key has no end (local use only)

    @classmethod
    def parse(cls, secret: str) -> "SigningKeys":
        """The secret's value: JSON {"current", "previous", "rotated_at"}, or a bare key (the current one alone)."""
        try:
            value = json.loads(secret)
        except ValueError:
            value = None
        if not isinstance(value, dict):
            return cls(secret)
        if not isinstance(value.get("current"), str) or not value["current"]:
            raise RuntimeError("the link signing secret has no 'current' key")
        rotated_at = value.get("rotated_at")
        if rotated_at is not None and not isinstance(rotated_at, str):
            raise RuntimeError("the link signing secret's rotated_at is not an ISO 8601 time")
        return cls(value["current"], value.get("previous") or None,
                   _epoch(rotated_at, "the link signing secret's rotated_at") if rotated_at else None)

    def verifying(self, now: float, grace_seconds: int) -> list[str]:
        """The keys a link may be signed with now, oldest first (itsdangerous signs with the last one)."""
        if self.previous and (self.rotated_at is None or now < self.rotated_at + grace_seconds):
            return [self.previous, self.current]
        return [self.current]


def _read_keys() -> SigningKeys:
    settings = get_settings()
    if settings.link_signing_key is not None:
        previous = settings.link_signing_previous_key
        rotated_at = settings.link_signing_rotated_at
        return SigningKeys(settings.link_signing_key.get_secret_value(),
                           previous.get_secret_value() if previous else None,
                           _epoch(rotated_at, "LINK_SIGNING_ROTATED_AT") if rotated_at else None)
    if settings.link_signing_secret_arn:  # in the cloud: every function that signs reads it on its first link
        # Our own TTL decides when to read again; Powertools must not keep it longer.
        return SigningKeys.parse(_secrets().get(settings.link_signing_secret_arn, max_age=0))
    raise RuntimeError("no link signing key: set LINK_SIGNING_KEY or LINK_SIGNING_SECRET_ARN")


@lru_cache(maxsize=1)
def _secrets() -> SecretsProvider:
    """Secrets Manager through this thread's session (aws.py), not a session of Powertools' own."""
    return SecretsProvider(boto3_session=aws.session())


def forget_keys() -> None:
    """Read the keys again, through a new Secrets Manager client, at the next use (after a SnapStart restore)."""
    _secrets.cache_clear()
    keyring.forget()


class KeyRing:
    """The signing keys, read again once `ttl_seconds` have passed on `clock` (injected in tests)."""

    def __init__(self, read: Callable[[], SigningKeys] = _read_keys, clock: Callable[[], float] = time.time,
                 ttl_seconds: int | None = None, grace_seconds: int | None = None):
        self._read, self._clock = read, clock
        self._ttl, self._grace = ttl_seconds, grace_seconds
        self._keys: SigningKeys | None = None
        self._read_at = 0.0
        self._lock = threading.Lock()

    def keys(self) -> SigningKeys:
        now = self._clock()
        ttl = self._ttl if self._ttl is not None else get_settings().link_key_ttl_seconds
        with self._lock:
            if self._keys is None or now >= self._read_at + ttl:
                self._keys, self._read_at = self._read(), now
            return self._keys

    def forget(self) -> None:
        """Read the keys again at the next use (after a SnapStart restore: a snapshot may be older than the TTL)."""
        with self._lock:
            self._keys = None

    def serializer(self, purpose: str) -> URLSafeSerializer:
        grace = self._grace if self._grace is not None else get_settings().link_key_grace_seconds
        return URLSafeSerializer(self.keys().verifying(self._clock(), grace), salt=purpose)


keyring = KeyRing()


def _sign(purpose: str, payload: dict, ttl_seconds: int) -> str:
    return keyring.serializer(purpose).dumps({**payload, "exp": int(time.time()) + ttl_seconds})


def _canonical_signature(token: str) -> bool:
    signature = token.rpartition(".")[2]
    try:
        return base64_encode(base64_decode(signature)).decode() == signature
    except BadData:  # undecodable: refused as any bad signature is
        return False


def _verify(purpose: str, token: str) -> dict:
    # itsdangerous skips characters outside base64 when decoding; we refuse them, so a token is exactly itself.
    # Likewise the signature's last character: its unused low bits may differ and decode to the same bytes.
    if not _TOKEN_SHAPE.fullmatch(token or ""):  # not a link of ours at all
        raise LinkInvalidError("This link is not valid.")
    if not _canonical_signature(token):
        raise LinkInvalidError("This link is not valid. Please use the latest link you received.",
                               code="link_superseded")
    try:
        payload = keyring.serializer(purpose).loads(token)
    except BadSignature as exc:
        raise LinkInvalidError("This link is not valid. Please use the latest link you received.",
                               code="link_superseded") from exc
    if not isinstance(payload, dict) or not isinstance(payload.get("exp"), int):
        raise LinkInvalidError("This link is not valid.")
    if payload["exp"] < time.time():
        raise LinkExpiredError("This link has expired.")
    return payload


# ---- candidates ---------------------------------------------------------------------------------------------------

# The candidate's current link version; replaced in tests that run without tables.
link_version_of: Callable[[str], int] = candidate_store.link_version


def candidate_token(candidate_id: str, ttl_seconds: int | None = None) -> str:
    ttl = ttl_seconds or get_settings().candidate_link_ttl_seconds
    return _sign(_CANDIDATE, {"c": candidate_id, "v": link_version_of(candidate_id)}, ttl)


def candidate_of(token: str) -> str:
    """The candidate a personal link belongs to, if it is genuine, unexpired and of their current link version."""
    payload = _verify(_CANDIDATE, token)
    candidate_id, version = payload.get("c"), payload.get("v", 0)  # links from before versions carry none: 0
    if not isinstance(candidate_id, str) or not isinstance(version, int):
        raise LinkInvalidError("This link is not valid.")
    if version != link_version_of(candidate_id):
        raise LinkExpiredError("This link is no longer valid. Please use the latest link you received.")
    return candidate_id


def revoke_candidate_links(candidate_id: str) -> int | None:
    """Make every personal link issued so far to this candidate answer 410 (for example when their contact
    details change); links issued from now on work. The new version, or None if no such candidate."""
    return candidate_store.raise_link_version(candidate_id)


def portal_url(candidate_id: str) -> str:
    return f"{get_settings().public_base_url}/portal/{candidate_token(candidate_id)}"


def tracked_url(candidate_id: str, interview_id: str, target: str) -> str:
    """The portal's tracked redirect to one of the interview's links (functions/domain/behaviour.py TARGETS):
    every mail links through it, so that a click is recorded wherever it happens."""
    return f"{portal_url(candidate_id)}/go/{interview_id}/{target}"


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


# ---- waitlist offers (the offer e-mail's claim page) ----------------------------------------------------------------

OFFER_LINK_GRACE_SECONDS = 7 * 24 * 3600  # after the offer expires its link still opens, to say so


def offer_url(slot_id: str, candidate_id: str, release_id: str, expires_at: str) -> str:
    ttl = int(_epoch(expires_at, "offer expiry") - time.time()) + OFFER_LINK_GRACE_SECONDS
    token = _sign(_OFFER, {"s": slot_id, "c": candidate_id, "r": release_id}, ttl)
    return f"{get_settings().public_base_url}/offers/{token}"


def offer_of(token: str) -> tuple[str, str, str]:
    """(slot, candidate, release) of a genuine offer link."""
    payload = _verify(_OFFER, token)
    values = tuple(payload.get(k) for k in ("s", "c", "r"))
    if not all(isinstance(v, str) for v in values):
        raise LinkInvalidError("This link is not valid.")
    return values
