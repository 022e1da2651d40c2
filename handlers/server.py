"""`moments serve`: one aiohttp server for Slack (and, beside it, Teams), with health and metrics.

Slack in HTTP mode posts to /slack/events; multi-workspace installs go through /slack/install and
/slack/oauth_redirect. With SLACK_APP_TOKEN set the Slack door also runs in Socket Mode (no public
URL needed). The process keeps no state of its own: everything lives in the database, so several
replicas can run behind a load balancer.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Protocol

from aiohttp import web
from slack_bolt import App, BoltRequest, BoltResponse

from bot.config import Settings
from bot.domain import Platform
from bot.services import Services
from handlers.observability import METRICS, request_scope
from handlers.slack.app import parse_request

if TYPE_CHECKING:
    from handlers.scheduled import Leader
    from handlers.slack.ports import RequestInbox

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
            return web.Response(status=404, text="This server installs into one workspace only.")
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


def housekeeping(settings: Settings, services: Services, requests: RequestInbox, door: Any,
                 stop: threading.Event, every: float = 60.0) -> None:
    """Background chores: fetch reacted messages' text within the rate limit; purge the cache."""
    while not stop.wait(every):
        try:
            now = services.clock.now()
            requests.forget_handled(now - HANDLED_KEPT)  # Slack retries within minutes
            for ws in services.store.workspaces():
                services.capture.purge_messages(
                    workspace_id=ws.id,
                    seen_before=now - timedelta(hours=settings.slack_message_cache_hours))
                if door is None or ws.platform.value != "slack":
                    continue
                for moment in services.capture.awaiting_text(workspace_id=ws.id, limit=5):
                    channel, _, ts = (moment.message_ref or "").partition("/")
                    if not door.fetch_text(door.app.client, ws.external_id, ws.id, moment.id, channel, ts):
                        break
        except Exception:
            log.exception("housekeeping round failed; trying again next round")


class DoorStores(Protocol):
    """What the doors keep for themselves (built by the wiring, on the services' database)."""

    @property
    def requests(self) -> RequestInbox: ...
    @property
    def leadership(self) -> Leader: ...


def run_serve(settings: Settings, services: Services, *, host: str, port: int, doors: DoorStores,
              extensions: tuple[Extension, ...] = ()) -> int:
    from handlers.slack.app import SlackDoorApp, build_slack_door

    slack: App | None = None
    door: SlackDoorApp | None = None
    if settings.slack_bot_token or (settings.slack_client_id and settings.slack_client_secret):
        if not settings.slack_signing_secret:
            log.warning("SLACK_SIGNING_SECRET is not set: HTTP requests to /slack/events are refused "
                        "(401); only Socket Mode can reach the bot")
        store, state = _oauth_stores(settings, services)
        door = build_slack_door(settings, services, requests=doors.requests, installation_store=store,
                                state_store=state)
        slack = door.app
        log.info("Slack door ready (%s mode)", "OAuth multi-workspace" if store else "single-workspace")
    else:
        log.warning("Slack is not configured (SLACK_BOT_TOKEN, or SLACK_CLIENT_ID and "
                    "SLACK_CLIENT_SECRET): /slack/events answers 404")
    stop = threading.Event()
    threading.Thread(target=housekeeping, args=(settings, services, doors.requests, door, stop),
                     daemon=True).start()
    inbox: threading.Thread | None = None
    if door is not None:  # beats, and replays what a stopped replica acknowledged
        inbox = threading.Thread(target=door.run_inbox, args=(stop,), name="slack-inbox", daemon=True)
        inbox.start()
    socket_mode: Any = None
    if slack is not None and settings.slack_app_token:
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        socket_mode = SocketModeHandler(slack, settings.slack_app_token)
        socket_mode.connect()  # own threads, beside HTTP
        log.info("Slack Socket Mode connected")
    from handlers.export_links import add_export_route
    from handlers.notify import RoutingNotifier, SlackNotifier
    from handlers.scheduled import start_scheduler
    from handlers.teams.web import add_teams_routes

    web_app = build_web_app(settings, services, door, extensions)

    async def stop_taking_requests(_: web.Application) -> None:
        """SIGTERM: before the drain, no Socket Mode request and no replay can come in."""
        if door is not None:
            door.inbox.replaying = False
        if socket_mode is not None:
            await asyncio.get_running_loop().run_in_executor(None, socket_mode.close)

    web_app.on_shutdown.append(stop_taking_requests)
    teams = add_teams_routes(web_app, settings, services)  # POST /api/messages, beside Slack
    add_export_route(web_app, settings, services)  # GET /export/<token>: Teams' export downloads
    notifiers: dict[Any, Any] = {Platform.TEAMS: teams.notifier}
    if slack is not None:
        notifiers[Platform.SLACK] = SlackNotifier(settings, slack.installation_store if
                                                  settings.slack_client_id else None)
    scheduler = start_scheduler(services, RoutingNotifier(notifiers), doors.leadership)
    log.info("serving on http://%s:%d", host, port)
    # aiohttp turns SIGTERM into a graceful stop: in-flight requests get up to 25 s to finish.
    web.run_app(web_app, host=host, port=port, print=None, shutdown_timeout=25)
    if door is not None:
        door.drain()  # the acknowledged work behind the last requests finishes and is marked done
    stop.set()
    if inbox is not None:
        inbox.join(timeout=10)  # this replica leaves: the others need not wait for its beat
    scheduler.shutdown(wait=True)  # a weekly post being sent finishes first
    return 0


def _oauth_stores(settings: Settings, services: Services) -> tuple[Any, Any]:
    if not (settings.slack_client_id and settings.slack_client_secret):
        return None, None
    from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
    from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

    from handlers.encrypted_store import EncryptedInstallationStore

    engine = services.store.engine  # type: ignore[attr-defined]
    installations: Any = SQLAlchemyInstallationStore(client_id=settings.slack_client_id, engine=engine)
    states = SQLAlchemyOAuthStateStore(expiration_seconds=600, engine=engine)
    installations.create_tables()  # idempotent: slack_sdk owns these tables' shape
    states.create_tables()  # type: ignore[no-untyped-call]
    if settings.encryption_key:
        installations = EncryptedInstallationStore(installations, settings.encryption_key)
    else:
        log.warning("MOMENTS_ENCRYPTION_KEY is not set: Slack tokens are stored unencrypted")
    return installations, states

