"""Lambda behind the pages reached from e-mailed links (approvals, ratings and waitlist offers), and the staff
console's approvals, which decide exactly as the approval link does."""

from __future__ import annotations

from functions.core.collector import imports_uncollected

with imports_uncollected():  # see functions/core/collector.py
    from aws_lambda_powertools.event_handler import APIGatewayRestResolver
    from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
    from aws_lambda_powertools.logging import correlation_paths
    from aws_lambda_powertools.utilities.typing import LambdaContext

    from functions.approve import offers, ratings, routes, staff_approvals
    from functions.core.errors import DomainError
    from functions.core.observability import logger, metrics, traced_handler
    from functions.web import snapshot, unavailable
    from functions.web.responses import api_reader_locale, domain_problem, validation_problem, with_utf8_charset

app = APIGatewayRestResolver(enable_validation=True)
app.include_router(routes.router)
app.include_router(ratings.router)
app.include_router(offers.router)
app.include_router(staff_approvals.router)


# The pages answer their own errors with pages; what reaches these is the staff API's (JSON problems).
@app.exception_handler(DomainError)
def _domain_problem(exc: DomainError):
    return domain_problem(exc, api_reader_locale((app.current_event.headers or {}).get("Accept-Language")))


@app.exception_handler(RequestValidationError)
def _validation_problem(exc: RequestValidationError):
    return validation_problem(exc, api_reader_locale((app.current_event.headers or {}).get("Accept-Language")))


@app.exception_handler(unavailable.AWS_ERRORS)
def _unavailable(exc: Exception):
    return unavailable.page(exc, app.current_event.headers.get("Accept-Language"))

# SnapStart (published versions behind the API's alias): everything above is in the snapshot; see web/snapshot.py.
snapshot.register("stepfunctions", "events")


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
@traced_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return with_utf8_charset(app.resolve(event, context))
