"""A waitlist offer's claim page, the offer e-mail's link. GET shows the offer and changes nothing (mail scanners
fetch links); the page's form POST claims the slot, once: of any number of concurrent claims exactly one wins
(functions/domain/waitlist.py), and the others read that the slot is taken. The page is in the language the
candidate was offered the slot in (else the browser's)."""

from __future__ import annotations

from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from functions.core.clock import from_iso, local_text, utc_now
from functions.core.errors import DomainError
from functions.core.i18n import locale_of, translator
from functions.domain import waitlist
from functions.web.responses import error_page, page, page_responses, problem_text

router = APIGatewayRouter()


def _accept_language() -> str | None:
    return router.current_event.headers.get("Accept-Language")


def _state(offer) -> str:
    if offer.status == "OFFERED" and from_iso(offer.expires_at) <= utc_now():
        return "EXPIRED"
    return offer.status  # OFFERED, CLAIMED, GONE or EXPIRED


def _offer_page(offer, status: int = 200, note: str | None = None, error: bool = False):
    locale = locale_of(offer.locale, _accept_language())
    t = translator(locale)
    return page("pages/offer.html.j2", locale, status=status, title=t("offer.title", job_title=offer.job_title),
                job_title=offer.job_title, starts_at=local_text(offer.starts_at, offer.timezone, locale),
                expires_at=local_text(offer.expires_at, offer.timezone, locale), state=_state(offer),
                note=note, error=error)


@router.get("/offers/<token>", summary="The claim page of a waitlist offer", tags=["candidate"],
            responses=page_responses(200, 403, 404, 410))
def offer_page(token: str):
    try:
        offer = waitlist.offer_of_link(token)
    except DomainError as exc:
        return error_page(exc, _accept_language())
    return _offer_page(offer)


@router.post("/offers/<token>", summary="Claim the offered slot (form post from the claim page)", tags=["candidate"],
             responses=page_responses(200, 403, 404, 409, 410))
def claim(token: str):
    try:
        offer = waitlist.offer_of_link(token)
    except DomainError as exc:
        return error_page(exc, _accept_language())
    try:
        waitlist.claim_by_link(token)
    except DomainError as exc:  # taken by someone else, expired, withdrawn: said on the page, nothing changed
        locale = locale_of(offer.locale, _accept_language())
        return _offer_page(waitlist.offer_of_link(token), status=exc.status, note=problem_text(exc, locale),
                           error=True)
    return _offer_page(waitlist.offer_of_link(token))
