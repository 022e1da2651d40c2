"""Request bodies as Slack sends them, signed and posted over HTTP to the running server."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from tests.handlers.slack.conftest import Slack, trigger_id
from tests.handlers.slack.test_http import request

CORPUS = Path(__file__).parent / "corpus"
INTERACTIVE = ("block_actions", "message_action", "shortcut", "view_submission", "view_closed")


def corpus(name: str, slack: Slack, **fill: object) -> dict[str, Any]:
    """A corpus file with its ``{{placeholders}}`` filled: the stand-in's response_url, a fresh
    trigger id each, and ``fill``."""
    raw = (CORPUS / f"{name}.json").read_text()
    for key, value in {"response_url": slack.api.response_url, **fill}.items():
        raw = raw.replace("{{" + key + "}}", str(value))
    while "{{trigger_id}}" in raw:
        raw = raw.replace("{{trigger_id}}", trigger_id(), 1)
    data: dict[str, Any] = json.loads(raw)
    return data


def encode(data: dict[str, Any]) -> tuple[str, str]:
    """The body and content type Slack uses: commands and interactive payloads form-encoded."""
    if "command" in data:
        return urlencode(data), "application/x-www-form-urlencoded"
    if data.get("type") in INTERACTIVE:
        return urlencode({"payload": json.dumps(data)}), "application/x-www-form-urlencoded"
    return json.dumps(data), "application/json"


def send(slack: Slack, url: str, data: dict[str, Any]) -> tuple[int, str]:
    body, content_type = encode(data)
    return request(f"{url}/slack/events", body, {"Content-Type": content_type, **slack.sign(body)})
