"""Fault tests: real `moments serve` processes on a scratch PostgreSQL database, signed Slack
requests over HTTP, and a stand-in Slack Web API that records where every answer went.

Each test gets its own database (`faults_<random>`), dropped afterwards: the server is shared, so
a test never restarts it and only ever terminates the backends of its own database.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa

from storage import upgrade
from tests.handlers.slack.stand_in import Call, SlackApi, _args
from tests.storage.conftest import _admin_url, postgres_admin  # noqa: F401 - the shared skip/fail rule

ROOT = Path(__file__).resolve().parents[3]
SECRET = "faults-signing-secret"
TEAM_ID = "T1"
CHANNEL = "C1"
OOPS_WORDS = "nothing was saved. Please try again"
CONNECTION_ERRORS = (ConnectionError, http.client.RemoteDisconnected, http.client.BadStatusLine,
                     socket.timeout)


# the stand-in Slack Web API, recording each response_url's path


@dataclass
class Api:
    """tests.handlers.slack.stand_in's answers, plus the path of every response_url post, so that an
    answer can be matched to the one command it belongs to."""

    inner: SlackApi
    responses: dict[str, list[str]] = field(default_factory=dict)  # path -> texts

    @property
    def url(self) -> str:
        return self.inner.url

    def response_url(self, key: str) -> str:
        return self.inner.url.replace("/api/", f"/response/{key}")

    def answers_to(self, key: str) -> list[str]:
        with self.inner.lock:
            return list(self.responses.get(f"/response/{key}", []))

    def ephemerals_to(self, user: str) -> list[str]:
        return [str(c.args.get("text", "")) for c in self.inner.named("chat.postEphemeral")
                if c.args.get("user") == user]

    def posts_to(self, channel: str) -> list[Call]:
        return [c for c in self.inner.named("chat.postMessage") if c.args.get("channel") == channel]


@contextmanager
def stand_in() -> Iterator[Api]:
    api = Api(SlackApi())

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
            path = self.path.split("?", 1)[0]
            is_response = path.startswith("/response/")
            method = "response" if is_response else path.rsplit("/", 1)[-1]
            args = _args(raw, self.headers.get("Content-Type", ""))
            if "?" in self.path:  # a GET's arguments (the async client reads with GET, as Slack allows)
                args = {**_args(self.path.split("?", 1)[1], ""), **args}
            with api.inner.lock:
                api.inner.calls.append(Call(method, args, dict(self.headers)))
                if is_response:
                    api.responses.setdefault(path, []).append(str(args.get("text", "")))
            body = json.dumps(api.inner.answer(method, args)).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST  # noqa: N815 - users.info and the other reads, from the async client

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    api.inner.url = f"http://127.0.0.1:{server.server_address[1]}/api/"
    try:
        yield api
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def api() -> Iterator[Api]:
    with stand_in() as running:
        yield running


# a scratch database


@dataclass
class Scratch:
    url: str
    name: str
    admin: sa.Engine

    def terminate_backends(self) -> int:
        """Every connection the servers hold on this database is dropped, as a failover would."""
        with self.admin.connect() as conn:
            return len(conn.execute(sa.text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = :db AND pid <> pg_backend_pid()"), {"db": self.name}).all())

    def scalar(self, sql: str, **params: Any) -> Any:
        with self.engine().connect() as conn:
            return conn.execute(sa.text(sql), params).scalar()

    def rows(self, sql: str, **params: Any) -> list[Any]:
        with self.engine().connect() as conn:
            return list(conn.execute(sa.text(sql), params).all())

    def engine(self) -> sa.Engine:
        if not hasattr(self, "_engine"):
            self._engine = sa.create_engine(self.url, poolclass=sa.NullPool)
        return self._engine

    def leader(self) -> str | None:
        """The application_name of the connection holding the scheduler's advisory lock."""
        from storage.leadership import LOCK_KEY

        found = self.rows(
            "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a USING (pid) "
            "WHERE l.locktype = 'advisory' AND l.granted AND a.datname = :db "
            "AND (l.classid::bigint << 32) + l.objid::bigint = :key", db=self.name, key=LOCK_KEY)
        return str(found[0][0]) if found else None


@pytest.fixture
def scratch(postgres_admin: sa.Engine) -> Iterator[Scratch]:  # noqa: F811 - the imported fixture
    name = f"faults_{uuid.uuid4().hex[:12]}"
    with postgres_admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = sa.make_url(_admin_url()).set(database=name).render_as_string(hide_password=False)
    db = Scratch(url, name, postgres_admin)
    try:
        upgrade(url)
        yield db
    finally:
        if hasattr(db, "_engine"):
            db._engine.dispose()
        with postgres_admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class PgProxy:
    """A TCP proxy in front of PostgreSQL that can go away and come back, as the server does when
    it restarts: ``down()`` cuts every connection and refuses new ones; ``up()`` listens again
    on the same port. The shared server itself is never restarted (other tests use it)."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = free_port()
        self._pairs: list[tuple[socket.socket, socket.socket]] = []
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None
        self.up()

    def url(self, url: str) -> str:
        return sa.make_url(url).set(host="127.0.0.1", port=self.port).render_as_string(hide_password=False)

    def up(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def down(self) -> int:
        """Returns how many connections were cut."""
        with self._lock:
            listener, self._listener = self._listener, None
        if listener is not None:
            # shutdown wakes the accept() blocked in _accept; close alone leaves that call
            # listening on Linux, and the next connection slipped through the outage uncut
            with suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()
        with self._lock:
            pairs, self._pairs = self._pairs, []
        for a, b in pairs:
            for sock in (a, b):
                with suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
        return len(pairs)

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # closed by down()
            try:
                server = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self._lock:
                if self._listener is not listener:  # went down meanwhile: refused after all
                    client.close()
                    server.close()
                    return
                self._pairs.append((client, server))
            for src, dst in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(src, dst), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (src, dst):
                with suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)


# `moments serve` processes


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    name: str
    port: int
    proc: subprocess.Popen[bytes]
    log: Path

    def post(self, body: str, content_type: str, timeout: float = 10.0,
             headers: dict[str, str] | None = None) -> int:
        """The HTTP status of one signed request; connection failures raise (see CONNECTION_ERRORS)."""
        return self.exchange(body, content_type, timeout, headers)[0]

    def exchange(self, body: str, content_type: str, timeout: float = 10.0,
                 headers: dict[str, str] | None = None) -> tuple[int, str]:
        """The HTTP status and body of one signed request."""
        stamp = str(int(time.time()))
        mac = hmac.new(SECRET.encode(), f"v0:{stamp}:{body}".encode(), hashlib.sha256).hexdigest()
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request("POST", "/slack/events", body=body.encode(), headers={
                "Content-Type": content_type, "X-Slack-Request-Timestamp": stamp,
                "X-Slack-Signature": f"v0={mac}", **(headers or {})})
            resp = conn.getresponse()
            return resp.status, resp.read().decode(errors="replace")
        finally:
            conn.close()

    def command(self, text: str, response_url: str, user: str = "U1", command: str = "/ow") -> int:
        return self.command_exchange(text, response_url, user, command)[0]

    def command_exchange(self, text: str, response_url: str, user: str = "U1",
                         command: str = "/ow") -> tuple[int, str]:
        return self.exchange(urlencode({
            "command": command, "text": text, "team_id": TEAM_ID, "user_id": user,
            "user_name": user.lower(), "channel_id": CHANNEL, "channel_name": "gate",
            "trigger_id": f"{uuid.uuid4().int % 10**10}.2.{uuid.uuid4().hex[:10]}",
            "response_url": response_url, "api_app_id": "A1"}),
            "application/x-www-form-urlencoded")

    def reaction(self, event_id: str, user: str, ts: str, emoji: str = "disappointed",
                 headers: dict[str, str] | None = None) -> int:
        event = {"type": "reaction_added", "user": user, "reaction": emoji, "item_user": "U9",
                 "item": {"type": "message", "channel": CHANNEL, "ts": ts}, "event_ts": ts}
        return self.post(json.dumps({"token": "t", "team_id": TEAM_ID, "api_app_id": "A1", "event": event,
                                     "type": "event_callback", "event_id": event_id, "event_time": 1}),
                         "application/json", headers=headers)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)

    def tail(self, lines: int = 40) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


def start_server(name: str, url: str, api: Api, logs: Path) -> Server:
    """`moments serve` in HTTP mode; its PostgreSQL connections carry ``name`` as application_name."""
    port = free_port()
    db_url = sa.make_url(url).update_query_dict({"application_name": name}).render_as_string(
        hide_password=False)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SLACK_", "MICROSOFT_", "MOMENTS_", "DATABASE_"))}
    env |= {"DATABASE_URL": db_url, "SLACK_SIGNING_SECRET": SECRET, "SLACK_BOT_TOKEN": "xoxb-faults",
            "SLACK_API_URL": api.url, "SLACK_HISTORY_INTERVAL_SECONDS": "0",
            "MOMENTS_LOG_LEVEL": "WARNING", "PYTHONUNBUFFERED": "1"}
    log = logs / f"{name}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "handlers.cli", "serve", "--host", "127.0.0.1",
                                 "--port", str(port)], cwd=ROOT, env=env, stdout=out,
                                stderr=subprocess.STDOUT)
    return Server(name, port, proc, log)


def wait_healthy(*servers: Server, timeout: float = 40.0) -> None:
    deadline = time.monotonic() + timeout
    for server in servers:
        while True:
            assert server.proc.poll() is None, f"{server.name} exited:\n{server.tail()}"
            try:
                conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=1)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    conn.close()
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, f"{server.name} did not start:\n{server.tail()}"
            time.sleep(0.1)


@pytest.fixture
def serve(api: Api, scratch: Scratch, tmp_path: Path) -> Iterator[Callable[[str], Server]]:
    """Starts `moments serve` processes on the scratch database; stops whatever is left after."""
    started: list[Server] = []

    def start(name: str) -> Server:
        server = start_server(name, scratch.url, api, tmp_path)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def burst(commands: int, reactions: int) -> list[tuple[str, int]]:
    """Commands with a reaction after every second one, as a burst arrives."""
    jobs: list[tuple[str, int]] = [("command", n) for n in range(commands)]
    for n in range(reactions):
        jobs.insert(n * 3 + 1, ("reaction", n))
    return jobs


def wait_until(check: Callable[[], bool], timeout: float, step: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(step)
    return True


def seed_team(url: str, channel: str = CHANNEL, ow: str = "", **schedule: str) -> int:
    """A workspace T1 and a team in ``channel``; ``schedule`` overrides prompt_at and the like;
    ``ow`` is logged as an OW (a weekly prompt needs one to ask about). Returns the team's id."""
    from dataclasses import replace

    from bot.clock import SystemClock
    from bot.commands import ChatContext, CommandRouter
    from bot.domain import Platform
    from bot.services import Actor, Services
    from storage import open_store
    from tests.fakes import FakeFiler

    store = open_store(url, migrate=False)
    try:
        services = Services(store=store, clock=SystemClock(), make_filer=FakeFiler)
        ws = store.workspace(platform=Platform.SLACK, external_id=TEAM_ID).id
        team = services.journey.setup_team(workspace_id=ws, actor=Actor("ULEAD", "Lena", is_admin=True),
                                           channel=channel, name=f"Team {channel}", template="airline")
        if schedule:
            with store.transaction(ws) as repo:
                repo.save_team(replace(team, **schedule))
        if ow:
            CommandRouter(services).handle(ChatContext(ws, channel, Actor("U2")), "/ow", ow)
        return team.id
    finally:
        store.close()


def far_from(now_iso_weekday: int) -> dict[str, str]:
    """A weekly rhythm three days away from today (UTC), so nothing falls due during a test."""
    from bot.schedule import DAYS

    day = DAYS[(now_iso_weekday - 1 + 3) % 7]
    return {"prompt_at": f"{day} 12:00", "votes_close_at": f"{day} 13:00", "digest_at": f"{day} 14:00"}
