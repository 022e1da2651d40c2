"""Proactive posts (weekly prompt, vote results, digest) to Teams channels.

``Notifier.send`` is synchronous and called from the scheduler's thread, while botbuilder is
async: with the server's event loop known (``bind``), the send runs on that loop, where the
adapter's HTTP sessions live; without one (the CLI), it runs in a loop of its own.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from typing import Any

from botbuilder.core import TurnContext  # type: ignore[import-untyped]
from botbuilder.schema import ConversationReference  # type: ignore[import-untyped]

from bot.domain import Workspace
from bot.ports import DeliveryError, Store
from bot.views import Post
from handlers.teams.bot import name_people, people_of, reference_key, render_activity

log = logging.getLogger(__name__)
PERMANENT_STATUS = {401, 403, 404}  # removed from the team, conversation gone, app blocked


class TeamsNotifier:
    def __init__(self, adapter: Any, store: Store, *, app_id: str = "", timeout: float = 60.0) -> None:
        self._adapter = adapter
        self._store = store
        self._app_id = app_id
        self._timeout = timeout
        self._loop: asyncio.AbstractEventLoop | None = None

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        """Send on the server's event loop from now on (call it from the loop, at startup)."""
        self._loop = loop

    def send(self, workspace: Workspace, post: Post) -> None:
        activity = render_activity(post.reply)
        with self._store.transaction(workspace.id) as repo:
            stored = repo.conversation(reference_key(post.channel))
            names = {u: m.display_name for u in people_of(activity)  # credited people by name
                     if (m := repo.member(u)) is not None and m.display_name}
        if stored is None:
            raise DeliveryError(f"no conversation reference for Teams channel {post.channel} yet: "
                                "someone must talk to Moments there once")
        reference = ConversationReference().deserialize(json.loads(stored))
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

        await self._adapter.continue_conversation(reference, post_it, self._app_id)
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
