"""One OpenAPI document for the whole API, although two functions serve it, at /openapi.json and /docs.

The document is generated from the routes when the code is built, not when a request asks for it: generating it
needs Powertools' OpenAPI models (pydantic models of the whole OpenAPI specification), which no other route uses
and which would otherwise be imported at every cold start of the cancel function. `openapi.json` beside this file
is that document; tests/unit/test_api_docs.py fails until it is regenerated after a route changes:

    python -m functions.cancel.api_docs    # rewrites functions/cancel/openapi.json
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import aws_lambda_powertools
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types

TITLE = "Interview cancellations API"
DOCUMENT = Path(__file__).with_name("openapi.json")
_SWAGGER_UI = Path(aws_lambda_powertools.__file__).parent / "event_handler" / "openapi" / "swagger_ui"


def generate() -> str:
    """The document, from the routes of both API functions (imports what serving it does not need)."""
    # Every router the two handlers include (the pages' routes are left out of the document by their own flag).
    from functions.approve import offers, ratings, staff_approvals
    from functions.approve import routes as approve_routes
    from functions.cancel import policy_routes, privacy_routes, risk_routes, search_routes
    from functions.cancel import routes as cancel_routes

    combined = APIGatewayRestResolver(enable_validation=True)
    for module in (cancel_routes, privacy_routes, policy_routes, risk_routes, search_routes, approve_routes, ratings,
                   offers, staff_approvals):
        combined.include_router(module.router)
    return combined.get_openapi_json_schema(title=TITLE, version="1.0.0")


@lru_cache(maxsize=1)
def document() -> str:
    return DOCUMENT.read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def swagger_page() -> str:
    """Swagger UI (the copy Powertools ships) over the document, inlined as Powertools' own /swagger page does."""
    script = (_SWAGGER_UI / "swagger-ui-bundle.min.js").read_text(encoding="utf-8")
    style = (_SWAGGER_UI / "swagger-ui.min.css").read_text(encoding="utf-8")
    spec = document().replace("</", "<\\/")  # the document cannot close the script element it sits in
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8"><title>{TITLE}</title>'
        f"<style>{style}</style></head><body><div id=\"swagger-ui\"></div><script>{script}</script>"
        f'<script>SwaggerUIBundle({{dom_id: "#swagger-ui", deepLinking: true, spec: {spec}, '
        "presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset]});</script>"
        "</body></html>"
    )


def serve(app: APIGatewayRestResolver) -> None:
    @app.get("/openapi.json", include_in_schema=False)
    def openapi():
        return Response(status_code=200, content_type=content_types.APPLICATION_JSON, body=document())

    @app.get("/docs", include_in_schema=False)
    def docs():
        return Response(status_code=200, content_type="text/html; charset=utf-8", body=swagger_page())


if __name__ == "__main__":
    import os

    from functions.core.settings import Settings

    # Importing the routes reads the settings; the document does not depend on their values.
    for required in (f.alias for f in Settings.model_fields.values() if f.is_required()):
        os.environ.setdefault(required, "unused-for-the-document")
    DOCUMENT.write_text(generate(), encoding="utf-8")
    print(f"wrote {DOCUMENT}")
