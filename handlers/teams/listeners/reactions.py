"""Reactions on the bot's own messages (Teams delivers no others).

The rule is the core's (``capture.me_too_on_post``): a like on the bot's confirmation of a
moment is a "me too" on that moment, and taking it back withdraws it. A reaction on any other
post of the bot's (the weekly prompt, a digest, a greeting, help) logs nothing and credits no
one: the bot wrote it, so it is nobody's moment of truth."""

from __future__ import annotations

import logging
from typing import Any

from botbuilder.core import TurnContext  # type: ignore[import-untyped]

from bot import text as render
from bot.domain import Source
from bot.views import Reply
from handlers.teams import ids
from handlers.teams.door import TeamsDoor, bot_message_ref, run
from handlers.teams.reading import is_personal

log = logging.getLogger(__name__)


def likes(reactions: list[Any]) -> bool:
    return any((r.type or "").lower() in ids.WOW_REACTIONS for r in reactions)


async def on_added(door: TeamsDoor, reactions: list[Any], turn_context: TurnContext) -> None:
    if not likes(reactions):
        return
    reply = await run(_me_too, door, turn_context.activity)
    if reply is not None and is_personal(turn_context.activity):
        await door.send(turn_context, reply)


async def on_removed(door: TeamsDoor, reactions: list[Any], turn_context: TurnContext) -> None:
    if not likes(reactions):
        return
    await run(_withdraw, door, turn_context.activity)


def _me_too(door: TeamsDoor, activity: Any) -> Reply | None:
    if not activity.reply_to_id:
        return None
    ctx = door.context(activity, Source.REACTION)
    moment = door.services.capture.me_too_on_post(
        workspace_id=ctx.workspace_id, actor=ctx.actor,
        message_ref=bot_message_ref(activity, str(activity.reply_to_id)))
    if moment is None:
        log.info("Teams reaction on bot message %s: no moment's confirmation, or the person's own "
                 "moment; nothing logged", activity.reply_to_id)
        return None
    log.info("Teams reaction on %s: me too on moment %s", activity.reply_to_id, moment.id)
    return render.me_too(moment)


def _withdraw(door: TeamsDoor, activity: Any) -> None:
    if not activity.reply_to_id:
        return
    ctx = door.context(activity, Source.REACTION)
    door.services.capture.withdraw_on_post(
        workspace_id=ctx.workspace_id, actor=ctx.actor,
        message_ref=bot_message_ref(activity, str(activity.reply_to_id)))
