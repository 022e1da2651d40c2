"""The first five minutes in Slack. When Moments joins a channel (``member_joined_channel`` with
the bot as the member) it posts one welcome there with "Set up this channel"; that button, and
the one under a moment kept before setup, open the setup modal prefilled with the core's guesses
(``open_setup_form``). A reaction in a channel with no team is kept waiting as well (the core's
``Onboarding.keep``), and the reporter told so, with the same button."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App

from bot import welcome
from bot.domain import MomentKind, Source
from bot.services import Actor
from bot.views import Reply
from handlers.slack.door import SlackDoor, team_id_of, text_of
from handlers.slack.inbox import after_ack, request_key
from handlers.slack.people import bot_user_of

log = logging.getLogger(__name__)
PRIVATE_NAMES = ("directmessage", "privategroup", "mpdm")


def timezone_of(door: SlackDoor, client: Any, team_id: str, user: str) -> str:
    """The person's timezone as their Slack profile has it (users.info ``tz``), "" if unknown:
    kept with who they are (``AdminCache``), so a person whose profile was fetched ahead of the
    work is not asked about again; else asked on the sender's loop and waited for (the form
    shows it)."""
    return door.people.timezone(client, team_id, user) if user else ""


def channel_name_of(door: SlackDoor, client: Any, body: dict[str, Any], channel: str) -> str:
    """The channel's name: from the payload (a command's ``channel_name``, a click's
    ``channel.name``), else as conversations.info gave it ahead of the work (``SlackDoor.prefetch``),
    else asked of it now; "" for a DM or when Slack won't say."""
    named = str(body.get("channel_name") or (body.get("channel") or {}).get("name") or "")
    if named:
        return "" if named in PRIVATE_NAMES else named
    if not channel or channel.startswith("D"):
        return ""
    known = door.channel_names.name(team_id_of(body), channel)
    if known is not None:
        return known
    try:
        return str((door.sender.ask(client, "conversations_info", channel=channel).get("channel") or {})
                   .get("name") or "")
    except Exception:
        log.info("conversations.info gave no name for %s", channel, exc_info=True)
        return ""


def keep_reaction(door: SlackDoor, body: dict[str, Any], ws: int, channel: str,
                  ts: str, user: str, kind: MomentKind, author: str) -> Reply:
    """A WOW or OW reaction in a channel with no team: kept for the team to come, with the text
    of the message when the door has a copy (redacted as it was kept), else read once filed."""
    cached = door.recent.cache.cached_message(ws, channel, ts)
    kept = door.services.onboarding.keep(
        workspace_id=ws, channel=channel, actor=Actor(user), kind=kind,
        text=cached.text if cached is not None else None, source=Source.REACTION,
        message_ref=f"{channel}/{ts}", request_key=request_key(body),
        author_id=author or (cached.author_id if cached is not None else ""))
    return welcome.kept(kept)  # (the button's form guesses the channel's name when it opens)


def register(app: App, door: SlackDoor) -> None:
    def on_joined(body: dict[str, Any], event: dict[str, Any], client: Any, context: Any) -> None:
        channel, user = text_of(event, "channel"), text_of(event, "user")
        if not channel or not user or user != bot_user_of(body, context):
            return  # someone else joined: nothing for Moments to say
        with door.friendly(lambda r: None):  # nobody asked: an error is only logged
            ws = door.workspace(team_id_of(body))
            offer = door.services.onboarding.welcome(
                workspace_id=ws, channel=channel, channel_name=channel_name_of(door, client, body, channel),
                timezone=timezone_of(door, client, team_id_of(body), text_of(event, "inviter")))
            if offer is not None:
                door.send(client, channel=channel, user="", reply=welcome.welcome(offer))

    app.event("member_joined_channel")(after_ack(on_joined))
