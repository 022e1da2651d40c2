"""The first five minutes in Teams. The bot added to a team or a group chat posts one welcome
there with the setup form (``setup_form.py``); the form's submit, there or under a moment kept
before setup, creates the team (the person who sends it leads it) and files what waited, as
``/moments setup`` does (the core's ``Onboarding.set_up``)."""

from __future__ import annotations

from typing import Any

from botbuilder.core import TurnContext  # type: ignore[import-untyped]

from bot import welcome, words
from bot.commands import ChatContext
from bot.domain import Source
from bot.errors import UserError
from bot.markup import code
from bot.views import Reply
from handlers.teams import ids
from handlers.teams.door import TeamsDoor, run
from handlers.teams.reading import conversation_key, is_personal, place_name, timezone_of


async def welcome_here(door: TeamsDoor, turn_context: TurnContext) -> None:
    """The bot has just arrived in a team or group chat: welcome it once, with the form."""
    activity = turn_context.activity
    if is_personal(activity):
        return  # a personal chat is no team's place
    ws = await run(door.workspace, activity)
    offer = await run(door.services.onboarding.welcome, workspace_id=ws,
                      channel=conversation_key(activity.conversation.id),
                      channel_name=place_name(activity), timezone=timezone_of(activity))
    if offer is not None:
        await door.send(turn_context, welcome.welcome(offer))


def set_up(door: TeamsDoor, ctx: ChatContext, data: dict[str, Any]) -> Reply:
    """The setup form sent: the team, with what the form says (the rest guessed)."""
    if ctx.private:
        raise UserError(words.FIRST_SETUP_IN_CHANNEL.format(setup=code("/moments setup")))
    made = door.services.onboarding.set_up(
        workspace_id=ctx.workspace_id, actor=ctx.actor, channel=ctx.channel,
        name=str(data.get(ids.SETUP_NAME) or ""), template=str(data.get(ids.SETUP_TEMPLATE) or ""),
        timezone=str(data.get(ids.SETUP_TIMEZONE) or "").strip(), channel_name=ctx.channel_name,
        timezone_hint=ctx.timezone)
    return welcome.set_up(made, ctx.actor.user_id)


async def on_set_up(door: TeamsDoor, turn_context: TurnContext, data: dict[str, Any]) -> None:
    ctx = await run(door.context, turn_context.activity, Source.TEAMS)
    reply = await run(door.friendly, set_up, door, ctx, data)
    await door.send(turn_context, reply, ctx=ctx)
