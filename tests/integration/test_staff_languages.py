"""Staff read their own language in e-mails: the ATS sends the recruiter's and interviewer's language with them in
InterviewScheduled, it is stored with the interview, and each mail to that person uses it (a language we lack falls
back to the same language, then the deployment's default). Approvers read theirs when they are one of the
interview's people with a stored language; otherwise, like HR, the deployment's default (en here)."""

from __future__ import annotations

import copy

from functions.core.i18n import catalog, translator
from functions.core.models import Initiator, Locale
from functions.domain import cancellations
from functions.integration.data import interview_store
from functions.notify import events
from tests.integration.conftest import interview_event, store_request
from tests.integration.test_workflow import _approval_token

JA, EN = translator(Locale.JA), translator(Locale.EN)
CHEN_JING, JUN_PARK = "chen.jing@company.example.com", "jun.park@company.example.com"
OTHER_RECRUITER = {"person_id": "rec-2", "name": "Ana Ruiz", "email": "ana.ruiz@company.example.com"}


def _event(interview_id: str, candidate_id: str, recruiter: dict | None = None, interviewer_locale: str | None = None,
           recruiter_locale: str | None = None) -> dict:
    event = interview_event(interview_id, candidate_id)
    event["candidate"]["email"] = f"{candidate_id}@mail.example.com"
    if recruiter:
        event["job"] = {**event["job"], "job_id": "job-2", "recruiter": recruiter}
    if recruiter_locale:
        event["job"]["recruiter"] = {**event["job"]["recruiter"], "locale": recruiter_locale}
    if interviewer_locale:
        event["interviewer"] = {**event["interviewer"], "locale": interviewer_locale}
    return event


def _cancelled_before(system, event: dict, request_id: str) -> None:
    """The candidate's interview of `event`, cancelled for illness (approved), so that the next one is a
    re-application."""
    events.handle("InterviewScheduled", copy.deepcopy(event))
    store_request(system, request_id, event["interview_id"], event["candidate"]["candidate_id"], "APPROVED")
    events.handle("CancellationApproved", {
        "version": "1", "request_id": request_id, "interview_id": event["interview_id"],
        "candidate_id": event["candidate"]["candidate_id"], "slot_id": event["slot_id"], "initiator": "candidate",
        "reason_code": "illness", "outcome": "approved", "actor": "approver:rec-1", "comment": "",
        "decided_at": "2030-01-01T00:00:00.000Z"})


def _mails(system, to: str) -> list[dict]:
    return [m for m in system.sent_mail() if m["to"] == to]


def test_the_languages_sent_with_the_recruiter_and_interviewer_are_stored_with_the_interview(system):
    # WHEN the ATS registers an interview whose recruiter reads ja-JP and whose interviewer's language is one we
    # lack, and another without languages
    events.handle("InterviewScheduled", _event("int-1", "cand-1", recruiter_locale="ja-JP", interviewer_locale="fr-CA"))
    events.handle("InterviewScheduled", _event("int-2", "cand-2"))
    # THEN the tags are kept as given, and absent where none was sent
    stored = interview_store.get_interview("int-1")
    assert (stored.recruiter.locale, stored.interviewer.locale, stored.department_manager.locale) == \
        ("ja-JP", "fr-CA", None)
    assert interview_store.get_interview("int-2").recruiter.locale is None


def test_a_recruiter_who_reads_japanese_gets_the_reapplication_alert_in_japanese_and_one_without_a_language_the_default(
        system):
    # GIVEN two candidates who cancelled before: one for Chen Jing's job (she reads ja), one for Ana Ruiz's (no
    # language known)
    _cancelled_before(system, _event("int-1", "cand-1", recruiter_locale="ja"), "req-1")
    _cancelled_before(system, _event("int-3", "cand-3", recruiter=OTHER_RECRUITER), "req-3")
    # WHEN both are registered again
    events.handle("InterviewScheduled", _event("int-2", "cand-1", recruiter_locale="ja"))
    events.handle("InterviewScheduled", _event("int-4", "cand-3", recruiter=OTHER_RECRUITER))
    # THEN Chen Jing's alert is in Japanese, its earlier reason too
    [alert] = [m for m in _mails(system, CHEN_JING)
               if m["subject"] == JA("mail.reapplied.subject", candidate="Li Wei", job_title="Backend Engineer")]
    assert JA("reason.illness") in alert["text"] and EN("reason.illness") not in alert["text"]
    # AND Ana Ruiz's is in the deployment's default language, English
    [other] = _mails(system, OTHER_RECRUITER["email"])
    assert other["subject"] == EN("mail.reapplied.subject", candidate="Li Wei", job_title="Backend Engineer")


def test_an_interviewer_who_reads_japanese_gets_the_invitation_and_the_cancellation_notice_in_japanese(system):
    # GIVEN Jun Park interviews for two interviews: the ATS says he reads ja in the first, nothing in the second
    events.handle("InterviewScheduled", _event("int-1", "cand-1", interviewer_locale="ja"))
    events.handle("InterviewScheduled", _event("int-2", "cand-2"))
    # WHEN both are cancelled
    for interview_id, candidate_id, request_id in (("int-1", "cand-1", "req-1"), ("int-2", "cand-2", "req-2")):
        store_request(system, request_id, interview_id, candidate_id, "APPROVED")
        events.handle("CancellationApproved", {
            "version": "1", "request_id": request_id, "interview_id": interview_id, "candidate_id": candidate_id,
            "slot_id": f"slot-{interview_id}", "initiator": "candidate", "reason_code": "illness",
            "outcome": "approved", "actor": "approver:rec-1", "comment": "", "decided_at": "2030-01-01T00:00:00.000Z"})
    # THEN the first interview's invitation and cancellation notice reach him in Japanese, the second's in English
    subjects = sorted(m["subject"] for m in _mails(system, JUN_PARK))
    expected = sorted(_opening(locale, key) for locale in (Locale.JA, Locale.EN)
                      for key in ("mail.invitation_interviewer.subject", "mail.interviewer.subject"))
    assert len(subjects) == 4 and all(subject.startswith(start) for subject, start in zip(subjects, expected)), \
        (subjects, expected)


def _opening(locale: Locale, key: str) -> str:
    """A message's fixed start, before its first placeholder."""
    return catalog(locale)[key].split("{")[0]


def test_an_approver_who_is_the_jobs_recruiter_with_a_stored_language_gets_the_approval_request_in_it(system):
    # GIVEN Li Wei's interview, whose recruiter (her approver for a candidate's request) reads zh-Hant-TW
    events.handle("InterviewScheduled", _event("int-1", "cand-1", recruiter_locale="zh-Hant-TW"))
    # WHEN Li Wei asks to cancel for illness, which needs the recruiter's decision
    request = cancellations.submit(interview_id="int-1", initiator=Initiator.CANDIDATE, actor="candidate:cand-1",
                                   reason_code="illness", reason_text=None, idempotency_key="key-staff-language",
                                   candidate_id="cand-1")
    _approval_token(system, request.request_id)
    # THEN the approval request reaches her in Traditional Chinese
    [approval] = [m for m in _mails(system, CHEN_JING) if "/approvals/" in m["text"]]
    zh_tw = translator(Locale.ZH_TW)
    assert zh_tw("reason.illness") in approval["text"]
    assert approval["subject"].startswith(_opening(Locale.ZH_TW, "mail.approval.subject"))
