"""Lambda behind the candidate and staff API (and the OpenAPI document for the whole API)."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions.cancel import api_docs
from functions.cancel import console, portal, routes
from functions.core.errors import DomainError
from functions.core.observability import logger, metrics, traced_handler
from functions.web import unavailable
from functions.web.responses import domain_problem, validation_problem

app = APIGatewayRestResolver(enable_validation=True)
app.include_router(routes.router)
app.include_router(portal.router)
app.include_router(console.router)
app.exception_handler(RequestValidationError)(validation_problem)
app.exception_handler(DomainError)(domain_problem)
app.exception_handler(unavailable.AWS_ERRORS)(unavailable.problem)
api_docs.serve(app)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
@traced_handler
def lambda_handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
