"""The system's wiring in one place: tables, functions, HTTP routes, event rules and schedules.

The CDK app builds exactly this in AWS and the local runtime builds exactly this on moto, so the two cannot
drift. Pure data: no CDK import here, the local runtime must not need CDK.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Index:
    name: str
    partition_key: str
    sort_key: str | None = None


@dataclass(frozen=True)
class Table:
    name: str  # logical name; the physical name reaches the code through env_var
    env_var: str
    partition_key: str
    sort_key: str | None = None
    indexes: tuple[Index, ...] = ()
    ttl_attribute: str | None = None
    append_only: bool = False  # functions may put items but never update or delete them


@dataclass(frozen=True)
class Function:
    name: str  # also the folder under functions/
    handler: str  # dotted path, as Lambda's handler setting


# The ATS registers interviews as a machine (Cognito client credentials): the user pool's resource server and the
# custom scope its access token must carry. No human token holds it.
ATS_RESOURCE_SERVER = "interviews-ats"
ATS_REGISTER_SCOPE_NAME = "interviews.register"
ATS_REGISTER_SCOPE = f"{ATS_RESOURCE_SERVER}/{ATS_REGISTER_SCOPE_NAME}"


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # API Gateway syntax: /approvals/{token}
    function: str
    # "staff" needs a staff member's ID token from the user pool; "ats" needs the ATS's access token with one of
    # `scopes` (no human token); "link" checks a signed link in code; "public" is open.
    auth: str
    scopes: tuple[str, ...] = ()


@dataclass(frozen=True)
class EventRule:
    name: str
    detail_types: tuple[str, ...]
    function: str  # consumed through an SQS queue (with a DLQ) by this function

    def pattern(self, ats_sources: tuple[str, ...] | None = None) -> dict:
        """The rule's EventBridge pattern: each detail-type only from the source that may send it (EVENT_ORIGINS).

        One origin gives a plain pattern; several give an `$or` of one (source, detail-types) pair per origin.
        """
        by_origin: dict[str, list[str]] = {}
        for detail_type in self.detail_types:
            by_origin.setdefault(EVENT_ORIGINS[detail_type], []).append(detail_type)
        ats = sorted(ats_sources or ATS_SOURCES)
        sources = {OWN: [EVENT_SOURCE], ATS: ats, ATS_OR_OWN: [*ats, EVENT_SOURCE], SES: [SES_SOURCE]}
        parts = [{"source": sources[origin], "detail-type": types} for origin, types in sorted(by_origin.items())]
        return parts[0] if len(parts) == 1 else {"$or": parts}


@dataclass(frozen=True)
class Schedule:
    name: str
    cron: str  # EventBridge Scheduler cron(...) expression, evaluated in the deployment's timezone
    function: str
    detail: dict = field(default_factory=dict)


TABLES: tuple[Table, ...] = (
    Table("interviews", "TABLE_INTERVIEWS", "interview_id",
          indexes=(Index("by_candidate", "candidate_id", "starts_at"),
                   # Reminders: the interviews starting in one UTC hour ("YYYY-MM-DDTHH"), without a Scan.
                   Index("by_start_hour", "start_hour", "starts_at"),
                   # The staff console's returning candidates: registrations after earlier cancellations, by day.
                   Index("by_reapplied_day", "reapplied_day", "created_at"),
                   # The staff console's interview search: the interviews starting on one UTC day, without a Scan.
                   Index("by_start_day", "start_day", "starts_at"))),
    Table("candidates", "TABLE_CANDIDATES", "candidate_id"),
    Table("requests", "TABLE_REQUESTS", "request_id",
          indexes=(Index("by_candidate", "candidate_id", "created_at"),
                   Index("by_day", "created_day", "created_at"))),
    Table("approvals", "TABLE_APPROVALS", "request_id",
          indexes=(Index("by_remind_hour", "remind_hour"),
                   # The staff console's "waiting for me": the approvals of one approver, newest first.
                   Index("by_approver", "approver_id", "opened_at"))),
    Table("audit", "TABLE_AUDIT", "request_id", "seq", append_only=True),
    Table("slots", "TABLE_SLOTS", "slot_id", indexes=(Index("by_job", "job_id", "starts_at"),)),
    Table("links", "TABLE_LINKS", "link_id", ttl_attribute="expires_at"),
    Table("idempotency", "TABLE_IDEMPOTENCY", "id", ttl_attribute="expiration"),
    # Addresses that bounced permanently or complained: never mailed again.
    Table("suppressions", "TABLE_SUPPRESSIONS", "address"),
    # Slot backfill: who waits for a slot of a job, and the released slots offered to them.
    Table("waitlist", "TABLE_WAITLIST", "job_id", "candidate_id"),
    Table("offers", "TABLE_OFFERS", "slot_id", "candidate_id", ttl_attribute="purge_at",
          # The open offers by expiry (sparse): the scheduled run passes expired ones to the next in line.
          indexes=(Index("open_by_expiry", "open_status", "expires_at"),)),
    # Analytics: per-day counters and histograms (day, metric) kept up to date from the bus's events.
    Table("analytics", "TABLE_ANALYTICS", "day", "metric", ttl_attribute="expires_at"),
    # Interviewers' connected calendars (calendar = the interviewer's address): the sync token of the last read
    # (entry "#sync") and, per entry we wrote (entry = its resource name), the interview, the SEQUENCE we wrote
    # and whether we removed it, so that the sync tells our own changes from the interviewer's.
    Table("calendars", "TABLE_CALENDARS", "calendar", "entry"),
    # The routing policy's published versions (policy = "routing", version zero-padded): the HR admins' editor
    # publishes and rolls back; every function reads the latest (functions/domain/policy_source.py).
    Table("policies", "TABLE_POLICIES", "policy", "version"),
)

FUNCTIONS: tuple[Function, ...] = (
    Function("cancel", "functions.cancel.handler.lambda_handler"),
    Function("approve", "functions.approve.handler.lambda_handler"),
    Function("notify", "functions.notify.handler.lambda_handler"),
    Function("analytics", "functions.analytics.handler.lambda_handler"),
)

ROUTES: tuple[Route, ...] = (
    Route("GET", "/portal/{token}", "cancel", "link"),
    Route("GET", "/api/candidate/interviews", "cancel", "link"),
    Route("POST", "/api/candidate/interviews/{interview_id}/cancellations", "cancel", "link"),
    Route("GET", "/api/candidate/requests/{request_id}", "cancel", "link"),
    Route("GET", "/api/candidate/interviews/{interview_id}/slots", "cancel", "link"),
    Route("POST", "/api/candidate/interviews/{interview_id}/moves", "cancel", "link"),
    Route("POST", "/api/candidate/interviews/{interview_id}/rebookings", "cancel", "link"),
    # The candidate joins or leaves the waitlist of a job they have an interview of (from the portal).
    Route("PUT", "/api/candidate/jobs/{job_id}/waitlist", "cancel", "link"),
    Route("DELETE", "/api/candidate/jobs/{job_id}/waitlist", "cancel", "link"),
    # Tracked links from the portal (AI interview, job description, company introduction): note and redirect.
    Route("GET", "/portal/{token}/go/{interview_id}/{target}", "cancel", "link"),
    # "Add to calendar" from the portal: the interview as an .ics file (the same UID as the e-mailed invitation).
    Route("GET", "/portal/{token}/interviews/{interview_id}/calendar.ics", "cancel", "link"),
    Route("POST", "/api/staff/interviews", "cancel", "ats", scopes=(ATS_REGISTER_SCOPE,)),
    Route("POST", "/api/staff/interviews/{interview_id}/cancellations", "cancel", "staff"),
    Route("GET", "/api/staff/requests", "cancel", "staff"),
    Route("GET", "/api/staff/requests/{request_id}", "cancel", "staff"),
    Route("GET", "/api/staff/reapplications", "cancel", "staff"),
    Route("POST", "/api/staff/jobs/{job_id}/slots", "cancel", "staff"),
    # The staff console's approvals (the approve function: it hands decisions to the workflow): waiting for me, and
    # deciding one, exactly as the e-mailed approval link does.
    Route("GET", "/api/staff/approvals", "approve", "staff"),
    # The staff console's search (interviews; requests of any age), a page at a time or as CSV.
    Route("GET", "/api/staff/interviews", "cancel", "staff"),
    Route("GET", "/api/staff/interviews/export", "cancel", "staff"),
    Route("GET", "/api/staff/request-history", "cancel", "staff"),
    Route("GET", "/api/staff/request-history/export", "cancel", "staff"),
    Route("POST", "/api/staff/approvals/{request_id}/decision", "approve", "staff"),
    # Data rights (HR admins): everything about a candidate as JSON; their personal data erased everywhere.
    Route("GET", "/api/staff/candidates/{candidate_id}/export", "cancel", "staff"),
    Route("POST", "/api/staff/candidates/{candidate_id}/erasure", "cancel", "staff"),
    # The staff workplace (issue #15): interviews at risk with why, "remind now" (once a day), attendance, reports.
    Route("GET", "/api/staff/risk", "cancel", "staff"),
    Route("POST", "/api/staff/interviews/{interview_id}/reminders", "cancel", "staff"),
    Route("PUT", "/api/staff/interviews/{interview_id}/attendance", "cancel", "staff"),
    Route("GET", "/api/staff/reports", "cancel", "staff"),
    Route("GET", "/api/staff/reports/{period}", "cancel", "staff"),
    Route("POST", "/api/candidate/sms-consent/withdrawal", "cancel", "link"),
    # The routing policy editor (HR admins): the published policy and its versions, check and simulate a draft,
    # publish it as a new version, roll back to an earlier one (functions/cancel/policy_routes.py).
    Route("GET", "/api/staff/policy", "cancel", "staff"),
    Route("POST", "/api/staff/policy/validate", "cancel", "staff"),
    Route("POST", "/api/staff/policy/simulate", "cancel", "staff"),
    Route("POST", "/api/staff/policy/versions", "cancel", "staff"),
    Route("POST", "/api/staff/policy/versions/{version}/rollback", "cancel", "staff"),
    # The staff console's page is public; everything it shows comes from the staff API with the user's token.
    Route("GET", "/staff", "cancel", "public"),
    Route("GET", "/staff/policy", "cancel", "public"),
    Route("GET", "/staff/risk", "cancel", "public"),
    Route("GET", "/staff/reports", "cancel", "public"),
    # The staff workplace's pages (public, as /staff): waiting for me; interviews and requests.
    Route("GET", "/staff/approvals", "cancel", "public"),
    Route("GET", "/staff/interviews", "cancel", "public"),
    Route("GET", "/openapi.json", "cancel", "public"),
    Route("GET", "/docs", "cancel", "public"),
    Route("GET", "/approvals/{token}", "approve", "link"),
    Route("POST", "/approvals/{token}", "approve", "link"),
    Route("POST", "/approvals/{token}/retention", "approve", "link"),
    Route("GET", "/ratings/{token}", "approve", "link"),
    Route("POST", "/ratings/{token}", "approve", "link"),
    # A waitlist offer's claim page (the offer e-mail's link): GET shows it, POST claims the slot once.
    Route("GET", "/offers/{token}", "approve", "link"),
    Route("POST", "/offers/{token}", "approve", "link"),
)

# Who may send what. This service's own events come from EVENT_SOURCE (the functions and the workflow put them);
# the ATS's (and the AI-interview platform's) from the deployment's configured sources (CDK context
# `atsSources`); SES's feedback from aws.ses, a source nobody else can put. A rule matches both the detail-type
# and its origin's source, so an event with a borrowed detail-type and another source reaches no consumer.
EVENT_SOURCE = "interviews.cancellations"
ATS_SOURCES: tuple[str, ...] = ("interviews.ats",)  # the default; a deployment names its own
SES_SOURCE = "aws.ses"
OWN, ATS, SES = "own", "ats", "ses"
# InterviewScheduled also comes from us: the registration API (the ATS's machine identity) announces what it
# stored, so that the bus path sends the invitation and counts it, as for the ATS's own events.
ATS_OR_OWN = "ats-or-own"
EVENT_ORIGINS: dict[str, str] = {
    "InterviewScheduled": ATS_OR_OWN, "CandidateWaitlisted": ATS,
    # Attendance: the AI-interview platform reports it (a source of the deployment's `atsSources`), and staff record
    # it in the console, which announces it as ours.
    "InterviewAttended": ATS_OR_OWN, "InterviewMissed": ATS_OR_OWN, "ReminderRequested": OWN,
    "CancellationRequested": OWN, "ApprovalRequested": OWN, "CancellationApproved": OWN,
    "CancellationRejected": OWN, "CancellationNeedsAttention": OWN, "InterviewMoved": OWN,
    "RetentionMessageSent": OWN, "SlotClaimed": OWN, "CandidateActed": OWN, "InterviewRebooked": OWN,
    "Email Bounced": SES, "Email Complaint Received": SES,
}
RULES: tuple[EventRule, ...] = (
    EventRule("notify", (
        "InterviewScheduled",
        "CancellationRequested",
        "ApprovalRequested",
        "CancellationApproved",
        "CancellationRejected",
        "CancellationNeedsAttention",
        "InterviewMoved",
        "RetentionMessageSent",
        "ReminderRequested",  # staff's "remind now" (functions/domain/workplace/risk_watch.py)
        # Attendance onto the interview, when the AI-interview platform reports it (staff's is recorded already).
        "InterviewAttended",
        "InterviewMissed",
    ), "notify"),
    # SES's bounce and complaint notifications (source aws.ses), forwarded to our bus: suppress the address.
    EventRule("mail-feedback", ("Email Bounced", "Email Complaint Received"), "notify"),
    # Slot backfill: candidates joining a job's waitlist (ATS or staff), and claims of released slots.
    EventRule("waitlist", ("CandidateWaitlisted", "SlotClaimed"), "notify"),
    # Analytics: the lifecycle (and attendance, the AI-interview platform's or staff's) into per-day aggregates.
    EventRule("analytics", ("InterviewScheduled", "CancellationRequested", "CancellationApproved",
                            "CancellationRejected", "CancellationNeedsAttention", "InterviewAttended", "InterviewMissed",
                            "InterviewMoved", "RetentionMessageSent", "CandidateActed"), "analytics"),
)

SCHEDULES: tuple[Schedule, ...] = (
    Schedule("nightly-analytics", "cron(0 2 * * ? *)", "analytics", {"job": "nightly-report"}),
    # Every hour: remind the candidates whose interview starts 24 to 25 hours later (and nudge those at risk).
    Schedule("interview-reminders", "cron(0 * * * ? *)", "notify", {"job": "reminders"}),
    # Nightly: erase candidates whose interviews ended more than RETENTION_DAYS ago (functions/domain/privacy.py).
    Schedule("nightly-retention", "cron(30 2 * * ? *)", "notify", {"job": "retention"}),
    # Every 5 minutes: what interviewers did in their connected calendars (deleted or declined an interview).
    Schedule("calendar-sync", "cron(0/5 * * * ? *)", "notify", {"job": "calendar-sync"}),
    # Every 15 minutes: waitlist offers nobody claimed in time expire and go to the next candidates in line.
    Schedule("waitlist-offers", "cron(0/15 * * * ? *)", "notify", {"job": "offer-expiry"}),
)

STATE_MACHINE_ASL = "infra/constructs/cancellation_workflow.asl.json"


def table(name: str) -> Table:
    return next(t for t in TABLES if t.name == name)
