"""Environment for in-process tests. Set before anything under functions/ is imported: settings and table names
are read once at import, exactly as in a Lambda cold start."""

import os
import zlib

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


# `make test` runs the suite in three processes on two cores (pytest-xdist): much of the suite waits (on SLAs,
# retries, mail), and a third process fills those waits. A test file runs whole in one of them, because its
# module fixtures (a local system, a world of identifiers) are built once, and the infra tests share one (one
# synth). The longest are handed out first, in this order (seconds each took in a three-process run), so that no
# process is left alone with a long file at the end: the fault cases (519: 48 whole lifecycles, mostly waiting on
# retries), the matrix's halves (275 each), the fuzzer (267), the infra tests (343), then the other end-to-end
# files, then the many short integration files, which fill the gaps.
FIRST_TO_LAST = ("tests/integration/test_lifecycle_faults.py", "tests/e2e/test_authorization_matrix.py",
                 "tests/e2e/test_fuzz_api.py", "tests/infra/", "tests/e2e/", "tests/integration/", "tests/unit/")
# The longest e2e file: 714 cells that depend on nothing but their own items. Its halves may run in two processes,
# each half on a local system and a world of identifiers of its own (its module fixtures, built once per process).
SPLIT_IN_TWO = "tests/e2e/test_authorization_matrix.py"


def pytest_collection_modifyitems(config, items):
    def place(item) -> int:
        return next((n for n, folder in enumerate(FIRST_TO_LAST) if item.nodeid.startswith(folder)), 0)

    items.sort(key=place)  # stable: within a folder, files and tests keep their order


def pytest_xdist_make_scheduler(config, log):
    # Not `--dist loadgroup`: with pytest 9 its group marks no longer reach the scheduler (xdist 3.8 sets a node id
    # attribute that pytest 9 does not read).
    from xdist.scheduler import LoadScopeScheduling

    config.option.loadscopereorder = False  # xdist would order by test count; FIRST_TO_LAST orders by length

    class ByFileInfraTogether(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            if nodeid.startswith("tests/infra/"):
                return "tests/infra"
            file = nodeid.split("::", 1)[0]
            if file == SPLIT_IN_TWO:
                return f"{file} half {zlib.crc32(nodeid.encode()) % 2}"
            return file

    return ByFileInfraTogether(config, log)

