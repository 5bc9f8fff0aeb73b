"""Environment for in-process tests. Set before anything under functions/ is imported: settings and table names
are read once at import, exactly as in a Lambda cold start."""

import os

PREFIX = "test"
os.environ.update({
    "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1", "AWS_REGION": "us-east-1",
    "TABLE_INTERVIEWS": f"{PREFIX}-interviews", "TABLE_CANDIDATES": f"{PREFIX}-candidates",
    "TABLE_REQUESTS": f"{PREFIX}-requests", "TABLE_APPROVALS": f"{PREFIX}-approvals",
    "TABLE_AUDIT": f"{PREFIX}-audit", "TABLE_SLOTS": f"{PREFIX}-slots", "TABLE_LINKS": f"{PREFIX}-links",
    "TABLE_IDEMPOTENCY": f"{PREFIX}-idempotency", "TABLE_SUPPRESSIONS": f"{PREFIX}-suppressions",
    "TABLE_WAITLIST": f"{PREFIX}-waitlist", "TABLE_OFFERS": f"{PREFIX}-offers",
    "TABLE_CALENDARS": f"{PREFIX}-calendars",
    "EVENT_BUS_NAME": f"{PREFIX}-interviews-local",
    "STATE_MACHINE_ARN": f"arn:aws:states:us-east-1:123456789012:stateMachine:{PREFIX}-cancellation",
    "LINK_SIGNING_KEY": "test-signing-key-not-secret",
    "PUBLIC_BASE_URL": "http://testserver",
    "MAIL_SENDER": "no-reply@interviews.example.com",
    "APPROVAL_SLA_SECONDS": "3600",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_SERVICE_NAME": "interview-cancellations",
    "POWERTOOLS_METRICS_NAMESPACE": "InterviewCancellations",
    "POWERTOOLS_LOG_LEVEL": "WARNING",
})
os.environ.setdefault("TABLE_ANALYTICS", f"{PREFIX}-analytics")
os.environ.pop("AWS_ENDPOINT_URL", None)  # in-process tests use moto's mock, never a server
