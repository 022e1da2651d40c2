"""POST /api/messages: the Bot Framework's door into Moments, on botbuilder's CloudAdapter.

With MICROSOFT_APP_ID set, every request must carry a Bot Framework token (checked by the
adapter). Without one the door is closed (no route) unless MOMENTS_TEAMS_EMULATOR=1 asks for the
local emulator mode: unauthenticated, for requests from this machine only, and it says so.
Whatever the mode, the bot sends only to connector service URLs that ``ServiceUrls`` trusts.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from typing import Any

import jwt
from aiohttp import web
from botbuilder.core import TurnContext, serializer_helper  # type: ignore[import-untyped]
from botbuilder.integration.aiohttp import (  # type: ignore[import-untyped]
    CloudAdapter,
    ConfigurationBotFrameworkAuthentication,
)
from botbuilder.schema import Activity, ActivityTypes  # type: ignore[import-untyped]

from bot import words as say
from bot.config import Settings
from bot.services import Services
from handlers.export_links import ExportLinks
from handlers.observability import METRICS
from handlers.teams.bot import MomentsTeamsBot
from handlers.teams.lifecycle import is_authenticated
from handlers.teams.notifier import ServiceUrlRefused, ServiceUrls, TeamsNotifier, is_loopback_url
from handlers.teams.ports import ConversationStore

log = logging.getLogger(__name__)
ROUTE = "/api/messages"
EMULATOR_WARNING = (
    "MOMENTS_TEAMS_EMULATOR=1 and no MICROSOFT_APP_ID: the Teams door at /api/messages runs in "
    "LOCAL EMULATOR MODE WITHOUT AUTHENTICATION, for requests from this machine only. Never use "
    "it in production; set MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD for Teams."
)
DOOR_CLOSED = ("Teams is not configured (MICROSOFT_APP_ID): /api/messages is off "
               "(MOMENTS_TEAMS_EMULATOR=1 opens it to the local Bot Framework Emulator)")
KNOWN_TYPES = frozenset(t.value for t in ActivityTypes) - {ActivityTypes.invoke_response.value}
PROXY_HEADERS = ("X-Forwarded-For", "Forwarded", "X-Real-IP")


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


class _GuardedConnectors:
    """A ConnectorFactory that makes no connector for a service URL ``ServiceUrls`` refuses: the
    one place every outbound call (replies, roster look-ups, proactive posts) gets its client."""

    def __init__(self, factory: Any, urls: ServiceUrls) -> None:
        self._factory = factory
        self._urls = urls

    async def create(self, service_url: str, audience: str | None = None) -> Any:
        if not self._urls.allows(service_url or ""):
            log.warning("Teams: refused to send to service URL %r: no authenticated activity "
                        "brought it", (service_url or "")[:200])
            raise ServiceUrlRefused(service_url)
        return await self._factory.create(service_url, audience)


class _GuardedAuthentication:
    """botbuilder's BotFrameworkAuthentication, remembering the service URLs of authenticated
    activities and handing out only guarded connector factories."""

    def __init__(self, inner: Any, urls: ServiceUrls) -> None:
        self._inner = inner
        self._urls = urls

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    async def authenticate_request(self, activity: Any, auth_header: str) -> Any:
        result = await self._inner.authenticate_request(activity, auth_header)
        if is_authenticated(result.claims_identity):  # the token's serviceurl claim named it
            self._urls.admit(activity.service_url or "")
        result.connector_factory = _GuardedConnectors(result.connector_factory, self._urls)
        return result

    def create_connector_factory(self, claims_identity: Any) -> Any:
        return _GuardedConnectors(self._inner.create_connector_factory(claims_identity), self._urls)


class MomentsCloudAdapter(CloudAdapter):  # type: ignore[misc]
    """botbuilder's aiohttp CloudAdapter with two fixes.

    1. ``CloudAdapter.process`` (4.17.1) runs ``serializer_helper`` over the invoke response body,
       which ``ActivityHandler`` has already serialised to a dict; msrest then fails with
       ``'dict' object has no attribute 'is_xml_model'``, so every invoke (the message action's
       fetchTask and submitAction) was answered 500 after its work was done. Here a body that is
       already plain JSON is sent as it is.
    2. Outbound calls go only to trusted service URLs (``ServiceUrls``)."""

    def __init__(self, auth: Any, service_urls: ServiceUrls) -> None:
        super().__init__(_GuardedAuthentication(auth, service_urls))
        self.service_urls = service_urls

    async def process(self, request: web.Request, bot: Any, ws_response: Any = None) -> Any:
        if request.method != "POST":
            return await super().process(request, bot, ws_response)
        if "application/json" not in request.headers.get("Content-Type", ""):
            raise web.HTTPUnsupportedMediaType()
        activity = Activity().deserialize(await request.json())
        if not activity.type:
            raise web.HTTPBadRequest()
        try:
            invoke_response = await self.process_activity(
                request.headers.get("Authorization", ""), activity, bot.on_turn)
        except PermissionError as err:
            raise web.HTTPUnauthorized() from err
        if invoke_response:
            return web.json_response(data=plain_json(invoke_response.body),
                                     status=int(invoke_response.status))
        return web.Response(status=201)


def plain_json(body: Any) -> Any:
    """An invoke response body as JSON data: msrest models serialised, plain data as it is."""
    if body is None or isinstance(body, (dict, list, str, int, float, bool)):
        return body
    return serializer_helper(body)


def make_adapter(settings: Settings, service_urls: ServiceUrls | None = None) -> MomentsCloudAdapter:
    urls = service_urls or ServiceUrls(authenticated=bool(settings.microsoft_app_id))
    return MomentsCloudAdapter(ConfigurationBotFrameworkAuthentication(_AuthConfig(settings)), urls)


def door_mode(settings: Settings) -> str:
    """"teams" (tokens checked), "emulator" (loopback, no tokens) or "off"."""
    if settings.microsoft_app_id:
        return "teams"
    return "emulator" if settings.teams_emulator else "off"


def from_this_machine(request: web.Request) -> bool:
    """A direct connection from loopback; a proxied one (nginx on the same host) is not."""
    remote = request.remote or ""
    return is_loopback_url(f"http://[{remote}]/" if ":" in remote else f"http://{remote}/") and \
        not any(h in request.headers for h in PROXY_HEADERS)


def add_teams_routes(app: web.Application, settings: Settings, services: Services, *,
                     conversations: ConversationStore, adapter: Any = None) -> TeamsDoor:
    """Adds POST /api/messages to ``app`` (unless the door is off); the returned door's notifier
    posts proactively, to the conversations whose references ``conversations`` keeps."""
    mode = door_mode(settings)
    if mode == "emulator":
        log.warning(EMULATOR_WARNING)
    elif mode == "off":
        log.info(DOOR_CLOSED)
    elif settings.teams_emulator:
        log.warning("MOMENTS_TEAMS_EMULATOR is ignored: MICROSOFT_APP_ID is set, tokens are checked")
    adapter = adapter if adapter is not None else make_adapter(settings)
    if getattr(adapter, "on_turn_error", None) is None:
        adapter.on_turn_error = _on_turn_error
    bot = MomentsTeamsBot(services, conversations=conversations,
                          tenant_fallback=tenant_fallback(settings), admins=settings.teams_admins)
    bot.door.export_links = ExportLinks(settings)  # `/moments export` answers with a download link
    notifier = TeamsNotifier(adapter, services.store, conversations=conversations,
                             app_id=settings.microsoft_app_id)

    async def messages(request: web.Request) -> web.StreamResponse:
        status = 500
        try:
            if mode == "emulator" and not from_this_machine(request):
                status = 403
                log.warning("Teams emulator mode: refused a request from %s (loopback only)",
                            request.headers.get("X-Forwarded-For") or request.remote)
                return web.json_response({"error": "the emulator door takes requests from this "
                                                   "machine only"}, status=status)
            if "application/json" not in request.headers.get("Content-Type", ""):
                status = 415
                return web.json_response({"error": "expected application/json"}, status=status)
            problem = malformed(await request.json())  # read once; aiohttp keeps the body
            if problem:
                status = 400
                return web.json_response({"error": f"not a Bot Framework activity: {problem}"},
                                         status=status)
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
        except ServiceUrlRefused:  # logged where it was refused; nothing was sent
            status = 403
            return web.json_response({"error": "serviceUrl not trusted"}, status=status)
        finally:
            METRICS.inc("http_requests_total", route=ROUTE, status=str(status))

    async def bind_notifier(_: web.Application) -> None:
        notifier.bind(asyncio.get_running_loop())

    if mode != "off":
        app.router.add_post(ROUTE, messages)
    app.on_startup.append(bind_notifier)
    return TeamsDoor(adapter, bot, notifier)


def malformed(activity: Any) -> str:
    """What is wrong with a posted activity before botbuilder reads it ("" when nothing): a known
    type, a sender and a conversation with ids, and the fields botbuilder reads of the right kind."""
    if not isinstance(activity, dict):
        return "not a JSON object"
    if not isinstance(activity.get("type"), str) or activity["type"] not in KNOWN_TYPES:
        return "unknown type"
    for key in ("from", "conversation"):
        if not isinstance(activity.get(key), dict) or not isinstance(activity[key].get("id"), str) \
                or not activity[key]["id"]:
            return f"no {key}.id"
    if not all(activity.get(key) is None or isinstance(activity[key], dict)
               for key in ("recipient", "channelData")):
        return "recipient and channelData must be objects"
    if not all(activity.get(key) is None or isinstance(activity[key], str)
               for key in ("id", "serviceUrl", "channelId", "text", "locale")):
        return "id, serviceUrl, channelId, text and locale must be strings"
    return ""


def tenant_fallback(settings: Settings) -> str:
    """The workspace of an activity that names no tenant: the emulator's "local"; a single-tenant
    app's own tenant (no other can reach it); none for a multi-tenant app, whose activities from
    different organisations must never share a workspace (the bot refuses them)."""
    if not settings.microsoft_app_id:
        return "local"
    if (settings.microsoft_app_type or "").lower() == "multitenant":
        return ""
    return settings.microsoft_app_tenant_id.strip().lower()  # tenant ids: one case (reading.py)


async def _on_turn_error(turn_context: TurnContext, error: Exception) -> None:
    log.error("Teams turn failed", exc_info=(type(error), error, error.__traceback__))
    try:
        await turn_context.send_activity(say.OOPS_TRY_AGAIN)
    except Exception:  # noqa: BLE001 - the connector itself may be what failed
        log.warning("could not tell the person about the error", exc_info=True)
