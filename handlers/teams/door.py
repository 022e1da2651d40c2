"""What every Teams listener shares: the services, the command router, the roster, who is
acting and where, and answering. Listeners stay short and call into this (as the Slack door's
``SlackDoor``)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import replace
from typing import Any, TypeVar

from botbuilder.core import TurnContext  # type: ignore[import-untyped]

from bot.commands import ChatContext, CommandRouter
from bot.domain import Moment, Platform, Source, Team, Touchpoint
from bot.errors import friendly_call
from bot.services import Actor, Services
from bot.views import MomentsExport, Reply
from handlers.export_links import ExportLinks
from handlers.teams.export import export_activity
from handlers.teams.ports import ConversationStore
from handlers.teams.reading import (
    conversation_key,
    is_personal,
    place_name,
    teams_syntax,
    tenant_of,
    timezone_of,
)
from handlers.teams.replies import name_people, people_of, render_activity
from handlers.teams.roster import Roster, person

log = logging.getLogger(__name__)
T = TypeVar("T")


def bot_message_ref(activity: Any, message_id: str) -> str:
    """A message of the bot's in this conversation, as a moment's ``message_ref``."""
    return f"{conversation_key(activity.conversation.id)}/{message_id}"


async def run(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """The core is synchronous (database work): off the event loop."""
    return await asyncio.to_thread(fn, *args, **kwargs)


class TeamsDoor:
    def __init__(self, services: Services, *, conversations: ConversationStore,
                 tenant_fallback: str = "", admins: frozenset[str] = frozenset()) -> None:
        self.services = services
        self.admins = admins  # AAD object ids (lower case) treated as the tenant's admins
        self.conversations = conversations  # for proactive posts (the notifier) and set_paused
        self.router = CommandRouter(services)
        self.roster = Roster(services)
        self.export_links: ExportLinks | None = None  # set by the web wiring
        self.tenant_fallback = tenant_fallback

    # who and where

    def tenant(self, activity: Any) -> str:
        return tenant_of(activity, self.tenant_fallback)

    def workspace(self, activity: Any) -> int:
        tenant = self.tenant(activity)
        if not tenant:  # on_turn refuses these; never file them under a guessed workspace
            raise ValueError("a Teams activity with no tenant (or two) has no workspace")
        return self.services.store.workspace(platform=Platform.TEAMS, external_id=tenant).id

    def actor(self, activity: Any) -> Actor:
        sender = activity.from_property
        aad = getattr(sender, "aad_object_id", None)
        actor = person(str(sender.id or ""), aad, sender.name or "")
        if aad and aad.lower() in self.admins:  # Teams says nobody's role: the operator does
            actor = replace(actor, is_admin=True)
        return actor

    def context(self, activity: Any, source: Source, people: tuple[Actor, ...] = ()) -> ChatContext:
        """A ChatContext for the core. In a personal chat the person's team stands in for it."""
        ws = self.workspace(activity)
        actor = self.actor(activity)
        private = is_personal(activity)
        channel = self.services.journey.channel_here(
            workspace_id=ws, channel=conversation_key(activity.conversation.id),
            user_id=actor.user_id, private=private)
        return ChatContext(ws, channel, actor, source, people=people, private=private,
                           channel_name=place_name(activity), timezone=timezone_of(activity))

    def team(self, ctx: ChatContext) -> Team | None:
        return self.services.journey.team_for_channel(workspace_id=ctx.workspace_id, channel=ctx.channel)

    def touchpoints(self, workspace_id: int, team_id: int) -> list[Touchpoint]:
        return self.services.journey.touchpoints(workspace_id=workspace_id, team_id=team_id)

    # answering

    def friendly(self, fn: Callable[..., Reply], *args: Any) -> Reply:
        """Errors a person can fix as words; anything else logged, never a stack trace
        (``bot.errors.friendly_call``)."""
        return friendly_call(fn, *args, what="Teams door call", logger=log)

    async def send(self, turn_context: TurnContext, reply: Reply, *, ctx: ChatContext | None = None,
                   names: dict[str, str] | None = None) -> None:
        reply = replace(reply, text=teams_syntax(reply.text))
        touchpoints: list[Touchpoint] = []
        moment = reply.view if isinstance(reply.view, Moment) and not reply.error else None
        if reply.journey and moment is not None:  # read in the transaction that filed it
            touchpoints = list(reply.journey)
        elif ctx is not None and moment is not None:
            touchpoints = await run(self.touchpoints, ctx.workspace_id, moment.team_id)
        if isinstance(reply.view, MomentsExport) and ctx is not None and not reply.error:
            kind = getattr(turn_context.activity.conversation, "conversation_type", None)
            activity = export_activity(reply, ctx, self.export_links, personal=kind == "personal")
        else:
            activity = render_activity(reply, touchpoints=touchpoints)
        names = dict(names or {})
        unnamed = [k for k in people_of(activity) if k not in names]
        if ctx is not None and unnamed:  # people this turn did not mention, known from earlier
            names.update(await run(self.services.capture.names, workspace_id=ctx.workspace_id,
                                   user_ids=unnamed))
        sent = await turn_context.send_activity(name_people(activity, names))
        if ctx is not None and moment is not None and sent is not None and sent.id:
            # Teams delivers likes on the bot's own messages: on this one they mean "me too"
            await run(self.services.capture.link_message, workspace_id=ctx.workspace_id,
                      moment_id=moment.id,
                      message_ref=bot_message_ref(turn_context.activity, str(sent.id)))
