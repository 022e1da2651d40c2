"""Weekly delivery benchmark: the Monday prompt and the Friday digest for many teams on PostgreSQL.

    .venv/bin/python bench/weekly.py [--teams 1000] [--replicas 2] [--api-latency 0.15]
    .venv/bin/python bench/weekly.py --teams 10000 --idle-only

It creates a throwaway PostgreSQL database with one Slack workspace and N teams (each in its own
channel, each with a few moments so the digest has a chart to draw), starts a local stand-in for
the Slack Web API that waits --api-latency seconds before each answer, then starts R replica
processes that each run the scheduler's own tick (handlers/scheduled.tick, with the real
SlackNotifier, charts included) at the Monday prompt hour and then at the Friday digest hour.
It prints, for each post kind, how long until every post was out, the posts each replica sent,
and doubles (the same team, kind and week posted twice: must be 0); and how long a tick takes
when nothing is due. Everything runs on 127.0.0.1 and stops by itself.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from load import free_port, throwaway_database  # noqa: E402

TEAM = "TWEEKLY1"
TZ = "Europe/Stockholm"
# Monday 2026-11-09 09:01 and Friday 2026-11-13 16:01 in Stockholm (UTC+1); Tuesday 03:00 idle.
PROMPT_AT = datetime(2026, 11, 9, 8, 1, tzinfo=UTC)
DIGEST_AT = datetime(2026, 11, 13, 15, 1, tzinfo=UTC)
IDLE_AT = datetime(2026, 11, 10, 2, 0, tzinfo=UTC)
REPORTS = ("the gate agent rebooked a whole family in two minutes",
           "40 minutes in the check-in queue",
           "lost my suitcase and nobody called back")


class _Fixed:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at


class _WebApi(BaseHTTPRequestHandler):
    latency = 0.0
    posts: list[tuple[str, str, int]] = []  # (post key, channel, replica pid)
    lock = threading.Lock()

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        length = int(self.headers.get("Content-Length", 0))
        raw = self.rfile.read(length).decode("utf-8", "replace")
        time.sleep(self.latency)
        method = self.path.rsplit("/", 1)[-1]
        args = _args(raw, self.headers.get("Content-Type", ""))
        port = self.server.server_address[1]
        body: dict[str, object] = {"ok": True}
        if method == "auth.test":
            body.update(user_id="UBOT", bot_id="BBOT", team_id=TEAM, team="Weekly")
        elif method == "chat.postMessage":
            metadata = args.get("metadata") or {}
            if isinstance(metadata, str):
                metadata = json.loads(metadata)
            key = str(metadata.get("event_payload", {}).get("post", ""))
            with self.lock:
                self.posts.append((key, str(args.get("channel", "")),
                                   int(self.headers.get("X-Replica", "0") or 0)))
            body.update(channel=args.get("channel"), ts=f"{time.time():.6f}")
        elif method == "files.getUploadURLExternal":
            body.update(upload_url=f"http://127.0.0.1:{port}/upload/F1", file_id="F1")
        elif method == "files.completeUploadExternal":
            body["files"] = [{"id": "F1"}]
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


def _args(raw: str, content_type: str) -> dict[str, object]:
    if "json" in content_type:
        try:
            loaded = json.loads(raw or "{}")
            return loaded if isinstance(loaded, dict) else {}
        except json.JSONDecodeError:
            return {}
    return {k: v[0] for k, v in parse_qs(raw).items()}


@contextmanager
def web_api(latency: float) -> Iterator[tuple[str, type[_WebApi]]]:
    handler = type("WebApi", (_WebApi,), {"latency": latency, "posts": [], "lock": threading.Lock()})
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/api/", handler
    finally:
        server.shutdown()


def seed(url: str, teams: int, with_moments: bool) -> float:
    from bot.domain import MomentKind, Platform, Source
    from bot.filing import KeywordFiler
    from bot.services import Actor
    from bot.services.base import Deps
    from bot.services.journey import JourneyService
    from bot.services.moments import MomentService
    from storage import open_store

    started = time.monotonic()
    store = open_store(url)
    ws = store.workspace(platform=Platform.SLACK, external_id=TEAM, name="Weekly")
    deps = Deps(store, _Fixed(datetime(2026, 11, 10, 10, 0, tzinfo=UTC)), KeywordFiler)
    journey, moments = JourneyService(deps), MomentService(deps)
    lead = Actor("ULEAD", "Lead", True)
    for n in range(teams):
        team = journey.setup_team(workspace_id=ws.id, actor=lead, channel=f"CW{n:06d}",
                                  name=f"Crew {n}", template="airline", timezone=TZ)
        if with_moments:
            for i, text in enumerate(REPORTS):
                moments.report(workspace_id=ws.id, team_id=team.id, actor=Actor(f"U{i}", f"P{i}"),
                               kind=MomentKind.WOW if i == 0 else MomentKind.OW, text=text,
                               source=Source.COMMAND)
    store.close()
    return time.monotonic() - started


def replica(url: str, api_url: str, at_iso: str, go: mp.Event, out: mp.Queue) -> None:  # type: ignore[type-arg]
    import os

    from bot.config import Settings
    from bot.filing import KeywordFiler
    from bot.services import Services
    from handlers.notify import SlackNotifier
    from handlers.scheduled import tick
    from storage import open_store
    from storage.leadership import AdvisoryLeadership

    store = open_store(url, migrate=False)
    services = Services(store=store, clock=_Fixed(datetime.fromisoformat(at_iso)), make_filer=KeywordFiler)
    settings = Settings(slack_bot_token="xoxb-bench", slack_api_url=api_url)
    notifier = SlackNotifier(settings)
    original = notifier._client

    def client(workspace):  # type: ignore[no-untyped-def]
        made = original(workspace)
        made.headers = {**(made.headers or {}), "X-Replica": str(os.getpid())}
        return made

    notifier._client = client  # type: ignore[method-assign]
    go.wait()
    started = time.monotonic()
    attempted = tick(services, notifier, AdvisoryLeadership(store.engine))
    out.put((os.getpid(), attempted, time.monotonic() - started))
    store.close()


def run_tick(url: str, api_url: str, at: datetime, replicas: int) -> list[tuple[int, int, float]]:
    ctx = mp.get_context("spawn")
    go, out = ctx.Event(), ctx.Queue()
    procs = [ctx.Process(target=replica, args=(url, api_url, at.isoformat(), go, out))
             for _ in range(replicas)]
    for proc in procs:
        proc.start()
    time.sleep(3.0)  # let every replica import and connect before the tick
    go.set()
    results = [out.get(timeout=3600) for _ in procs]
    for proc in procs:
        proc.join()
    return results


def idle_tick(url: str, api_url: str) -> float:
    results = run_tick(url, api_url, IDLE_AT, 1)
    return results[0][2]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--teams", type=int, default=1000)
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--api-latency", type=float, default=0.15, help="seconds the stand-in waits per call")
    parser.add_argument("--idle-only", action="store_true", help="only time a tick when nothing is due")
    args = parser.parse_args()

    with throwaway_database() as url, web_api(args.api_latency) as (api_url, api):
        took = seed(url, args.teams, with_moments=not args.idle_only)
        print(f"set up {args.teams} teams in {took:.1f} s; stand-in Web API answers in "
              f"{args.api_latency * 1000:.0f} ms")
        if not args.idle_only:
            for label, at in (("prompt (Monday)", PROMPT_AT), ("digest (Friday)", DIGEST_AT)):
                before = len(api.posts)
                started = time.monotonic()
                results = run_tick(url, api_url, at, args.replicas)
                wall = time.monotonic() - started - 3.0
                posts = api.posts[before:]
                keys = Counter(key for key, _, _ in posts)
                doubles = sum(n - 1 for n in keys.values() if n > 1)
                per_replica = Counter(pid for _, _, pid in posts)
                print(f"{label}: {len(posts)} posts to {len({c for _, c, _ in posts})} channels in "
                      f"{wall:.1f} s ({len(posts) / wall if wall > 0 else 0:.1f} posts/s); "
                      f"doubles {doubles}; per replica "
                      + ", ".join(f"{per_replica.get(pid, 0)} (tick {t:.1f} s)" for pid, _, t in results))
        print(f"idle tick (nothing due) at {args.teams} teams: {idle_tick(url, api_url):.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
