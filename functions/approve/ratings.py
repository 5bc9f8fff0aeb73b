"""The outcome e-mail's rating page: GET shows five choices and changes nothing (mail scanners fetch links);
the choice is the page's form POST, recorded once per request."""

from __future__ import annotations

from urllib.parse import parse_qs

from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from functions.domain.measures import ratings
from functions.core.errors import DomainError
from functions.core.i18n import locale_of, translator
from functions.web.responses import error_page, page, page_responses

router = APIGatewayRouter()

RATING_FORM_BODY = {"requestBody": {"required": True, "content": {"application/x-www-form-urlencoded": {"schema": {
    "type": "object", "required": ["score"],
    "properties": {"score": {"type": "integer", "minimum": 1, "maximum": 5}},
}}}}}


def _locale():
    return locale_of(None, router.current_event.headers.get("Accept-Language"))


@router.get("/ratings/<token>", summary="The rating page of an outcome e-mail", tags=["candidate"],
            responses=page_responses(200, 403, 410))
def rating_page(token: str):
    try:
        ratings.request_of(token)
    except DomainError as exc:
        return error_page(exc, router.current_event.headers.get("Accept-Language"))
    t = translator(_locale())
    return page("pages/rating.html.j2", _locale(), title=t("rating.title"), scores=list(ratings.SCORES))


@router.post("/ratings/<token>", summary="Rate (form post from the rating page)", tags=["candidate"],
             responses=page_responses(200, 403, 410, 422), openapi_extensions=RATING_FORM_BODY)
def rate(token: str):
    t = translator(_locale())
    try:
        score = int(parse_qs(router.current_event.decoded_body or "").get("score", [""])[0])
    except (ValueError, UnicodeDecodeError):
        score = 0
    try:
        if score not in ratings.SCORES:
            ratings.request_of(token)  # a bad link answers as such before a bad form
            return page("pages/message.html.j2", _locale(), status=422, title=t("page.error_title"),
                        message="Invalid form field(s): score")
        recorded = ratings.record(token, score)
    except DomainError as exc:
        return error_page(exc, router.current_event.headers.get("Accept-Language"))
    return page("pages/message.html.j2", _locale(), title=t("rating.title"),
                message=t("rating.thanks") if recorded else t("rating.already"))
