"""The analytics in the in-process system: lifecycle events reach the analytics function through its rule's
queue and become per-day counters (once per event), the outcome mail's rating link records a rating (only by
POST), and the nightly job stores the report and mails it to HR."""

from __future__ import annotations

import json
import re
import uuid
from datetime import datetime, timedelta, timezone

import boto3

from functions.analytics import report as report_module
from functions.analytics.benchmarks import load
from functions.domain import approvals, cancellations
from functions.core.models import Decision, Initiator
from functions.core.settings import get_settings
from local_runtime.lambda_events import scheduled_event, sqs_event
from tests.integration.conftest import interview_event
from tests.integration.test_workflow import _approval_token


def _put(system, detail_type: str, detail: dict, source: str = "interviews.ats") -> None:
    response = boto3.client("events").put_events(Entries=[{
        "Source": source, "DetailType": detail_type, "Detail": json.dumps(detail),
        "EventBusName": system.resources.bus_name}])
    assert response["FailedEntryCount"] == 0


def _submit(interview_id: str, reason: str) -> str:
    return cancellations.submit(interview_id=interview_id, initiator=Initiator.CANDIDATE, actor="candidate:cand-1",
                                reason_code=reason, reason_text=None, idempotency_key=f"key-{uuid.uuid4()}",
                                candidate_id="cand-1").request_id


def _today_report() -> dict:
    today = datetime.now(timezone.utc).date()
    return report_module.build(today, today, report_module.collect(today, today), load())


def _rating_token(system) -> str:
    for message in reversed(system.sent_mail()):
        found = re.search(r"/ratings/(\S+)", message["text"])
        if found:
            return found.group(1)
    raise AssertionError("no rating link in any e-mail")


def test_lifecycle_events_become_the_days_counters_and_the_report(system):
    # Given three interviews booked through the bus, as an ATS books them
    for n in (1, 2, 3):
        _put(system, "InterviewScheduled", interview_event(f"int-{n}", "cand-1", starts_in=timedelta(days=3 + n)))
    system.drain()
    # When the candidate cancels one for a schedule conflict (approved automatically) and another for illness,
    # which the recruiter rejects
    auto = _submit("int-1", "schedule_conflict")
    assert system.execution(auto)["status"] == "SUCCEEDED"
    rejected = _submit("int-2", "illness")
    approvals.decide(_approval_token(system, rejected), Decision.REJECT, "please come")
    assert system.execution(rejected)["status"] == "SUCCEEDED"
    # And the AI-interview platform reports that the candidate attended the interview they wanted to cancel
    _put(system, "InterviewAttended", {"version": "1", "interview_id": "int-2", "candidate_id": "cand-1",
                                       "attended_at": datetime.now(timezone.utc).isoformat()})
    system.drain()
    # Then today's report shows it all, read from the counters only
    report = _today_report()
    assert report["volume"] == {"scheduled": 3, "requested": 2, "approved": 1, "rejected": 1, "needs_attention": 0,
                                "attended": 1, "moved": 0, "retention_messages": 0, "no_shows": 0, "imported": 0}
    assert report["cancellation_rate"] == 2 / 3
    assert report["auto_approval_share"] == 0.5
    assert {(r["initiator"], r["reason"], r["count"]) for r in report["reasons"]} == {
        ("candidate", "schedule_conflict", 1), ("candidate", "illness", 1)}
    assert report["retention"] == {"rejected": 1, "retained": 1, "rate": 1.0}
    assert report["approval_minutes"]["count"] == 1 and report["heard_back_minutes"]["count"] == 2
    assert report["approval_minutes"]["p50"] is not None
    job = interview_event()["job"]["title"]
    assert report["rates"]["job"] == [{"value": job, "scheduled": 3, "requested": 2, "rate": 2 / 3}]
    assert system.dlq_depth() == 0


def test_a_redelivered_event_is_counted_once(system):
    # Given an InterviewScheduled event as the analytics queue delivers it
    event = interview_event("int-9", "cand-1")
    envelope = {"version": "0", "id": "evt-1", "detail-type": "InterviewScheduled", "source": "interviews.ats",
                "time": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), "detail": event}
    message = {"MessageId": "m-1", "ReceiptHandle": "r", "Body": json.dumps(envelope), "Attributes": {},
               "MessageAttributes": {}, "MD5OfBody": ""}
    batch = sqs_event([message], "arn:aws:sqs:us-east-1:123456789012:test-analytics")
    # When SQS delivers it twice, and the ATS sends the same booking again (a new event id)
    first = system.invoke("analytics", batch)
    second = system.invoke("analytics", batch)
    resent = json.loads(json.dumps(batch))
    resent["Records"][0]["body"] = json.dumps({**envelope, "id": "evt-2"})
    third = system.invoke("analytics", resent)
    # Then every delivery succeeds and the booking counts once
    assert first["batchItemFailures"] == second["batchItemFailures"] == third["batchItemFailures"] == []
    assert _today_report()["volume"]["scheduled"] == 1


def test_the_outcome_mail_rating_link_records_one_rating_by_post_only(system):
    # Given a cancellation approved automatically: the candidate's outcome mail carries a rating link
    _put(system, "InterviewScheduled", interview_event("int-1", "cand-1"))
    system.drain()
    request_id = _submit("int-1", "schedule_conflict")
    system.execution(request_id)
    system.drain()
    token = _rating_token(system)
    path = f"/ratings/{token}"
    # When a mail scanner fetches the link
    page = system.http("GET", path, function="approve", resource="/ratings/{token}")
    # Then it gets the page with the five choices and nothing is recorded
    assert page["statusCode"] == 200 and 'name="score" value="5"' in page["body"]
    assert _today_report()["satisfaction"]["ratings"] == 0
    # When the candidate clicks 4, then (another tab) 1
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    first = system.http("POST", path, function="approve", resource="/ratings/{token}", body="score=4", headers=form)
    again = system.http("POST", path, function="approve", resource="/ratings/{token}", body="score=1", headers=form)
    # Then the first rating counts, once
    assert first["statusCode"] == 200 and again["statusCode"] == 200
    satisfaction = _today_report()["satisfaction"]
    assert satisfaction["ratings"] == 1 and satisfaction["mean"] == 4.0
    assert satisfaction["distribution"]["4"] == 1


def test_a_bad_rating_form_or_link_changes_nothing(system):
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    from functions.integration import links

    token = links.rating_url("req-x").rsplit("/", 1)[1]
    bad_score = system.http("POST", f"/ratings/{token}", function="approve", resource="/ratings/{token}",
                            body="score=9", headers=form)
    tampered = system.http("POST", f"/ratings/{token[:-2]}xx", function="approve", resource="/ratings/{token}",
                           body="score=5", headers=form)
    assert bad_score["statusCode"] == 422 and tampered["statusCode"] == 403
    assert _today_report()["satisfaction"]["ratings"] == 0


def test_the_nightly_job_stores_the_report_and_mails_hr(system, monkeypatch, tmp_path):
    monkeypatch.setenv("REPORT_DIR", str(tmp_path))
    # Given a day with one booking
    _put(system, "InterviewScheduled", interview_event("int-1", "cand-1"))
    system.drain()
    today = datetime.now(timezone.utc).date().isoformat()
    # When the nightly schedule runs for that day
    result = system.invoke("analytics", scheduled_event({"job": "nightly-report", "day": today}))
    # Then the HTML, JSON and CSV are stored, and HR has the report with the HTML and CSV attached
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"report-{today}.{x}" for x in ("csv", "html", "json")]
    stored = json.loads((tmp_path / f"report-{today}.json").read_text())
    assert stored["volume"]["scheduled"] == 1 and result["requests"] == 0
    assert "<svg" in (tmp_path / f"report-{today}.html").read_text()
    (to_hr,) = [m for m in system.sent_mail() if m["to"] == get_settings().hr_email]
    assert today in to_hr["subject"]
    assert [a["filename"] for a in to_hr["attachments"]] == [f"report-{today}.html", f"report-{today}.csv"]


def test_moves_and_followed_links_are_counted_once_each(system):
    # Given an interview moved twice (the second move's event delivered twice) and two tracked links followed
    base = {"version": "1", "interview_id": "int-1", "candidate_id": "cand-1", "job_id": "job-1"}
    _put(system, "InterviewScheduled", interview_event("int-1", "cand-1"))
    system.drain()
    boto3.client("dynamodb").update_item(  # the interview as two moves leave it (the events are counted later)
        TableName=system.resources.table_names["TABLE_INTERVIEWS"], Key={"interview_id": {"S": "int-1"}},
        UpdateExpression="SET moves = :n", ExpressionAttributeValues={":n": {"N": "2"}})
    for moves in (1, 2, 2):
        _put(system, "InterviewMoved", {**base, "slot_id": f"s-{moves}", "starts_at": "2030-01-15T06:00:00Z",
                                        "from_slot_id": "s-0", "from_starts_at": "2030-01-14T06:00:00Z",
                                        "sequence": moves, "moves": moves}, source="interviews.cancellations")
    for behaviour in ("viewed_jd", "clicked_link", "viewed_jd"):
        _put(system, "CandidateActed", {"version": "1", "interview_id": "int-1", "candidate_id": "cand-1",
                                        "behaviour": behaviour, "at": "2030-01-13T06:00:00Z"},
             source="interviews.cancellations")
    system.drain()
    # Then the report counts two moves and one of each behaviour
    report = _today_report()
    assert report["volume"]["moved"] == 2
    assert report["behaviour"] == {"viewed_jd": 1, "clicked_link": 1}
