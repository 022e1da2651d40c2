"""The bot added to or removed from a team or chat (installationUpdate, conversationUpdate):
the weekly posts of the Moments teams there resume or pause (lifecycle.set_paused); a place
with no team yet is welcomed once (listeners/setup.py)."""

from __future__ import annotations

from typing import Any

from botbuilder.core import TurnContext  # type: ignore[import-untyped]

from handlers.teams import lifecycle
from handlers.teams.door import TeamsDoor, run
from handlers.teams.listeners import setup


async def set_paused(door: TeamsDoor, turn_context: TurnContext, paused: bool) -> None:
    activity = turn_context.activity
    ws = await run(door.workspace, activity)
    await run(lifecycle.set_paused, door.services, door.conversations, ws, activity, paused,
              door.tenant(activity))


async def on_members(door: TeamsDoor, members: list[Any], turn_context: TurnContext,
                     paused: bool) -> None:
    """Members added or removed: only the bot's own arrival or departure counts."""
    bot_id = getattr(turn_context.activity.recipient, "id", None)
    if any(m.id == bot_id for m in members or []):
        await set_paused(door, turn_context, paused)
        if not paused:  # arrived: welcomed once, with the setup form (listeners/setup.py)
            await setup.welcome_here(door, turn_context)
