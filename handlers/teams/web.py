"""POST /api/messages: the Bot Framework's door into Moments, on botbuilder's CloudAdapter.

With MICROSOFT_APP_ID set, every request must carry a Bot Framework token (checked by the
adapter); without one the door runs in local emulator mode, unauthenticated, and says so.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from typing import Any

import jwt
from aiohttp import web
from botbuilder.core import TurnContext  # type: ignore[import-untyped]
from botbuilder.integration.aiohttp import (  # type: ignore[import-untyped]
    CloudAdapter,
    ConfigurationBotFrameworkAuthentication,
)

from bot.config import Settings
from bot.services import Services
from handlers.observability import METRICS
from handlers.teams.bot import MomentsTeamsBot
from handlers.teams.notifier import TeamsNotifier

log = logging.getLogger(__name__)
ROUTE = "/api/messages"
EMULATOR_WARNING = (
    "MICROSOFT_APP_ID is not set: the Teams door at /api/messages runs in LOCAL EMULATOR MODE "
    "WITHOUT AUTHENTICATION. Anyone who can reach it can act as any user. Never expose it; set "
    "MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD for Teams."
)


@dataclass(frozen=True)
class TeamsDoor:
    adapter: Any
    bot: MomentsTeamsBot
    notifier: TeamsNotifier


class _AuthConfig:
    """The attribute names botbuilder's configuration classes read."""

    def __init__(self, settings: Settings) -> None:
        self.APP_ID = settings.microsoft_app_id
        self.APP_PASSWORD = settings.microsoft_app_password
        self.APP_TYPE = settings.microsoft_app_type or "MultiTenant"
        self.APP_TENANTID = settings.microsoft_app_tenant_id


def make_adapter(settings: Settings) -> Any:
    return CloudAdapter(ConfigurationBotFrameworkAuthentication(_AuthConfig(settings)))


def add_teams_routes(app: web.Application, settings: Settings, services: Services, *,
                     adapter: Any = None) -> TeamsDoor:
    """Adds POST /api/messages to ``app``; the returned door's notifier posts proactively."""
    if not settings.microsoft_app_id:
        log.warning(EMULATOR_WARNING)
    adapter = adapter if adapter is not None else make_adapter(settings)
    if getattr(adapter, "on_turn_error", None) is None:
        adapter.on_turn_error = _on_turn_error
    bot = MomentsTeamsBot(services, tenant_fallback=tenant_fallback(settings))
    notifier = TeamsNotifier(adapter, services.store, app_id=settings.microsoft_app_id)

    async def messages(request: web.Request) -> web.StreamResponse:
        status = 500
        try:
            if "application/json" not in request.headers.get("Content-Type", ""):
                status = 415
                return web.json_response({"error": "expected application/json"}, status=status)
            if not well_formed(await request.json()):  # read once; aiohttp keeps the body
                status = 400
                return web.json_response({"error": "not a Bot Framework activity"}, status=status)
            response = await adapter.process(request, bot)
            status = response.status if response is not None else 201
            return response if response is not None else web.Response(status=201)
        except web.HTTPException as err:  # 401 from the adapter: no or a bad token
            status = err.status
            raise
        except jwt.PyJWTError:  # a token that is not even a JWT; botbuilder lets it through raw
            status = 401
            return web.json_response({"error": "invalid token"}, status=status)
        except json.JSONDecodeError:
            status = 400
            return web.json_response({"error": "the body is not JSON"}, status=status)
        finally:
            METRICS.inc("http_requests_total", route=ROUTE, status=str(status))

    async def bind_notifier(_: web.Application) -> None:
        notifier.bind(asyncio.get_running_loop())

    app.router.add_post(ROUTE, messages)
    app.on_startup.append(bind_notifier)
    return TeamsDoor(adapter, bot, notifier)


def well_formed(activity: Any) -> bool:
    """The fields botbuilder reads before any handler could refuse the activity."""
    if not isinstance(activity, dict) or not isinstance(activity.get("type"), str):
        return False
    optional_objects = ("from", "conversation", "recipient", "channelData")
    return all(activity.get(key) is None or isinstance(activity[key], dict) for key in optional_objects) \
        and all(activity.get(key) is None or isinstance(activity[key], str)
                for key in ("id", "serviceUrl", "channelId", "text", "locale"))


def tenant_fallback(settings: Settings) -> str:
    """The workspace of an activity that names no tenant: the emulator's "local"; a single-tenant
    app's own tenant (no other can reach it); none for a multi-tenant app, whose activities from
    different organisations must never share a workspace (the bot refuses them)."""
    if not settings.microsoft_app_id:
        return "local"
    if (settings.microsoft_app_type or "").lower() == "multitenant":
        return ""
    return settings.microsoft_app_tenant_id


async def _on_turn_error(turn_context: TurnContext, error: Exception) -> None:
    log.error("Teams turn failed", exc_info=(type(error), error, error.__traceback__))
    try:
        await turn_context.send_activity("Sorry, something went wrong on my side. Please try again.")
    except Exception:  # noqa: BLE001 - the connector itself may be what failed
        log.warning("could not tell the person about the error", exc_info=True)
