"""The one wiring point: settings -> store -> services -> doors -> scheduler.

Only this module imports the core (``bot``), the storage (``storage``) and the doors together.
The command line (handlers/cli.py) calls it: :func:`build_services` for the commands that need
the method and a database only, :func:`build_server` for ``moments serve``, whose result
handlers/server.py runs.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from bot.config import Settings
from bot.domain import Platform
from bot.filing import KeywordFiler
from bot.ports import Clock, Filer, Notifier
from bot.services import Services
from storage import DoorStorage, SqlStore, open_store

if TYPE_CHECKING:
    import sqlalchemy as sa

    from handlers.server import Server

log = logging.getLogger(__name__)


def open_core(settings: Settings, *, clock: Clock, migrate: bool = True) -> tuple[SqlStore, Services]:
    """The store on ``settings.database_url`` (migrated first by default) and the services on it."""
    store = open_store(settings.database_url, migrate=migrate)

    def make_filer() -> Filer:
        return KeywordFiler(threshold=settings.filing_threshold)

    return store, Services(store=store, clock=clock, make_filer=make_filer,
                          waiting_days=settings.waiting_days)


def build_services(settings: Settings, *, clock: Clock, migrate: bool = True) -> Services:
    """The services alone, for the commands that open no door (console, touchpoints, digest...)."""
    return open_core(settings, clock=clock, migrate=migrate)[1]


def build_server(settings: Settings, *, clock: Clock) -> Server:
    """Everything ``moments serve`` runs: the Slack door (HTTP, and Socket Mode with an app
    token), the Teams door beside it on one aiohttp app, and the weekly scheduler, started."""
    from handlers.export_links import add_export_route
    from handlers.notify import RoutingNotifier, SlackNotifier
    from handlers.scheduled import start_scheduler
    from handlers.server import Server, build_web_app
    from handlers.slack.app import SlackDoorApp, build_slack_door
    from handlers.slack.chart_links import ChartLinks, add_chart_route
    from handlers.teams.web import add_teams_routes

    store, services = open_core(settings, clock=clock)
    doors = DoorStorage.on(store.engine)  # the doors' own rows (Slack's inbox, Teams' references...)
    door: SlackDoorApp | None = None
    if settings.slack_bot_token or (settings.slack_client_id and settings.slack_client_secret):
        if not settings.slack_signing_secret:
            log.warning("SLACK_SIGNING_SECRET is not set: HTTP requests to /slack/events are refused "
                        "(401); only Socket Mode can reach the bot")
        installations, states = _slack_oauth_stores(settings, store.engine)
        door = build_slack_door(settings, services, requests=doors.requests, messages=doors.messages,
                                installation_store=installations, state_store=states)
        log.info("Slack door ready (%s mode)",
                 "OAuth multi-workspace" if installations else "single-workspace")
    else:
        log.warning("Slack is not configured (SLACK_BOT_TOKEN, or SLACK_CLIENT_ID and "
                    "SLACK_CLIENT_SECRET): /slack/events answers 404")
    socket_mode: Any = None
    if door is not None and settings.slack_app_token:
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        socket_mode = SocketModeHandler(door.app, settings.slack_app_token)  # connects when run

    web_app = build_web_app(settings, services, door)
    teams = add_teams_routes(web_app, settings, services, conversations=doors.conversations)
    add_export_route(web_app, settings, services)  # GET /export/<token>: Teams' export downloads
    add_chart_route(web_app, doors.charts)  # GET /charts/<token>.png: Slack downloads a post's chart
    notifiers: dict[Platform, Notifier] = {Platform.TEAMS: teams.notifier}
    if door is not None:
        notifiers[Platform.SLACK] = SlackNotifier(  # the door's rate buckets: one count a workspace
            settings, door.app.installation_store if settings.slack_client_id else None,
            tiers=door.door.sender.tiers,  # with a public URL, charts go by URL, not by upload
            links=ChartLinks(doors.charts, settings.public_url, now=clock.now)
            if settings.public_url else None)
    scheduler = start_scheduler(services, RoutingNotifier(notifiers), doors.leadership)
    return Server(settings=settings, services=services, requests=doors.requests,
                  messages=doors.messages, charts=doors.charts, web_app=web_app,
                  door=door, socket_mode=socket_mode, scheduler=scheduler)


def _slack_oauth_stores(settings: Settings, engine: sa.Engine) -> tuple[Any, Any]:
    """slack_sdk's installation and state stores, in the app's database, for multi-workspace
    installs (None, None for a single workspace's bot token)."""
    if not (settings.slack_client_id and settings.slack_client_secret):
        return None, None
    from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
    from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

    from handlers.encrypted_store import EncryptedInstallationStore

    installations: Any = SQLAlchemyInstallationStore(client_id=settings.slack_client_id, engine=engine)
    states = SQLAlchemyOAuthStateStore(expiration_seconds=600, engine=engine)
    installations.create_tables()  # idempotent: slack_sdk owns these tables' shape
    states.create_tables()  # type: ignore[no-untyped-call]
    if settings.encryption_key:
        installations = EncryptedInstallationStore(installations, settings.encryption_key)
    else:
        log.warning("MOMENTS_ENCRYPTION_KEY is not set: Slack tokens are stored unencrypted")
    return installations, states
