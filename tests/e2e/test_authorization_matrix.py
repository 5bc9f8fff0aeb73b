"""Every route x every caller, against the running local system: the status each caller gets, asserted cell by cell.

The table (MATRIX) is the specification; docs/authorization.md is rendered from it by
`scripts/authorization_table.py`, and a test here fails when the two differ.

How a caller presents a credential depends on the route, as in the real system:
- API routes take `Authorization: Bearer <token>`: a candidate's personal token on /api/candidate/*, a staff
  token (Cognito, checked by the gateway before any function runs) on /api/staff/*.
- The pages /portal/{token} and /approvals/{token} take the token in the path: each caller opens the page with
  the token they hold, so nobody can even name another person's page. "no credentials" opens it without a token.

Callers: "approver" holds the recruiter's link for this request (R); "another approver" holds the department
manager's link for another request (R2, company-initiated); "approver, link used" holds a link whose decision is
already recorded; "expired" holds an expired token of the kind the route takes (an approver link after its
deadline passed and the request was passed on); "tampered" holds that kind of token with one character changed.
Staff have a scope: "recruiter" and "department manager" are those of the job and department of every interview
here (job-1, Engineering); "recruiter of another job" and "department manager of another department" hold the same
roles for other person ids. "ATS" is the applicant tracking system's machine token, the only one that registers.

Every cell that may change state gets its own fresh interview or request, so no cell depends on another. The cells
of a row that must be refused share one such item, made once for the row, and each checks that it is unchanged (a
refusal changes nothing, so sharing lets no cell depend on another either; a list row's refused cells need none).

The matrix gets a local system of its own (`local_for_matrix`), so that no other test's requests delay its mails.
Its approvers have a day to decide, so a live link stays live however late its mail comes on a loaded machine;
only the expired approver link needs an SLA to pass: its request is the only emergency, and the policy this system
runs (`matrix_policy`) gives emergencies 30 s per approver.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

import pytest
import requests

import yaml

from functions.domain.policy_source import DEFAULT_POLICY_FILE
from infra import topology
from local_runtime import launch
from tests.e2e.conftest import LONG_SLA_SECONDS, REPO, SHORT_SLA_SECONDS, Local, wait_for

pytestmark = pytest.mark.e2e

DOC = REPO / "docs" / "authorization.md"

# ---- the table -------------------------------------------------------------------------------------------------

CALLERS: dict[str, str] = {
    "none": "no credentials",
    "candidate_a": "candidate A",
    "candidate_b": "candidate B",
    "approver": "approver of this request",
    "other_approver": "another approver",
    "approver_used": "approver, link used",
    "recruiter": "recruiter",
    "recruiter_other_job": "recruiter of another job",
    "department_manager": "department manager",
    "department_manager_other_department": "department manager of another department",
    "admin": "admin",
    "ats": "ATS (machine)",
    "expired": "expired token",
    "tampered": "tampered token",
}


@dataclass(frozen=True)
class Row:
    statuses: dict[str, int]
    note: str


def _row(default: int, note: str, **cells: int) -> Row:
    unknown = set(cells) - set(CALLERS)
    assert not unknown, unknown
    return Row({caller: cells.get(caller, default) for caller in CALLERS}, note)


_STAFF_ONLY = dict(recruiter=200, department_manager=200, admin=200)
_IN_SCOPE_LISTS = dict(_STAFF_ONLY, recruiter_other_job=200, department_manager_other_department=200)
# Data rights are HR admins' alone: every other staff role is refused for its role, whatever its scope.
_ADMIN_ONLY = dict(recruiter=403, recruiter_other_job=403, department_manager=403,
                   department_manager_other_department=403, admin=200)

MATRIX: dict[tuple[str, str], Row] = {
    ("GET", "/portal/{token}"): _row(
        403, "The page of the candidate whose token is in the path; B sees only B's interviews.",
        none=403, candidate_a=200, candidate_b=200, expired=410),
    ("GET", "/api/candidate/interviews"): _row(
        403, "Each candidate gets their own list only; a token that is not a candidate token is 403.",
        none=401, candidate_a=200, candidate_b=200, expired=410),
    ("POST", "/api/candidate/interviews/{interview_id}/cancellations"): _row(
        403, "A's interview: another candidate gets 404, the same answer as for a missing interview.",
        none=401, candidate_a=202, candidate_b=404, expired=410),
    ("GET", "/api/candidate/requests/{request_id}"): _row(
        403, "A's request: another candidate gets 404, the same answer as for a missing request.",
        none=401, candidate_a=200, candidate_b=404, expired=410),
    ("GET", "/api/candidate/interviews/{interview_id}/slots"): _row(
        403, "Free slots for A's interview: another candidate gets 404, as for a missing interview.",
        none=401, candidate_a=200, candidate_b=404, expired=410),
    ("POST", "/api/candidate/interviews/{interview_id}/moves"): _row(
        403, "Only A moves A's interview; another candidate gets 404 and nothing moves.",
        none=401, candidate_a=200, candidate_b=404, expired=410),
    ("POST", "/api/candidate/interviews/{interview_id}/rebookings"): _row(
        403, "Only A books a new time after A's cancellation; another candidate gets 404 and nothing is booked.",
        none=401, candidate_a=200, candidate_b=404, expired=410),
    ("PUT", "/api/candidate/jobs/{job_id}/waitlist"): _row(
        403, "A joins the waitlist of a job after A's cancellation there (rebooking allowed); another candidate, who "
             "has no interview of that job, gets 404 (as for a missing job) and joins nothing.",
        none=401, candidate_a=200, candidate_b=404, expired=410),
    ("DELETE", "/api/candidate/jobs/{job_id}/waitlist"): _row(
        403, "A leaves that waitlist; another candidate gets 404 and A stays on it.",
        none=401, candidate_a=200, candidate_b=404, expired=410),
    ("GET", "/portal/{token}/go/{interview_id}/{target}"): _row(
        403, "A tracked link of A's interview redirects A only; B's token with A's interview is 404.",
        none=403, candidate_a=302, candidate_b=404, expired=410),
    ("GET", "/portal/{token}/interviews/{interview_id}/calendar.ics"): _row(
        403, "A's interview as a calendar file for A only; B's token with A's interview is 404.",
        none=403, candidate_a=200, candidate_b=404, expired=410),
    ("POST", "/api/staff/interviews"): _row(
        401, "Only the ATS registers interviews and gets the candidate's personal link: the gateway takes only its "
             "access token with the registration scope, so every person's token (an admin's too) is 401 and nothing "
             "is stored.",
        ats=201),
    ("POST", "/api/staff/interviews/{interview_id}/cancellations"): _row(
        401, "The job's recruiter and admins cancel on the company's side; another job's recruiter gets 404 (as for a "
             "missing interview) and nothing changes; the department manager, who decides these, may not start "
             "one (separation of duties).",
        recruiter=202, recruiter_other_job=404, department_manager=403, department_manager_other_department=403,
        admin=202),
    ("GET", "/api/staff/requests"): _row(
        401, "Any staff role lists the open requests within their scope: the job's recruiter, the department's "
             "manager and admins see an open request of candidate A; another job's recruiter and another "
             "department's manager get a list without it.", **_IN_SCOPE_LISTS),
    ("GET", "/api/staff/requests/{request_id}"): _row(
        401, "The job's recruiter, the department's manager and admins read a request with its audit trail; "
             "another job's recruiter or department's manager gets 404, as for a missing request.",
        **_STAFF_ONLY, recruiter_other_job=404, department_manager_other_department=404),
    ("GET", "/api/staff/reapplications"): _row(
        401, "Any staff role lists the interviews registered again for candidates who cancelled before, within their "
             "scope: the job's recruiter, the department's manager and admins see candidate A's new interview; "
             "another job's recruiter and another department's manager get a list without it.", **_IN_SCOPE_LISTS),
    ("POST", "/api/staff/jobs/{job_id}/slots"): _row(
        401, "The job's recruiter (its registered interviews name them) and admins open slots; another job's "
             "recruiter gets 404 (no such job) and nothing opens; a department manager may not (403).",
        recruiter=201, recruiter_other_job=404, department_manager=403, department_manager_other_department=403,
        admin=201),
    ("GET", "/api/staff/approvals"): _row(
        401, "Any staff role lists the approvals waiting for them: the recruiter a request that waits for the "
             "recruiter; the department manager, admins and the others get a list without it.", **_IN_SCOPE_LISTS),
    ("POST", "/api/staff/approvals/{request_id}/decision"): _row(
        401, "Only the approver the request waits for decides it in the console, once (the e-mailed link then "
             "answers 409); the department's manager and admins reach it but are not its approver (403); another "
             "job's recruiter or department's manager gets 404, as for a missing request; nothing is decided.",
        recruiter=200, recruiter_other_job=404, department_manager=403, department_manager_other_department=404,
        admin=403),
    ("GET", "/api/staff/interviews"): _row(
        401, "Any staff role searches interviews within their scope: the job's recruiter, the department's manager "
             "and admins find candidate A's new interview; another job's recruiter and another department's "
             "manager get a page without it.", **_IN_SCOPE_LISTS),
    ("GET", "/api/staff/interviews/export"): _row(
        401, "The same search as CSV, within the same scope.", **_IN_SCOPE_LISTS),
    ("GET", "/api/staff/request-history"): _row(
        401, "Any staff role searches requests of any age within their scope: the job's recruiter, the "
             "department's manager and admins find candidate A's request; the others a page without it.",
        **_IN_SCOPE_LISTS),
    ("GET", "/api/staff/request-history/export"): _row(
        401, "The same search as CSV, within the same scope.", **_IN_SCOPE_LISTS),
    ("GET", "/api/staff/candidates/{candidate_id}/export"): _row(
        401, "HR admins only export everything stored about a candidate (docs/privacy.md); every other staff role "
             "is refused for its role (403) before anything is read.", **_ADMIN_ONLY),
    ("POST", "/api/staff/candidates/{candidate_id}/erasure"): _row(
        401, "HR admins only erase a candidate's personal data (each cell its own candidate); every other staff "
             "role gets 403 and the candidate's data stays.", **_ADMIN_ONLY),
    ("GET", "/api/staff/policy"): _row(
        401, "HR admins only read the published routing policy and its versions; every other staff role is refused "
             "for its role (403).", **_ADMIN_ONLY),
    ("POST", "/api/staff/policy/validate"): _row(
        401, "HR admins only check a draft policy; it changes nothing.", **_ADMIN_ONLY),
    ("POST", "/api/staff/policy/simulate"): _row(
        401, "HR admins only run a draft over the last days' requests; it changes nothing.", **_ADMIN_ONLY),
    ("POST", "/api/staff/policy/versions"): _row(
        401, "HR admins only publish a draft as the next version; any other caller publishes nothing.",
        **dict(_ADMIN_ONLY, admin=201)),
    ("POST", "/api/staff/policy/versions/{version}/rollback"): _row(
        401, "HR admins only publish an earlier version again; any other caller publishes nothing.",
        **dict(_ADMIN_ONLY, admin=201)),
    ("GET", "/api/staff/risk"): _row(
        401, "Any staff role lists the interviews at risk within their scope: the job's recruiter, the department's "
             "manager and admins see candidate A's interview (scored above the threshold); another job's recruiter "
             "and another department's manager get a list without it.", **_IN_SCOPE_LISTS),
    ("POST", "/api/staff/interviews/{interview_id}/reminders"): _row(
        401, "The job's recruiter, the department's manager and admins have candidate A reminded now (once a day: "
             "each cell its own interview); another job's recruiter or department's manager gets 404, as for a "
             "missing interview, and no reminder is marked.",
        recruiter=202, department_manager=202, admin=202, recruiter_other_job=404,
        department_manager_other_department=404),
    ("PUT", "/api/staff/interviews/{interview_id}/attendance"): _row(
        401, "The job's recruiter, the department's manager and admins record that candidate A did not come to an "
             "interview that has started (each cell its own); another job's recruiter or department's manager gets "
             "404 and nothing is recorded.",
        recruiter=200, department_manager=200, admin=200, recruiter_other_job=404,
        department_manager_other_department=404),
    ("GET", "/api/staff/reports"): _row(
        401, "The nightly report covers every job and department: HR admins only list the stored reports; every "
             "other staff role is refused for its role (403).", **_ADMIN_ONLY),
    ("GET", "/api/staff/reports/{period}"): _row(
        401, "HR admins only read a stored report (here the latest); every other staff role gets 403 before "
             "anything is read.", **_ADMIN_ONLY),
    ("POST", "/api/candidate/sms-consent/withdrawal"): _row(
        403, "Each candidate stops texts to themselves only (the token names whom); a token that is not a "
             "candidate token is 403.",
        none=401, candidate_a=200, candidate_b=200, expired=410),
    ("GET", "/staff"): _row(200, "Public page; all it shows comes from the staff API with the user's token."),
    ("GET", "/staff/policy"): _row(200, "Public page (the policy editor); all it shows comes from the staff API with "
                                        "the user's token."),
    ("GET", "/staff/risk"): _row(200, "Public page; the interviews at risk come from the staff API with the user's "
                                      "token."),
    ("GET", "/staff/reports"): _row(200, "Public page; the reports come from the staff API with the user's token."),
    ("GET", "/staff/approvals"): _row(200, "Public page, as /staff: waiting for me, from the staff API."),
    ("GET", "/staff/interviews"): _row(200, "Public page, as /staff: the interview and request search."),
    ("GET", "/openapi.json"): _row(200, "Public."),
    ("GET", "/docs"): _row(200, "Public."),
    ("GET", "/approvals/{token}"): _row(
        403, "The page of the link in the path; GET changes nothing. Another approver's link shows only "
             "their own request; a used link shows the decided request without the form.",
        none=403, approver=200, other_approver=200, approver_used=200, expired=410),
    ("POST", "/approvals/{token}"): _row(
        403, "Decides once: the link's approver decides their own request, never another; a used link is 409.",
        none=403, approver=200, other_approver=200, approver_used=409, expired=410),
    ("POST", "/approvals/{token}/retention"): _row(
        403, "Only the approver who rejected sends the retention message, once; before a rejection it is 409.",
        none=403, approver=409, other_approver=409, approver_used=200, expired=410),
    ("GET", "/offers/{token}"): _row(
        403, "The claim page of the waitlist offer e-mailed to A (a released slot of a job A waits for); GET claims "
             "nothing.",
        none=403, candidate_a=200, expired=410),
    ("POST", "/offers/{token}"): _row(
        403, "Claims the offered slot for the link's candidate, once; any other token claims nothing.",
        none=403, candidate_a=200, expired=410),
    ("GET", "/ratings/{token}"): _row(
        403, "The rating page of the outcome e-mail's link (A's rejected request); GET records nothing.",
        none=403, candidate_a=200, expired=410),
    ("POST", "/ratings/{token}"): _row(
        403, "Records one rating for the link's request; any other token records nothing.",
        none=403, candidate_a=200, expired=410),
}

CELLS = [(route, caller) for route in MATRIX for caller in CALLERS]


def render_markdown() -> str:
    """docs/authorization.md, from MATRIX."""
    lines = [
        "# Who may call what",
        "",
        "<!-- Generated by scripts/authorization_table.py from tests/e2e/test_authorization_matrix.py; "
        "do not edit. -->",
        "",
        "Every route (infra/topology.py) x every caller, with the HTTP status the caller gets. "
        "`tests/e2e/test_authorization_matrix.py` asserts each cell against the running local system.",
        "",
        "- API routes take `Authorization: Bearer <token>`: the candidate's personal token on `/api/candidate/*`, "
        "a staff ID token (Cognito groups recruiter, department_manager, admin) on `/api/staff/*`, checked by API "
        "Gateway before any function runs (401 `{\"message\": \"Unauthorized\"}`). Registering interviews "
        "(`POST /api/staff/interviews`) takes only the ATS's access token (Cognito client credentials, scope "
        "`interviews-ats/interviews.register`). Errors from the functions are `application/problem+json`.",
        "- Staff are scoped by the person id in their token (`custom:person_id`): a recruiter reaches the jobs whose "
        "interviews name them as recruiter, a department manager the interviews naming them as department manager, "
        "an admin everything. *recruiter* and *department manager* are those of the interviews here; *of another "
        "job* / *of another department*: the same role, another person id. Outside the scope is 404, as for a "
        "missing item, and lists leave it out.",
        "- The pages `/portal/{token}` and `/approvals/{token}` take the token in the path: every caller opens the "
        "page with the token they hold (no credentials: no token, no such resource, which API Gateway answers "
        "403 `{\"message\": \"Missing Authentication Token\"}`). Errors are readable HTML pages.",
        "- *approver of this request*: the recruiter's e-mailed link for request R (candidate A's). "
        "*another approver*: the department manager's link for another request R2. *approver, link used*: a link "
        "whose decision is recorded. *expired token*: an expired token of the kind the route takes (for approver "
        "links: the deadline passed and the request was passed on). *tampered token*: that kind of token with one "
        "character changed.",
        "- 404 for someone else's interview or request is deliberate: the same answer as for one that does not "
        "exist, so nothing leaks.",
        "",
    ]
    header = "| Route | " + " | ".join(CALLERS.values()) + " |"
    lines += [header, "|" + "---|" * (len(CALLERS) + 1)]
    for (method, path), row in MATRIX.items():
        lines.append(f"| `{method} {path}` | " + " | ".join(str(row.statuses[c]) for c in CALLERS) + " |")
    lines += ["", "Notes:", ""]
    for (method, path), row in MATRIX.items():
        lines.append(f"- `{method} {path}`: {row.note}")
    return "\n".join(lines) + "\n"


# ---- the world the cells run in ---------------------------------------------------------------------------------

def _tamper(token: str) -> str:
    """Change one character in the middle of the token's last part (the signature): not the last character,
    whose low bits base64 may ignore."""
    head, _, signature = token.rpartition(".")
    i = len(signature) // 2
    flipped = "A" if signature[i] != "A" else "B"
    return f"{head}.{signature[:i]}{flipped}{signature[i + 1:]}"


def _token_of(link: str) -> str:
    return link.rsplit("/", 1)[1]


@dataclass
class World:
    local: object
    run: str
    candidate_a: str = ""
    token_a: str = ""
    token_b: str = ""
    interviews_a: list[str] = field(default_factory=list)
    interview_b: str = ""
    request_r: str = ""  # A's request, waiting for the recruiter
    link_r: str = ""
    marker_r: str = ""
    link_used: str = ""
    link_other: str = ""  # the department manager's link for another request (R2)
    request_used: str = ""
    link_superseded: str = ""
    request_superseded: str = ""
    counter: int = 0
    offer_made: tuple[str, str] | None = None
    report_made: bool = False
    waiting_for_recruiter: str = ""  # a request the "waiting for me" row lists for the recruiter
    shared: dict = field(default_factory=dict)  # per row: the item its refused cells share

    def target(self, route: topology.Route, succeeds: bool, make):
        """What a cell acts on: `make()` fresh for a cell that may change it; for a cell that must be refused, the
        one item its row's refused cells share."""
        if succeeds:
            return make()
        key = (route.method, route.path)
        if key not in self.shared:
            self.shared[key] = make()
        return self.shared[key]

    # -- helpers ---------------------------------------------------------------------------------------------
    def fresh_id(self, what: str) -> str:
        self.counter += 1  # fixed width: "reason-3" must not be found inside "reason-308"
        return f"mx-{self.run}-{what}-{self.counter:05d}"

    def fresh_interview_of_a(self) -> str:
        interview_id = self.fresh_id("int")
        self.local.register(interview_id, self.candidate_a, timedelta(days=2))
        return interview_id

    def candidate_cancels(self, interview_id: str, marker: str, reason_code: str = "other") -> str:
        response = requests.post(
            f"{self.local.base}/api/candidate/interviews/{interview_id}/cancellations",
            json={"reason_code": reason_code, "reason_text": marker},
            headers={"Authorization": f"Bearer {self.token_a}", "Idempotency-Key": str(uuid.uuid4())}, timeout=30)
        assert response.status_code == 202, response.text
        return response.json()["request_id"]

    def company_cancels(self, interview_id: str, marker: str) -> str:
        response = requests.post(
            f"{self.local.base}/api/staff/interviews/{interview_id}/cancellations",
            json={"reason_code": "other", "reason_text": marker},
            headers={**self.local.staff("admin"), "Idempotency-Key": str(uuid.uuid4())}, timeout=30)
        assert response.status_code == 202, response.text
        return response.json()["request_id"]

    def approval_link(self, request_id: str, to: str, timeout: float = 120) -> str:
        # Generous: on a loaded machine the notify function may be minutes behind
        def find():
            for message in self.local.outbox():
                found = re.search(r"(http://\S+/approvals/\S+)", message["text"])
                if found and message["to"] == to and request_id in message["text"]:
                    return found.group(1)
            return None
        try:
            return wait_for(find, timeout=timeout)
        except AssertionError:  # say where the request went instead of only "timed out"
            about = [(m["to"], m["subject"]) for m in self.local.outbox() if request_id in m["text"]]
            raise AssertionError(f"no approval link to {to} for {request_id}; request: {self.view(request_id)}; "
                                 f"mails about it: {about}") from None

    def fresh_request_of_a(self, marker: str | None = None) -> str:
        """A cancellation of a fresh interview of A; `marker` (its reason text) finds it in mails."""
        return self.candidate_cancels(self.fresh_interview_of_a(), marker or self.fresh_id("reason"))

    def view(self, request_id: str) -> dict:
        return requests.get(f"{self.local.base}/api/staff/requests/{request_id}", headers=self.local.staff("admin"),
                            timeout=30).json()

    def decisions(self, request_id: str) -> list[str]:
        return [e["action"] for e in self.view(request_id)["timeline"] if e["action"].startswith("decision_")]

    # -- live links (a decision uses its link up: each cell that may decide gets a request of its own) ---------
    def live_link_for_recruiter(self) -> tuple[str, str, str]:
        marker = self.fresh_id("reason")
        request_id = self.fresh_request_of_a(marker)
        return _token_of(self.approval_link(request_id, RECRUITER)), request_id, marker

    def live_link_for_department_manager(self) -> tuple[str, str, str]:
        marker = self.fresh_id("reason")
        request_id = self.company_cancels(self.fresh_interview_of_a(), marker)
        return _token_of(self.approval_link(request_id, DEPARTMENT_MANAGER)), request_id, marker

    def cancelled_interview_of_a(self, job_id: str | None = None) -> str:
        """A fresh interview of A cancelled for illness, which the policy lets A follow by booking a new time or
        waiting. (A has cancelled often here, so the policy sends A's requests to the recruiter: the approved request
        and the outcome are stored directly; the cancellation itself is tested elsewhere.)"""
        interview_id = self.fresh_id("int")
        self.local.register(interview_id, self.candidate_a, timedelta(days=2), job_id=job_id)
        dynamodb = self.local.aws("dynamodb")
        dynamodb.update_item(
            TableName=self.local.info["tables"]["TABLE_INTERVIEWS"], Key={"interview_id": {"S": interview_id}},
            UpdateExpression="SET #s = :c", ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={":c": {"S": "CANCELLED"}})
        at = datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        dynamodb.put_item(TableName=self.local.info["tables"]["TABLE_REQUESTS"], Item={k: {"S": v} for k, v in {
            "request_id": f"req-matrix-{interview_id}", "interview_id": interview_id,
            "candidate_id": self.candidate_a, "initiator": "candidate", "reason_code": "illness",
            "status": "APPROVED", "created_at": at, "created_day": at[:10], "decided_at": at,
            "requested_by": f"candidate:{self.candidate_a}", "route_rule": "candidate-initiated",
            "route_summary": "recruiter"}.items()})
        return interview_id

    def at_risk(self, interview_id: str) -> None:
        """The nightly model's score for the interview, at the top (above any threshold), with a factor."""
        self.local.aws("dynamodb").put_item(TableName=self.local.info["tables"]["TABLE_ANALYTICS"], Item={
            "day": {"S": f"risk#{interview_id}"}, "metric": {"S": "score"}, "total": {"N": "1"},
            "row": {"S": json.dumps([{"factor": "clicked_link", "value": "0", "weight": 1.0}])}})

    def reminded_today(self, interview_id: str) -> bool:
        day = datetime.now(timezone.utc).date().isoformat()
        return bool(self.local.item("analytics", {"day": f"remind-now#{interview_id}", "metric": day}))

    def started(self, interview_id: str) -> None:
        """The interview's start moved an hour into the past (the ATS registers only future ones)."""
        starts_at = datetime.now(timezone.utc) - timedelta(hours=1)
        self.local.aws("dynamodb").update_item(
            TableName=self.local.info["tables"]["TABLE_INTERVIEWS"], Key={"interview_id": {"S": interview_id}},
            UpdateExpression="SET starts_at = :s, start_hour = :h",
            ExpressionAttributeValues={":s": {"S": starts_at.isoformat(timespec="seconds").replace("+00:00", "Z")},
                                       ":h": {"S": starts_at.strftime("%Y-%m-%dT%H")}})

    def report_stored(self) -> None:
        """The nightly run's report (yesterday's), stored once as the deployment's schedule stores it."""
        if not self.report_made:
            response = requests.post(f"{self.local.base}/_local/run/nightly-analytics", timeout=300)
            assert response.status_code < 400, response.text[:300]
            self.report_made = True

    def on_waitlist(self, job_id: str) -> bool:
        return bool(self.local.item("waitlist", {"job_id": job_id, "candidate_id": self.candidate_a}))

    def offer(self) -> tuple[str, str]:
        """(claim link token, slot) of a waitlist offer A was e-mailed: A waits for a job (after a cancellation
        there), another candidate moves their interview of that job away, and its slot is offered to A. Made once."""
        if self.offer_made:
            return self.offer_made
        from itsdangerous import URLSafeSerializer

        job_id = self.fresh_id("job")
        self.cancelled_interview_of_a(job_id)
        joined = requests.put(f"{self.local.base}/api/candidate/jobs/{job_id}/waitlist",
                              headers={"Authorization": f"Bearer {self.token_a}"}, timeout=30)
        assert joined.status_code == 200, joined.text
        mover = self.fresh_id("int")
        token = self.local.register(mover, self.fresh_id("cand"), timedelta(days=3), job_id=job_id)
        [slot] = self.local.open_slots(job_id, timedelta(days=12))
        moved = requests.post(f"{self.local.base}/api/candidate/interviews/{mover}/moves",
                              headers={"Authorization": f"Bearer {token}"}, json={"slot_id": slot["slot_id"]},
                              timeout=30)
        assert moved.status_code == 200, moved.text

        def find():
            for message in self.local.outbox():
                for link in re.findall(r"/offers/(\S+)", message["text"]):
                    payload = URLSafeSerializer("unused").loads_unsafe(link)[1] or {}
                    if payload.get("c") == self.candidate_a and payload.get("s") == f"slot-{mover}":
                        return link
            return None
        self.offer_made = (wait_for(find, timeout=120), f"slot-{mover}")
        return self.offer_made

    def rating_link(self) -> str:
        """The rating link of the outcome e-mail A got when request_used was rejected (its payload names it)."""
        from itsdangerous import URLSafeSerializer

        def find():
            for message in self.local.outbox():
                for token in re.findall(r"/ratings/(\S+)", message["text"]):
                    if (URLSafeSerializer("unused").loads_unsafe(token)[1] or {}).get("r") == self.request_used:
                        return token
            return None
        return wait_for(find, timeout=30)

    def rated(self) -> bool:
        return bool(self.local.item("analytics", {"day": f"rating#{self.request_used}", "metric": "rated"}))

    def expired(self, kind: str) -> str | None:
        """An expired token of this kind. Approver links: the recruiter's link after the deadline passed and the
        request was passed on (410, like expiry). Candidate and staff tokens are signed with keys that only
        `interviews local` holds: it must write them to its info file (`expired_tokens`)."""
        if kind == "approver":
            return self.link_superseded
        return (self.local.info.get("expired_tokens") or {}).get(kind)


RECRUITER = "chen.jing@company.example.com"
DEPARTMENT_MANAGER = "sam.smith@company.example.com"


def matrix_policy() -> dict:
    """The shipped policy, with a first rule that gives candidates' emergencies SHORT_SLA_SECONDS per approver
    (and no reminders: a reminder must fall within the SLA)."""
    policy = yaml.safe_load(DEFAULT_POLICY_FILE.read_text(encoding="utf-8"))
    policy["defaults"].pop("remind_before_hours", None)
    policy["rules"].insert(0, {
        "name": "emergencies-pass-on-quickly", "description": "the matrix's superseded approver link",
        "when": {"initiator": "candidate", "reason": ["emergency"]},
        "then": {"approvers": [{"role": "recruiter"}, {"role": "department_manager"}],
                 "sla_hours": SHORT_SLA_SECONDS / 3600}})
    return policy


@pytest.fixture(scope="module")
def local_for_matrix(tmp_path_factory):
    # No interviewer calendars: the matrix registers a couple of hundred interviews, and their CalDAV writes are
    # tested elsewhere.
    directory = tmp_path_factory.mktemp("local-matrix")
    policy_file = directory / "policy.yaml"
    policy_file.write_text(yaml.safe_dump(matrix_policy()), encoding="utf-8")
    with launch.running(directory, sla_seconds=LONG_SLA_SECONDS, strict_stop=False, calendars=False,
                        policy_file=policy_file) as info_file:
        yield Local(json.loads(info_file.read_text()))


@pytest.fixture(scope="module")
def world(local_for_matrix) -> World:
    local = local_for_matrix
    w = World(local=local, run=uuid.uuid4().hex[:6])
    w.candidate_a = f"mx-{w.run}-a"
    # The request that will be superseded first (an emergency: SHORT_SLA_SECONDS per approver): its recruiter's
    # deadline runs while the rest is set up.
    w.token_a = local.register(f"mx-{w.run}-sup", w.candidate_a, timedelta(days=2))
    w.request_superseded = w.candidate_cancels(f"mx-{w.run}-sup", w.fresh_id("reason"), reason_code="emergency")
    w.interviews_a = [f"mx-{w.run}-sup"]
    w.interview_b = f"mx-{w.run}-b-int"
    w.token_b = local.register(w.interview_b, f"mx-{w.run}-b", timedelta(days=2))
    # R: A's request, waiting for the recruiter.
    interview_r = w.fresh_interview_of_a()
    w.interviews_a.append(interview_r)
    w.marker_r = w.fresh_id("reason")
    w.request_r = w.candidate_cancels(interview_r, w.marker_r)
    # A used link: its decision is recorded.
    used_interview = w.fresh_interview_of_a()
    w.interviews_a.append(used_interview)
    w.request_used = w.candidate_cancels(used_interview, w.fresh_id("reason"))
    w.link_r = _token_of(w.approval_link(w.request_r, RECRUITER))
    w.link_used = _token_of(w.approval_link(w.request_used, RECRUITER))
    decided = requests.post(f"{local.base}/approvals/{w.link_used}", data={"decision": "reject"}, timeout=30)
    assert decided.status_code == 200, decided.text
    # R2: another request, company-initiated, so another approver (the department manager) holds its link.
    other_interview = w.fresh_interview_of_a()
    w.interviews_a.append(other_interview)
    w.link_other = _token_of(w.approval_link(w.company_cancels(other_interview, w.fresh_id("reason")),
                                             DEPARTMENT_MANAGER))
    # The superseded link: the recruiter's, once the department manager has been asked.
    link = w.approval_link(w.request_superseded, RECRUITER)
    w.approval_link(w.request_superseded, DEPARTMENT_MANAGER, timeout=300)
    w.link_superseded = _token_of(link)
    return w


# ---- the cells ---------------------------------------------------------------------------------------------------

@dataclass
class Call:
    method: str
    path: str
    headers: dict = field(default_factory=dict)
    json: dict | None = None
    data: dict | None = None
    after: list = field(default_factory=list)  # checks run on the response: f(response)


def _kind(route: topology.Route) -> str:
    if route.auth in ("staff", "ats"):
        return route.auth
    if route.path.startswith(("/api/candidate/", "/portal/")):
        return "candidate"
    if route.path.startswith("/approvals/"):
        return "approver"
    if route.path.startswith("/ratings/"):
        return "rating"
    if route.path.startswith("/offers/"):
        return "offer"
    return "any"


def _credential(world: World, route: topology.Route, caller: str) -> str | None:
    """The token this caller holds for this route (on the approver pages, a live link is made in _build)."""
    tokens = world.local.info["staff_tokens"]
    kind = _kind(route)
    if caller == "expired":
        token = world.expired("approver" if kind == "any" else kind)
        if token is None:
            pytest.skip(f"needs an expired {kind} token from `interviews local` (info file: expired_tokens.{kind})")
        return token
    if caller == "tampered":
        return _tamper({"staff": tokens["admin"], "ats": world.local.info["ats_token"], "candidate": world.token_a,
                        "approver": world.link_r, "rating": world.rating_link(), "offer": world.offer()[0],
                        "any": world.token_a}[kind])
    if caller == "candidate_a" and kind == "rating":
        return world.rating_link()
    if caller == "candidate_a" and kind == "offer":
        return world.offer()[0]
    return {
        "none": None,
        "candidate_a": world.token_a,
        "candidate_b": world.token_b,
        "approver": world.link_r,
        "other_approver": world.link_other,
        "approver_used": world.link_used,
        "recruiter": tokens.get("recruiter"),
        "recruiter_other_job": tokens.get("recruiter_other_job"),
        "department_manager": tokens.get("department_manager"),
        "department_manager_other_department": tokens.get("department_manager_other_department"),
        "admin": tokens.get("admin"),
        "ats": world.local.info.get("ats_token"),
    }[caller]


def _build(world: World, route: topology.Route, caller: str) -> Call:
    """The request this caller makes on this route, and what must hold afterwards besides the status."""
    method, path = route.method, route.path
    credential = _credential(world, route, caller)
    succeeds = MATRIX[(method, path)].statuses[caller] < 400
    bearer = {"Authorization": f"Bearer {credential}"} if credential else {}

    if path == "/portal/{token}" or path == "/api/candidate/interviews":
        if path == "/portal/{token}":
            call = Call(method, f"/portal/{credential or ''}")
        else:
            call = Call(method, path, headers=bearer)
        if caller == "candidate_a":
            call.after.append(lambda r: _shows(r, *world.interviews_a) and _hides(r, world.interview_b))
        if caller == "candidate_b":
            call.after.append(lambda r: _shows(r, world.interview_b) and _hides(r, *world.interviews_a))
        return call

    if path == "/api/candidate/interviews/{interview_id}/cancellations":
        interview_id = world.target(route, succeeds, world.fresh_interview_of_a)
        call = Call(method, f"/api/candidate/interviews/{interview_id}/cancellations",
                    headers={**bearer, "Idempotency-Key": str(uuid.uuid4())}, json={"reason_code": "illness"})
        if caller != "candidate_a":
            call.after.append(lambda r: _interview_status_is(world, interview_id, "SCHEDULED"))
        return call

    if path in ("/api/candidate/requests/{request_id}", "/api/staff/requests/{request_id}"):
        call = Call(method, path.replace("{request_id}", world.request_r), headers=bearer)
        call.after.append(lambda r: r.status_code != 200 or r.json()["request_id"] == world.request_r)
        return call

    if route.auth == "staff" and path in ("/api/staff/interviews", "/api/staff/interviews/export"):
        # A's new interview, found by its own candidate id among the many this table registers
        def registered() -> tuple[str, str]:
            candidate, interview = world.fresh_id("cand"), world.fresh_id("int")
            world.local.register(interview, candidate, timedelta(days=2))
            return candidate, interview
        candidate_id, interview_id = world.target(route, succeeds, registered)
        call = Call(method, f"{path}?candidate={candidate_id}", headers=bearer)
        in_scope = caller in ("recruiter", "department_manager", "admin")
        call.after.append(lambda r: r.status_code != 200 or (interview_id in r.text) == in_scope)
        if path.endswith("/export"):
            call.after.append(lambda r: r.status_code != 200 or r.headers["Content-Type"].startswith("text/csv"))
        return call

    if path in ("/api/staff/request-history", "/api/staff/request-history/export"):
        # A request made just now: the newest of today's requests of candidate A
        request_id = world.target(route, succeeds, world.fresh_request_of_a)
        today = datetime.now(timezone.utc).date().isoformat()
        call = Call(method, f"{path}?candidate={world.candidate_a}&date_from={today}&date_to={today}",
                    headers=bearer)
        in_scope = caller in ("recruiter", "department_manager", "admin")
        call.after.append(lambda r: r.status_code != 200 or (request_id in r.text) == in_scope)
        if path.endswith("/export"):
            call.after.append(lambda r: r.status_code != 200 or r.headers["Content-Type"].startswith("text/csv"))
        return call

    if path == "/api/staff/approvals":
        # A request waiting for the recruiter (A's requests go to the recruiter here), made once for the row:
        # listing decides nothing
        if not world.waiting_for_recruiter:
            world.waiting_for_recruiter = world.live_link_for_recruiter()[1]
        request_id = world.waiting_for_recruiter
        call = Call(method, path, headers=bearer)
        call.after.append(lambda r: r.status_code != 200 or (request_id in r.text) == (caller == "recruiter"))
        return call

    if path == "/api/staff/approvals/{request_id}/decision":
        # The recruiter decides a request of their own (a decision uses it up); every other caller tries R
        if caller == "recruiter":
            link, request_id, _ = world.live_link_for_recruiter()
        else:
            link, request_id = world.link_r, world.request_r
        call = Call(method, f"/api/staff/approvals/{request_id}/decision", headers=bearer,
                    json={"decision": "approve", "comment": "matrix"})
        if caller == "recruiter":
            call.after.append(lambda r: wait_for(lambda: world.decisions(request_id) == ["decision_approved"]))
            # the e-mailed link of the request decided in the console now refuses
            call.after.append(lambda r: requests.post(f"{world.local.base}/approvals/{link}",
                                                      data={"decision": "reject"}, timeout=30).status_code == 409)
        else:
            call.after.append(lambda r: not world.decisions(world.request_r))
        return call

    if path == "/api/staff/interviews":
        interview_id = world.fresh_id("reg")
        call = Call(method, path, headers=bearer, json=_interview_event(interview_id, world.candidate_a))
        call.after.append(lambda r: bool(world.local.item("interviews", {"interview_id": interview_id}))
                          == (r.status_code in (200, 201)))
        # A personal link goes to the ATS only
        call.after.append(lambda r: ("/portal/" in r.text) == (caller == "ats"))
        return call

    if path == "/api/staff/interviews/{interview_id}/cancellations":
        interview_id = world.target(route, succeeds, world.fresh_interview_of_a)
        call = Call(method, f"/api/staff/interviews/{interview_id}/cancellations",
                    headers={**bearer, "Idempotency-Key": str(uuid.uuid4())},
                    json={"reason_code": "position_paused"})
        if caller not in ("recruiter", "admin"):
            call.after.append(lambda r: _interview_status_is(world, interview_id, "SCHEDULED")
                              and not world.local.item("interviews", {"interview_id": interview_id})
                              .get("pending_request_id"))
        return call

    if path == "/api/staff/candidates/{candidate_id}/export":
        call = Call(method, f"/api/staff/candidates/{world.candidate_a}/export", headers=bearer)
        call.after.append(lambda r: r.status_code != 200 or r.json()["profile"]["email"].startswith(world.candidate_a))
        return call

    if path == "/api/staff/candidates/{candidate_id}/erasure":
        def registered() -> str:
            candidate = world.fresh_id("erase")
            world.local.register(world.fresh_id("int"), candidate, timedelta(days=2))
            return candidate
        candidate_id = world.target(route, succeeds, registered)
        call = Call(method, f"/api/staff/candidates/{candidate_id}/erasure", headers=bearer)
        erased = caller == "admin"
        call.after.append(lambda r: bool(world.local.item("candidates", {"candidate_id": candidate_id})
                                         .get("email")) != erased)
        return call

    if path == "/api/candidate/sms-consent/withdrawal":
        call = Call(method, path, headers=bearer)
        own = {"candidate_a": world.candidate_a, "candidate_b": f"mx-{world.run}-b"}.get(caller)
        call.after.append(lambda r: r.status_code != 200 or r.json()["candidate_id"] == own)
        return call

    if path.startswith("/api/staff/policy"):
        return _policy_call(world, method, path, caller, bearer)

    if path == "/api/staff/risk":
        def at_risk() -> str:
            interview = world.fresh_id("int")
            world.local.register(interview, world.candidate_a, timedelta(hours=30))
            world.at_risk(interview)
            return interview
        interview_id = world.target(route, succeeds, at_risk)
        call = Call(method, path, headers=bearer)
        in_scope = caller in ("recruiter", "department_manager", "admin")
        call.after.append(lambda r: r.status_code != 200 or (interview_id in r.text) == in_scope)
        return call

    if path == "/api/staff/interviews/{interview_id}/reminders":
        interview_id = world.target(route, succeeds, world.fresh_interview_of_a)
        call = Call(method, f"/api/staff/interviews/{interview_id}/reminders", headers=bearer)
        call.after.append(lambda r: world.reminded_today(interview_id) == (r.status_code == 202))
        return call

    if path == "/api/staff/interviews/{interview_id}/attendance":
        def started() -> str:
            interview = world.fresh_interview_of_a()
            world.started(interview)
            return interview
        interview_id = world.target(route, succeeds, started)
        call = Call(method, f"/api/staff/interviews/{interview_id}/attendance", headers=bearer,
                    json={"outcome": "no_show"})
        call.after.append(lambda r: (world.local.item("interviews", {"interview_id": interview_id})
                                     .get("attendance") == "no_show") == (r.status_code == 200))
        return call

    if path in ("/api/staff/reports", "/api/staff/reports/{period}"):
        world.report_stored()
        call = Call(method, path.replace("{period}", "latest"), headers=bearer)
        call.after.append(lambda r: r.status_code != 200 or ("html" in r.json() if "{period}" in path
                                                             else bool(r.json())))
        return call

    if path in ("/openapi.json", "/docs", "/staff", "/staff/policy", "/staff/risk", "/staff/reports",
                "/staff/approvals", "/staff/interviews"):
        return Call(method, path, headers=bearer)

    if path == "/api/staff/requests":
        # A request made just now is still open (R may be decided by default by the time this row runs)
        request_id = world.target(route, succeeds, world.fresh_request_of_a)
        call = Call(method, path, headers=bearer)
        in_scope = caller in ("recruiter", "department_manager", "admin")
        call.after.append(lambda r: r.status_code != 200 or (request_id in r.text) == in_scope)
        return call

    if path == "/api/staff/reapplications":
        # A cancelled before (a cancellation in A's profile, as the approval's notification records it), then the ATS
        # registers a new interview for A: it is flagged.
        def reapplied() -> str:
            at = datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
            record = {"request_id": world.fresh_id("req"), "interview_id": world.fresh_id("int"), "job_title": "Job",
                      "initiator": "candidate", "reason_code": "illness", "at": at}
            world.local.aws("dynamodb").update_item(
                TableName=world.local.info["tables"]["TABLE_CANDIDATES"],
                Key={"candidate_id": {"S": world.candidate_a}},
                UpdateExpression="SET cancellations = list_append(if_not_exists(cancellations, :none), :one)",
                ExpressionAttributeValues={":none": {"L": []}, ":one": {"L": [
                    {"M": {k: {"S": v} for k, v in record.items()}}]}})
            return world.fresh_interview_of_a()
        interview_id = world.target(route, succeeds, reapplied)
        call = Call(method, path, headers=bearer)
        in_scope = caller in ("recruiter", "department_manager", "admin")
        call.after.append(lambda r: r.status_code != 200 or (interview_id in r.text) == in_scope)
        return call

    if path == "/api/staff/jobs/{job_id}/slots":
        # A job with a registered interview (its data names the recruiter and department manager of this table)
        def job_with_interview() -> tuple[str, datetime]:
            job = world.fresh_id("job")
            world.local.register(world.fresh_id("int"), world.candidate_a, timedelta(days=2), job_id=job)
            return job, (datetime.now(timezone.utc) + timedelta(days=9)).replace(second=0, microsecond=0)
        job_id, starts_at = world.target(route, succeeds, job_with_interview)
        call = Call(method, f"/api/staff/jobs/{job_id}/slots", headers=bearer,
                    json={"starts_at": [starts_at.isoformat()]})
        slot_id = f"{job_id}:{starts_at.strftime('%Y%m%dT%H%M')}"
        call.after.append(lambda r: bool(world.local.item("slots", {"slot_id": slot_id})) == (r.status_code == 201))
        return call

    if path == "/api/candidate/interviews/{interview_id}/slots":
        return Call(method, f"/api/candidate/interviews/{world.interviews_a[0]}/slots", headers=bearer)

    if path == "/api/candidate/interviews/{interview_id}/moves":
        def interview_and_free_slot() -> tuple[str, dict]:
            interview = world.fresh_interview_of_a()
            world.counter += 1
            return interview, world.local.open_slots("job-1", timedelta(days=10, minutes=world.counter))[0]
        interview_id, slot = world.target(route, succeeds, interview_and_free_slot)
        call = Call(method, f"/api/candidate/interviews/{interview_id}/moves", headers=bearer,
                    json={"slot_id": slot["slot_id"]})
        moved = caller == "candidate_a"
        call.after.append(lambda r: (world.local.item("interviews", {"interview_id": interview_id})["slot_id"]
                                     == slot["slot_id"]) == moved)
        return call

    if path == "/api/candidate/interviews/{interview_id}/rebookings":
        def cancelled_and_free_slot() -> tuple[str, dict]:
            interview = world.cancelled_interview_of_a()
            world.counter += 1
            return interview, world.local.open_slots("job-1", timedelta(days=11, minutes=world.counter))[0]
        interview_id, slot = world.target(route, succeeds, cancelled_and_free_slot)
        call = Call(method, f"/api/candidate/interviews/{interview_id}/rebookings", headers=bearer,
                    json={"slot_id": slot["slot_id"]})
        booked = caller == "candidate_a"
        call.after.append(lambda r: (world.local.item("slots", {"slot_id": slot["slot_id"]})["status"] == "BOOKED")
                          == booked)
        return call

    if path == "/portal/{token}/go/{interview_id}/{target}":
        call = Call(method, f"/portal/{credential or ''}/go/{world.interviews_a[0]}/job-description")
        if caller == "candidate_a":
            call.after.append(lambda r: r.headers["Location"].startswith("https://careers.example.com/"))
        return call

    if path == "/portal/{token}/interviews/{interview_id}/calendar.ics":
        interview_id = world.target(route, succeeds, world.fresh_interview_of_a)  # scheduled: a cancelled one has none
        call = Call(method, f"/portal/{credential or ''}/interviews/{interview_id}/calendar.ics")
        if caller == "candidate_a":
            call.after.append(lambda r: r.headers["Content-Type"].startswith("text/calendar")
                              and f"UID:{interview_id}@interviews.cancellations" in r.text)
        return call

    if path == "/approvals/{token}/retention":
        if caller in ("approver", "other_approver"):
            credential = (world.live_link_for_recruiter() if caller == "approver"
                          else world.live_link_for_department_manager())[0]
        call = Call(method, f"/approvals/{credential or ''}/retention", data={"message": "matrix retention"})
        if caller == "approver_used":
            call.after.append(lambda r: world.local.item("requests", {"request_id": world.request_used})
                              ["retention_message"] == "matrix retention")
        return call

    if path == "/api/candidate/jobs/{job_id}/waitlist":
        def job_after_a_cancellation() -> str:
            job = world.fresh_id("job")
            world.cancelled_interview_of_a(job)
            if method == "DELETE":  # A is on it, to be taken off (by A only)
                joined = requests.put(f"{world.local.base}/api/candidate/jobs/{job}/waitlist",
                                      headers={"Authorization": f"Bearer {world.token_a}"}, timeout=30)
                assert joined.status_code == 200, joined.text
            return job
        job_id = world.target(route, succeeds, job_after_a_cancellation)
        call = Call(method, f"/api/candidate/jobs/{job_id}/waitlist", headers=bearer)
        waiting = (method == "PUT") == (caller == "candidate_a")
        call.after.append(lambda r: world.on_waitlist(job_id) == waiting)
        return call

    if path == "/offers/{token}":
        call = Call(method, f"/offers/{credential or ''}", data={} if method == "POST" else None)
        slot_id = world.offer()[1]
        if caller == "candidate_a":  # the GET row's cells run before the POST row's: GET claimed nothing
            claimed = method == "POST"
            call.after.append(lambda r: (world.local.item("slots", {"slot_id": slot_id}).get("claimed_by")
                                         == world.candidate_a) == claimed)
        else:
            call.after.append(lambda r: method == "GET" or r.status_code >= 400)
        return call

    if path == "/ratings/{token}":
        call = Call(method, f"/ratings/{credential or ''}", data={"score": "4"} if method == "POST" else None)
        if caller == "candidate_a":  # the GET row's cells run before the POST row's: GET recorded nothing
            call.after.append(lambda r: world.rated() == (method == "POST"))
        return call

    assert path == "/approvals/{token}", path
    # The two callers who may act get a link of their own (a POST uses it up).
    if caller == "approver":
        credential, subject, marker = world.live_link_for_recruiter()
    if caller == "other_approver":
        credential, other_request, other_marker = world.live_link_for_department_manager()
    data = {"decision": "approve", "comment": "matrix"} if method == "POST" else None
    call = Call(method, f"/approvals/{credential or ''}", data=data)
    if method == "GET" and caller == "approver":
        call.after.append(lambda r: marker in r.text and 'value="approve"' in r.text)
        call.after.append(lambda r: world.view(subject)["status"] == "PENDING_APPROVAL"
                          and not world.decisions(subject))  # GET changed nothing
    if method == "GET" and caller == "other_approver":
        call.after.append(lambda r: other_marker in r.text and world.marker_r not in r.text)
    if method == "GET" and caller == "approver_used":
        call.after.append(lambda r: 'value="approve"' not in r.text)
    if method == "POST" and caller == "approver":
        call.after.append(lambda r: wait_for(lambda: world.decisions(subject) == ["decision_approved"]))
    if method == "POST" and caller == "other_approver":
        call.after.append(lambda r: wait_for(lambda: world.decisions(other_request) == ["decision_approved"])
                          and not world.decisions(world.request_r))
    if method == "POST" and caller == "approver_used":
        call.after.append(lambda r: world.decisions(world.request_used) == ["decision_rejected"])
    if method == "POST" and caller not in ("approver", "other_approver", "approver_used"):
        call.after.append(lambda r: not world.decisions(world.request_r))
    return call


def _published(world: World) -> dict:
    """The routing policy as published now (read as an admin)."""
    response = requests.get(f"{world.local.base}/api/staff/policy", headers=world.local.staff("admin"), timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def _policy_call(world: World, method: str, path: str, caller: str, bearer: dict) -> Call:
    """The policy editor's routes. A publication republishes the policy in force unchanged (a rollback: version 1,
    the matrix's policy file), so that the routing of the other cells stays the same."""
    if path == "/api/staff/policy":
        call = Call(method, path, headers=bearer)
        call.after.append(lambda r: r.status_code != 200 or r.json()["policy"] == matrix_policy())
        return call
    if path == "/api/staff/policy/validate":
        call = Call(method, path, headers=bearer, json={"policy": matrix_policy()})
        call.after.append(lambda r: r.status_code != 200 or r.json()["valid"] is True)
        return call
    if path == "/api/staff/policy/simulate":
        call = Call(method, path, headers=bearer, json={"policy": matrix_policy(), "days": 1})
        call.after.append(lambda r: r.status_code != 200 or r.json()["changed_count"] == 0)
        return call
    before = _published(world)["version"]
    if path == "/api/staff/policy/versions":
        call = Call(method, path, headers=bearer, json={"policy": matrix_policy(), "base_version": before})
    else:
        call = Call(method, "/api/staff/policy/versions/1/rollback", headers=bearer, json={"base_version": before})
    published = caller == "admin"
    call.after.append(lambda r: (_published(world)["version"] == before + 1) == published)
    return call


def _interview_event(interview_id: str, candidate_id: str) -> dict:
    event = json.loads((REPO / "tests/events/interview_scheduled.json").read_text())
    event["interview_id"], event["slot_id"] = interview_id, f"slot-{interview_id}"
    event["candidate"].update(candidate_id=candidate_id, email=f"{candidate_id}@mail.example.com", locale="en")
    event["starts_at"] = (datetime.now(timezone.utc) + timedelta(days=2)).replace(microsecond=0).isoformat()
    return event


def _shows(response, *ids: str) -> bool:
    return all(i in response.text for i in ids)


def _hides(response, *ids: str) -> bool:
    return not any(i in response.text for i in ids)


def _interview_status_is(world: World, interview_id: str, status: str) -> bool:
    return world.local.item("interviews", {"interview_id": interview_id}).get("status") == status


def _content_type_fits(route: topology.Route, response) -> bool:
    """Who answered, in the shape the README promises: the gateway's JSON, problem JSON, or a page."""
    content_type = response.headers.get("Content-Type", "")
    if response.status_code < 400 or route.auth == "public":
        return True
    if route.auth in ("staff", "ats") and response.status_code == 401:
        return response.json() == {"message": "Unauthorized"}  # the gateway, before any function ran
    if response.status_code == 403 and "{token}" in route.path and content_type.startswith("application/json"):
        # no token: no such resource, which API Gateway answers as it answers any path or method without a route
        return response.json() == {"message": "Missing Authentication Token"}
    if route.path.startswith("/api/"):
        return content_type.startswith("application/problem+json")
    return content_type.startswith("text/html")


# ---- the tests ---------------------------------------------------------------------------------------------------

def test_the_table_covers_every_route_and_every_caller():
    assert set(MATRIX) == {(r.method, r.path) for r in topology.ROUTES}
    assert all(set(row.statuses) == set(CALLERS) for row in MATRIX.values())


def test_the_documented_table_is_this_table():
    assert DOC.read_text(encoding="utf-8") == render_markdown(), \
        "docs/authorization.md is out of date: run `.venv/bin/python scripts/authorization_table.py`"


ROUTES = {(r.method, r.path): r for r in topology.ROUTES}


@pytest.mark.parametrize(("route_key", "caller"), CELLS, ids=[f"{m} {p} | {c}" for (m, p), c in CELLS])
def test_cell(route_key, caller, world):
    route = ROUTES[route_key]
    expected = MATRIX[route_key].statuses[caller]
    call = _build(world, route, caller)
    response = requests.request(call.method, f"{world.local.base}{call.path}", headers=call.headers,
                                json=call.json, data=call.data, timeout=60, allow_redirects=False)
    assert response.status_code == expected, (
        f"{route.method} {route.path} as {CALLERS[caller]}: expected {expected}, got {response.status_code}: "
        f"{response.text[:300]}")
    assert _content_type_fits(route, response), (response.headers.get("Content-Type"), response.text[:300])
    for check in call.after:
        assert check(response), f"{route.method} {route.path} as {CALLERS[caller]}: a check after the call failed"
