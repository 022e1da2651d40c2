"""Messages in the bot's channels and DMs: every one is remembered briefly (reactions need its
text); those starting "WOW:" or "OW:" log a moment. Mentions of the bot run /moments. An edit or
a deletion (``message_changed``, ``message_deleted``) reaches the cached copy and the moments
quoting the message (recent.py, and the core's ``source_edited`` / ``source_deleted``); it never
logs one."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import App

from bot import parsing
from bot.domain import Source
from bot.errors import UserError
from handlers.observability import count_reply_moment
from handlers.slack.door import SlackDoor, object_of, team_id_of
from handlers.slack.inbox import REPLAY, RESTARTED, after_ack
from handlers.slack.markup import plain

PEOPLE_SUBTYPES = (None, "thread_broadcast", "file_share")
CHANGES = ("message_changed", "message_deleted")
LEADING_MENTION = re.compile(r"^\s*<@[UW][A-Z0-9]+(?:\|[^>]*)?>[\s:,]*")


def register(app: App, door: SlackDoor) -> None:
    def on_message(body: dict[str, Any], event: dict[str, Any], client: Any, context: Any) -> None:
        if event.get("subtype") in CHANGES:
            on_change(body, event)
            return
        user, channel, ts = event.get("user", ""), event.get("channel", ""), event.get("ts", "")
        if event.get("subtype") not in PEOPLE_SUBTYPES or event.get("bot_id") or not user \
                or user == context.get("bot_user_id"):
            return
        text = plain(event.get("text") or "")
        with door.friendly(lambda r: door.send(client, channel=channel, user=user, reply=r)):
            if channel and ts and not channel.startswith("D"):
                ws = door.workspace(team_id_of(body))  # the installing one (Slack Connect)
                door.recent.seen(ws, channel, ts, user, text)
            moment = parsing.moment_prefix(text)
            if moment is None:
                return
            kind, what = moment
            ctx = door.context(client, body, user, channel, Source.MESSAGE, f"{channel}/{ts}")
            reply = door.router.handle(ctx, f"/{kind.value}", what)
            count_reply_moment(reply.view, "message")
            door.send(client, channel=channel, user=user, reply=reply, workspace_id=ctx.workspace_id)

    def on_change(body: dict[str, Any], event: dict[str, Any]) -> None:
        """No one asked for anything: nothing is said in chat (an error is only logged)."""
        channel = str(event.get("channel") or "")
        new, old = object_of(event, "message"), object_of(event, "previous_message")
        if event.get("subtype") == "message_deleted" or new.get("subtype") == "tombstone":
            # a thread's parent is not deleted but replaced by a tombstone ("This message was
            # deleted."): its replies stay
            ts = str(event.get("deleted_ts") or new.get("ts") or "")
            edited = None
        else:
            ts, edited = str(new.get("ts") or ""), str(new.get("text") or "")
            if "text" in old and old.get("text") == edited:
                return  # a reply, an unfurl, a pin: the words did not change
        if not (channel and ts):
            return
        ws = door.workspace(team_id_of(body))  # the installing one (Slack Connect)
        if edited is None:
            door.recent.deleted(ws, channel, ts)
        else:
            door.recent.edited(ws, channel, ts, plain(edited))

    def on_mention(body: dict[str, Any], event: dict[str, Any], client: Any, context: Any) -> None:
        user, channel = event.get("user", ""), event.get("channel", "")
        rest = LEADING_MENTION.sub("", event.get("text") or "")
        if parsing.moment_prefix(plain(rest)) or not user:
            return  # "@moments WOW: ..." is logged by the message listener
        with door.friendly(lambda r: door.send(client, channel=channel, user=user, reply=r)):
            if context.get(REPLAY):
                raise UserError(RESTARTED)
            ctx = door.context(client, body, user, channel, Source.COMMAND)
            reply = door.router.handle(ctx, "/moments", plain(rest))
            door.send(client, channel=channel, user=user, reply=reply, workspace_id=ctx.workspace_id)

    app.event("message")(after_ack(on_message))
    app.event("app_mention")(after_ack(on_mention))
