"""Lambda behind the candidate and staff API (and the OpenAPI document for the whole API)."""

from __future__ import annotations

from functions.core.collector import imports_uncollected

with imports_uncollected():  # see functions/core/collector.py
    from aws_lambda_powertools.event_handler import APIGatewayRestResolver
    from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
    from aws_lambda_powertools.logging import correlation_paths
    from aws_lambda_powertools.utilities.typing import LambdaContext

    from functions.cancel import api_docs
    from functions.cancel import (
        console,
        policy_routes,
        portal,
        privacy_routes,
        risk_pages,
        risk_routes,
        routes,
        search_routes,
        workplace,
    )
    from functions.core.errors import DomainError
    from functions.core.observability import logger, metrics, traced_handler
    from functions.integration.data import candidate_store
    from functions.web import snapshot, unavailable
    from functions.web.responses import (api_reader_locale, candidate_from_authorization, domain_problem,
                                         validation_problem, with_utf8_charset)

app = APIGatewayRestResolver(enable_validation=True)
app.include_router(routes.router)
app.include_router(portal.router)
app.include_router(console.router)
app.include_router(privacy_routes.router)
app.include_router(policy_routes.router)
app.include_router(risk_routes.router)
app.include_router(risk_pages.router)
app.include_router(search_routes.router)
app.include_router(workplace.router)


def _stored_language(headers) -> str | None:
    """The candidate's stored language, when the call carries a valid personal link token."""
    try:
        candidate = candidate_store.get_candidate(candidate_from_authorization(headers.get("Authorization")))
    except Exception:  # noqa: BLE001 - an error answer must not itself fail for want of a language
        return None
    return candidate.locale if candidate else None


@app.exception_handler(DomainError)
def _domain_problem(exc: DomainError):
    """A domain error in the caller's language (Accept-Language, else the candidate's stored one) with its code."""
    headers = app.current_event.headers or {}
    return domain_problem(exc, api_reader_locale(headers.get("Accept-Language"), _stored_language(headers)))


@app.exception_handler(RequestValidationError)
def _validation_problem(exc: RequestValidationError):
    return validation_problem(exc, api_reader_locale((app.current_event.headers or {}).get("Accept-Language")))


app.exception_handler(unavailable.AWS_ERRORS)(unavailable.problem)
api_docs.serve(app)

# SnapStart (published versions behind the API's alias): everything above is in the snapshot; see web/snapshot.py.
snapshot.register("stepfunctions", "events")


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
@traced_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return with_utf8_charset(app.resolve(event, context))
