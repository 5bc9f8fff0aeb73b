"""Addresses that bounced or complained: never mailed again.

An erased candidate's suppressed address is kept by its hash (pseudonym): mail to that address is still refused,
and the address itself is no longer stored (functions/domain/privacy.py).
"""

from __future__ import annotations

import hashlib

from pynamodb.exceptions import DoesNotExist

from functions.integration.data.transactions import conditional
from functions.integration.tables import SuppressionItem


def pseudonym(address: str) -> str:
    return "sha256:" + hashlib.sha256(address.strip().lower().encode()).hexdigest()


def suppress_address(address: str, reason: str, at: str, feedback_id: str | None = None) -> bool:
    """Never mail this address again. False if it already was suppressed (the first reason is kept)."""
    item = SuppressionItem(address.strip().lower(), reason=reason, at=at, feedback_id=feedback_id)
    return conditional(lambda: item.save(
        condition=SuppressionItem.address.does_not_exist()))


def _exists(key: str) -> bool:
    try:
        SuppressionItem.get(key)
    except DoesNotExist:
        return False
    return True


def is_suppressed(address: str) -> bool:
    return _exists(address.strip().lower()) or _exists(pseudonym(address))


def pseudonymise(address: str, candidate_id: str) -> None:
    """Keep a suppression by the address's hash instead of the address (an erased candidate's). Safe to repeat."""
    try:
        item = SuppressionItem.get(address.strip().lower())
    except DoesNotExist:
        return
    SuppressionItem(pseudonym(address), reason=item.reason, at=item.at, feedback_id=item.feedback_id,
                    erased_candidate=candidate_id).save()
    item.delete()


def suppressed_for_erased(candidate_id: str) -> bool:
    """Whether an erased candidate's address was suppressed (read for their export; a filtered scan, rare)."""
    return any(True for _ in SuppressionItem.scan(SuppressionItem.erased_candidate == candidate_id))
