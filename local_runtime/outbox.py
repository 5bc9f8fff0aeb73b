"""The mail outbox: what moto's SES accepted, parsed back into readable messages with their attachments.

Each message is parsed once (SES never changes a sent message): tests poll the outbox many times a second, and
parsing every message on every poll grew with the outbox until it was a tenth of a long run's time."""

from __future__ import annotations

import base64
from email import message_from_string, policy

from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends


_parsed: dict[str, dict] = {}  # SES message id -> the message as messages() returns it


def messages(region: str = "us-east-1", after: int = 0) -> list[dict]:
    """Every message SES accepted, oldest first; with `after`, only those after the first `after` ones."""
    backend = ses_backends[DEFAULT_ACCOUNT_ID][region]
    sent = [m for m in list(backend.sent_messages) if getattr(m, "raw_data", None) is not None][after:]
    return [_parsed.get(m.id) or _parsed.setdefault(m.id, _readable(m.id, m.raw_data)) for m in sent]


def _readable(message_id: str, raw: str) -> dict:
    parsed = message_from_string(raw, policy=policy.default)
    text = parsed.get_body(preferencelist=("plain",))
    html = parsed.get_body(preferencelist=("html",))
    attachments = [{
        "filename": part.get_filename(),
        "content_type": part.get_content_type(),
        "method": part.get_param("method"),
        "content_base64": base64.b64encode(part.get_payload(decode=True)).decode(),
    } for part in parsed.iter_attachments()]
    return {
        "id": message_id, "to": str(parsed["To"]), "from": str(parsed["From"]), "subject": str(parsed["Subject"]),
        "text": text.get_content() if text else "", "html": html.get_content() if html else "",
        "attachments": attachments,
    }
