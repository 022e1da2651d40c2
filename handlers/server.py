"""`moments serve`: one aiohttp server for Slack (and, beside it, Teams), with health and metrics.

Slack in HTTP mode posts to /slack/events; multi-workspace installs go through /slack/install and
/slack/oauth_redirect. With SLACK_APP_TOKEN set the Slack door also runs in Socket Mode (no public
URL needed). The process keeps no state of its own: everything lives in the database, so several
replicas can run behind a load balancer.
"""

from __future__ import annotations

import asyncio
import contextvars
import gc
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Protocol

from aiohttp import web
from slack_bolt import BoltRequest, BoltResponse

from bot import words as say
from bot.config import Settings
from bot.services import Services
from handlers.observability import METRICS, request_scope
from handlers.slack.app import SlackDoorApp, parse_request
from handlers.slack.chart_links import forget_old_charts
from handlers.slack.ports import ChartImages, MessageCache, RequestInbox

if TYPE_CHECKING:
    from apscheduler.schedulers.background import BackgroundScheduler  # type: ignore[import-untyped]

log = logging.getLogger(__name__)
Extension = Callable[[web.Application], None]
HANDLED_KEPT = timedelta(days=2)  # how long a handled request's id is kept against redeliveries


def _to_aiohttp(resp: BoltResponse) -> web.Response:
    headers = {k: v[0] for k, v in resp.headers.items() if v and k.lower() != "content-length"}
    return web.Response(status=resp.status, body=resp.body.encode() if isinstance(resp.body, str)
                        else resp.body, headers=headers)


class SlackEndpoint(Protocol):
    """A Bolt App, or the door's wrapper around it (which gives back the claim of a request
    whose work never started)."""

    def dispatch(self, req: BoltRequest) -> BoltResponse: ...

    @property
    def oauth_flow(self) -> Any: ...


def build_web_app(settings: Settings, services: Services, slack: SlackEndpoint | None,
                  extensions: tuple[Extension, ...] = ()) -> web.Application:
    app = web.Application(client_max_size=1024 * 1024)

    async def slack_events(request: web.Request) -> web.Response:
        if slack is None:
            return web.json_response({"error": "Slack is not configured"}, status=404)
        try:  # Slack sends UTF-8; anything else is no request of Slack's
            body = (await request.read()).decode("utf-8")
        except UnicodeDecodeError:
            log.info("refused a Slack request (400): its body is not UTF-8")
            METRICS.inc("http_requests_total", route="/slack/events", status="400")
            return web.json_response({"error": "malformed request"}, status=400)
        with request_scope(request.headers.get("X-Request-Id")):
            acknowledge = getattr(slack, "acknowledge", None)  # the Slack door's short way in
            taken: BoltResponse | None = (await acknowledge(body, request.headers)
                                          if acknowledge is not None else None)
            if taken is not None:
                resp = taken
            else:
                bolt_req = parse_request(body, request.query_string, dict(request.headers.items()))
                if bolt_req is None:
                    METRICS.inc("http_requests_total", route="/slack/events", status="400")
                    return web.json_response({"error": "malformed request"}, status=400)
                # the request id goes with the work: into the executor thread, and from there
                # (via Bolt's context) into the listeners' work (handlers/slack/inbox.py)
                resp = await asyncio.get_running_loop().run_in_executor(
                    None, contextvars.copy_context().run, slack.dispatch, bolt_req)
        METRICS.inc("http_requests_total", route="/slack/events", status=str(resp.status))
        return _to_aiohttp(resp)

    async def slack_oauth(request: web.Request) -> web.Response:
        flow = slack.oauth_flow if slack is not None else None
        if flow is None:
            return web.Response(status=404, text=say.ONE_WORKSPACE_ONLY)
        bolt_req = BoltRequest(body="", query=request.query_string,
                               headers={k: v for k, v in request.headers.items()})
        handle = flow.handle_installation if request.path == flow.install_path else flow.handle_callback
        resp = await asyncio.get_running_loop().run_in_executor(None, handle, bolt_req)
        return _to_aiohttp(resp)

    async def healthz(request: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    async def readyz(request: web.Request) -> web.Response:
        try:
            await asyncio.get_running_loop().run_in_executor(None, services.store.workspaces)
        except Exception as err:  # noqa: BLE001 - readiness reports, never raises
            log.warning("not ready: database unreachable: %s", type(err).__name__)
            return web.json_response({"ok": False, "database": "unreachable"}, status=503)
        return web.json_response({"ok": True, "database": "ok"})

    async def metrics(request: web.Request) -> web.Response:
        return web.Response(text=METRICS.render(), content_type="text/plain")

    app.router.add_post("/slack/events", slack_events)
    app.router.add_get("/slack/install", slack_oauth)
    app.router.add_get("/slack/oauth_redirect", slack_oauth)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics)
    for extend in extensions:  # the Teams door adds POST /api/messages here
        extend(app)
    return app


def housekeeping(settings: Settings, services: Services, requests: RequestInbox,
                 messages: MessageCache, door: Any, stop: threading.Event, every: float = 60.0,
                 charts: ChartImages | None = None) -> None:
    """Background chores: fetch reacted messages' text within the rate limit; purge the cache
    and the charts past their retention; delete the waiting moments whose channel was not set
    up in time."""
    while not stop.wait(every):
        try:
            now = services.clock.now()
            requests.forget_handled(now - HANDLED_KEPT)  # Slack retries within minutes
            messages.purge_messages(seen_before=now - timedelta(hours=settings.slack_message_cache_hours))
            if charts is not None:
                forget_old_charts(charts, now)  # charts shown by URL (chart_links.CHARTS_KEPT)
            for ws in services.store.workspaces():
                # moments kept for a channel nobody set up in time (MOMENTS_WAITING_DAYS)
                services.onboarding.expire(workspace_id=ws.id, now=now)
                if door is None or ws.platform.value != "slack":
                    continue
                for moment in services.capture.awaiting_text(workspace_id=ws.id, limit=5):
                    channel, _, ts = (moment.message_ref or "").partition("/")
                    if not door.fetch_text(door.app.client, ws.external_id, ws.id, moment.id, channel, ts):
                        break
        except Exception:
            log.exception("housekeeping round failed; trying again next round")


@dataclass(frozen=True)
class Server:
    """What handlers/bootstrap.py wired for ``moments serve``: the aiohttp app with the doors'
    routes, the Slack door (None when Slack is not configured), its Socket Mode handler (None
    without an app token, else connected when the server runs) and the weekly scheduler."""

    settings: Settings
    services: Services
    requests: RequestInbox  # Slack's request inbox: handled ids are forgotten after two days
    messages: MessageCache  # Slack's recent messages: purged after SLACK_MESSAGE_CACHE_HOURS
    charts: ChartImages  # charts Slack posts show by URL: served at /charts, purged when old
    web_app: web.Application
    door: SlackDoorApp | None
    socket_mode: Any
    scheduler: BackgroundScheduler


def settle_the_heap() -> None:
    """Leave what start-up built (the Bolt app, the filer's lexicon, SQLAlchemy's mappers and
    compiled statements: most of the process's 120 MB) out of the garbage collector's full
    passes. Each full pass walked all of it, some 50-100 ms with the interpreter lock held:
    under a burst of requests those passes, not the requests, set the pace and the slowest
    acks (docs/benchmarks.md). What is frozen is never freed, so this runs once, after a
    collection, before the first request."""
    gc.collect()
    gc.freeze()


def run_serve(server: Server, *, host: str, port: int) -> int:
    """Serve until SIGTERM or Ctrl-C, then drain: acknowledged work finishes, the scheduler last."""
    settings, services, door, socket_mode = server.settings, server.services, server.door, server.socket_mode
    stop = threading.Event()
    threading.Thread(target=housekeeping, args=(settings, services, server.requests, server.messages, door,
                                                      stop),
                     kwargs={"charts": server.charts}, daemon=True).start()
    inbox: threading.Thread | None = None
    if door is not None:  # beats, and replays what a stopped replica acknowledged
        inbox = threading.Thread(target=door.run_inbox, args=(stop,), name="slack-inbox", daemon=True)
        inbox.start()
    if socket_mode is not None:
        socket_mode.connect()  # own threads, beside HTTP
        log.info("Slack Socket Mode connected")

    async def stop_taking_requests(_: web.Application) -> None:
        """SIGTERM: before the drain, no Socket Mode request and no replay can come in."""
        if door is not None:
            door.inbox.replaying = False
        if socket_mode is not None:
            await asyncio.get_running_loop().run_in_executor(None, socket_mode.close)

    server.web_app.on_shutdown.append(stop_taking_requests)
    settle_the_heap()
    log.info("serving on http://%s:%d", host, port)
    # aiohttp turns SIGTERM into a graceful stop: in-flight requests get up to 25 s to finish.
    web.run_app(server.web_app, host=host, port=port, print=None, shutdown_timeout=25)
    if door is not None:
        door.drain()  # the acknowledged work behind the last requests finishes and is marked done
    stop.set()
    if inbox is not None:
        inbox.join(timeout=10)  # this replica leaves: the others need not wait for its beat
    server.scheduler.shutdown(wait=True)  # a weekly post being sent finishes first
    return 0
