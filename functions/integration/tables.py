"""PynamoDB models: the stored shape of every item, used directly by the data access (integration/data/) only.
Attribute names are a contract: the state machine's ASL updates interviews, requests, slots and audit items
directly, so a rename here is one there too (tests/integration/test_workflow.py notices)."""

from __future__ import annotations

import pynamodb.connection.base
from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from functions.core.settings import get_settings
from functions.integration import aws
from functions.integration.data.workplace_indexes import ApprovalsByApprover, InterviewsByStartDay

_settings = get_settings()
# Every PynamoDB connection takes this thread's botocore session (functions/integration/aws.py), not one of its own.
pynamodb.connection.base.get_session = aws.botocore_session


class PersonMap(MapAttribute):
    person_id = UnicodeAttribute()
    name = UnicodeAttribute()
    email = UnicodeAttribute()
    locale = UnicodeAttribute(null=True)  # the person's language tag as the ATS sent it (absent: not known)


class InterviewsByCandidate(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_candidate"
        projection = AllProjection()

    candidate_id = UnicodeAttribute(hash_key=True)
    starts_at = UnicodeAttribute(range_key=True)


class InterviewsByStartHour(GlobalSecondaryIndex):
    """Interviews by the UTC hour they start in ("YYYY-MM-DDTHH"): what the hourly reminder run reads."""

    class Meta:
        index_name = "by_start_hour"
        projection = AllProjection()

    start_hour = UnicodeAttribute(hash_key=True)
    starts_at = UnicodeAttribute(range_key=True)


class InterviewsByReappliedDay(GlobalSecondaryIndex):
    """Interviews of candidates who had cancelled before, by the UTC day they were registered (sparse: only those
    carry reapplied_day): what the staff console lists as returning candidates."""

    class Meta:
        index_name = "by_reapplied_day"
        projection = AllProjection()

    reapplied_day = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class InterviewItem(Model):
    class Meta:
        table_name = _settings.interviews_table

    interview_id = UnicodeAttribute(hash_key=True)
    candidate_id = UnicodeAttribute()
    job_id = UnicodeAttribute()
    job_title = UnicodeAttribute()
    job_level = UnicodeAttribute()
    department = UnicodeAttribute()
    candidate_source = UnicodeAttribute()
    recruiter = PersonMap()
    department_manager = PersonMap()
    interviewer = PersonMap()
    slot_id = UnicodeAttribute()
    starts_at = UnicodeAttribute()
    duration_minutes = NumberAttribute()
    ai_interview_url = UnicodeAttribute(null=True)  # removed when the candidate is erased (a personal session link)
    completed_parts = ListAttribute(of=UnicodeAttribute, default=list)
    status = UnicodeAttribute()
    pending_request_id = UnicodeAttribute(null=True)
    calendar_sequence = NumberAttribute(default=0)  # the SEQUENCE of the last calendar message sent
    # The invitation's UID, ORGANIZER (absent on older items: ours) and owner ("ats": the ATS invited, we only update).
    calendar_uid = UnicodeAttribute(null=True)
    calendar_organizer = UnicodeAttribute(null=True)
    calendar_owner = UnicodeAttribute(null=True)
    calendar_change = UnicodeAttribute(null=True)  # what claimed calendar_sequence last (e.g. "cancel:<request>")
    created_at = UnicodeAttribute()
    start_hour = UnicodeAttribute(null=True)  # starts_at[:13]; set at registration (reminders)
    start_day = UnicodeAttribute(null=True)  # starts_at[:10]; set at registration and moves (the console's search)
    moves = NumberAttribute(default=0)  # how often the candidate moved it (the policy limits this)
    rebooked_slot_id = UnicodeAttribute(null=True)  # cancelled, then a new time claimed from the portal (once)
    rebooked_to = UnicodeAttribute(null=True)  # ... and the interview booked at that time
    rebooked_from = UnicodeAttribute(null=True)  # the cancelled interview this one was booked again for
    # Registered for a candidate who had cancelled before: the reason codes of those cancellations, oldest first,
    # and the registration's UTC day (the by_reapplied_day index); absent otherwise.
    reapplied_after = ListAttribute(of=UnicodeAttribute, null=True)
    reapplied_day = UnicodeAttribute(null=True)
    description_url = UnicodeAttribute(null=True)
    company_intro_url = UnicodeAttribute(null=True)
    # Behaviour before the interview, first time each (the risk model's features); see behaviour.py.
    viewed_jd_at = UnicodeAttribute(null=True)
    downloaded_intro_at = UnicodeAttribute(null=True)
    clicked_link_at = UnicodeAttribute(null=True)
    # The nudge experiment's arm of a high-risk interview ("nudged" / "held_out"), set once by the reminders.
    nudge_arm = UnicodeAttribute(null=True)
    # Whether the candidate came: "attended" or "no_show", recorded once by staff or the AI-interview platform.
    attendance = UnicodeAttribute(null=True)
    attendance_at = UnicodeAttribute(null=True)
    attendance_by = UnicodeAttribute(null=True)  # "staff:<subject>" or "platform"
    by_candidate = InterviewsByCandidate()
    by_start_hour = InterviewsByStartHour()
    by_start_day = InterviewsByStartDay()
    by_reapplied_day = InterviewsByReappliedDay()


class CancellationRecord(MapAttribute):
    request_id = UnicodeAttribute()
    interview_id = UnicodeAttribute()
    job_title = UnicodeAttribute()
    initiator = UnicodeAttribute()
    reason_code = UnicodeAttribute()
    at = UnicodeAttribute()


class CandidateItem(Model):
    class Meta:
        table_name = _settings.candidates_table

    candidate_id = UnicodeAttribute(hash_key=True)
    # Absent only once the candidate is erased (erased_at): the item then stays as a pseudonymous tombstone, so that
    # later events about them are recognised and send nothing (functions/domain/privacy.py).
    name = UnicodeAttribute(null=True)
    email = UnicodeAttribute(null=True)
    phone = UnicodeAttribute(null=True)
    sms_opt_in = BooleanAttribute(null=True)  # agreed to text messages; absent means no
    locale = UnicodeAttribute(default="en")
    timezone = UnicodeAttribute(default="UTC")
    source = UnicodeAttribute(default="direct")
    resume_url = UnicodeAttribute(null=True)
    cancellations = ListAttribute(of=CancellationRecord, default=list)
    cancelled_request_ids = UnicodeSetAttribute(default=set)
    # Embedded in every personal link; raising it (revoke_links) makes every earlier link answer 410.
    link_version = NumberAttribute(null=True)  # absent: 0
    erased_at = UnicodeAttribute(null=True)  # when their personal data was erased (on request or by retention)


class RequestsByCandidate(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_candidate"
        projection = AllProjection()

    candidate_id = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class RequestsByDay(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_day"
        projection = AllProjection()

    created_day = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class RequestItem(Model):
    class Meta:
        table_name = _settings.requests_table

    request_id = UnicodeAttribute(hash_key=True)
    interview_id = UnicodeAttribute()
    candidate_id = UnicodeAttribute()
    initiator = UnicodeAttribute()
    requested_by = UnicodeAttribute()
    reason_code = UnicodeAttribute()
    reason_text = UnicodeAttribute(null=True)
    status = UnicodeAttribute()
    route_rule = UnicodeAttribute()
    route_summary = UnicodeAttribute()
    route_json = UnicodeAttribute(null=True)
    remind_before_seconds = NumberAttribute(null=True)  # the policy's approver reminder, before each SLA ends  # the route the workflow was given, to restart it identically
    auto_approve = BooleanAttribute(default=False)
    created_at = UnicodeAttribute()
    created_day = UnicodeAttribute()
    decided_at = UnicodeAttribute(null=True)
    decided_by = UnicodeAttribute(null=True)
    decision_comment = UnicodeAttribute(null=True)
    contact_email = UnicodeAttribute(null=True)
    retention_draft = UnicodeAttribute(null=True)
    retention_template = UnicodeAttribute(null=True)  # the policy's template for a retention message
    retention_message = UnicodeAttribute(null=True)  # as sent to the candidate (once)
    retention_sent_at = UnicodeAttribute(null=True)
    retention_sent_by = UnicodeAttribute(null=True)
    by_candidate = RequestsByCandidate()
    by_day = RequestsByDay()


class ApprovalsByRemindHour(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_remind_hour"
        projection = AllProjection()

    remind_hour = UnicodeAttribute(hash_key=True)


class ApprovalItem(Model):
    """The pending approval of a request: who must decide now, and the workflow's task token (server-side only)."""

    class Meta:
        table_name = _settings.approvals_table

    request_id = UnicodeAttribute(hash_key=True)
    level = NumberAttribute()
    approver_id = UnicodeAttribute()
    approver_name = UnicodeAttribute()
    approver_email = UnicodeAttribute()
    approver_role = UnicodeAttribute()
    task_token = UnicodeAttribute()
    opened_at = UnicodeAttribute()
    due_at = UnicodeAttribute()
    escalated_from_email = UnicodeAttribute(null=True)
    remind_hour = UnicodeAttribute(null=True)  # "YYYY-MM-DDTHH" (UTC) in which to remind the approver, if at all
    by_remind_hour = ApprovalsByRemindHour()
    by_approver = ApprovalsByApprover()
    decision = UnicodeAttribute(null=True)
    decided_by = UnicodeAttribute(null=True)
    decided_at = UnicodeAttribute(null=True)
    comment = UnicodeAttribute(null=True)


class AuditItem(Model):
    """One transition. Append-only: written with attribute_not_exists, never updated or deleted."""

    class Meta:
        table_name = _settings.audit_table

    request_id = UnicodeAttribute(hash_key=True)
    seq = UnicodeAttribute(range_key=True)  # "<ISO time>#<action>": sorts by time
    at = UnicodeAttribute()
    actor = UnicodeAttribute()
    action = UnicodeAttribute()
    from_status = UnicodeAttribute(null=True)
    to_status = UnicodeAttribute(null=True)
    why = UnicodeAttribute(null=True)
    # The hash chain (functions/core/audit_chain.py): the hash of the entry this one follows, and its own hash
    # over its content and prev_hash. Absent on entries written before the chain.
    prev_hash = UnicodeAttribute(null=True)
    entry_hash = UnicodeAttribute(null=True, attr_name="hash")


class SlotsByJob(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_job"
        projection = AllProjection()

    job_id = UnicodeAttribute(hash_key=True)
    starts_at = UnicodeAttribute(range_key=True)


class SlotItem(Model):
    class Meta:
        table_name = _settings.slots_table

    slot_id = UnicodeAttribute(hash_key=True)
    job_id = UnicodeAttribute()
    starts_at = UnicodeAttribute()
    status = UnicodeAttribute()  # BOOKED or AVAILABLE
    interview_id = UnicodeAttribute(null=True)
    released_at = UnicodeAttribute(null=True)
    # A released slot claimed from the waitlist: booked for this candidate until their interview is registered.
    claimed_by = UnicodeAttribute(null=True)
    claimed_at = UnicodeAttribute(null=True)
    claim_release_id = UnicodeAttribute(null=True)
    by_job = SlotsByJob()


class LinkUseItem(Model):
    """A single-use link that has been used. Its existence is what makes the link single-use."""

    class Meta:
        table_name = _settings.links_table

    link_id = UnicodeAttribute(hash_key=True)
    used_at = UnicodeAttribute()
    expires_at = NumberAttribute()  # epoch seconds, DynamoDB TTL


class SuppressionItem(Model):
    """An address we no longer send to: it bounced permanently or its owner complained. Written once."""

    class Meta:
        table_name = _settings.suppressions_table

    address = UnicodeAttribute(hash_key=True)  # lower-cased e-mail address
    reason = UnicodeAttribute()  # bounce or complaint
    at = UnicodeAttribute()
    feedback_id = UnicodeAttribute(null=True)  # SES's id of the bounce or complaint
    erased_candidate = UnicodeAttribute(null=True)  # kept by hash: the address of this erased candidate


class WaitlistItem(Model):
    """A candidate waiting for a slot of a job; removed when they claim one."""

    class Meta:
        table_name = _settings.waitlist_table

    job_id = UnicodeAttribute(hash_key=True)
    candidate_id = UnicodeAttribute(range_key=True)
    name = UnicodeAttribute()
    email = UnicodeAttribute()
    locale = UnicodeAttribute(default="en")
    timezone = UnicodeAttribute(default="UTC")
    joined_at = UnicodeAttribute()


class OpenOffersByExpiry(GlobalSecondaryIndex):
    """The offers still open (sparse: only they carry open_status), by when they expire: what the scheduled run
    that passes expired offers to the next in line reads."""

    class Meta:
        index_name = "open_by_expiry"
        projection = AllProjection()

    open_status = UnicodeAttribute(hash_key=True)
    expires_at = UnicodeAttribute(range_key=True)


class OfferItem(Model):
    """A released slot offered to one waitlisted candidate, until expires_at or until someone claims it."""

    class Meta:
        table_name = _settings.offers_table

    slot_id = UnicodeAttribute(hash_key=True)
    candidate_id = UnicodeAttribute(range_key=True)
    release_id = UnicodeAttribute()  # the request whose approval released the slot
    job_id = UnicodeAttribute()
    job_title = UnicodeAttribute()
    starts_at = UnicodeAttribute()
    # The candidate's contact, copied from the waitlist entry (which is gone once they claim a slot).
    name = UnicodeAttribute()
    email = UnicodeAttribute()
    locale = UnicodeAttribute(default="en")
    timezone = UnicodeAttribute(default="UTC")
    offered_at = UnicodeAttribute()
    expires_at = UnicodeAttribute()  # ISO UTC: compared as a string in the claim's condition
    status = UnicodeAttribute()  # OFFERED, CLAIMED, GONE (someone else claimed it) or EXPIRED (passed on)
    purge_at = NumberAttribute()  # epoch seconds, DynamoDB TTL
    open_status = UnicodeAttribute(null=True)  # "OPEN" while OFFERED (the open_by_expiry index), removed after
    open_by_expiry = OpenOffersByExpiry()


class AnalyticsItem(Model):
    """A per-day counter (day "YYYY-MM-DD", metric e.g. "requested#reason#illness"), changed only by atomic ADD;
    also the markers of events already counted (day "event#<id>") and of ratings given (day "rating#<request>"),
    the risk model's history rows (day "history#YYYY-MM", metric the interview) and scores (day "risk#<interview>")."""

    class Meta:
        table_name = _settings.analytics_table

    day = UnicodeAttribute(hash_key=True)
    metric = UnicodeAttribute(range_key=True)
    n = NumberAttribute(default=0)
    total = NumberAttribute(null=True)  # sum of the measured values (minutes, scores), for means
    expires_at = NumberAttribute(null=True)  # epoch seconds, DynamoDB TTL (event markers, risk scores)
    row = UnicodeAttribute(null=True)  # the risk model's history: one interview's row as JSON (day "history#YYYY-MM")


class CalendarItem(Model):
    """An interviewer's connected calendar as the calendar sync knows it. Entry "#sync": the sync token of the
    last read. One entry per interview we wrote there (entry = its UID): the SEQUENCE we last wrote and whether we
    removed it, so that a removal or an unchanged entry seen later is known to be ours, not the interviewer's."""

    class Meta:
        table_name = _settings.calendars_table

    calendar = UnicodeAttribute(hash_key=True)  # the interviewer's address, lower-cased
    entry = UnicodeAttribute(range_key=True)  # "#sync", or an entry's UID
    sync_token = UnicodeAttribute(null=True)
    synced_at = UnicodeAttribute(null=True)
    resource = UnicodeAttribute(null=True)  # the entry's name in the calendar (a removal is known by it only)
    interview_id = UnicodeAttribute(null=True)
    sequence = NumberAttribute(null=True)  # the SEQUENCE we last wrote
    written_at = UnicodeAttribute(null=True)
    removed_by_us = BooleanAttribute(null=True)  # set before we remove it (an approved cancellation)
    dropped_at = UnicodeAttribute(null=True)  # when the sync saw the interviewer delete or decline it


from functions.integration.data.policy_table import PolicyVersionItem  # noqa: E402 (a model of its own module)

ALL_MODELS: tuple[type[Model], ...] = (
    InterviewItem, CandidateItem, RequestItem, ApprovalItem, AuditItem, SlotItem, LinkUseItem,
    SuppressionItem, WaitlistItem, OfferItem, AnalyticsItem, CalendarItem, PolicyVersionItem,
)
