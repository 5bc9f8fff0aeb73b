"""What the browser and any HTTP client see of the running local system's gateway: pages that cannot be framed,
every text response in declared UTF-8, local helper pages only for a loopback Host (DNS rebinding), and methods or
resources without a route answered as API Gateway's REST API answers them (403, never a 5xx)."""

from __future__ import annotations

import socket
import string
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from infra import topology
from tests.e2e.conftest import approval_link, cancel, final, mails_to, settled, wait_for

pytestmark = pytest.mark.e2e

MISSING_TOKEN = {"message": "Missing Authentication Token"}


def _port(local) -> int:
    return urlsplit(local.base).port


def _cancels(message: dict) -> bool:
    return any(a["content_type"] == "text/calendar" and a["method"] == "CANCEL" for a in message["attachments"])


def test_every_page_forbids_framing_and_declares_utf_8(local):
    # GIVEN a candidate with a pending request, so that the portal, the approval page and the console all exist
    token = local.register("gw-pages", "c-gw-pages", timedelta(days=3))
    request_id = cancel(local, token, "gw-pages").json()["request_id"]
    link = approval_link(local, request_id)
    pages = {"portal": f"{local.base}/portal/{token}", "approval": link, "console": f"{local.base}/staff",
             "tampered link (error page)": f"{local.base}/approvals/eyJyIjoiIn0.forged"}
    for name, url in pages.items():
        # WHEN each page is opened
        response = requests.get(url, timeout=30)
        # THEN no other site may frame it, and its charset is declared
        assert response.headers["Content-Type"] == "text/html; charset=utf-8", name
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"], name
    # AND the decision page, once used, is as well (deciding also leaves no request pending in the shared system)
    decided = requests.post(link, data={"decision": "approve"}, timeout=30)
    assert decided.status_code == 200 and decided.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "frame-ancestors 'none'" in decided.headers["Content-Security-Policy"]
    # (and the test ends when the decision's last effects, the calendar cancellations, have gone out: no later
    # test that counts the outbox sees this one's mail arrive; the invitations carried a calendar REQUEST before)
    assert final(local, request_id)["status"] == "APPROVED"
    wait_for(lambda: [m for m in mails_to(local, "c-gw-pages@mail.example.com") if _cancels(m)])
    wait_for(lambda: [m for m in mails_to(local, "jun.park@company.example.com") if "gw-pages" in m["text"]
                      and _cancels(m)])


def test_every_json_and_problem_response_declares_utf_8(local):
    # GIVEN one request of each kind of text answer: the API's JSON, its problem JSON, the gateway's own refusal,
    # the OpenAPI document, Swagger UI and the local outbox
    token = local.register("gw-json", "c-gw-json", timedelta(days=3))
    bearer = {"Authorization": f"Bearer {token}"}
    answers = {
        "application/json; charset=utf-8": [
            requests.get(f"{local.base}/api/candidate/interviews", headers=bearer, timeout=30),
            requests.get(f"{local.base}/api/staff/requests", timeout=30),  # 401 from the gateway's authorizer
            requests.get(f"{local.base}/openapi.json", timeout=30),
            requests.get(f"{local.base}/_local/outbox.json", timeout=30),
            requests.request("TRACE", f"{local.base}/api/candidate/interviews", timeout=30),
        ],
        "application/problem+json; charset=utf-8": [
            cancel(local, token, "gw-json", reason="no-such-reason"),  # 422
            requests.get(f"{local.base}/api/candidate/interviews", timeout=30),  # 401 from the function
        ],
        "text/html; charset=utf-8": [requests.get(f"{local.base}/docs", timeout=30),
                                     requests.get(f"{local.base}/_local/outbox", timeout=30)],
    }
    # WHEN their Content-Type headers are read
    # THEN each says exactly its media type and UTF-8
    for content_type, responses in answers.items():
        for response in responses:
            assert response.headers["Content-Type"] == content_type, (response.url, response.status_code)
    # and the bodies are what they say (the 422 names the field)
    assert answers["application/problem+json; charset=utf-8"][0].json()["errors"][0]["field"] == "reason_code"


LOCAL_PAGES = [("GET", "/"), ("GET", "/_local/outbox"), ("GET", "/_local/outbox.json"),
               ("POST", "/_local/run/interview-reminders"), ("POST", "/_local/run/no-such-job"),
               ("GET", "/_local/oauth2/authorize"), ("POST", "/_local/oauth2/token"), ("GET", "/_local/logout")]


@pytest.mark.parametrize("host", ["evil.example", "evil.example:{port}", "127.0.0.1.evil.example:{port}",
                                  "localhost.evil.example", "127.0.0.2:{port}", "0.0.0.0:{port}", "[::2]:{port}",
                                  "localhost:{port}@evil.example", ""])
@pytest.mark.parametrize("method, path", LOCAL_PAGES, ids=[f"{m} {p}" for m, p in LOCAL_PAGES])
def test_the_local_pages_refuse_a_host_that_is_not_loopback(local, host, method, path):
    # GIVEN a request as a page on another site would send it after rebinding its name to 127.0.0.1
    # WHEN it asks for a local helper page (or to run a job) with its own Host
    response = requests.request(method, f"{local.base}{path}", headers={"Host": host.format(port=_port(local))},
                                timeout=30)
    # THEN it is refused and gets nothing of the page: no outbox, no links, no job run
    assert response.status_code == 403
    assert response.json() == {"message": "The local pages answer only to Host 127.0.0.1, localhost or [::1]"}


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}", "LOCALHOST:{port}", "[::1]:{port}",
                                  "127.0.0.1", "localhost", "[::1]"])
def test_the_local_pages_answer_a_loopback_host_with_any_port(local, host):
    # GIVEN the running system's local outbox
    # WHEN it is read with a loopback Host, as the developer's browser sends it
    response = requests.get(f"{local.base}/_local/outbox.json", headers={"Host": host.format(port=_port(local))},
                            timeout=30)
    # THEN it answers
    assert response.status_code == 200 and isinstance(response.json(), list)


def test_two_host_headers_are_refused_on_the_local_pages(local):
    # GIVEN a raw request for the outbox carrying a loopback Host and a second, foreign one
    # WHEN it is sent
    with socket.create_connection(("127.0.0.1", _port(local)), timeout=30) as connection:
        connection.sendall(b"GET /_local/outbox.json HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: evil.example\r\n"
                           b"Connection: close\r\n\r\n")
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    # THEN it is refused
    assert answer.startswith(b"HTTP/1.1 403 ")


UNROUTED = ["/api/candidate/interviews", "/portal/some-token", "/staff", "/approvals/x", "/", "/_local/outbox",
            "/no/such/path", "/api/staff/requests", "/_local/oauth2/authorize", "/_local/oauth2/token",
            "/_local/logout"]


@pytest.mark.parametrize("method", ["TRACE", "PROPFIND", "FOO", "OPTIONS", "PATCH", "CONNECT", "DELETE", "PUT"])
def test_a_method_without_a_route_is_answered_as_api_gateway_answers_it(local, method):
    # GIVEN paths with routes (for other methods), local pages and a path without any route, on a system where
    # what earlier tests started has finished
    settled(local)
    outbox_before = len(local.outbox())
    for path in UNROUTED:
        # WHEN the method nobody routed is sent there
        response = requests.request(method, f"{local.base}{path}", data=b"x=1", timeout=30)
        # THEN it is API Gateway's 403 "Missing Authentication Token", never a 5xx, and nothing ran
        assert response.status_code == 403, (method, path, response.status_code, response.text[:200])
        assert response.json() == MISSING_TOKEN
        assert response.headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"
    assert len(local.outbox()) == outbox_before


def test_head_and_unknown_paths_get_the_same_403_and_head_gets_no_body(local):
    # GIVEN a path without any route, and a path routed for GET only
    # WHEN the first is read, and the second is asked with HEAD (API Gateway routes HEAD
    # only where a HEAD method exists)
    unknown = requests.get(f"{local.base}/favicon.ico", timeout=30)
    head = requests.head(f"{local.base}/openapi.json", timeout=30)
    # THEN both are the 403; HEAD's answer has the length of that body but no body
    assert (unknown.status_code, unknown.json()) == (403, MISSING_TOKEN)
    assert head.status_code == 403 and head.content == b""
    assert int(head.headers["Content-Length"]) == len(unknown.content)
    assert not any(r.method == "HEAD" for r in topology.ROUTES)


_CONCRETE = sorted({r.path.replace("{", "").replace("}", "") for r in topology.ROUTES}
                   | {"/", "/_local/outbox", "/_local/outbox.json", "/_local/run/interview-reminders", "/nope",
                      "/_local/oauth2/authorize", "/_local/oauth2/token", "/_local/oauth2/revoke", "/_local/logout"})
_METHODS = st.text(alphabet=string.ascii_letters + "-_!#$%&'*+.^`|~", min_size=1, max_size=16).filter(
    lambda m: m.upper() not in ("GET", "POST"))  # routed (schemathesis fuzzes those); requests upper-cases


@settings(max_examples=400, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(method=_METHODS, path=st.sampled_from(_CONCRETE), body=st.binary(max_size=64))
def test_fuzzed_methods_on_every_path_get_the_403_and_never_a_5xx(local, method, path, body):
    # GIVEN any method token other than the routed GET and POST, on every route's path and the local pages
    # WHEN it is sent with an arbitrary body
    response = requests.request(method, f"{local.base}{path}", data=body, timeout=30)
    # THEN it is API Gateway's 403 (HEAD without the body), never a 5xx and never a page or a job run
    assert response.status_code == 403, (method, path, response.status_code)
    assert method.upper() == "HEAD" or response.json() == MISSING_TOKEN
