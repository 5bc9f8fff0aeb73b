"""The PynamoDB model of the routing policy's published versions, beside tables.py (which holds every other model
and is at its size limit); tables.py imports it, so that snapshot.py's scan of its models finds this one too."""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.models import Model

from functions.core.settings import get_settings


class PolicyVersionItem(Model):
    """One published version of the routing policy (policy "routing"; version zero-padded so that the newest sorts
    last): its YAML as published, who published it and when, and the unified diff from the version before."""

    class Meta:
        # Unset (unit tests, the CLI): nothing reads it (functions/domain/policy_source.py checks TABLE_POLICIES).
        table_name = get_settings().policies_table or "policies"

    policy = UnicodeAttribute(hash_key=True)
    version = UnicodeAttribute(range_key=True)
    number = NumberAttribute()
    text = UnicodeAttribute()
    published_by = UnicodeAttribute()
    published_at = UnicodeAttribute()
    diff = UnicodeAttribute(default="")
    note = UnicodeAttribute(null=True)  # "seeded from <file>", "rollback to version 3"
