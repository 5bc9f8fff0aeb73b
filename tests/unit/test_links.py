"""Signed links: bound to their purpose and subject, expiring, revocable, refusing any tampering; signed with the
current key while the previous one still verifies for a grace period after a rotation."""

from __future__ import annotations

import base64
import binascii
import json
import time

import pytest
from itsdangerous import BadSignature, URLSafeSerializer
from hypothesis import given, settings
from hypothesis import strategies as st

from functions.integration import links
from functions.core.errors import LinkExpiredError, LinkInvalidError

# These tests run without tables: each candidate's link version lives here instead of the candidates table.
VERSIONS: dict[str, int] = {}


@pytest.fixture(autouse=True, scope="module")
def versions_without_tables():
    real = links.link_version_of
    links.link_version_of = lambda candidate_id: VERSIONS.get(candidate_id, 0)
    yield VERSIONS
    links.link_version_of = real


def test_a_candidate_token_names_its_candidate():
    assert links.candidate_of(links.candidate_token("cand-7")) == "cand-7"


def test_an_expired_candidate_token_is_refused_as_expired(monkeypatch):
    token = links.candidate_token("cand-7", ttl_seconds=60)
    monkeypatch.setattr(time, "time", lambda: 10**12)
    with pytest.raises(LinkExpiredError):
        links.candidate_of(token)


def test_an_approver_token_cannot_pass_as_a_candidate_token():
    token = links.approver_token("req-1", 0, "rec-1", 3600)
    with pytest.raises(LinkInvalidError):
        links.candidate_of(token)


def test_an_approver_token_carries_request_level_and_approver():
    link = links.approver_link_of(links.approver_token("req-1", 2, "mgr-1", 3600))
    assert (link.request_id, link.level, link.approver_id) == ("req-1", 2, "mgr-1")


def test_two_approver_links_for_the_same_approval_are_different_single_use_links():
    first = links.approver_link_of(links.approver_token("req-1", 0, "rec-1", 3600))
    second = links.approver_link_of(links.approver_token("req-1", 0, "rec-1", 3600))
    assert first.link_id != second.link_id


@settings(max_examples=200, deadline=None)
@given(position=st.integers(min_value=0), replacement=st.characters(codec="ascii"))
def test_changing_any_character_of_a_token_is_refused(position, replacement):
    token = links.approver_token("req-1", 0, "rec-1", 3600)
    index = position % len(token)
    tampered = token[:index] + replacement + token[index + 1:]
    if _same_bytes(tampered, token):
        return  # e.g. the last character of a base64 part differs only in bits that encode nothing
    with pytest.raises((LinkInvalidError, LinkExpiredError)):
        links.approver_link_of(tampered)


def _same_bytes(a: str, b: str) -> bool:
    """Whether two tokens carry the same bytes in every dot-separated base64url part."""
    def parts(token: str):
        try:
            return [base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)) for part in token.split(".")]
        except (ValueError, binascii.Error):
            return None
    decoded = parts(a)
    return decoded is not None and decoded == parts(b)


@settings(max_examples=100, deadline=None)
@given(cut=st.integers(min_value=1, max_value=40), extra=st.text(min_size=1, max_size=10))
def test_truncated_or_extended_tokens_are_refused(cut, extra):
    token = links.candidate_token("cand-1")
    for tampered in (token[:-cut], token + extra):
        with pytest.raises((LinkInvalidError, LinkExpiredError)):
            links.candidate_of(tampered)


# ---- revocation ---------------------------------------------------------------------------------------------------

def test_a_candidate_link_of_an_earlier_version_is_refused_as_expired_and_a_new_one_works():
    # GIVEN a link issued to a candidate
    VERSIONS["cand-rev"] = 0
    old = links.candidate_token("cand-rev")
    # WHEN the candidate's links are revoked (their version raised)
    VERSIONS["cand-rev"] = 1
    # THEN the old link answers like an expired one (410), and a link issued now names the candidate
    with pytest.raises(LinkExpiredError) as refused:
        links.candidate_of(old)
    assert refused.value.status == 410
    assert links.candidate_of(links.candidate_token("cand-rev")) == "cand-rev"


def test_a_link_from_before_versions_counts_as_version_zero():
    # GIVEN a token signed the way links were before they carried a version
    token = links.keyring.serializer("candidate-link").dumps({"c": "cand-old", "exp": int(time.time()) + 60})
    # WHEN the candidate was never revoked THEN it still works; once revoked, it is refused
    assert links.candidate_of(token) == "cand-old"
    VERSIONS["cand-old"] = 1
    with pytest.raises(LinkExpiredError):
        links.candidate_of(token)


# ---- rotation -----------------------------------------------------------------------------------------------------

class Clock:
    def __init__(self, now: float):
        self.now = now

    def __call__(self) -> float:
        return self.now


class Secret:
    """What Secrets Manager would answer, counting the reads."""

    def __init__(self, value: str):
        self.value, self.reads = value, 0

    def __call__(self) -> links.SigningKeys:
        self.reads += 1
        return links.SigningKeys.parse(self.value)


ROTATED_AT = "2030-01-01T00:00:00Z"
ROTATED_EPOCH = 1893456000.0


def _rotated_secret() -> Secret:
    return Secret(json.dumps({"current": "key-new", "previous": "key-old", "rotated_at": ROTATED_AT}))


def _signed_with(key: str, purpose: str = "candidate-link") -> str:
    return URLSafeSerializer(key, salt=purpose).dumps({"c": "cand-9", "exp": int(time.time()) + 3600})


def test_a_link_signed_with_the_previous_key_opens_within_the_grace_period_and_not_after(monkeypatch):
    # GIVEN keys rotated at a known time with a grace period of one hour, and a link signed with the old key
    clock = Clock(ROTATED_EPOCH + 3599)
    monkeypatch.setattr(links, "keyring", links.KeyRing(_rotated_secret(), clock, ttl_seconds=300,
                                                        grace_seconds=3600))
    old_link = _signed_with("key-old")
    # WHEN it is used within the grace period THEN it opens
    assert links.candidate_of(old_link) == "cand-9"
    # WHEN it is used once the grace period is over THEN it is refused as not valid
    clock.now = ROTATED_EPOCH + 3600
    with pytest.raises(LinkInvalidError) as refused:
        links.candidate_of(old_link)
    assert refused.value.code == "link_superseded"  # told to use the latest link they received
    # and a link signed with the current key still opens
    assert links.candidate_of(_signed_with("key-new")) == "cand-9"


def test_new_links_are_signed_with_the_current_key(monkeypatch):
    # GIVEN rotated keys, within the grace period
    monkeypatch.setattr(links, "keyring", links.KeyRing(_rotated_secret(), Clock(ROTATED_EPOCH + 1),
                                                        ttl_seconds=300, grace_seconds=3600))
    # WHEN a link is issued THEN only the current key verifies it
    token = links.candidate_token("cand-9")
    assert URLSafeSerializer("key-new", salt="candidate-link").loads(token)["c"] == "cand-9"
    with pytest.raises(BadSignature):
        URLSafeSerializer("key-old", salt="candidate-link").loads(token)


def test_a_rotation_is_picked_up_once_the_keys_ttl_has_passed_and_not_before(monkeypatch):
    # GIVEN a function that read its single key, with a TTL of five minutes
    secret, clock = Secret(json.dumps({"current": "key-old"})), Clock(ROTATED_EPOCH - 100)
    monkeypatch.setattr(links, "keyring", links.KeyRing(secret, clock, ttl_seconds=300, grace_seconds=3600))
    old_link = links.candidate_token("cand-9")
    # WHEN the secret is rotated (current becomes previous)
    secret.value = json.dumps({"current": "key-new", "previous": "key-old", "rotated_at": ROTATED_AT})
    clock.now = ROTATED_EPOCH + 199  # 299 s after the read
    # THEN until the TTL passes the function still signs with the key it read, and reads nothing
    assert URLSafeSerializer("key-old", salt="candidate-link").loads(links.candidate_token("cand-9"))
    assert secret.reads == 1
    # WHEN the TTL has passed THEN it reads the secret again, signs with the new key and still opens the old link
    clock.now = ROTATED_EPOCH + 200
    assert URLSafeSerializer("key-new", salt="candidate-link").loads(links.candidate_token("cand-9"))
    assert secret.reads == 2
    assert links.candidate_of(old_link) == "cand-9"


def test_a_bare_secret_string_is_the_current_key_alone():
    keys = links.SigningKeys.parse("plain-key-from-an-older-deployment")
    assert keys == links.SigningKeys("plain-key-from-an-older-deployment")
    assert keys.verifying(now=0, grace_seconds=3600) == ["plain-key-from-an-older-deployment"]


def test_a_json_secret_without_a_current_key_is_refused_with_a_clear_error():
    with pytest.raises(RuntimeError, match="no 'current' key"):
        links.SigningKeys.parse(json.dumps({"previous": "key-old"}))


def test_a_rotation_time_that_is_not_an_iso_time_is_refused_with_a_clear_error():
    with pytest.raises(RuntimeError, match="rotated_at is not an ISO 8601 time"):
        links.SigningKeys.parse(json.dumps({"current": "key-new", "previous": "key-old", "rotated_at": "yesterday"}))


def test_a_signature_spelled_differently_but_decoding_to_the_same_bytes_is_refused():
    # GIVEN a genuine link, and the other spellings of its signature's last character (its unused low bits differ,
    # so base64 decodes them to the same bytes and the signature alone would still match)
    from itsdangerous.encoding import base64_decode

    token = links.candidate_token("cand-1")
    body, signature = token[:-1], token.rpartition(".")[2]
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    twins = [body + c for c in alphabet if c != token[-1]
             and base64_decode(signature[:-1] + c) == base64_decode(signature)]
    assert twins  # an HMAC-SHA1 signature leaves 4 bits unused: 15 twins
    # WHEN any twin is used THEN it is refused: a link is exactly the text we sent
    for twin in twins:
        with pytest.raises(LinkInvalidError):
            links.candidate_of(twin)
    assert links.candidate_of(token) == "cand-1"


@pytest.mark.parametrize("text", ["nonsense", "", "a b.c", "abc.", "../../etc/passwd"])
def test_text_that_is_no_link_of_ours_is_refused_as_not_valid_not_as_superseded(text):
    # GIVEN text that has not the shape of any link this service signs WHEN it is presented as a link
    with pytest.raises(LinkInvalidError) as refused:
        links.candidate_of(text)
    # THEN it is simply not valid: "use the latest link you received" would suggest there was an earlier one
    assert refused.value.code == "link_invalid"
