"""/wow, /ow and /moments: one call on the command router, answered where Slack asked. Two lead
tools open a modal instead: `/moments setup` with no options, and `/moments touchpoints edit`."""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from slack_sdk.models.blocks import ActionsBlock, Block

from bot import words as say
from bot.domain import Source
from bot.errors import UserError
from handlers.observability import count_reply_moment
from handlers.slack import blocks as kit
from handlers.slack import ids
from handlers.slack.door import SlackDoor, text_of
from handlers.slack.inbox import REPLAY, RESTARTED, after_ack
from handlers.slack.listeners.views import open_setup, open_touchpoints
from handlers.slack.markup import plain
from handlers.slack.org import command_text

MODALS = {("setup",): open_setup, ("touchpoints", "edit"): open_touchpoints}
TOUCHPOINT_LISTS = (("touchpoints",), ("touchpoints", "list"))


def register(app: App, door: SlackDoor) -> None:
    def run_command(body: dict[str, Any], respond: Any, client: Any, context: Any) -> None:
        user, channel = text_of(body, "user_id"), text_of(body, "channel_id")
        if not user:
            return  # not from a person: nobody to answer
        text = plain(command_text(body))  # `/moments org setup #channel` keeps the channel's id
        words = tuple(text.lower().split()) if body["command"] == "/moments" else ()
        tell = lambda r: door.send(client, channel=channel, user=user, reply=r, respond=respond)  # noqa: E731
        with door.friendly(tell):
            if context.get(REPLAY) and body["command"] == "/moments":
                raise UserError(RESTARTED)
            if words in MODALS:
                MODALS[words](door, client, body, user, channel, tell=tell)
                return
            ctx = door.context(client, body, user, channel, Source.COMMAND)
            reply = door.router.handle(ctx, body["command"], text)
            count_reply_moment(reply.view, "command")
            extra: list[Block] = []
            if words in TOUCHPOINT_LISTS and not reply.error:
                team = door.router.team(ctx)
                journey = door.services.journey
                if journey.is_lead(workspace_id=ctx.workspace_id, team_id=team.id, actor=ctx.actor):
                    edit = kit.button(say.EDIT_TOUCHPOINTS_BUTTON, ids.OPEN_TOUCHPOINTS, ctx.channel)
                    extra.append(ActionsBlock(elements=[edit]))
            door.send(client, channel=channel, user=user, reply=reply, respond=respond,
                      workspace_id=ctx.workspace_id, extra=extra)

    app.command(ids.COMMANDS)(after_ack(run_command))
