"""A stand-in for Microsoft Graph and the Microsoft identity platform on loopback, answering with the request
and response shapes their documentation gives (HTTPS with a throwaway certificate: msal accepts https authorities
only). It keeps the events of each mailbox, the change log the calendarView delta query reads, and every request
it was sent, and lets a test act as the mailbox's owner (delete or decline an event in Outlook).

Documented shapes followed: OpenID discovery and the client-credentials token response (identity platform v2.0);
event create/get/update/delete; single-value extended properties in $filter and $expand; transactionId; the
calendarView delta query with @odata.nextLink / @odata.deltaLink, @removed for deleted events, and 410 Gone for a
delta token that is no longer known.
"""

from __future__ import annotations

import datetime
import ipaddress
import json
import re
import ssl
import threading
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key (PEM files); the certificate is also the CA bundle to trust."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = folder / "graph-cert.pem", folder / "graph-key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


@dataclass
class FakeGraph:
    folder: Path
    tenant: str = "tenant-1"
    client_id: str = "app-1"
    client_secret: str = "app-secret"
    events: dict = field(default_factory=dict)  # mailbox -> {id: event}
    log: list = field(default_factory=list)  # (version, mailbox, id, removed)
    requests: list = field(default_factory=list)  # (method, path, query, body)
    transactions: dict = field(default_factory=dict)  # transactionId -> event id

    def start(self) -> FakeGraph:
        self.cert, key = self_signed(self.folder)
        self.version, self.lock = 0, threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert, key)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.base = f"https://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def authority(self) -> str:
        return f"{self.base}/{self.tenant}"

    def mailbox_url(self, address: str) -> str:
        return f"{self.base}/v1.0/users/{address}"

    # ---- the mailbox owner, in Outlook ----------------------------------------------------------------------------
    def delete_as_owner(self, mailbox: str, event_id: str) -> None:
        with self.lock:
            del self.events[mailbox][event_id]
            self._changed(mailbox, event_id, removed=True)

    def decline_as_owner(self, mailbox: str, event_id: str) -> None:
        with self.lock:
            self.events[mailbox][event_id]["responseStatus"] = {"response": "declined",
                                                                "time": "2030-01-01T00:00:00Z"}
            self._changed(mailbox, event_id)

    def _changed(self, mailbox: str, event_id: str, removed: bool = False) -> None:
        self.version += 1
        self.log.append((self.version, mailbox, event_id, removed))


def _handler(fake: FakeGraph):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # quiet
            pass

        def _send(self, status: int, body: dict | None = None) -> None:
            data = json.dumps(body).encode() if body is not None else b""
            self.send_response(status)
            if body is not None:
                self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _body(self) -> dict:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            if self.headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded"):
                return {k: v[0] for k, v in parse_qs(raw.decode()).items()}
            return json.loads(raw) if raw else {}

        def _route(self, method: str) -> None:
            url = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            body = self._body() if method in ("POST", "PATCH") else {}
            fake.requests.append((method, url.path, query, body, dict(self.headers)))
            path = url.path
            if path == f"/{fake.tenant}/v2.0/.well-known/openid-configuration":
                return self._send(200, {"token_endpoint": f"{fake.authority}/oauth2/v2.0/token",
                                        "authorization_endpoint": f"{fake.authority}/oauth2/v2.0/authorize",
                                        "issuer": f"{fake.authority}/v2.0"})
            if path == f"/{fake.tenant}/oauth2/v2.0/token":
                if (body.get("grant_type"), body.get("client_id"), body.get("client_secret"), body.get("scope")) != (
                        "client_credentials", fake.client_id, fake.client_secret,
                        "https://graph.microsoft.com/.default"):
                    return self._send(401, {"error": "invalid_client", "error_description": "AADSTS7000215"})
                return self._send(200, {"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599,
                                        "access_token": f"token-{fake.client_id}"})
            if self.headers.get("Authorization") != f"Bearer token-{fake.client_id}":
                return self._send(401, {"error": {"code": "InvalidAuthenticationToken", "message": "..."}})
            found = re.fullmatch(r"/v1\.0/users/([^/]+)/(events|calendarView/delta)(?:/([^/]+))?", path)
            if not found:
                return self._send(404, {"error": {"code": "ResourceNotFound"}})
            mailbox, what, event_id = found.groups()
            with fake.lock:
                events = fake.events.setdefault(mailbox, {})
                if what == "calendarView/delta":
                    return self._delta(mailbox, events, query)
                if event_id is None and method == "GET":
                    return self._list(events, query)
                if event_id is None and method == "POST":
                    return self._create(mailbox, events, body)
                if event_id not in events:
                    return self._send(404, {"error": {"code": "ErrorItemNotFound"}})
                if method == "PATCH":
                    events[event_id].update({k: v for k, v in body.items() if k != "singleValueExtendedProperties"})
                    events[event_id]["singleValueExtendedProperties"] = body.get(
                        "singleValueExtendedProperties", events[event_id]["singleValueExtendedProperties"])
                    fake._changed(mailbox, event_id)
                    return self._send(200, events[event_id])
                if method == "DELETE":
                    del events[event_id]
                    fake._changed(mailbox, event_id, removed=True)
                    return self._send(204)
                return self._send(200, events[event_id])

        def _list(self, events: dict, query: dict) -> None:
            wanted = re.search(r"ep/id eq '([^']+)' and ep/value eq '((?:[^']|'')*)'\)$", query.get("$filter", ""))
            matching = [e for e in events.values() if wanted and any(
                p["id"].lower() == wanted.group(1).lower() and p["value"] == wanted.group(2).replace("''", "'")
                for p in e["singleValueExtendedProperties"])]
            expand = re.search(r"\$filter=id eq '([^']+)'\)", query.get("$expand", ""))
            value = [{"id": e["id"], **({"singleValueExtendedProperties": [
                p for p in e["singleValueExtendedProperties"] if p["id"].lower() == expand.group(1).lower()]}
                if expand else {})} for e in matching]
            return self._send(200, {"@odata.context": "...", "value": value})

        def _create(self, mailbox: str, events: dict, body: dict) -> None:
            if body.get("transactionId") in fake.transactions and fake.transactions[body["transactionId"]] in events:
                return self._send(201, events[fake.transactions[body["transactionId"]]])
            event_id = "AAMk" + uuid.uuid4().hex
            events[event_id] = {**body, "id": event_id, "iCalUId": "040000008200E00074C5B7101A82E008" + uuid.uuid4().hex,
                                "isCancelled": False, "responseStatus": {"response": "organizer"}}
            fake.transactions[body.get("transactionId")] = event_id
            fake._changed(mailbox, event_id)
            return self._send(201, events[event_id])

        def _delta(self, mailbox: str, events: dict, query: dict) -> None:
            token = query.get("$deltatoken")
            if token is None:
                changed = {e: False for e in events}
            elif not token.isdigit() or int(token) > fake.version:
                return self._send(410, {"error": {"code": "SyncStateNotFound", "message": "resync required"}})
            else:
                changed = {}
                for version, box, event_id, removed in fake.log:
                    if box == mailbox and version > int(token):
                        changed[event_id] = removed or event_id not in events
            value = [{"@odata.type": "#microsoft.graph.event", "id": e, "@removed": {"reason": "deleted"}}
                     if removed else events[e] for e, removed in changed.items()]
            link = f"{fake.mailbox_url(mailbox)}/calendarView/delta?$deltatoken={fake.version}"
            return self._send(200, {"@odata.context": "...", "value": value, "@odata.deltaLink": link})

        def do_GET(self):  # noqa: N802
            self._route("GET")

        def do_POST(self):  # noqa: N802
            self._route("POST")

        def do_PATCH(self):  # noqa: N802
            self._route("PATCH")

        def do_DELETE(self):  # noqa: N802
            self._route("DELETE")

    return Handler
