"""Erasure end to end on the running local system (`interviews local`): a candidate with a rejected cancellation is
erased by an HR admin; afterwards no table holds their name, e-mail or phone, `interviews audit verify` passes on
their request, and their events replayed on the bus send nothing (docs/privacy.md)."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from datetime import datetime, timedelta, timezone

import pytest
import requests

from tests.e2e.conftest import REPO, approval_link, cancel, final, mails_about, settled

pytestmark = pytest.mark.e2e


def _register(local, interview_id: str, candidate_id: str, name: str, email: str, phone: str) -> str:
    """Registered by the ATS with a name, e-mail and phone no other test uses; returns the personal token."""
    event = json.loads((REPO / "tests/events/interview_scheduled.json").read_text())
    event["interview_id"], event["slot_id"] = interview_id, f"slot-{interview_id}"
    event["candidate"].update(candidate_id=candidate_id, name=name, email=email, phone=phone, sms_opt_in=True,
                              locale="en")
    event["starts_at"] = (datetime.now(timezone.utc) + timedelta(days=2)).replace(microsecond=0).isoformat()
    response = requests.post(f"{local.base}/api/staff/interviews", json=event, headers=local.ats(), timeout=30)
    assert response.status_code == 201, response.text
    return response.json()["candidate_link"].rsplit("/", 1)[1]


def _tables_holding(local, *values: str) -> dict[str, int]:
    """Per table, how many items hold any of `values` in any attribute (any case)."""
    dynamodb = local.aws("dynamodb")
    found = {}
    for env_var, table in local.info["tables"].items():
        items = [i for page in dynamodb.get_paginator("scan").paginate(TableName=table, ConsistentRead=True)
                 for i in page["Items"]]
        hits = sum(any(v.lower() in repr(i).lower() for v in values) for i in items)
        if hits:
            found[env_var] = hits
    return found


def _cli(info_file, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cli.main", *args, "--local-info", str(info_file)], cwd=REPO,
                          capture_output=True, text=True, timeout=120)


def _put(local, source: str, detail_type: str, detail: dict) -> None:
    events = local.aws("events")
    bus = next(b["Name"] for b in events.list_event_buses()["EventBuses"] if b["Name"].endswith("interviews-local"))
    result = events.put_events(Entries=[{"Source": source, "DetailType": detail_type, "Detail": json.dumps(detail),
                                         "EventBusName": bus}])
    assert result["FailedEntryCount"] == 0, result


def test_an_erased_candidate_is_in_no_table_the_audit_verifies_and_replayed_events_send_nothing(local, tmp_path):
    run = uuid.uuid4().hex[:8]
    candidate_id, interview_id = f"er-{run}", f"er-{run}-int"
    name, email, phone = f"Erin Ray {run}", f"erin.{run}@mail.example.com", f"+86139{int(run, 16) % 10**8:08d}"
    info_file = tmp_path / "info.json"
    info_file.write_text(json.dumps(local.info))
    # GIVEN a candidate whose cancellation (her reason names her) was rejected, so that her name, e-mail and phone
    # are in the candidates, requests (reason, retention draft) and other tables
    token = _register(local, interview_id, candidate_id, name, email, phone)
    receipt = cancel(local, token, interview_id, reason="other", text=f"{name} is moving abroad")
    assert receipt.status_code == 202, receipt.text
    request_id = receipt.json()["request_id"]
    decided = requests.post(approval_link(local, request_id), timeout=30,
                            data={"decision": "reject", "comment": "please keep the time if you can"})
    assert decided.status_code == 200
    assert final(local, request_id)["status"] == "REJECTED"
    settled(local)
    assert _tables_holding(local, name, email, phone)
    # WHEN an HR admin erases her (and asks again)
    erased = requests.post(f"{local.base}/api/staff/candidates/{candidate_id}/erasure",
                           headers=local.staff("admin"), timeout=30)
    again = requests.post(f"{local.base}/api/staff/candidates/{candidate_id}/erasure",
                          headers=local.staff("admin"), timeout=30)
    # THEN both answers are the same, and no table holds her name, e-mail or phone
    assert erased.status_code == 200 and again.json() == erased.json(), (erased.text, again.text)
    assert _tables_holding(local, name, email, phone) == {}
    # and her request's audit trail still verifies (`interviews audit verify`), and her export is a tombstone
    verified = _cli(info_file, "audit", "verify", request_id)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    exported = _cli(info_file, "candidate", "export", candidate_id)
    assert exported.returncode == 0 and json.loads(exported.stdout)["erased_at"] == erased.json()["erased_at"]
    # and her portal link is revoked
    assert requests.get(f"{local.base}/portal/{token}", timeout=30).status_code == 410
    # WHEN her registration (from the ATS) and her request's rejection (ours) are replayed on the bus
    mails = len(mails_about(local, email, candidate_id, request_id, interview_id))
    registration = json.loads((REPO / "tests/events/interview_scheduled.json").read_text())
    registration.update(interview_id=interview_id, slot_id=f"slot-{interview_id}",
                        starts_at=(datetime.now(timezone.utc) + timedelta(days=2)).replace(microsecond=0).isoformat())
    registration["candidate"].update(candidate_id=candidate_id, name=name, email=email, phone=phone, locale="en")
    _put(local, "interviews.ats", "InterviewScheduled", {"version": "1", **registration})
    _put(local, "interviews.cancellations", "CancellationRejected", {
        "version": "1", "request_id": request_id, "interview_id": interview_id, "candidate_id": candidate_id,
        "slot_id": f"slot-{interview_id}", "initiator": "candidate", "reason_code": "other", "outcome": "rejected",
        "actor": "approver:rec-1", "comment": "", "decided_at": "2030-01-01T00:00:00.000Z"})
    settled(local)
    # THEN nothing was sent about her, and her data is still in no table
    assert len(mails_about(local, email, candidate_id, request_id, interview_id)) == mails
    assert _tables_holding(local, name, email, phone) == {}
