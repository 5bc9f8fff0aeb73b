"""What the mails the notify function really sends say and link to: a summary in the reader's language and
timezone, labelled buttons that lead where the plain-text part's URLs lead (never a URL shown in the HTML), the
invitation's AI-interview link, duration and what to prepare, and an approval button whose page decides nothing
until its form is posted."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

from functions.core.clock import local_text
from functions.core.i18n import translator
from functions.core.models import Decision, Initiator, Locale
from functions.domain import approvals, cancellations
from functions.integration.data import approval_store, interview_store, request_store
from functions.notify import events
from tests.integration.conftest import header, interview_event
from tests.integration.test_workflow import _approval_token

LI_WEI, CHEN_JING = "li.wei@mail.example.com", "chen.jing@company.example.com"
URL = re.compile(r"https?://\S+")


class _Mail(HTMLParser):
    """The visible text nodes of a mail's HTML (not its head) and its anchors as (text, href)."""

    def __init__(self, html: str):
        super().__init__()
        self.texts, self.anchors, self._hidden, self._href, self._label = [], [], 0, None, ""
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag in ("head", "style", "title"):
            self._hidden += 1
        if tag == "a":
            self._href, self._label = dict(attrs).get("href"), ""

    def handle_endtag(self, tag):
        if tag in ("head", "style", "title"):
            self._hidden -= 1
        if tag == "a":
            self.anchors.append((self._label.strip(), self._href))
            self._href = None

    def handle_data(self, data):
        if not self._hidden and data.strip():
            self.texts.append(data.strip())
            if self._href is not None:
                self._label += data


def _mails(system, to: str, subject_start: str = "") -> list[dict]:
    return [m for m in system.sent_mail() if m["to"] == to and m["subject"].startswith(subject_start)]


def test_the_invitation_sums_up_the_interview_in_the_candidates_language_and_zone_with_a_button_per_link(system):
    # GIVEN the ATS schedules Li Wei's 45-minute AI interview (she reads zh-CN, lives in Asia/Shanghai)
    event = interview_event("int-1", "cand-1")
    # WHEN notify handles it
    events.handle("InterviewScheduled", event)
    t = translator(Locale.ZH_CN)
    [invitation] = _mails(system, LI_WEI)
    mail = _Mail(invitation["html"])
    # THEN the HTML shows no URL anywhere in its text
    assert [text for text in mail.texts if URL.search(text)] == []
    # AND it sums up position, time in her zone and language, duration and status
    when = local_text(event["starts_at"], "Asia/Shanghai", Locale.ZH_CN)
    for label, value in ((t("mail.summary.position"), "Backend Engineer"), (t("mail.summary.time"), when),
                         (t("mail.summary.duration"), t("page.minutes", count=45)),
                         (t("mail.summary.status"), t("status.SCHEDULED"))):
        assert label in mail.texts and value in mail.texts
    assert "(Asia/Shanghai)" in when
    # AND it says what to prepare, the calendar entry included (we sent the invitation)
    assert t("mail.prepare.heading") in mail.texts
    assert t("mail.prepare.early") in mail.texts and t("mail.prepare.calendar") in mail.texts
    assert [a["method"] for a in invitation["attachments"]] == ["REQUEST"]
    # AND its buttons are the personal page, the AI interview and the job description, each under its label,
    # leading where the plain-text part's URLs lead
    labels = [t("mail.button.portal"), t("mail.button.ai_interview"), t("mail.button.job_description")]
    assert [label for label, _ in mail.anchors] == labels
    hrefs = [href for _, href in mail.anchors]
    assert re.search(r"/portal/[^/\s]+$", hrefs[0]) and hrefs[1].endswith("/go/int-1/ai-interview")
    assert hrefs[2].endswith("/go/int-1/job-description")
    assert all(f"{label}:\n{href}" in invitation["text"] for label, href in mail.anchors)
    # WHEN she follows the AI-interview button
    response = system.http("GET", urlsplit(hrefs[1]).path, resource="/portal/{token}/go/{interview_id}/{target}")
    # THEN it leads to her AI-interview session and the click is recorded
    assert response["statusCode"] == 302 and header(response, "Location") == event["ai_interview_url"]
    assert interview_store.get_interview("int-1").clicked_link_at is not None


def test_the_approval_button_opens_a_page_that_decides_nothing_and_the_outcome_mails_show_no_raw_link(system):
    # GIVEN Li Wei asks to cancel for illness, which needs her recruiter's decision
    events.handle("InterviewScheduled", interview_event("int-1", "cand-1"))
    request = cancellations.submit(interview_id="int-1", initiator=Initiator.CANDIDATE, actor="candidate:cand-1",
                                   reason_code="illness", reason_text=None, idempotency_key="key-mail-content",
                                   candidate_id="cand-1")
    token = _approval_token(system, request.request_id)
    en = translator(Locale.EN)
    [approval] = _mails(system, CHEN_JING, "Please decide")
    mail = _Mail(approval["html"])
    # THEN the recruiter's mail sums up candidate, reason, deadline and status, and shows no URL
    assert [text for text in mail.texts if URL.search(text)] == []
    for label, value in ((en("mail.summary.candidate"), "Li Wei"), (en("mail.summary.reason"), en("reason.illness")),
                         (en("mail.summary.reference"), request.request_id),
                         (en("mail.summary.status"), en("request.PENDING_APPROVAL"))):
        assert label in mail.texts and value in mail.texts
    # AND it has one button per decision, both to the approval page of the link in the plain-text part, the
    # reject one with that choice made
    [(approve, href), (reject, reject_href)] = mail.anchors
    assert approve == en("page.approve") and href.endswith(f"/approvals/{token}")
    assert reject == en("page.reject") and reject_href == f"{href}?intent=reject"
    assert f"{approve}:\n{href}" in approval["text"] and f"{reject}:\n{reject_href}" in approval["text"]
    # WHEN the recruiter presses the reject button
    chosen = system.http("GET", urlsplit(reject_href).path, function="approve", query={"intent": "reject"})
    # THEN the page says what she chose and focuses its reject button, and nothing is decided yet
    assert chosen["statusCode"] == 200 and en("page.intent_reject") in chosen["body"]
    assert re.search(r'value="reject"[^>]*autofocus', chosen["body"])
    assert not re.search(r'value="approve"[^>]*autofocus', chosen["body"])
    assert approval_store.get_approval(request.request_id).decision is None
    # WHEN a mail scanner (or the recruiter) opens that page
    page = system.http("GET", urlsplit(href).path, function="approve")
    # THEN it shows the decision form and nothing is decided
    assert page["statusCode"] == 200 and en("page.approve") in page["body"]
    assert request_store.get_request(request.request_id).status == "PENDING_APPROVAL"
    assert approval_store.get_approval(request.request_id).decision is None
    # WHEN the recruiter rejects from it
    approvals.decide(token, Decision.REJECT, "we can move it instead")
    system.execution(request.request_id)
    system.drain()
    # THEN Li Wei's mail says the interview is kept, in her language, with buttons to write to her recruiter and
    # to rate, no URL shown
    zh = translator(Locale.ZH_CN)
    [rejected] = [m for m in _mails(system, LI_WEI) if "we can move it instead" in m["text"]]
    mail = _Mail(rejected["html"])
    assert [text for text in mail.texts if URL.search(text)] == []
    assert zh("mail.summary.status") in mail.texts and zh("request.REJECTED") in mail.texts
    [(contact, mailto), (rate, rating)] = mail.anchors
    assert (contact, mailto) == (zh("mail.button.contact"), f"mailto:{CHEN_JING}")
    assert rate == zh("mail.button.rate") and "/ratings/" in rating and rating in rejected["text"]
