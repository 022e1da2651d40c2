"""/wow, /ow and /moments: one call on the command router, answered where Slack asked."""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from bot.domain import Source
from handlers.observability import count_reply_moment
from handlers.slack import ids
from handlers.slack.door import SlackDoor, ack_only
from handlers.slack.markup import plain


def register(app: App, door: SlackDoor) -> None:
    def run_command(body: dict[str, Any], respond: Any, client: Any) -> None:
        user, channel = body["user_id"], body.get("channel_id", "")
        with door.friendly(lambda r: door.send(client, channel=channel, user=user, reply=r, respond=respond)):
            ctx = door.context(client, body, user, channel, Source.COMMAND)
            reply = door.router.handle(ctx, body["command"], plain(body.get("text") or ""))
            count_reply_moment(reply.view, "command")
            door.send(client, channel=channel, user=user, reply=reply, respond=respond,
                      workspace_id=ctx.workspace_id)

    app.command(ids.COMMANDS)(ack=ack_only, lazy=[run_command])
