"""Addresses that bounced or complained: never mailed again.
"""

from __future__ import annotations

from pynamodb.exceptions import DoesNotExist

from functions.integration.data.transactions import conditional
from functions.integration.tables import SuppressionItem


def suppress_address(address: str, reason: str, at: str, feedback_id: str | None = None) -> bool:
    """Never mail this address again. False if it already was suppressed (the first reason is kept)."""
    item = SuppressionItem(address.strip().lower(), reason=reason, at=at, feedback_id=feedback_id)
    return conditional(lambda: item.save(
        condition=SuppressionItem.address.does_not_exist()))


def is_suppressed(address: str) -> bool:
    try:
        SuppressionItem.get(address.strip().lower())
    except DoesNotExist:
        return False
    return True
