"""Weekly delivery benchmark: the Monday prompt, the Thursday vote result and the Friday digest
for many teams on PostgreSQL, on several replica processes, optionally killing one mid-run.

    .venv/bin/python bench/weekly.py [--teams 1000] [--replicas 2] [--api-latency 0.15] [--kill]
                                     [--workspaces 1] [--upload-charts]
    .venv/bin/python bench/weekly.py --teams 10000 --idle-only

It creates a throwaway PostgreSQL database with W Slack workspaces (--workspaces, each its own
token) and N teams spread over them (each in its own channel, each with a few moments so the
digest has a chart to draw), starts a local stand-in for the Slack Web API that waits
--api-latency seconds before each answer and keeps each channel's
messages (so conversations.history can find a post again, as Slack's can) and the files uploaded
to it (a post's image block must show a completed upload, or it is refused as Slack refuses an
unknown slack_file), then starts R replica
processes that each run the scheduler's own tick (handlers/scheduled.tick, with the real
SlackNotifier, charts included) at Monday's prompt hour, Thursday's vote close and Friday's
digest hour. For each it prints how long until every post (and, on Friday, every chart) was
out, the posts each replica sent, doubles (the same team, kind and week posted twice: must be 0)
and lost (a team's post missing at the end: must be 0); on Friday also the digests without their
chart (none of its posts showed one, nor was one shared to its channel: must be 0) and the
unshared uploads no post showed (left by a replica killed between upload and post: harmless).

--kill SIGKILLs the last replica once a quarter of the posts are out; the others finish their
share, then a fresh replica ticks 11 minutes later by the schedule's clock (past the 10-minute
lease on the dead replica's teams and its posts' in-flight mark: in production, the next ticks
after that) and settles what the dead one left: it looks in the channel for posts it may have
sent and sends only those surely not there.

Charts go by URL by default, as on a server with a public URL (MOMENTS_PUBLIC_URL): each replica
serves GET /charts/<token>.png from the database on a port of its own (the route `moments serve`
adds, handlers/slack/chart_links.py) and is configured with that address as its public URL; the
stand-in downloads each image_url while it takes the chat.postMessage, as Slack does, and refuses
the post when the download fails or is not a PNG. --upload-charts runs the way without a public
URL instead: Slack's rate limits are kept per workspace, as in production, so a workspace's chart
uploads keep to the files methods' tier (Tier 4, 100 a minute after a burst of half a minute's
worth, counted per replica process), and in one workspace 1,000 digests' charts take minutes,
whatever the bot does; spread over --workspaces they go at once.

Then it times a tick when nothing is due (Sunday, after every phase ran): in a fresh process, its first tick
(connecting included) and its second, and prints PostgreSQL's plan for the due query.
--idle-only seeds the teams faster (no moments), sets each team's next time the way a tick
would (storage/due.py, from the core's schedule), and runs only that.
Everything runs on 127.0.0.1 and stops by itself.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import queue
import signal
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from load import free_port, throwaway_database  # noqa: E402

from tests.handlers.slack.image_downloads import refusal  # noqa: E402 - Slack's image_url download

TEAM = "TWEEKLY1"  # the first workspace's Slack id; the others are TWEEKLY2, TWEEKLY3...
TZ = "Europe/Stockholm"
# In Stockholm (UTC+1): Monday 2026-11-09 09:01 (prompts), Thursday 11-12 17:01 (the votes close
# at 17:00 by default), Friday 11-13 16:01 (digests); on Sunday nothing is due.
PHASES = (("prompt", "prompt (Monday)", datetime(2026, 11, 9, 8, 1, tzinfo=UTC)),
          ("votes_closed", "vote result (Thursday)", datetime(2026, 11, 12, 16, 1, tzinfo=UTC)),
          ("digest", "digest with chart (Friday)", datetime(2026, 11, 13, 15, 1, tzinfo=UTC)))
IDLE_AT = datetime(2026, 11, 15, 12, 0, tzinfo=UTC)  # Sunday noon: past Friday's 12-hour grace
NEXT_PROMPT = datetime(2026, 11, 16, 8, 1, tzinfo=UTC)  # the Monday after: every team due again
AFTER_LEASE = timedelta(minutes=11)  # handlers/scheduled.LEASE and cycle.IN_FLIGHT are 10
REPORTS = ("the gate agent rebooked a whole family in two minutes",
           "40 minutes in the check-in queue",
           "lost my suitcase and nobody called back")


class _Fixed:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at


@dataclass
class Message:
    key: str  # the weekly post's key from its metadata ("" for a chart's file share)
    channel: str
    replica: int
    at: float  # time.monotonic() when the stand-in took it
    charts: int = 0  # image blocks showing a file uploaded here or a PNG downloaded by URL


class _WebApi(BaseHTTPRequestHandler):
    latency = 0.0
    posts: list[Message] = []
    charts: list[Message] = []  # files shared to a channel by files.completeUploadExternal
    files: dict[str, str | None] = {}  # completed uploads: file id -> channel (None: unshared)
    shown: set[str] = set()  # files shown by a post's image block
    uploads = 0  # files.getUploadURLExternal calls
    downloads: list[tuple[str, bytes | None]] = []  # image_url downloads (None: it failed)
    lock = threading.Lock()

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        length = int(self.headers.get("Content-Length", 0))
        raw = self.rfile.read(length).decode("utf-8", "replace")
        time.sleep(self.latency)
        path, _, query = self.path.partition("?")  # the async client sends some args there
        method = path.rsplit("/", 1)[-1]
        args = _args(raw, self.headers.get("Content-Type", ""))
        args.update({k: v[0] for k, v in parse_qs(query).items()})
        port = self.server.server_address[1]
        replica = int(self.headers.get("X-Replica", "0") or 0)
        body: dict[str, object] = {"ok": True}
        if method == "auth.test":
            body.update(user_id="UBOT", bot_id="BBOT", team_id=TEAM, team="Weekly")
        elif method == "chat.postMessage":
            metadata = _json(args.get("metadata")) or {}
            key = str(metadata.get("event_payload", {}).get("post", ""))
            blocks = _json(args.get("blocks")) or []
            shown = [b["slack_file"].get("id") for b in blocks
                     if b.get("type") == "image" and isinstance(b.get("slack_file"), dict)]
            fetched: list[tuple[str, bytes | None]] = []
            refused = refusal(blocks, fetched)  # as Slack, it downloads each image_url now
            with self.lock:
                self.downloads.extend(fetched)
                unknown = [f for f in shown if f not in self.files]
                if not unknown and refused is None:
                    self.shown.update(shown)
                    self.posts.append(Message(key, str(args.get("channel", "")), replica,
                                              time.monotonic(), len(shown) + len(fetched)))
            if unknown:  # as Slack answers a slack_file it cannot show
                body = {"ok": False, "error": "invalid_blocks",
                        "errors": [f"invalid slack file {unknown[0]}"]}
            elif refused is not None:
                body = refused
            else:
                body.update(channel=args.get("channel"), ts=f"{time.time():.6f}")
        elif method == "conversations.history":
            channel = str(args.get("channel", ""))
            with self.lock:
                keys = [m.key for m in self.posts if m.channel == channel]
            body.update(has_more=False, messages=[
                {"ts": "1.1", "bot_id": "BBOT", "text": "",
                 "metadata": {"event_type": "moments_weekly_post", "event_payload": {"post": key}}}
                for key in keys])
        elif method == "files.getUploadURLExternal":
            with self.lock:
                type(self).uploads += 1
                file_id = f"F{self.uploads:08d}"
            body.update(upload_url=f"http://127.0.0.1:{port}/upload/{file_id}", file_id=file_id)
        elif method == "files.completeUploadExternal":
            done = [{"id": str(f["id"]), "title": f.get("title")} for f in _json(args.get("files")) or []]
            channel = str(args.get("channel_id") or "") or None
            with self.lock:
                for f in done:
                    self.files[f["id"]] = channel
                if channel is not None:  # shared to the channel: a chart posted on its own
                    self.charts.append(Message("", channel, replica, time.monotonic()))
            body["files"] = done
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


def _json(value: Any) -> Any:
    """An argument the client sent as JSON text (form-encoded) or as JSON already."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return None
    return value


def _args(raw: str, content_type: str) -> dict[str, Any]:
    if "json" in content_type:
        try:
            loaded = json.loads(raw or "{}")
            return loaded if isinstance(loaded, dict) else {}
        except json.JSONDecodeError:
            return {}
    return {k: v[0] for k, v in parse_qs(raw).items()}


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):  # a killed replica's socket
            super().handle_error(request, client_address)


@contextmanager
def web_api(latency: float) -> Iterator[tuple[str, type[_WebApi]]]:
    handler = type("WebApi", (_WebApi,), {"latency": latency, "posts": [], "charts": [], "files": {},
                                          "shown": set(), "uploads": 0, "downloads": [],
                                          "lock": threading.Lock()})
    server = _Server(("127.0.0.1", free_port()), handler)
    server.daemon_threads = True
    server.request_queue_size = 256
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/api/", handler
    finally:
        server.shutdown()


def workspace_ids(count: int) -> list[str]:
    return [TEAM] + [f"TWEEKLY{n}" for n in range(2, count + 1)]


def seed(url: str, teams: int, with_moments: bool, workspaces: int = 1) -> float:
    from bot.domain import MomentKind, Platform, Source
    from bot.filing import KeywordFiler
    from bot.services import Actor
    from bot.services.base import Deps
    from bot.services.journey import JourneyService
    from bot.services.moments import MomentService
    from storage import open_store

    started = time.monotonic()
    store = open_store(url)
    spaces = [store.workspace(platform=Platform.SLACK, external_id=ext, name=f"Weekly {n + 1}")
              for n, ext in enumerate(workspace_ids(workspaces))]
    deps = Deps(store, _Fixed(datetime(2026, 11, 10, 10, 0, tzinfo=UTC)), KeywordFiler)
    journey, moments = JourneyService(deps), MomentService(deps)
    lead = Actor("ULEAD", "Lead", True)
    for n in range(teams):
        ws = spaces[n % len(spaces)]
        team = journey.setup_team(workspace_id=ws.id, actor=lead, channel=f"CW{n:06d}",
                                  name=f"Crew {n}", template="airline", timezone=TZ)
        if with_moments:
            for i, text in enumerate(REPORTS):
                moments.report(workspace_id=ws.id, team_id=team.id, actor=Actor(f"U{i}", f"P{i}"),
                               kind=MomentKind.WOW if i == 0 else MomentKind.OW, text=text,
                               source=Source.COMMAND)
    store.close()
    return time.monotonic() - started


def settle_all(url: str, at: datetime) -> float:
    """Each team's next time as a tick would set it when nothing is unsent (the core's
    next_due_at), written in one statement: the state a week of ticks leaves behind."""
    import sqlalchemy as sa

    from bot.schedule import next_due_at
    from storage import open_store
    from storage.models import TeamRow

    started = time.monotonic()
    store = open_store(url, migrate=False)
    nexts = []
    for ws in store.workspaces():
        with store.transaction(ws.id) as repo:
            nexts += [{"tid": team.id, "at": next_due_at(team, at)} for team in repo.teams()]
    with store.engine.begin() as conn:
        conn.execute(sa.update(TeamRow).where(TeamRow.id == sa.bindparam("tid"))
                     .values(next_post_at=sa.bindparam("at")), nexts)
    store.close()
    return time.monotonic() - started


def serve_charts(images: Any) -> str:
    """GET /charts/<token>.png as `moments serve` adds it, on a port of this process; its address."""
    import asyncio

    from aiohttp import web

    from handlers.slack.chart_links import add_chart_route

    app = web.Application()
    add_chart_route(app, images)
    port = free_port()
    runner = web.AppRunner(app, access_log=None)
    loop = asyncio.new_event_loop()
    loop.run_until_complete(runner.setup())
    loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", port, backlog=256).start())
    threading.Thread(target=loop.run_forever, name="charts", daemon=True).start()
    return f"http://127.0.0.1:{port}"


def replica(url: str, api_url: str, at_iso: str, ticks: int, workers: int, by_url: bool,
            ready: Any, go: Any, out: Any) -> None:
    from bot.config import Settings
    from bot.filing import KeywordFiler
    from bot.services import Services
    from handlers.notify import SlackNotifier
    from handlers.scheduled import tick
    from handlers.slack.chart_links import ChartLinks
    from storage import SqlChartImages, open_store
    from storage.leadership import AdvisoryLeadership

    store = open_store(url, migrate=False)
    services = Services(store=store, clock=_Fixed(datetime.fromisoformat(at_iso)), make_filer=KeywordFiler)
    public_url = serve_charts(SqlChartImages(store.engine)) if by_url else ""
    settings = Settings(slack_bot_token="xoxb-bench", slack_api_url=api_url, public_url=public_url)
    links = ChartLinks(SqlChartImages(store.engine), public_url) if by_url else None  # (as bootstrap)
    notifier = SlackNotifier(settings, links=links)
    original = notifier._client

    def client(workspace):  # type: ignore[no-untyped-def]
        made = original(workspace)
        made.token = f"xoxb-bench-{workspace.external_id}"  # each workspace its own token, its own limits
        made.headers = {**(made.headers or {}), "X-Replica": str(os.getpid())}
        return made

    notifier._client = client  # type: ignore[method-assign]
    ready.put(os.getpid())
    go.wait()
    took = []
    attempted = 0
    for _ in range(ticks):
        started = time.monotonic()
        attempted += tick(services, notifier, AdvisoryLeadership(store.engine), workers=workers)
        took.append(time.monotonic() - started)
    out.put((os.getpid(), attempted, took))
    store.close()


@dataclass
class Run:
    started: float  # time.monotonic() at the go
    ended: float  # when the last replica's tick returned
    ticks: dict[int, list[float]]  # pid -> seconds per tick
    killed: int | None  # pid of the replica killed mid-run


def run_tick(url: str, api_url: str, at: datetime, replicas: int, *, ticks: int = 1,
             workers: int = 8, by_url: bool = True, kill_when: Any = None) -> Run:
    """R replica processes tick together at ``at``; ``kill_when()`` true: SIGKILL the last one."""
    ctx = mp.get_context("spawn")
    ready, go, out = ctx.Queue(), ctx.Event(), ctx.Queue()
    procs = [ctx.Process(target=replica,
                         args=(url, api_url, at.isoformat(), ticks, workers, by_url, ready, go, out))
             for _ in range(replicas)]
    for proc in procs:
        proc.start()
    for _ in procs:
        ready.get(timeout=300)  # every replica imported, connected and ready
    started = time.monotonic()
    go.set()
    killed = None
    if kill_when is not None:
        victim = procs[-1]
        while victim.is_alive() and not kill_when():
            time.sleep(0.01)
        if victim.is_alive() and victim.pid is not None:
            os.kill(victim.pid, signal.SIGKILL)
            killed = victim.pid
    results: dict[int, list[float]] = {}
    while len(results) < len(procs) - (killed is not None):
        try:
            pid, _attempted, took = out.get(timeout=1)
            results[pid] = took
        except queue.Empty:
            gone = [p for p in procs if not p.is_alive() and p.pid not in results and p.pid != killed]
            if gone and out.empty():
                raise SystemExit(f"replica {gone[0].pid} stopped without finishing its tick") from None
    ended = time.monotonic()
    for proc in procs:
        proc.join()
    return Run(started, ended, results, killed)


def report_phase(label: str, kind: str, run: Run, api: type[_WebApi], teams: int,
                 posts_before: int, charts_before: int, *, recovery: Run | None = None) -> None:
    posts = [m for m in api.posts[posts_before:] if f":{kind}:" in m.key]
    charts = api.charts[charts_before:]
    keys = Counter(m.key for m in posts)
    doubles = sum(n - 1 for n in keys.values() if n > 1)
    main = [m for m in posts if recovery is None or m.at < recovery.started]
    wall = max((m.at for m in main), default=run.started) - run.started
    per_replica = Counter(m.replica for m in posts)
    by = ", ".join(f"{per_replica.get(pid, 0)} (tick {sum(took):.1f} s)" for pid, took in run.ticks.items())
    if run.killed is not None:
        by += f", {per_replica.get(run.killed, 0)} (killed)"
    line = (f"{label}: {len(keys)} of {teams} teams' posts out, {wall:.1f} s to the last post "
            f"({len(main) / wall if wall > 0 else 0:.1f} posts/s)")
    if kind == "digest":
        # A digest has its chart when a post of it showed one (an image block of an uploaded
        # file, or one whose image_url the stand-in downloaded) or a chart was shared to its
        # channel on its own (the older way).
        shared = {m.channel for m in charts}
        charted = [m for m in posts if m.charts or m.channel in shared]
        last = max([m.at for m in charted if recovery is None or m.at < recovery.started]
                   + [m.at for m in charts if recovery is None or m.at < recovery.started],
                   default=run.started)
        line += (f", {len({m.key for m in charted})} with their chart, "
                 f"{last - run.started:.1f} s to the last chart")
    line += f"; doubles {doubles}; lost {teams - len(keys)}; per replica {by}"
    if recovery is not None:
        line += (f"; a fresh replica {AFTER_LEASE.seconds // 60} min later by the clock sent "
                 f"{len(posts) - len(main)} more in {recovery.ended - recovery.started:.1f} s")
    if kind == "digest":
        orphans = {f for f, channel in api.files.items() if channel is None} - api.shown
        failed = sum(1 for _, png in api.downloads if png is None)
        line += (f"; digests without their chart {len(keys) - len({m.key for m in charted})}"
                 f" (unshared uploads shown in no post: {len(orphans)}; image_url downloads "
                 f"{len(api.downloads)}, failed {failed}; files.getUploadURLExternal {api.uploads})")
    print(line, flush=True)


def due_plan(url: str, at: datetime) -> str:
    """EXPLAIN ANALYZE of one claim's query (rolled back: nothing stays locked)."""
    import sqlalchemy as sa
    from sqlalchemy.dialects import postgresql

    from storage import create_engine
    from storage.due import due_query
    from storage.models import TeamRow

    engine = create_engine(url)
    query = due_query(at, 8).with_for_update(skip_locked=True, of=TeamRow)
    sql = str(query.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))
    with engine.connect() as conn:
        conn.execute(sa.text("ANALYZE teams"))  # the statistics autovacuum would have by now
        plan = [row[0] for row in conn.execute(sa.text("EXPLAIN (ANALYZE, BUFFERS) " + sql))]
        conn.rollback()
    engine.dispose()
    return "\n".join("    " + line for line in plan)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--teams", type=int, default=1000)
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--api-latency", type=float, default=0.15, help="seconds the stand-in waits per call")
    parser.add_argument("--kill", action="store_true",
                        help="SIGKILL the last replica once a quarter of each phase's posts are out")
    parser.add_argument("--workspaces", type=int, default=1,
                        help="Slack workspaces the teams are spread over (each keeps its own rate limits)")
    parser.add_argument("--upload-charts", action="store_true",
                        help="no public URL: upload each chart to Slack (files tier) instead of by URL")
    parser.add_argument("--idle-only", action="store_true", help="only time a tick when nothing is due")
    parser.add_argument("--workers", type=int, default=None,
                        help="teams in flight per replica (default: the tick's own, WORKERS)")
    parser.add_argument("--phases", default="prompt,votes_closed,digest",
                        help="which of prompt,votes_closed,digest to run (each needs the one before)")
    args = parser.parse_args()
    if args.workers is None:
        from handlers.scheduled import WORKERS

        args.workers = WORKERS

    with throwaway_database() as url, web_api(args.api_latency) as (api_url, api):
        took = seed(url, args.teams, with_moments=not args.idle_only, workspaces=args.workspaces)
        print(f"set up {args.teams} teams in {args.workspaces} workspace(s) in {took:.1f} s; "
              f"stand-in Web API answers in "
              f"{args.api_latency * 1000:.0f} ms; charts "
              f"{'uploaded to Slack' if args.upload_charts else 'by URL from the replicas'}; "
              f"{os.cpu_count()} cores, load average "
              + " ".join(f"{x:.2f}" for x in os.getloadavg()), flush=True)
        if args.idle_only:
            print(f"set every team's next time in {settle_all(url, IDLE_AT):.1f} s")
        else:
            wanted = args.phases.split(",")
            for kind, label, at in PHASES:
                if kind not in wanted:
                    continue
                posts_before, charts_before = len(api.posts), len(api.charts)
                quarter = posts_before + args.teams // 4
                run = run_tick(url, api_url, at, args.replicas, workers=args.workers,
                               by_url=not args.upload_charts,
                               kill_when=(lambda q=quarter: len(api.posts) >= q) if args.kill else None)
                recovery = (run_tick(url, api_url, at + AFTER_LEASE, 1, workers=args.workers,
                                     by_url=not args.upload_charts) if run.killed else None)
                report_phase(label, kind, run, api, args.teams, posts_before, charts_before,
                             recovery=recovery)
        if not args.idle_only and set(args.phases.split(",")) != {k for k, _, _ in PHASES}:
            return 0  # posts of the phases left out are still due: no tick would be idle
        idle = run_tick(url, api_url, IDLE_AT, 1, ticks=2)
        [(first, second)] = idle.ticks.values()
        print(f"idle tick (nothing due) at {args.teams} teams: first {first:.3f} s (connecting "
              f"included), second {second:.3f} s; load average "
              + " ".join(f"{x:.2f}" for x in os.getloadavg()))
        print(f"the due query's plan when nothing is due ({IDLE_AT:%a %H:%M} UTC):\n"
              + due_plan(url, IDLE_AT))
        print(f"... and when every team's prompt is due ({NEXT_PROMPT:%a %H:%M} UTC):\n"
              + due_plan(url, NEXT_PROMPT))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
