"""Proactive posts (weekly prompt, vote results, digest) to Teams channels, and the rule for where
the bot may send anything at all (``ServiceUrls``).

``Notifier.send`` is synchronous and called from the scheduler's thread, while botbuilder is
async: with the server's event loop known (``bind``), the send runs on that loop, where the
adapter's HTTP sessions live; without one (the CLI), it runs in a loop of its own.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import threading
from typing import Any
from urllib.parse import urlsplit

from botbuilder.core import TurnContext  # type: ignore[import-untyped]
from botbuilder.schema import ConversationReference  # type: ignore[import-untyped]

from bot.domain import Workspace
from bot.ports import DeliveryError, Store
from bot.views import Post
from handlers.teams.lifecycle import VERIFIED, reference_key
from handlers.teams.ports import ConversationStore
from handlers.teams.replies import name_people, people_of, render_activity

log = logging.getLogger(__name__)
PERMANENT_STATUS = {401, 403, 404}  # removed from the team, conversation gone, app blocked
# Teams' own connector hosts: a reference stored before VERIFIED existed may still be posted to
# there (the same default list Microsoft's Agents SDK allows outbound).
BOT_FRAMEWORK_HOSTS = ("smba.trafficmanager.net", "botframework.com", "teams.microsoft.com",
                       "teams.microsoft.us")


def is_loopback_url(url: str) -> bool:
    """Whether ``url`` is an http(s) URL on this machine (localhost, 127.0.0.0/8, ::1)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        return False
    if parts.scheme not in ("http", "https"):
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _normalised(url: str) -> str:
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return ""
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return ""
    netloc = parts.hostname.lower() + (f":{port}" if port else "")
    return f"{parts.scheme}://{netloc}{parts.path.rstrip('/')}/"


class ServiceUrlRefused(Exception):
    """The bot was about to send to a service URL ``ServiceUrls`` does not trust."""


class ServiceUrls:
    """Where the bot may send: the connector service URLs authenticated activities brought.

    botbuilder sends the bot's Bot Framework token with every call to an activity's ``serviceUrl``
    and checks nothing about that URL itself; a URL taken from an unauthenticated activity (or a
    stored reference it left) could send that token, and the bot's posts, anywhere. With an app id
    a URL counts once an activity with a valid Bot Framework token brought it (the token's
    ``serviceurl`` claim must name it); without one (the local emulator) only loopback URLs count.
    """

    def __init__(self, *, authenticated: bool) -> None:
        self.authenticated = authenticated
        self._seen: set[str] = set()
        self._lock = threading.Lock()

    def admit(self, url: str) -> None:
        """``url`` came with an activity whose token checked out."""
        normalised = _normalised(url or "")
        if self.authenticated and normalised:
            with self._lock:
                self._seen.add(normalised)

    def allows(self, url: str) -> bool:
        if not self.authenticated:
            return is_loopback_url(url or "")
        with self._lock:
            return _normalised(url or "") in self._seen

    def allows_stored(self, url: str, *, verified: bool) -> bool:
        """For a stored reference: seen this run, or marked when an authenticated activity stored
        it; one from before that mark, on Teams' own connector hosts."""
        if self.allows(url):
            return True
        if not self.authenticated:
            return False
        host = (urlsplit(url or "").hostname or "").lower()
        legacy = urlsplit(url or "").scheme == "https" and any(
            host == h or host.endswith("." + h) for h in BOT_FRAMEWORK_HOSTS)
        if verified or legacy:
            self.admit(url)
            return True
        return False


class TeamsNotifier:
    def __init__(self, adapter: Any, store: Store, *, conversations: ConversationStore,
                 app_id: str = "", timeout: float = 60.0,
                 service_urls: ServiceUrls | None = None) -> None:
        self._adapter = adapter
        self._store = store
        self._conversations = conversations
        self._app_id = app_id
        self._timeout = timeout
        self._loop: asyncio.AbstractEventLoop | None = None
        urls = service_urls if service_urls is not None else getattr(adapter, "service_urls", None)
        self._urls = urls if isinstance(urls, ServiceUrls) else ServiceUrls(authenticated=bool(app_id))

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        """Send on the server's event loop from now on (call it from the loop, at startup)."""
        self._loop = loop

    def send(self, workspace: Workspace, post: Post) -> None:
        activity = render_activity(post.reply)
        stored = self._conversations.conversation(workspace.id, reference_key(post.channel))
        with self._store.transaction(workspace.id) as repo:
            names = {u: m.display_name for u in people_of(activity)  # credited people by name
                     if (m := repo.member(u)) is not None and m.display_name}
        if stored is None:
            raise DeliveryError(f"no conversation reference for Teams channel {post.channel} yet: "
                                "someone must talk to Moments there once")
        raw = json.loads(stored)
        reference = ConversationReference().deserialize(raw)
        if not self._urls.allows_stored(reference.service_url or "", verified=raw.get(VERIFIED) is True):
            log.warning("Teams post to channel %s refused: its service URL %r was not brought by an "
                        "authenticated activity", post.channel, (reference.service_url or "")[:200])
            raise DeliveryError(f"the stored reference for Teams channel {post.channel} names a service "
                                "URL Moments does not trust: someone must talk to Moments there again")
        tenant = _tenant_of(reference)
        if tenant and tenant.lower() != workspace.external_id.lower():
            # each workspace is one tenant: a reference naming another is never used
            raise DeliveryError(f"the stored reference for Teams channel {post.channel} belongs to "
                                f"tenant {tenant}, not {workspace.external_id}", permanent=True)
        delivery = self._deliver(reference, name_people(activity, names))
        loop = self._loop
        if loop is not None and loop.is_running():
            if getattr(loop, "_thread_id", None) == threading.get_ident():
                delivery.close()
                raise RuntimeError("TeamsNotifier.send blocks; call it off the event loop")
            asyncio.run_coroutine_threadsafe(delivery, loop).result(self._timeout)
        else:
            asyncio.run(delivery)

    async def _deliver(self, reference: Any, activity: Any) -> None:
        failure: list[BaseException] = []

        async def post_it(turn_context: TurnContext) -> None:
            # A fresh post in the channel, not a reply to the made-up continuation activity.
            # Errors are caught here: the adapter would give them to on_turn_error, and the
            # scheduler must see them.
            turn_context.activity.id = None
            try:
                await turn_context.send_activity(activity)
            except Exception as err:  # noqa: BLE001 - re-raised below as a DeliveryError
                failure.append(err)

        try:
            await self._adapter.continue_conversation(reference, post_it, self._app_id)
        except ServiceUrlRefused as err:  # the adapter's own guard; nothing was sent
            raise DeliveryError(f"Teams service URL {reference.service_url!r} is not trusted") from err
        if failure:
            raise _delivery_error(failure[0]) from failure[0]


def _tenant_of(reference: Any) -> str:
    """The tenant a reference names: botbuilder writes ``tenantID``, Teams itself ``tenantId``."""
    conversation = reference.conversation
    if conversation is None:
        return ""
    extra = getattr(conversation, "additional_properties", None) or {}
    return str(getattr(conversation, "tenant_id", None) or extra.get("tenantId") or "")


def _delivery_error(err: BaseException) -> DeliveryError:
    response = getattr(err, "response", None)
    status = getattr(response, "status_code", None) or getattr(response, "status", None)
    if status is None:
        return DeliveryError(f"Teams delivery failed: {type(err).__name__}: {err}")
    headers = getattr(response, "headers", None) or {}
    retry = headers.get("Retry-After") if status == 429 else None
    try:
        retry_after = float(retry) if retry is not None else (1.0 if status == 429 else None)
    except ValueError:
        retry_after = 1.0
    return DeliveryError(f"Teams said HTTP {status}", retry_after=retry_after,
                         permanent=status in PERMANENT_STATUS)
