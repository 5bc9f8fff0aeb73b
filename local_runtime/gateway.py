"""A local API Gateway: HTTP on loopback -> REST proxy events -> our functions, routes from topology.py.

Also serves the local-only pages: an index of links, the mail outbox (HTML and JSON) and a button for each
scheduled job.
"""

from __future__ import annotations

import base64
import json
import logging
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable
from urllib.parse import parse_qsl, urlsplit

from jinja2 import Environment, select_autoescape

from infra import topology
from local_runtime import outbox, staff_auth
from local_runtime.lambda_events import api_gateway_event

Invoke = Callable[[str, dict], dict]


def _compile(route: topology.Route) -> re.Pattern:
    pattern = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", route.path)
    return re.compile(f"^{pattern}$")


ROUTES = [(route, _compile(route)) for route in topology.ROUTES]

_pages = Environment(autoescape=select_autoescape(default_for_string=True))
OUTBOX_PAGE = _pages.from_string("""<!doctype html><html><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Local outbox</title>
<style>body{font-family:system-ui,sans-serif;max-width:50rem;margin:auto;padding:1rem}
article{border:1px solid #ccc;border-radius:.5rem;padding:1rem;margin:1rem 0}</style></head><body>
<h1>Mail outbox ({{ messages|length }})</h1><p><a href="/_local/outbox.json">as JSON</a> · <a href="/">home</a></p>
{% for m in messages|reverse %}<article><h2>{{ m.subject }}</h2><p><b>To:</b> {{ m.to }}</p>
<div>{{ m.html|safe }}</div>{% for a in m.attachments %}<p>Attachment: {{ a.filename }} ({{ a.content_type }})</p>
{% endfor %}</article>{% endfor %}</body></html>""")


def match(method: str, path: str) -> tuple[topology.Route, dict] | None:
    for route, pattern in ROUTES:
        found = pattern.match(path)
        if found and route.method == method:
            return route, found.groupdict()
    return None


def make_server(host: str, port: int, invoke: Invoke, staff_key: str, extra_pages: dict[str, Callable[[], str]],
                actions: dict[str, Callable[[], dict]]) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:  # the functions log; the gateway stays quiet
            pass

        def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _json(self, status: int, payload) -> None:
            self._send(status, json.dumps(payload).encode(), {"Content-Type": "application/json"})

        def _handle(self, method: str) -> None:
            url = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            if url.path in extra_pages and method == "GET":
                return self._send(200, extra_pages[url.path]().encode(), {"Content-Type": "text/html; charset=utf-8"})
            if url.path == "/_local/outbox.json" and method == "GET":
                # ?after=N: only the messages after the first N (a poller reads what is new, not all again)
                after = dict(parse_qsl(url.query)).get("after", "0")
                return self._json(200, outbox.messages(after=int(after) if after.isdigit() else 0))
            if url.path == "/_local/outbox" and method == "GET":
                page = OUTBOX_PAGE.render(messages=outbox.messages())
                return self._send(200, page.encode(), {"Content-Type": "text/html; charset=utf-8"})
            if url.path.startswith("/_local/run/") and method == "POST":
                action = actions.get(url.path.removeprefix("/_local/run/"))
                return self._json(200, action()) if action else self._json(404, {"message": "no such job"})
            found = match(method, url.path)
            if found is None:
                known = any(pattern.match(url.path) for _, pattern in ROUTES)
                return self._json(405 if known else 404,
                                  {"message": "Method not allowed" if known else "Not found"})
            route, parameters = found
            headers = {name: value for name, value in self.headers.items()}
            claims = None
            if route.auth in ("staff", "ats"):
                try:
                    claims = staff_auth.claims_from(staff_key, self.headers.get("Authorization"), route.scopes)
                except staff_auth.Unauthorized:
                    return self._json(401, {"message": "Unauthorized"})
            event = api_gateway_event(method=method, path=url.path, resource=route.path,
                                      path_parameters=parameters, query=dict(parse_qsl(url.query)),
                                      headers=headers, body=body, claims=claims, source_ip=self.client_address[0])
            try:
                response = invoke(route.function, event)
            except Exception:  # noqa: BLE001 - as API Gateway does when the function fails
                logging.getLogger(__name__).exception("function %s failed", route.function)
                return self._json(502, {"message": "Internal server error"})
            payload = response.get("body") or ""
            raw = base64.b64decode(payload) if response.get("isBase64Encoded") else payload.encode()
            headers_out = dict(response.get("headers") or {})
            for name, values in (response.get("multiValueHeaders") or {}).items():
                headers_out[name] = ", ".join(values)
            self._send(int(response.get("statusCode", 200)), raw, headers_out)

        def do_GET(self) -> None:  # noqa: N802
            self._handle("GET")

        def do_POST(self) -> None:  # noqa: N802
            self._handle("POST")

        def do_PUT(self) -> None:  # noqa: N802
            self._handle("PUT")

        def do_DELETE(self) -> None:  # noqa: N802
            self._handle("DELETE")

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    return server


def serve_in_background(server: ThreadingHTTPServer) -> threading.Thread:
    thread = threading.Thread(target=server.serve_forever, name="gateway", daemon=True)
    thread.start()
    return thread
