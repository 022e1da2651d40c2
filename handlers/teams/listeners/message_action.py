"""The message action "Log as a moment" (composeExtension invokes): a dialog prefilled with the
message and the team's touchpoints, and its submit, filed by the core's ``log_message``."""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from botbuilder.core import TurnContext  # type: ignore[import-untyped]
from botbuilder.schema.teams import MessagingExtensionActionResponse  # type: ignore[import-untyped]

from bot import text as render
from bot import words as say
from bot.commands import ChatContext
from bot.domain import MomentKind, Source
from bot.markup import plain
from bot.services import Actor
from bot.services.base import NoTeam
from bot.shorten import shorten_message
from bot.subcommands import keep
from bot.views import SET_UP, Reply, SetupOffer
from handlers.teams import cards, ids
from handlers.teams.door import TeamsDoor, run
from handlers.teams.listeners import setup
from handlers.teams.reading import is_person_key, plain_from_html, teams_syntax, user_key
from handlers.teams.replies import task_card, task_message
from handlers.teams.setup_form import setup_card

log = logging.getLogger(__name__)
NOTHING_TO_LOG = say.NOTHING_TO_LOG.format(wow="`wow …`", ow="`ow …`")


def message_author(message: Any) -> tuple[str, str] | None:
    """(key, name) of the author of the message a message action was used on, from the
    ``messagePayload`` Teams sends with it; None when the activity carries no payload."""
    if message is None:
        return None
    sender = getattr(message, "from_property", None)
    user = getattr(sender, "user", None) if sender is not None else None
    if user is None or not getattr(user, "id", None):
        return ("", "")  # an app's or a bot's message: nobody to credit
    return user_key(str(user.id)), str(getattr(user, "display_name", None) or "")


async def fetch_task(door: TeamsDoor, turn_context: TurnContext,
                     action: Any) -> MessagingExtensionActionResponse:
    message = action.message_payload
    text = plain_from_html(message.body.content or "") if message and message.body else ""
    user = message.from_property.user if message and message.from_property else None
    author = user_key(user.id) if user and user.id else ""
    if not text:  # only an image, a file or a sticker: nothing Moments can read
        return task_message(NOTHING_TO_LOG)
    ctx = await run(door.context, turn_context.activity, Source.SHORTCUT)
    team = await run(door.team, ctx)
    touchpoints = await run(door.touchpoints, ctx.workspace_id, team.id) if team else []
    short = shorten_message(text)  # the one rule for a message longer than a moment
    card = cards.log_card(short.text, ref=(message.id or "") if message else "", author=author,
                          author_name=(user.display_name or "") if user else "",
                          touchpoints=touchpoints, note=short.note)
    return task_card(say.LOG_AS_A_MOMENT, card)


async def submit_action(door: TeamsDoor, turn_context: TurnContext,
                        action: Any) -> MessagingExtensionActionResponse:
    data = action.data if isinstance(action.data, dict) else {}
    ctx = await run(door.context, turn_context.activity, Source.SHORTCUT)
    follow_up = cards.decode(data)
    if follow_up is not None and follow_up.name == SET_UP:  # the setup form in this dialog
        reply = await run(door.friendly, setup.set_up, door, ctx, data)
    elif follow_up is not None:  # a button on the confirmation shown in this dialog
        reply = await run(door.router.act, ctx, follow_up)
    else:
        reply = await run(door.friendly, log_moment, door, ctx, data,
                          message_author(getattr(action, "message_payload", None)))
    reply = replace(reply, text=teams_syntax(reply.text))
    if isinstance(reply.view, SetupOffer) and not reply.error:  # kept before setup: the form
        return task_card(say.FIRST_SET_UP_BUTTON, setup_card(reply, reply.view))
    if reply.choices:
        return task_card(say.WHICH_TOUCHPOINT_SHORT, cards.reply_card(reply))
    return task_message(plain(reply.text))


def log_moment(door: TeamsDoor, ctx: ChatContext, data: dict[str, Any],
               payload_author: tuple[str, str] | None = None) -> Reply:
    """File the dialog's moment. The author it credits is the message's, as Teams sends it
    again with the submit (``payload_author``: key, name); only when Teams does not is the
    card's own ``LOG_AUTHOR`` used, and only if it can be a person's key. Only the payload's
    name is remembered, never ``LOG_AUTHOR_NAME``: the card's data is the client's to forge,
    and a "name" stored under an alias key would re-point a colleague's mentions to another
    person's AAD id (their credits and their lead role)."""
    if payload_author is not None:
        author, name = payload_author
    else:
        author, name = str(data.get(ids.LOG_AUTHOR) or ""), ""
    if not is_person_key(author):
        if author:
            log.warning("Teams log-as-a-moment submit with an unusable author %r: not credited",
                        author[:80])
        author = ""
    ref = str(data.get(ids.LOG_REF) or "")
    kind, text = MomentKind(str(data.get(ids.LOG_KIND) or "wow").lower()), str(data.get(ids.LOG_TEXT) or "")
    # the same person logging the same message again is answered with the moment it made
    key = f"teams-log:{ctx.channel}/{ref}:{ctx.actor.user_id}" if ref else None
    try:
        filed = door.services.capture.log_message(
            workspace_id=ctx.workspace_id, channel=ctx.channel, actor=ctx.actor, kind=kind, text=text,
            touchpoint=str(data.get(ids.TOUCHPOINT) or "") or None,
            message_ref=f"{ctx.channel}/{ref}" if ref else None,
            author=Actor(author, name) if author else None, request_key=key)
    except NoTeam:  # no team here yet: kept for it (bot/services/onboarding.py)
        ctx = replace(ctx, message_ref=f"{ctx.channel}/{ref}" if ref else None, request_key=key,
                      source=Source.SHORTCUT)
        return keep(door.services, ctx, kind, text, author_id=author)
    credited = filed.moment.credited
    names = door.services.capture.names(workspace_id=ctx.workspace_id,
                                        user_ids=list(credited)) if credited else {}
    reply = render.filed(filed)
    return replace(reply, text=teams_syntax(reply.text, names))
