"""The Teams door: activities in, one core call, Adaptive Cards out.

``MomentsTeamsBot`` only dispatches: every turn is checked for its tenant (the tenant is the
workspace; a turn whose tenant cannot be told is refused), its sender identified (roster.py),
its conversation's reference refreshed (lifecycle.py); then each kind of activity goes to its
listener in listeners/: messages, card submits, the message action, reactions, the bot added
or removed, edits. What they share is ``TeamsDoor`` (door.py). Teams has no ephemeral
messages: a reply goes to the conversation (the thread in a channel), and the message action
answers inside its own dialog.
"""

from __future__ import annotations

import logging
from typing import Any

from botbuilder.core import BotAdapter, InvokeResponse, TurnContext  # type: ignore[import-untyped]
from botbuilder.core.teams import TeamsActivityHandler  # type: ignore[import-untyped]
from botbuilder.schema import Activity, ActivityTypes  # type: ignore[import-untyped]
from botbuilder.schema.teams import MessagingExtensionActionResponse  # type: ignore[import-untyped]

from bot import words as say
from bot.services import Services
from handlers.teams import lifecycle
from handlers.teams.door import TeamsDoor, run
from handlers.teams.listeners import edits, members, message_action, messages, reactions, submits
from handlers.teams.ports import ConversationStore

log = logging.getLogger(__name__)
NO_TENANT = say.NO_TENANT


class MomentsTeamsBot(TeamsActivityHandler):  # type: ignore[misc]
    def __init__(self, services: Services, *, conversations: ConversationStore,
                 tenant_fallback: str = "", admins: frozenset[str] = frozenset()) -> None:
        super().__init__()
        self.services = services
        self.door = TeamsDoor(services, conversations=conversations, tenant_fallback=tenant_fallback,
                              admins=admins)

    async def on_turn(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        if not self.door.tenant(activity):
            await self._refuse(turn_context)
            return
        ws = await run(self.door.workspace, activity)
        await self.door.roster.identify_sender(turn_context, ws)
        verified = lifecycle.is_authenticated(turn_context.turn_state.get(BotAdapter.BOT_IDENTITY_KEY))
        await run(lifecycle.save_reference, self.services, self.door.conversations, ws, activity,
                  verified)
        await super().on_turn(turn_context)

    @staticmethod
    async def _refuse(turn_context: TurnContext) -> None:
        """No workspace is safe to guess: a wrong one would mix two organisations' moments."""
        activity = turn_context.activity
        log.warning("Teams %s activity %s refused: it names no tenant, or two different ones",
                    activity.type, activity.id)
        if activity.type == ActivityTypes.message:
            await turn_context.send_activity(NO_TENANT)
        elif activity.type == ActivityTypes.invoke:  # answered in the dialog, or refused
            dialog = str(activity.name or "").startswith(("composeExtension/", "task/"))
            await turn_context.send_activity(Activity(
                type=ActivityTypes.invoke_response, value=InvokeResponse(
                    status=200 if dialog else 400,
                    body={"task": {"type": "message", "value": NO_TENANT}} if dialog else
                    {"error": NO_TENANT})))

    # messages and card submits

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        if submits.is_submit(turn_context.activity):
            await submits.on_submit(self.door, turn_context)
        else:
            await messages.on_message(self.door, turn_context)

    # "Log as a moment" (message action)

    async def on_teams_messaging_extension_fetch_task(
        self, turn_context: TurnContext, action: Any
    ) -> MessagingExtensionActionResponse:
        return await message_action.fetch_task(self.door, turn_context, action)

    async def on_teams_messaging_extension_submit_action(
        self, turn_context: TurnContext, action: Any
    ) -> MessagingExtensionActionResponse:
        return await message_action.submit_action(self.door, turn_context, action)

    # reactions on the bot's own messages

    async def on_reactions_added(self, message_reactions: list[Any], turn_context: TurnContext) -> None:
        await reactions.on_added(self.door, message_reactions, turn_context)

    async def on_reactions_removed(self, message_reactions: list[Any], turn_context: TurnContext) -> None:
        await reactions.on_removed(self.door, message_reactions, turn_context)

    # the bot removed from a team or chat, or added back

    async def on_installation_update_add(self, turn_context: TurnContext) -> None:
        await members.set_paused(self.door, turn_context, False)

    async def on_installation_update_remove(self, turn_context: TurnContext) -> None:
        await members.set_paused(self.door, turn_context, True)

    async def on_members_added_activity(self, members_added: list[Any], turn_context: TurnContext) -> None:
        await members.on_members(self.door, members_added, turn_context, False)

    async def on_members_removed_activity(self, members_removed: list[Any],
                                          turn_context: TurnContext) -> None:
        await members.on_members(self.door, members_removed, turn_context, True)

    # a message edited or deleted

    async def on_teams_message_edit(self, turn_context: TurnContext) -> None:
        await run(edits.source_changed, self.door, turn_context.activity, True)

    async def on_teams_message_soft_delete(self, turn_context: TurnContext) -> None:
        await run(edits.source_changed, self.door, turn_context.activity, False)
