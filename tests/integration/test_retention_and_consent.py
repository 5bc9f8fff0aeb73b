"""Two more data rights: personal data of finished interviews is removed after the deployment's retention period (the
nightly retention run), and a candidate withdraws their consent to text messages from the portal (docs/privacy.md)."""

from __future__ import annotations

import copy
import json
from datetime import datetime, timedelta, timezone

import pytest
from moto.core import DEFAULT_ACCOUNT_ID
from moto.sns.models import sns_backends
from pydantic import ValidationError

from functions.core.settings import Settings, get_settings
from functions.integration import links
from functions.integration.data import candidate_store
from functions.notify import events
from tests.integration.conftest import interview_event, store_request
from tests.integration.test_notify_sms import requested

NOW = datetime(2031, 6, 1, 2, 30, tzinfo=timezone.utc)


def _nightly(system, now: datetime = NOW) -> dict:
    """The nightly retention run, as EventBridge Scheduler starts it."""
    return system.invoke("notify", {"source": "aws.scheduler", "detail-type": "Scheduled Event",
                                    "time": now.isoformat(), "detail": {"job": "retention"}})


@pytest.fixture
def retention_days(monkeypatch):
    def set_days(days: str | None) -> None:
        if days is None:
            monkeypatch.delenv("RETENTION_DAYS", raising=False)
        else:
            monkeypatch.setenv("RETENTION_DAYS", days)
        get_settings.cache_clear()
    yield set_days
    get_settings.cache_clear()


def _register(candidate_id: str, interview_id: str, starts_at: datetime, phone: str | None = None,
              opt_in: bool | None = None) -> None:
    event = interview_event(interview_id, candidate_id)
    event["starts_at"] = starts_at.isoformat()
    event["slot_id"] = f"slot-{interview_id}"
    event["candidate"].update(email=f"{candidate_id}@mail.example.com")
    event["candidate"].pop("phone", None)
    event["candidate"].update({k: v for k, v in (("phone", phone), ("sms_opt_in", opt_in)) if v is not None})
    events.handle("InterviewScheduled", copy.deepcopy(event))


def test_the_nightly_run_erases_candidates_whose_interviews_ended_before_the_retention_period(system, retention_days):
    # GIVEN a 180-day retention period, a candidate whose only interview was 200 days ago, one with an interview
    # 200 days ago and another next week, and one whose interview was 100 days ago
    retention_days("180")
    _register("old", "int-old", NOW - timedelta(days=200))
    _register("mixed", "int-mixed-1", NOW - timedelta(days=200))
    _register("mixed", "int-mixed-2", NOW + timedelta(days=7))
    _register("recent", "int-recent", NOW - timedelta(days=100))
    # WHEN the nightly retention run happens
    result = _nightly(system)
    # THEN only the first is erased; the others keep their data
    assert result["erased"] == 1, result
    assert candidate_store.get_candidate("old").erased_at and candidate_store.get_candidate("old").email is None
    assert candidate_store.get_candidate("mixed").email == "mixed@mail.example.com"
    assert candidate_store.get_candidate("recent").email == "recent@mail.example.com"
    # and running it again erases nobody twice
    assert _nightly(system)["erased"] == 0


def test_without_a_retention_period_the_nightly_run_removes_nothing(system, retention_days):
    # GIVEN no retention period configured and a candidate whose interview was years ago
    retention_days(None)
    _register("old", "int-old", NOW - timedelta(days=2000))
    # WHEN the nightly retention run happens
    result = _nightly(system)
    # THEN nothing is erased and the run says retention is off
    assert result == {"retention_days": None, "erased": 0}
    assert candidate_store.get_candidate("old").email == "old@mail.example.com"


@pytest.mark.parametrize("bad", ["0", "-3", "soon"])
def test_a_retention_period_that_is_not_a_positive_number_of_days_is_refused(bad):
    # WHEN the settings are read with RETENTION_DAYS set to something that is not a positive whole number
    # THEN they are refused, naming the variable
    with pytest.raises(ValidationError, match="RETENTION_DAYS"):
        Settings.model_validate({**_required_settings(), "RETENTION_DAYS": bad})


def _required_settings() -> dict:
    return {k: v for k, v in get_settings().model_dump(by_alias=True).items() if v is not None}


def _texts() -> list:
    return list(sns_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sms_messages.values())


def _withdraw(system, token: str) -> dict:
    return system.http("POST", "/api/candidate/sms-consent/withdrawal",
                       resource="/api/candidate/sms-consent/withdrawal", headers={"Authorization": f"Bearer {token}"})


def test_a_candidate_withdraws_sms_consent_and_gets_no_more_texts(system):
    # GIVEN a candidate who agreed to texts, with a phone, and the portal offering to stop them
    _register("cand-1", "int-1", datetime.now(timezone.utc) + timedelta(days=3), "+8613800000000", True)
    token = links.candidate_token("cand-1")
    page = system.http("GET", f"/portal/{token}", resource="/portal/{token}")
    assert 'class="sms-consent-form"' in page["body"]
    # WHEN she withdraws her consent (twice: a retry answers the same)
    first, second = _withdraw(system, token), _withdraw(system, token)
    # THEN she is told texts stopped, her profile says so, and the portal no longer offers it
    assert first["statusCode"] == 200 and json.loads(first["body"])["sms_opt_in"] is False
    assert json.loads(second["body"]) == json.loads(first["body"])
    assert candidate_store.get_candidate("cand-1").sms_opt_in is False
    assert 'class="sms-consent-form"' not in system.http("GET", f"/portal/{token}", resource="/portal/{token}")["body"]
    # and when her cancellation request then arrives, she is mailed the receipt but not texted
    store_request(system, "req-1", "int-1", "cand-1", "RECEIVED")
    events.handle("CancellationRequested", requested("req-1", "int-1", "cand-1"))
    assert _texts() == []
    assert [m["to"] for m in system.sent_mail()][-1] == "cand-1@mail.example.com"


def test_withdrawing_sms_consent_needs_the_candidates_own_valid_token(system):
    # GIVEN a candidate who agreed to texts
    _register("cand-1", "int-1", datetime.now(timezone.utc) + timedelta(days=3), "+8613800000000", True)
    # WHEN someone calls without a token, or with a tampered one
    missing = system.http("POST", "/api/candidate/sms-consent/withdrawal",
                          resource="/api/candidate/sms-consent/withdrawal")
    tampered = _withdraw(system, links.candidate_token("cand-1")[:-3] + "xyz")
    # THEN each is refused with a problem, and her consent stands
    assert missing["statusCode"] == 401 and tampered["statusCode"] == 403
    assert candidate_store.get_candidate("cand-1").sms_opt_in is True


def test_an_erased_candidate_gets_no_reminder_from_the_hourly_run(system):
    # GIVEN a candidate whose interview starts in 24 and a half hours, erased meanwhile
    from functions.domain import privacy
    from tests.integration.test_notify_reminders import run_at

    now = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0)
    _register("gone", "int-gone", now + timedelta(hours=24, minutes=30))
    privacy.erase("gone", actor="staff:test")
    mails = len(system.sent_mail())
    # WHEN the hourly reminder run reaches her interview
    result = run_at(system, now)
    # THEN nobody is reminded and nothing is sent
    assert result["reminded"] == 0 and result["failed"] == 0, result
    assert len(system.sent_mail()) == mails
