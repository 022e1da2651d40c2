"""A local stand-in for the Bot Framework connector service (an activity's serviceUrl).

It records what the bot posts (``POST /v3/conversations/{id}/activities[/{replyToId}]``) and
answers ``{"id": ...}``, or the status it is told to answer with; and the cards it redraws
(``PUT /v3/conversations/{id}/activities/{activityId}``, updateActivity) in ``updates``. It answers
``GET /v3/conversations/{id}/members/{memberId}`` (``TeamsInfo.get_member``) from ``members``
(account id -> TeamsChannelAccount JSON), with 404 for anyone else, and records the ids asked.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote

from tests.handlers.teams.conftest import CHANNEL, TENANT


@dataclass
class Connector:
    url: str = ""
    posts: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    updates: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # PUT: updateActivity
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    members: dict[str, dict[str, Any]] = field(default_factory=dict)
    member_lookups: list[str] = field(default_factory=list)

    def texts(self) -> str:
        return "\n".join(json.dumps(body, ensure_ascii=False) for _, body in self.posts)


@contextmanager
def connector_stand_in() -> Iterator[Connector]:
    state = Connector()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if not self.path.startswith("/v3/conversations/"):
                self.send_response(404)
                self.end_headers()
                return
            state.posts.append((unquote(self.path), json.loads(body or b"{}")))
            payload = json.dumps({"id": f"sent-{len(state.posts)}"} if state.status < 300 else
                                 {"error": {"code": "Nope", "message": "stand-in says no"}}).encode()
            self.send_response(state.status)
            for name, value in state.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def do_PUT(self) -> None:  # noqa: N802 - updateActivity: PUT .../activities/{activityId}
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if not self.path.startswith("/v3/conversations/") or "/activities/" not in self.path:
                self.send_response(404)
                self.end_headers()
                return
            state.updates.append((unquote(self.path), json.loads(body or b"{}")))
            payload = json.dumps({"id": unquote(self.path).rsplit("/", 1)[-1]}).encode()
            self.send_response(state.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            path = unquote(self.path.split("?", 1)[0])
            conversation, found, member_id = path.partition("/members/")
            if not conversation.startswith("/v3/conversations/") or not found:
                self.send_response(404)
                self.end_headers()
                return
            state.member_lookups.append(member_id)
            member = state.members.get(member_id)
            payload = json.dumps(member if member is not None else
                                 {"error": {"code": "MemberNotFoundInConversation",
                                            "message": "stand-in knows no such member"}}).encode()
            self.send_response(200 if member is not None else 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet tests
            pass

    with serving(Handler) as state.url:
        yield state


@contextmanager
def serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """``handler`` on a free local port, in a thread; yields the base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def mentioning(service_url: str, text: str, mentioned: list[dict[str, str]],
               n: int = 1) -> dict[str, Any]:
    """The JSON Teams posts for Bo's channel message ``<at>Moments</at> text``, mentioning the
    bot and ``mentioned`` (each ``{"id", "name"}``); ``n`` makes its ids unique."""
    return {
        "type": "message", "id": f"17000000000{n}", "serviceUrl": service_url, "channelId": "msteams",
        "text": f"<at>Moments</at> {text}", "textFormat": "plain",
        "from": {"id": "29:bo", "name": "Bo", "aadObjectId": "aad-bo"},
        "conversation": {"isGroup": True, "conversationType": "channel", "tenantId": TENANT,
                         "id": f"{CHANNEL};messageid=17000000000{n}"},
        "recipient": {"id": "28:moments-bot", "name": "Moments"},
        "entities": [{"type": "mention", "text": "<at>Moments</at>",
                      "mentioned": {"id": "28:moments-bot", "name": "Moments"}}] +
                    [{"type": "mention", "text": f"<at>{m['name']}</at>", "mentioned": m}
                     for m in mentioned],
        "channelData": {"tenant": {"id": TENANT}, "channel": {"id": CHANNEL}, "team": {"id": CHANNEL}},
    }
