"""A local API Gateway: HTTP on loopback -> REST proxy events -> our functions, routes from topology.py.

It answers as API Gateway's REST API does where a browser or a client can tell: a method or resource without a
route (TRACE, PROPFIND, a typo'd path) is 403 {"message": "Missing Authentication Token"}, never http.server's 501;
and it holds many concurrent clients: a deep listen backlog and a bounded pool of worker threads, where the
standard library's default backlog of 5 reset connections when 30 approvers clicked at once.

Also serves the local-only pages: an index of links, the mail outbox (HTML and JSON), a button for each
scheduled job, and the stand-in for Cognito's managed login (/_local/oauth2/..., /_local/logout:
staff_sign_in.py). Those answer only when the Host header is loopback: a page the developer visits could otherwise
rebind its own name to 127.0.0.1 (DNS rebinding) and read the outbox's links or run the jobs.
"""

from __future__ import annotations

import base64
import json
import logging
import queue
import re
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable
from urllib.parse import parse_qsl, urlsplit

from jinja2 import Environment, select_autoescape

from infra import topology
from local_runtime import outbox, staff_auth
from local_runtime.staff_sign_in import LocalSignIn
from local_runtime.lambda_events import api_gateway_event

Invoke = Callable[[str, dict], dict]

LISTEN_BACKLOG = 1024  # connections the kernel holds until the accept loop takes them (capped by somaxconn)
WORKERS = 64  # connections served at once; more are accepted and wait for a free worker, none is refused
IDLE_SECONDS = 10  # a kept-alive connection idle this long is closed, so idle clients cannot hold every worker
LOCAL_PAGE_HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff",
                      "Content-Security-Policy": "frame-ancestors 'none'"}
SIGN_IN_PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'"
_LOOPBACK_HOST = re.compile(r"(127\.0\.0\.1|localhost|\[::1\])(:\d{1,5})?", re.IGNORECASE)


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


def is_local_page(path: str, extra_pages: dict) -> bool:
    return path in extra_pages or path.startswith("/_local/")


def is_loopback_host(hosts: list[str]) -> bool:
    """Exactly one Host header, naming 127.0.0.1, localhost or [::1] (any port)."""
    return len(hosts) == 1 and _LOOPBACK_HOST.fullmatch(hosts[0].strip()) is not None


class GatewayServer(ThreadingHTTPServer):
    """A threading HTTP server whose threads are a fixed pool: a burst of connections waits in the kernel's
    backlog until accepted, then in a queue for the next free worker (as API Gateway holds requests while Lambda
    scales), instead of a thread per connection and a backlog of 5 that resets the rest."""

    request_queue_size = LISTEN_BACKLOG
    daemon_threads = True

    def __init__(self, address: tuple[str, int], handler: type, workers: int = WORKERS):
        super().__init__(address, handler)
        self._accepted: queue.SimpleQueue = queue.SimpleQueue()
        self._workers = [threading.Thread(target=self._serve_connections, name=f"gateway-{n}", daemon=True)
                         for n in range(workers)]
        for worker in self._workers:
            worker.start()

    def process_request(self, request: socket.socket, client_address) -> None:
        self._accepted.put((request, client_address))

    def _serve_connections(self) -> None:
        while True:
            request, client_address = self._accepted.get()
            if request is None:
                return
            self.process_request_thread(request, client_address)  # handles, then closes the connection

    def server_close(self) -> None:
        super().server_close()
        for _ in self._workers:
            self._accepted.put((None, None))


def make_server(host: str, port: int, invoke: Invoke, staff_key: str, extra_pages: dict[str, Callable[[], str]],
                actions: dict[str, Callable[[], dict]], workers: int = WORKERS,
                sign_in: LocalSignIn | None = None) -> GatewayServer:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        timeout = IDLE_SECONDS

        def log_message(self, *args) -> None:  # the functions log; the gateway stays quiet
            pass

        def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def _json(self, status: int, payload, headers: dict[str, str] | None = None) -> None:
            self._send(status, json.dumps(payload).encode(),
                       {"Content-Type": "application/json; charset=utf-8", **(headers or {})})

        def _page(self, html: str) -> None:
            self._send(200, html.encode(), {"Content-Type": "text/html; charset=utf-8", **LOCAL_PAGE_HEADERS})

        def _local_page(self, method: str, url, body: bytes) -> bool:
            """Serve a local-only page if this is one (True), only to a loopback Host."""
            if not is_loopback_host(self.headers.get_all("Host") or []):
                self._json(403, {"message": "The local pages answer only to Host 127.0.0.1, localhost or [::1]"},
                           LOCAL_PAGE_HEADERS)
            elif sign_in is not None and url.path.startswith(("/_local/oauth2/", "/_local/logout")):
                return self._sign_in(method, url, body)
            elif url.path in extra_pages and method == "GET":
                self._page(extra_pages[url.path]())
            elif url.path == "/_local/outbox.json" and method == "GET":
                # ?after=N: only the messages after the first N (a poller reads what is new, not all again)
                after = dict(parse_qsl(url.query)).get("after", "0")
                self._json(200, outbox.messages(after=int(after) if after.isdigit() else 0), LOCAL_PAGE_HEADERS)
            elif url.path == "/_local/outbox" and method == "GET":
                self._page(OUTBOX_PAGE.render(messages=outbox.messages()))
            elif url.path.startswith("/_local/run/") and method == "POST":
                action = actions.get(url.path.removeprefix("/_local/run/"))
                if action:
                    self._json(200, action(), LOCAL_PAGE_HEADERS)
                else:
                    self._json(404, {"message": "no such job"}, LOCAL_PAGE_HEADERS)
            else:
                return False
            return True

        def _sign_in(self, method: str, url, body: bytes) -> bool:
            """Cognito managed login's endpoints, as the staff console calls them (staff_sign_in.py)."""
            language = self.headers.get("Accept-Language")
            if url.path == "/_local/oauth2/authorize" and method in ("GET", "POST"):
                answer = sign_in.authorize(method, url.query, body, language)
            elif url.path == "/_local/oauth2/token" and method == "POST":
                answer = sign_in.token(body)
            elif url.path == "/_local/oauth2/revoke" and method == "POST":
                answer = sign_in.revoke(body)
            elif url.path == "/_local/logout" and method == "GET":
                answer = sign_in.logout(url.query, language)
            else:
                return False
            if answer.json is not None:
                self._json(answer.status, answer.json, {"Cache-Control": "no-store", "Pragma": "no-cache"})
            else:
                self._send(answer.status, answer.body.encode(),
                           {**LOCAL_PAGE_HEADERS, "Content-Security-Policy": SIGN_IN_PAGE_CSP, **answer.headers})
            return True

        def _handle(self, method: str) -> None:
            url = urlsplit(self.path)
            length = self.headers.get("Content-Length") or "0"
            if not length.isdigit():
                self.close_connection = True
                return self._json(400, {"message": "Bad Request"})
            body = self.rfile.read(int(length)) if int(length) else b""  # read first: never answer over unread data
            if is_local_page(url.path, extra_pages) and self._local_page(method, url, body):
                return None
            found = match(method, url.path)
            if found is None:  # API Gateway (REST) answers every method and resource without a route so
                return self._json(403, {"message": "Missing Authentication Token"},
                                  {"x-amzn-ErrorType": "MissingAuthenticationTokenException"})
            route, parameters = found
            headers = {name: value for name, value in self.headers.items()}
            claims = None
            if route.auth in ("staff", "ats"):
                try:
                    claims = staff_auth.claims_from(staff_key, self.headers.get("Authorization"), route.scopes)
                except staff_auth.Unauthorized:
                    return self._json(401, {"message": "Unauthorized"})
            # API Gateway passes `?name=` on as an empty value, not as an absent one
            query = dict(parse_qsl(url.query, keep_blank_values=True))
            event = api_gateway_event(method=method, path=url.path, resource=route.path,
                                      path_parameters=parameters, query=query,
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

        def __getattr__(self, name: str):
            # http.server looks up do_<METHOD> and answers 501 when there is none: every method comes here
            # instead (GET, POST, TRACE, PROPFIND, FOO ...), and routing decides.
            if name.startswith("do_"):
                return lambda: self._handle(name.removeprefix("do_"))
            raise AttributeError(name)

    return GatewayServer((host, port), Handler, workers=workers)


def serve_in_background(server: GatewayServer) -> threading.Thread:
    thread = threading.Thread(target=server.serve_forever, name="gateway", daemon=True)
    thread.start()
    return thread
