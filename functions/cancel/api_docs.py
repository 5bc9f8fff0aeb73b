"""One OpenAPI document for the whole API, although two functions serve it, at /openapi.json and /docs."""

from __future__ import annotations

from functools import lru_cache

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types

TITLE = "Interview cancellations API"


@lru_cache(maxsize=1)
def document() -> str:
    from functions.approve.ratings import router as ratings_router
    from functions.approve.routes import router as approve_router
    from functions.cancel.routes import router as cancel_router

    combined = APIGatewayRestResolver(enable_validation=True)
    combined.include_router(cancel_router)
    combined.include_router(approve_router)
    combined.include_router(ratings_router)
    return combined.get_openapi_json_schema(title=TITLE, version="1.0.0")


def serve(app: APIGatewayRestResolver) -> None:
    @app.get("/openapi.json", include_in_schema=False)
    def openapi():
        return Response(status_code=200, content_type=content_types.APPLICATION_JSON, body=document())

    app.enable_swagger(path="/docs", title=TITLE)
