"""One logger, tracer and metrics object for the whole service, configured by POWERTOOLS_* variables.

Tracing hygiene: X-Ray keeps what a trace carries, readable by whoever may read traces, so no trace may hold a
token, an address, a phone number or a name. Handlers are traced with `traced_handler`: never their response
(pages and links carry tokens and names) and never an exception's text (a pydantic error quotes its input, SES's
names the recipient): a failure reaches the tracer and the runtime as HandlerFailed, naming only the error type.
The CDK app also sets POWERTOOLS_TRACER_CAPTURE_RESPONSE/ERROR to false, for any other traced method.

Only botocore is patched: every call we trace is an AWS call, PynamoDB's included (it calls botocore's client).
Powertools' default patches every library the X-Ray SDK knows (sqlite3, httpx, requests, http.client, ...),
importing each that is installed, at every cold start, for calls these functions never make. (The CalDAV calls
of the notify function are not AWS calls: they show as time inside its traced handler, not as subsegments.)
"""

from __future__ import annotations

import functools
import traceback
import warnings
from typing import Callable, TypeVar

from aws_lambda_powertools import Logger, Metrics, Tracer

# A page view or a redelivered event may add no metric; that is normal, not worth a warning per invocation.
warnings.filterwarnings("ignore", message="No application metrics to publish")

logger = Logger(service="interview-cancellations")
TRACED_LIBRARIES = ("botocore",)
tracer = Tracer(service="interview-cancellations", patch_modules=TRACED_LIBRARIES)
metrics = Metrics(namespace="InterviewCancellations", service="interview-cancellations")

Handler = TypeVar("Handler", bound=Callable)


class HandlerFailed(Exception):
    """A failure as traces and the runtime see it: the error type only (the original was logged without text)."""


def without_error_text(function: Handler) -> Handler:
    """Re-raise any failure as HandlerFailed(type name), after logging its type and stack frames (no text)."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except HandlerFailed:
            raise
        except Exception as exc:  # noqa: BLE001 - re-raised, without its message
            logger.error("handler failed", extra={"error_type": type(exc).__name__,
                                                  "stack": traceback.format_tb(exc.__traceback__)})
            raise HandlerFailed(type(exc).__name__) from None

    return wrapper  # type: ignore[return-value]


def traced_handler(function: Handler) -> Handler:
    """A Lambda handler traced without its response and without exception texts."""
    return tracer.capture_lambda_handler(capture_response=False, capture_error=False)(without_error_text(function))
