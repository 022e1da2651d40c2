"""A local stand-in for the Slack Web API (and response_url posts) on 127.0.0.1 that records every
call and can be told to answer with an error first (429 with Retry-After, 500), for every caller
or for one token (one workspace), and to hold a method's answers until told (to count how many
of its calls are in flight at once)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from tests.handlers.slack.image_downloads import refusal


@dataclass
class Call:
    method: str  # "chat.postMessage", ..., or "response" for a response_url post
    args: dict[str, Any]
    headers: dict[str, str]
    at: float = field(default_factory=time.monotonic)  # when it arrived

    @property
    def token(self) -> str:
        return self.headers.get("Authorization", "").removeprefix("Bearer ")


@dataclass
class SlackApi:
    url: str = ""  # the Web API base URL, ending in /api/
    calls: list[Call] = field(default_factory=list)
    failures: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    history: dict[str, dict[str, str]] = field(default_factory=dict)  # ts -> message
    # a reply's ts -> its thread, parent first (conversations.history never returns replies)
    replies: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    channel_names: dict[str, str] = field(default_factory=dict)  # conversations.info: id -> name
    lock: threading.Lock = field(default_factory=threading.Lock)
    # (method, token) -> failures for that workspace's calls of that method only
    failures_for: dict[tuple[str, str], list[tuple[int, dict[str, str]]]] = field(default_factory=dict)
    held: dict[str, threading.Event] = field(default_factory=dict)  # method -> answered once set
    in_flight: dict[str, int] = field(default_factory=dict)  # method -> calls not yet answered
    most_in_flight: dict[str, int] = field(default_factory=dict)
    # image_url downloads made while taking a chat.postMessage, as Slack makes them: (url, the
    # PNG or None when it failed; the post is then refused)
    fetched: list[tuple[str, bytes | None]] = field(default_factory=list)

    @property
    def response_url(self) -> str:
        return self.url.replace("/api/", "/response/1")

    def named(self, method: str) -> list[Call]:
        with self.lock:
            return [c for c in self.calls if c.method == method]

    def fail_next(self, status: int, headers: dict[str, str] | None = None) -> None:
        with self.lock:
            self.failures.append((status, headers or {}))

    def fail_next_for(self, method: str, token: str, status: int,
                      headers: dict[str, str] | None = None) -> None:
        with self.lock:
            self.failures_for.setdefault((method, token), []).append((status, headers or {}))

    def hold(self, method: str) -> threading.Event:
        """Answer ``method``'s calls only once the returned event is set."""
        gate = threading.Event()
        with self.lock:
            self.held[method] = gate
        return gate

    def _failure(self, method: str, token: str) -> tuple[int, dict[str, str]] | None:
        own = self.failures_for.get((method, token))
        if own:
            return own.pop(0)
        return self.failures.pop(0) if self.failures else None

    def recorded(self) -> str:
        """Every recorded call's arguments as JSON text (for "is this anywhere?" checks)."""
        with self.lock:
            return json.dumps([c.args for c in self.calls], ensure_ascii=False)

    def answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {"ok": True, "user_id": "UBOT", "bot_id": "BBOT", "team_id": "T1", "team": "Acme",
                    "url": "https://acme.slack.com/"}
        if method == "users.info":
            user = self.users.get(str(args.get("user")), {})
            return {"ok": True, "user": {"id": args.get("user"), "name": user.get("name", "someone"),
                                         "team_id": user.get("team_id", "T1"),
                                         "is_admin": user.get("is_admin", False), "is_owner": False,
                                         "tz": user.get("tz", "Europe/Amsterdam"),
                                         "profile": {"display_name": user.get("name", "")}}}
        if method == "conversations.info":
            channel = str(args.get("channel"))
            return {"ok": True, "channel": {"id": channel, "name": self.channel_names.get(channel, "general"),
                                            "is_channel": True}}
        if method == "conversations.history":
            found = self.history.get(str(args.get("latest")))
            return {"ok": True, "messages": [found] if found else [], "has_more": False}
        if method == "conversations.replies":
            return self._thread(args)
        if method == "conversations.open":
            return {"ok": True, "channel": {"id": "D" + str(args.get("users"))}}
        if method == "files.getUploadURLExternal":  # F1, F2, ...: one id a file
            file_id = f"F{len(self.named(method))}"
            return {"ok": True, "upload_url": self.url.replace("/api/", f"/upload/{file_id}"),
                    "file_id": file_id}
        if method == "files.completeUploadExternal":
            done = args.get("files")
            done = json.loads(done) if isinstance(done, str) else done or []
            return {"ok": True, "files": [{"id": f["id"], "title": f.get("title")} for f in done]}
        if method in ("chat.postMessage", "chat.update"):
            refused = refusal(args.get("blocks"), self.fetched)
            if refused is not None:
                return refused
            return {"ok": True, "channel": args.get("channel"), "ts": args.get("ts") or "1700000099.000100"}
        return {"ok": True}


    def _thread(self, args: dict[str, Any]) -> dict[str, Any]:
        """As Slack documents it: oldest first, led by the parent, the rest within oldest..latest."""
        thread = self.replies.get(str(args.get("ts")))
        if thread is None:
            return {"ok": False, "error": "thread_not_found"}
        oldest, latest = float(args.get("oldest") or 0), float(args.get("latest") or "inf")
        inside = [m for m in thread[1:] if oldest <= float(m["ts"]) <= latest]
        limit = int(args.get("limit") or 15)
        return {"ok": True, "messages": ([thread[0]] + inside)[:limit], "has_more": False}


def _args(raw: str, content_type: str) -> dict[str, Any]:
    if content_type.startswith("application/json"):
        args: dict[str, Any] = json.loads(raw or "{}")
    else:
        args = {k: v[0] for k, v in parse_qs(raw).items()}
    for key in ("blocks", "view"):
        if isinstance(args.get(key), str):
            args[key] = json.loads(args[key])
    return args


@contextmanager
def running() -> Iterator[SlackApi]:
    api = SlackApi()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            data = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            path = self.path.split("?", 1)[0]
            if path.startswith("/upload/"):  # files_upload_v2's upload URL: the file's bytes
                with api.lock:
                    api.calls.append(Call("upload", {"bytes": data}, dict(self.headers)))
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"OK")
                return
            raw = data.decode()
            method = "response" if path.startswith("/response/") else path.rsplit("/", 1)[-1]
            args = _args(raw, self.headers.get("Content-Type", ""))
            if "?" in self.path:  # a GET's arguments (the async client reads with GET, as Slack allows)
                args = {**_args(self.path.split("?", 1)[1], ""), **args}
            call = Call(method, args, dict(self.headers))
            with api.lock:
                api.calls.append(call)
                failure = api._failure(method, call.token)
                gate = api.held.get(method)
                api.in_flight[method] = api.in_flight.get(method, 0) + 1
                api.most_in_flight[method] = max(api.most_in_flight.get(method, 0), api.in_flight[method])
            if gate is not None:
                gate.wait(30)
            with api.lock:
                api.in_flight[method] -= 1
            status, headers = failure or (200, {})
            body = json.dumps({"ok": False, "error": "ratelimited" if status == 429 else "fatal_error"}
                              if failure else api.answer(method, args)).encode()
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST  # noqa: N815 - users.info and the other reads, from the async client

        def log_message(self, *args: object) -> None:
            pass

    class Server(ThreadingHTTPServer):
        request_queue_size = 128  # (socketserver's 5 drops a burst of connections for a second)

    server = Server(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    api.url = f"http://127.0.0.1:{server.server_address[1]}/api/"
    try:
        yield api
    finally:
        server.shutdown()
        server.server_close()
