"""An AWS service that still throttles or fails after the SDK's retries, as the API and the pages answer it.

Every write on the request path is all or nothing (a transaction) and keyed by the caller's Idempotency-Key or
the single-use link, so the caller may simply try again: 503 with Retry-After (the API's 5xx alarm counts it),
never an unhandled error that API Gateway turns into a 502. The handlers register these for AWS_ERRORS.
"""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response
from botocore.exceptions import BotoCoreError, ClientError
from pynamodb.exceptions import PynamoDBException

from functions.core.errors import ServiceUnavailableError
from functions.core.observability import logger
from functions.web.responses import domain_problem, error_page

AWS_ERRORS = [ClientError, BotoCoreError, PynamoDBException]
UNAVAILABLE = ServiceUnavailableError(
    "The service is busy and nothing was changed; retry with the same Idempotency-Key in a moment.",
    code="busy_retry")
UNAVAILABLE_PAGE = ServiceUnavailableError("The service is busy; please send your decision again in a moment.",
                                           code="busy_retry_decision")


def _retry_after(response: Response) -> Response:
    response.headers["Retry-After"] = "1"
    return response


def problem(exc: Exception) -> Response:
    logger.exception("AWS call failed after retries", extra={"error": type(exc).__name__})
    return _retry_after(domain_problem(UNAVAILABLE))


def page(exc: Exception, accept_language: str | None) -> Response:
    logger.exception("AWS call failed after retries", extra={"error": type(exc).__name__})
    return _retry_after(error_page(UNAVAILABLE_PAGE, accept_language))
