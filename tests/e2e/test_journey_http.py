"""The candidate's journey after a cancellation, on the running local system over HTTP: rebooking after a
candidate's cancellation (a new interview with its invitation, the completed parts kept), refused after the company's
`screening_failed`, the recruiter told when such a candidate is registered again, and the waitlist's claim race
(every candidate offered the slot claims at once from the offer e-mail's link: one wins, the others are told).

The race has as many claimants as the system offers a slot to at once (WAITLIST_OFFER_WAVE, default 3; the system
inherits this process's environment, so `WAITLIST_OFFER_WAVE=10` races ten). Offer expiry needs the clock moved:
tests/integration/test_waitlist_journey.py does that on moto.
"""

from __future__ import annotations

import base64
import os
import re
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import requests
from icalendar import Calendar
from itsdangerous import URLSafeSerializer

from tests.e2e.conftest import approval_link, cancel, mails_to, wait_for

pytestmark = pytest.mark.e2e

RECRUITER_MAIL = "chen.jing@company.example.com"
MANAGER_MAIL = "sam.smith@company.example.com"
REBOOK_SENTENCE = "When you are ready, book a new time here"  # mail.approved.body (en)


def _ids(prefix: str) -> tuple[str, str, str]:
    run = uuid.uuid4().hex[:6]
    return f"{prefix}-{run}", f"c-{prefix}-{run}", f"job-{prefix}-{run}"


def _bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def _cancelled_by_candidate(local, interview_id: str, token: str) -> None:
    """A schedule conflict three days ahead: approved by the policy at once."""
    assert cancel(local, token, interview_id, reason="schedule_conflict").status_code == 202
    wait_for(lambda: local.item("interviews", {"interview_id": interview_id})["status"] == "CANCELLED", timeout=60)


def _invitation_uids(local, address: str) -> list[str]:
    uids = []
    for mail in mails_to(local, address):
        for attachment in mail["attachments"]:
            if attachment["filename"] == "invitation.ics":
                calendar = Calendar.from_ical(base64.b64decode(attachment["content_base64"]))
                uids.append(str(calendar.walk("VEVENT")[0]["UID"]))
    return uids


def _waiting_for(local, job_id: str, count: int, prefix: str) -> list[tuple[str, str]]:
    """`count` candidates on the job's waitlist, in line order, each after a cancellation there: (id, address)."""
    waiting = []
    for n in range(count):
        interview_id, candidate_id, _ = _ids(f"{prefix}{n}")
        token = local.register(interview_id, candidate_id, timedelta(days=3), job_id=job_id)
        _cancelled_by_candidate(local, interview_id, token)
        joined = requests.put(f"{local.base}/api/candidate/jobs/{job_id}/waitlist", headers=_bearer(token),
                              timeout=30)
        assert joined.status_code == 200, joined.text
        waiting.append((candidate_id, f"{candidate_id}@mail.example.com"))
    return waiting


def _offer_link(local, address: str, slot_id: str) -> str | None:
    for mail in mails_to(local, address):
        for link in re.findall(r"(http://\S+/offers/\S+)", mail["text"]):
            if (URLSafeSerializer("unused").loads_unsafe(link.rsplit("/", 1)[1])[1] or {}).get("s") == slot_id:
                return link
    return None


def test_a_rebooking_after_a_candidate_cancellation_books_a_new_interview_invites_and_keeps_the_parts(local):
    # GIVEN an interview (self-introduction done) cancelled by its candidate, and a free time of the job
    interview_id, candidate_id, job_id = _ids("jr-rebook")
    address = f"{candidate_id}@mail.example.com"
    token = local.register(interview_id, candidate_id, timedelta(days=3), job_id=job_id)
    _cancelled_by_candidate(local, interview_id, token)
    approved = wait_for(lambda: [m for m in mails_to(local, address) if "cancel.ics" in
                                 {a["filename"] for a in m["attachments"]}], timeout=60)
    assert REBOOK_SENTENCE in approved[0]["text"]
    [slot] = local.open_slots(job_id, timedelta(days=7))
    # WHEN the candidate books it
    response = requests.post(f"{local.base}/api/candidate/interviews/{interview_id}/rebookings",
                             json={"slot_id": slot["slot_id"]}, headers=_bearer(token), timeout=30)
    # THEN a new interview is booked there, linked to the cancelled one, with the completed part kept
    assert response.status_code == 200, response.text
    booked = response.json()
    assert (booked["rebooked_from"], booked["slot_id"], booked["completed_parts"]) == (
        interview_id, slot["slot_id"], ["self-introduction"])
    stored = local.item("interviews", {"interview_id": booked["interview_id"]})
    assert (stored["status"], stored["rebooked_from"]) == ("SCHEDULED", interview_id)
    # AND the invitation of the new interview reaches the candidate, with its calendar entry
    new_uid = f"{booked['interview_id']}@interviews.cancellations"
    wait_for(lambda: new_uid in _invitation_uids(local, address), timeout=60)
    assert _invitation_uids(local, address).count(new_uid) == 1
    print(f"\nrebooked {interview_id} -> {booked['interview_id']} parts {booked['completed_parts']}")


def test_after_screening_failed_no_new_time_is_offered_and_rebooking_is_refused(local):
    # GIVEN an interview the company cancelled because screening failed (the department manager approved)
    interview_id, candidate_id, job_id = _ids("jr-screen")
    address = f"{candidate_id}@mail.example.com"
    token = local.register(interview_id, candidate_id, timedelta(days=3), job_id=job_id)
    response = requests.post(f"{local.base}/api/staff/interviews/{interview_id}/cancellations",
                             json={"reason_code": "screening_failed"},
                             headers={**local.staff("recruiter"), "Idempotency-Key": str(uuid.uuid4())}, timeout=30)
    assert response.status_code == 202, response.text
    link = approval_link(local, response.json()["request_id"], to=MANAGER_MAIL)
    assert requests.post(link, data={"decision": "approve"}, timeout=30).status_code == 200
    wait_for(lambda: local.item("interviews", {"interview_id": interview_id})["status"] == "CANCELLED", timeout=60)
    [approved] = wait_for(lambda: [m for m in mails_to(local, address) if "cancel.ics" in
                                   {a["filename"] for a in m["attachments"]}], timeout=60)
    [slot] = local.open_slots(job_id, timedelta(days=7))
    # WHEN the candidate asks for a new time anyway
    refused = requests.post(f"{local.base}/api/candidate/interviews/{interview_id}/rebookings",
                            json={"slot_id": slot["slot_id"]}, headers=_bearer(token), timeout=30)
    # THEN the mail offered none, the API refuses with the problem code and nothing was booked
    assert REBOOK_SENTENCE not in approved["text"]
    assert (refused.status_code, refused.json()["code"]) == (409, "rebook_not_allowed")
    assert local.item("slots", {"slot_id": slot["slot_id"]})["status"] == "AVAILABLE"
    print(f"\nrebooking after screening_failed: {refused.status_code} {refused.json()['code']}")


def test_a_candidate_who_cancelled_before_is_flagged_to_the_recruiter_when_registered_again(local):
    # GIVEN a candidate who cancelled an interview (schedule conflict)
    interview_id, candidate_id, job_id = _ids("jr-again")
    token = local.register(interview_id, candidate_id, timedelta(days=3), job_id=job_id)
    _cancelled_by_candidate(local, interview_id, token)
    wait_for(lambda: local.item("candidates", {"candidate_id": candidate_id}).get("cancellations"), timeout=60)
    # WHEN the ATS registers a new interview for them
    again = f"{interview_id}-again"
    local.register(again, candidate_id, timedelta(days=5), job_id=job_id)
    # THEN the recruiter's outbox has the alert with the earlier reason, and the console lists the interview
    alert = wait_for(lambda: [m for m in mails_to(local, RECRUITER_MAIL)
                              if m["subject"].startswith("Returning candidate") and again in m["text"]], timeout=60)
    assert "Schedule conflict" in alert[0]["text"]
    listed = requests.get(f"{local.base}/api/staff/reapplications", headers=local.staff("recruiter"), timeout=30)
    [flag] = [f for f in listed.json() if f["interview_id"] == again]
    assert flag["cancelled_before"] == ["schedule_conflict"]
    print(f"\nre-application alert: {alert[0]['subject']!r} to {RECRUITER_MAIL}")


def test_every_candidate_offered_a_released_slot_claims_at_once_and_exactly_one_wins(local):
    wave = int(os.environ.get("WAITLIST_OFFER_WAVE", "3"))
    # GIVEN `wave` candidates on a job's waitlist (each after a cancellation there) and another's interview of it
    _, _, job_id = _ids("jr-race")
    waiting = [address for _, address in _waiting_for(local, job_id, wave, "jr-race")]
    mover, mover_candidate, _ = _ids("jr-mover")
    mover_token = local.register(mover, mover_candidate, timedelta(days=3), job_id=job_id)
    # WHEN that interview moves away, its slot is offered to every waiting candidate, each e-mailed a claim link
    [slot] = local.open_slots(job_id, timedelta(days=9))
    assert requests.post(f"{local.base}/api/candidate/interviews/{mover}/moves", json={"slot_id": slot["slot_id"]},
                         headers=_bearer(mover_token), timeout=30).status_code == 200

    def offer_links():  # of this slot: the waiting candidates' own cancellations released slots offered too
        found = {address: _offer_link(local, address, f"slot-{mover}") for address in waiting}
        return found if all(found.values()) else None
    links = wait_for(offer_links, timeout=90)
    # AND they all claim at the same moment from their links
    with ThreadPoolExecutor(max_workers=wave) as pool:
        statuses = dict(zip(links, pool.map(lambda url: requests.post(url, timeout=60).status_code,
                                            links.values())))
    # THEN exactly one claim won, the others were refused, and each of them is told by e-mail
    winners = [a for a, status in statuses.items() if status == 200]
    assert len(winners) == 1 and sorted(statuses.values()) == [200] + [409] * (wave - 1), statuses
    losers = [a for a in waiting if a not in winners]
    def told():
        return [len([m for m in mails_to(local, a) if "has been taken" in m["subject"]]) for a in losers]
    wait_for(lambda: all(told()), timeout=90)
    assert told() == [1] * len(losers)
    assert local.item("slots", {"slot_id": f"slot-{mover}"})["claimed_by"] == winners[0].split("@")[0]
    print(f"\nclaim race: {wave} concurrent claims -> {len(winners)} winner, {len(losers)} refused and told")


def test_an_offer_nobody_claims_expires_and_the_slot_goes_to_the_next_in_line(local):
    wave = int(os.environ.get("WAITLIST_OFFER_WAVE", "3"))
    # GIVEN one more candidate waiting for a job than a released slot is offered to at once
    _, _, job_id = _ids("jr-expiry")
    waiting = _waiting_for(local, job_id, wave + 1, "jr-exp")
    mover, mover_candidate, _ = _ids("jr-exp-mover")
    mover_token = local.register(mover, mover_candidate, timedelta(days=3), job_id=job_id)
    [slot] = local.open_slots(job_id, timedelta(days=9))
    assert requests.post(f"{local.base}/api/candidate/interviews/{mover}/moves", json={"slot_id": slot["slot_id"]},
                         headers=_bearer(mover_token), timeout=30).status_code == 200
    released = f"slot-{mover}"
    first = wait_for(lambda: [_offer_link(local, a, released) for _, a in waiting[:wave]]
                     if all(_offer_link(local, a, released) for _, a in waiting[:wave]) else None, timeout=90)
    assert _offer_link(local, waiting[-1][1], released) is None
    # WHEN their offers' time runs out (the stored expiry moved into the past) and the 15-minute schedule runs
    for candidate_id, _ in waiting[:wave]:
        local.aws("dynamodb").update_item(
            TableName=local.info["tables"]["TABLE_OFFERS"],
            Key={"slot_id": {"S": released}, "candidate_id": {"S": candidate_id}},
            UpdateExpression="SET expires_at = :past",
            ExpressionAttributeValues={":past": {"S": "2020-01-01T00:00:00.000Z"}})
    assert requests.post(f"{local.base}/_local/run/waitlist-offers", timeout=60).status_code < 400
    # THEN the next in line is offered the slot, and the expired links claim nothing
    link = wait_for(lambda: _offer_link(local, waiting[-1][1], released), timeout=60)
    assert [requests.post(url, timeout=30).status_code for url in first] == [410] * wave
    assert local.item("slots", {"slot_id": released})["status"] == "AVAILABLE"
    # AND the next in line claims it from the new link
    assert requests.post(link, timeout=30).status_code == 200
    assert local.item("slots", {"slot_id": released})["claimed_by"] == waiting[-1][0]
    print(f"\noffer expiry: {wave} offers expired -> offered to the next in line, who claimed it")
