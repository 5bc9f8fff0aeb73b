"""The waitlist from the candidate's side, on moto: joining and leaving from the portal, the offer e-mail's claim
page (GET shows and changes nothing, POST claims once; ten concurrent claims leave one winner and the others are
told), and an offer nobody claims expiring to the next in line when the scheduled run finds it (the clock moved)."""

from __future__ import annotations

import json
import re
import threading
from datetime import datetime, timedelta, timezone

import pytest

from functions.core.i18n import translator
from functions.core.models import Locale
from functions.domain import moves, waitlist
from functions.integration import links
from functions.integration.data import slot_store
from functions.integration.tables import OfferItem
from functions.notify import events
from local_runtime.lambda_events import scheduled_event
from tests.integration.conftest import store_request
from tests.integration.test_notify_waitlist import release_slot

EN, ZH = translator(Locale.EN), translator(Locale.ZH_CN)  # waiting candidates: even n read en, odd n zh-CN


def offer_wave(monkeypatch, size: int) -> None:
    """WAITLIST_OFFER_WAVE for this test: how many candidates in line a released slot is offered to at once."""
    settings = waitlist.get_settings().model_copy(update={"waitlist_offer_wave": size})
    monkeypatch.setattr(waitlist, "get_settings", lambda: settings)


def claim_at_once(claims: dict) -> dict:
    """Run every claim at the same moment (a barrier, one thread each): n -> the winner's id, or "taken"."""
    start, results = threading.Barrier(len(claims)), {}

    def attempt(n) -> None:
        start.wait()
        try:
            results[n] = claims[n]().candidate_id
        except waitlist.SlotTakenError:
            results[n] = "taken"

    threads = [threading.Thread(target=attempt, args=(n,)) for n in claims]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def _t(n: int):
    return ZH if n % 2 else EN


def offer_links(system, n: int) -> list[str]:
    """The claim page paths in the offer e-mails to waiting candidate n."""
    subject = _t(n)("mail.offer.subject", job_title="Backend Engineer")
    return [re.search(r"http://\S+(/offers/\S+)", m["text"]).group(1) for m in system.sent_mail()
            if m["to"] == f"wait.{n}@mail.example.com" and m["subject"] == subject]


def told_gone(system, n: int) -> int:
    subject = _t(n)("mail.offer_gone.subject", job_title="Backend Engineer")
    return len([m for m in system.sent_mail() if m["to"] == f"wait.{n}@mail.example.com" and m["subject"] == subject])


def page(system, method: str, path: str) -> tuple[int, str]:
    response = system.http(method, path, function="approve", body="",
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
    return response["statusCode"], response["body"]


def _waitlist(system, method: str, job_id: str = "job-1", candidate_id: str = "cand-1") -> tuple[int, dict]:
    response = system.http(method, f"/api/candidate/jobs/{job_id}/waitlist",
                           headers={"Authorization": f"Bearer {links.candidate_token(candidate_id)}"})
    return response["statusCode"], json.loads(response["body"])


def test_after_a_cancellation_the_candidate_joins_and_leaves_the_waitlist_from_the_portal(system, scheduled):
    # GIVEN Li Wei's interview cancelled for illness (rebooking allowed) and no free time of the job
    scheduled()
    store_request(system, "req-ill", "int-1", "cand-1", "APPROVED")
    token = links.candidate_token("cand-1")
    assert ZH("page.waitlist_join") in system.http("GET", f"/portal/{token}")["body"]
    # WHEN Li Wei joins, and joins again
    first, again = _waitlist(system, "PUT"), _waitlist(system, "PUT")
    # THEN Li Wei is on the job's waitlist once, with the place of the first join, and the portal says so
    assert first == again == (200, {"job_id": "job-1", "waiting": True})
    [entry] = slot_store.waitlist_of("job-1")
    assert entry.candidate_id == "cand-1" and entry.email == "li.wei@mail.example.com" and entry.locale == "zh-CN"
    assert ZH("page.waitlist_on") in system.http("GET", f"/portal/{token}")["body"]
    # WHEN Li Wei leaves THEN the entry is gone
    assert _waitlist(system, "DELETE") == (200, {"job_id": "job-1", "waiting": False})
    assert slot_store.waitlist_of("job-1") == []
    # WHEN Li Wei joins again, and then books a new time that opened
    _waitlist(system, "PUT")
    [free] = moves.publish_slots("job-1", [(datetime.now(timezone.utc) + timedelta(days=6)).isoformat()])
    moves.rebook("int-1", "cand-1", free.slot_id)
    # THEN Li Wei has left the waitlist, and the portal no longer offers it
    assert slot_store.waitlist_of("job-1") == []
    assert 'class="waitlist"' not in system.http("GET", f"/portal/{token}")["body"]


def test_the_waitlist_refuses_whoever_may_not_wait_and_changes_nothing(system, scheduled):
    # GIVEN a candidate whose interview is still scheduled, and one cancelled by the company (screening failed)
    scheduled(interview_id="int-2", candidate_id="cand-2")
    scheduled()
    store_request(system, "req-screen", "int-1", "cand-1", "APPROVED", initiator="company",
                  reason_code="screening_failed")
    # WHEN they, and a candidate for a job they have no interview of, try to join
    scheduled_one, screened = _waitlist(system, "PUT", candidate_id="cand-2"), _waitlist(system, "PUT")
    unknown = _waitlist(system, "PUT", job_id="job-9")
    # THEN each gets the problem code, and nobody is on any waitlist
    assert (scheduled_one[0], scheduled_one[1]["code"]) == (409, "waitlist_not_allowed")
    assert (screened[0], screened[1]["code"]) == (409, "waitlist_not_allowed")
    assert screened[1]["detail"] == ZH("problem.waitlist_not_allowed")
    assert (unknown[0], unknown[1]["code"]) == (404, "job_not_found")
    assert slot_store.waitlist_of("job-1") == [] and slot_store.waitlist_of("job-9") == []
    assert 'class="waitlist"' not in system.http("GET", f"/portal/{links.candidate_token('cand-1')}")["body"]


def test_ten_concurrent_claims_from_the_offer_links_leave_one_winner_and_the_others_are_told(
        system, scheduled, monkeypatch):
    # GIVEN a released slot offered to ten candidates in line, each e-mailed a link to the claim page
    offer_wave(monkeypatch, 10)
    release_slot(system, scheduled, waiting=10)
    paths = {n: offer_links(system, n) for n in range(10)}
    assert all(len(p) == 1 for p in paths.values())
    # WHEN each opens the page (a mail scanner would too)
    opened = [page(system, "GET", paths[n][0]) for n in range(10)]
    # THEN it shows the offer with its claim button and changes nothing
    assert all(status == 200 and 'method="post"' in body for status, body in opened)
    assert _t(1)("offer.claim") in opened[1][1]
    assert slot_store.get_slot("slot-int-1").status == "AVAILABLE"
    assert {o.status for o in slot_store.offers_of_slot("slot-int-1")} == {"OFFERED"}
    # WHEN all ten claim at the same moment, through the claim behind the page's POST
    results = claim_at_once({n: (lambda n=n: waitlist.claim_by_link(paths[n][0].rsplit("/", 1)[1]))
                             for n in range(10)})
    system.drain()
    # THEN exactly one won, and the slot says so
    winners = [r for r in results.values() if r != "taken"]
    assert len(results) == 10 and len(winners) == 1
    winner = int(winners[0].removeprefix("wait-"))
    assert (slot_store.get_slot("slot-int-1").status, slot_store.get_slot("slot-int-1").claimed_by) == (
        "BOOKED", winners[0])
    # AND each of the nine others was told once that the slot is gone, the winner that it is theirs
    losers = [n for n in range(10) if n != winner]
    assert [told_gone(system, n) for n in losers] == [1] * 9 and told_gone(system, winner) == 0
    claimed = _t(winner)("mail.claimed.subject", job_title="Backend Engineer")
    assert [m["subject"] for m in system.sent_mail() if m["to"] == f"wait.{winner}@mail.example.com"].count(
        claimed) == 1
    # AND a loser's POST from the page is refused with the page saying so; the winner's repeated POST says "yours"
    status, body = page(system, "POST", paths[losers[0]][0])
    assert status == 409 and _t(losers[0])("offer.GONE") in body
    status, body = page(system, "POST", paths[winner][0])
    assert status == 200 and _t(winner)("offer.CLAIMED") in body
    print(json.dumps({"claims": 10, "winners": len(winners), "refused": list(results.values()).count("taken"),
                      "losers_told": sum(told_gone(system, n) for n in losers)}))


def run_offer_expiry(system, at: datetime) -> dict:
    """The scheduled run (topology's waitlist-offers schedule) as if it fired at `at`."""
    event = scheduled_event({"job": "offer-expiry"})
    event["time"] = at.strftime("%Y-%m-%dT%H:%M:%SZ")
    return system.invoke("notify", event)


def test_an_offer_nobody_claims_expires_and_goes_to_the_next_in_line(system, scheduled, monkeypatch):
    # GIVEN a released slot offered to the first two of four candidates in line (a wave of two)
    offer_wave(monkeypatch, 2)
    release_slot(system, scheduled, waiting=4)
    assert [len(offer_links(system, n)) for n in range(4)] == [1, 1, 0, 0]
    # WHEN the scheduled run fires before the offers expire THEN nothing changes
    assert run_offer_expiry(system, datetime.now(timezone.utc))["releases_passed_on"] == 0
    # WHEN it fires after they expired (the clock moved past the four hours of an offer)
    later = datetime.now(timezone.utc) + waitlist.OFFER_TTL + timedelta(minutes=15)
    result = run_offer_expiry(system, later)
    # THEN the next two in line are offered the slot, each with a claim link, and the first two offers expired
    assert result == {"releases_passed_on": 1, "offers_open": 2}
    assert [len(offer_links(system, n)) for n in range(4)] == [1, 1, 1, 1]
    statuses = {o.candidate_id: o.status for o in slot_store.offers_of_slot("slot-int-1")}
    assert statuses == {"wait-0": "EXPIRED", "wait-1": "EXPIRED", "wait-2": "OFFERED", "wait-3": "OFFERED"}
    # AND the expired links say so and claim nothing
    status, body = page(system, "POST", offer_links(system, 0)[0])
    assert status == 410 and EN("offer.EXPIRED") in body
    assert slot_store.get_slot("slot-int-1").status == "AVAILABLE"
    # AND the same run again offers nobody twice
    assert run_offer_expiry(system, later)["releases_passed_on"] == 0
    assert [len(offer_links(system, n)) for n in range(4)] == [1, 1, 1, 1]
    # AND the next in line claims from the new link
    status, body = page(system, "POST", offer_links(system, 2)[0])
    assert status == 200 and EN("offer.CLAIMED") in body
    assert slot_store.get_slot("slot-int-1").claimed_by == "wait-2"


def test_two_deliveries_of_one_release_at_once_offer_it_to_one_wave_only(system, scheduled, monkeypatch):
    # GIVEN a released slot offered to the first two of four candidates in line (a wave of two)
    offer_wave(monkeypatch, 2)
    approved = release_slot(system, scheduled, waiting=4)
    # WHEN the same event is handled again by a delivery that read the slot's offers before the first one wrote
    # them (SQS hands a message to a second poller when the first is slow)
    monkeypatch.setattr(waitlist.slot_store, "offers_of_slot", lambda slot_id: [])
    events.handle("CancellationApproved", approved)
    # THEN the same two hold the offers, each with one mail, and nobody after them was offered the slot
    assert {o.candidate_id: o.status for o in OfferItem.query("slot-int-1")} == \
        {"wait-0": "OFFERED", "wait-1": "OFFERED"}
    assert [len(offer_links(system, n)) for n in range(4)] == [1, 1, 0, 0]


@pytest.mark.parametrize("tamper", [lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"), lambda t: t + "x"])
def test_a_tampered_offer_link_shows_an_error_page_and_claims_nothing(system, scheduled, tamper):
    # GIVEN an offer link WHEN one character is changed or added
    release_slot(system, scheduled, waiting=1)
    [path] = offer_links(system, 0)
    prefix, token = path.rsplit("/", 1)
    status, _ = page(system, "POST", f"{prefix}/{tamper(token)}")
    # THEN it is refused with a page and the slot stays free
    assert status == 403 and slot_store.get_slot("slot-int-1").status == "AVAILABLE"
