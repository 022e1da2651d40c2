"""A local stand-in for the Slack Web API that records every call (and response_url posts)."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from tests.handlers.slack.image_downloads import refusal


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    headers: dict[str, str]


@dataclass
class SlackStandIn:
    calls: list[Call] = field(default_factory=list)
    fail_next: list[tuple[int, dict[str, str]]] = field(default_factory=list)  # (status, headers)
    history: dict[str, str] = field(default_factory=dict)  # ts -> text for conversations.history
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    url: str = ""
    hold_uploads: threading.Event | None = None  # file uploads wait for it (slow uploads)
    files: dict[str, str | None] = field(default_factory=dict)  # id -> channel shared to (None:
    # unshared), for files whose upload was completed
    not_ready: int = 0  # posts showing a new file Slack refuses as "not ready" before it takes one
    fetched: list[tuple[str, bytes | None]] = field(default_factory=list)  # image_url downloads
    # (url, the PNG or None when it failed), made while taking a chat.postMessage, as Slack does

    def named(self, method: str) -> list[Call]:
        with self.lock:
            return [c for c in self.calls if c.method == method]

    def answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {"ok": True, "user_id": "UBOT", "bot_id": "BBOT", "team_id": "T1", "team": "Acme"}
        if method == "users.info":
            user = self.users.get(str(args.get("user")), {})
            return {"ok": True, "user": {"id": args.get("user"), "name": user.get("name", "someone"),
                                         "is_admin": user.get("is_admin", False), "is_owner": False,
                                         "profile": {"display_name": user.get("name", "")}}}
        if method == "conversations.history":
            ts = str(args.get("latest"))
            msgs = [{"ts": ts, "user": "U2", "text": self.history[ts]}] if ts in self.history else []
            return {"ok": True, "messages": msgs}
        if method == "files.getUploadURLExternal":
            file_id = f"F{len(self.named(method)):09d}"
            return {"ok": True, "upload_url": self.url + "upload", "file_id": file_id}
        if method == "files.completeUploadExternal":
            done = args.get("files")
            done = json.loads(done) if isinstance(done, str) else done or []
            for f in done:
                self.files[str(f["id"])] = args.get("channel_id") or None
            return {"ok": True, "files": [{"id": f["id"], "title": f.get("title")} for f in done]}
        if method == "chat.postMessage":
            refused = refusal(args.get("blocks"), self.fetched)
            if refused is not None:
                return refused
            shown = [b["slack_file"]["id"] for b in args.get("blocks") or []
                     if isinstance(b, dict) and b.get("type") == "image" and "slack_file" in b]
            if any(f not in self.files for f in shown) or (shown and self.not_ready > 0):
                self.not_ready -= 1 if shown else 0
                return {"ok": False, "error": "invalid_blocks",
                        "errors": ["invalid slack file [json-pointer:/blocks/2/slack_file]"]}
            return {"ok": True, "channel": args.get("channel"), "ts": "1700000001.000100"}
        return {"ok": True}


def start() -> tuple[SlackStandIn, ThreadingHTTPServer]:
    state = SlackStandIn()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            data = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if self.path.partition("?")[0].endswith("/upload"):
                if state.hold_uploads is not None:
                    state.hold_uploads.wait(30)
                with state.lock:
                    state.calls.append(Call("upload", {"bytes": data}, dict(self.headers)))
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"OK")
                return
            raw = data.decode()
            if self.headers.get("Content-Type", "").startswith("application/json"):
                args = json.loads(raw or "{}")
            else:
                args = {k: v[0] for k, v in parse_qs(raw).items()}
            path, _, query = self.path.partition("?")  # the async client sends some args here
            args.update({k: v[0] for k, v in parse_qs(query).items()})
            method = path.rsplit("/", 1)[-1]
            for key in ("blocks", "view"):
                if isinstance(args.get(key), str):
                    args[key] = json.loads(args[key])
            with state.lock:
                state.calls.append(Call(method, args, dict(self.headers)))
                failure = state.fail_next.pop(0) if state.fail_next else None
            if failure:
                status, headers = failure
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                body = json.dumps({"ok": False, "error": "ratelimited"}).encode()
            else:
                self.send_response(200)
                body = json.dumps(state.answer(method, args)).encode()
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/api/"
    return state, server
