"""Signed links: bound to their purpose and subject, expiring, and refusing any tampering."""

from __future__ import annotations

import base64
import binascii
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from functions.integration import links
from functions.core.errors import LinkExpiredError, LinkInvalidError


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
