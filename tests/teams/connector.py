"""A local stand-in for the Bot Framework connector service (an activity's serviceUrl).

It records what the bot posts (``POST /v3/conversations/{id}/activities[/{replyToId}]``) and
answers ``{"id": ...}``, or the status it is told to answer with.
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


@dataclass
class Connector:
    url: str = ""
    posts: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)

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

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet tests
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
