"""The indexes the staff workplace reads (functions/integration/tables.py uses them): what waits for an approver,
and the interviews starting on a day. Kept apart so that the item models stay one readable module."""

from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex


class ApprovalsByApprover(GlobalSecondaryIndex):
    """Approvals by whom they wait for (approver_id), newest first: the staff console's "waiting for me"."""

    class Meta:
        index_name = "by_approver"
        projection = AllProjection()

    approver_id = UnicodeAttribute(hash_key=True)
    opened_at = UnicodeAttribute(range_key=True)


class InterviewsByStartDay(GlobalSecondaryIndex):
    """Interviews by the UTC day they start on ("YYYY-MM-DD"): what the staff console's search reads, day by day."""

    class Meta:
        index_name = "by_start_day"
        projection = AllProjection()

    start_day = UnicodeAttribute(hash_key=True)
    starts_at = UnicodeAttribute(range_key=True)
