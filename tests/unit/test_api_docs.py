"""The API's OpenAPI document is generated when the code is built, so that serving it imports nothing extra."""

from __future__ import annotations

import json
import subprocess
import sys

from functions.cancel import api_docs

_OPENAPI_MODELS = "aws_lambda_powertools.event_handler.openapi.models"


def test_the_packaged_document_is_the_one_the_routes_generate():
    assert api_docs.document() == api_docs.generate(), "run: python -m functions.cancel.api_docs"


def test_the_docs_page_carries_the_document_and_cannot_be_closed_by_it():
    page = api_docs.swagger_page()
    assert json.loads(api_docs.document())["info"]["title"] == api_docs.TITLE
    assert "SwaggerUIBundle(" in page and '"/api/candidate/interviews"' in page
    assert page.count("</script>") == 2


def test_the_cancel_function_never_imports_the_openapi_models_its_routes_do_not_use():
    code = ("import sys, functions.cancel.handler as h; from local_runtime.lambda_events import api_gateway_event, "
            "LambdaContext; h.lambda_handler(api_gateway_event(method='GET', path='/docs', resource='/docs', "
            "path_parameters={}, query={}, headers={}, body=b'', claims=None, source_ip='1.1.1.1'), "
            f"LambdaContext('cancel')); print({_OPENAPI_MODELS!r} in sys.modules)")
    child = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert child.stdout.strip().splitlines()[-1] == "False"
