"""The kept copy of a Slack request, and the key that names it.

Before a request is acknowledged its copy is stored with its claim (``handlers/slack/inbox.py``),
so that another replica can replay it: personal data redacted as it would be in a moment, and
encrypted with MOMENTS_ENCRYPTION_KEY when that is set.
"""

from __future__ import annotations

import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken

from bot.redact import redact
from handlers.encrypted_store import fernet_for

SEALED = "enc:v1:"
_LEFT_OUT = frozenset({"blocks", "attachments", "files", "token"})  # text copies, or not needed


def request_key(body: Any) -> str | None:
    """What identifies a request that does work after its ack: an event's id, or the
    trigger id of a slash command. Interactive payloads are not kept: their work needs a
    trigger id that expires in 3 seconds, or the person is looking at the form and can submit
    it again."""
    if not isinstance(body, dict):
        return None
    if body.get("type") == "event_callback" and body.get("event_id"):
        return str(body["event_id"])
    if body.get("command") and body.get("trigger_id"):
        return f"command:{body['trigger_id']}"
    return None


class Sealer:
    """The kept copy of a request: text redacted, then encrypted when a key is set."""

    def __init__(self, key: str = "") -> None:
        self._fernet: Fernet | None = fernet_for(key) if key else None

    def seal(self, body: dict[str, Any]) -> str:
        data = json.dumps(_redacted(body), separators=(",", ":"), ensure_ascii=False)
        if self._fernet is None:
            return data
        return SEALED + self._fernet.encrypt(data.encode()).decode()

    def open(self, payload: str) -> dict[str, Any] | None:
        if payload.startswith(SEALED):
            if self._fernet is None:
                return None
            try:
                payload = self._fernet.decrypt(payload[len(SEALED):].encode()).decode()
            except InvalidToken:
                return None
        try:
            body = json.loads(payload)
        except ValueError:
            return None
        return body if isinstance(body, dict) else None


def _redacted(value: Any, key: str = "") -> Any:
    if isinstance(value, dict):
        return {k: _redacted(v, k) for k, v in value.items() if k not in _LEFT_OUT}
    if isinstance(value, list):
        return [_redacted(v) for v in value]
    if isinstance(value, str) and key == "text":
        return redact(value).text
    return value
