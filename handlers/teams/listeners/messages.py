"""Messages to the bot: ``wow ...``, ``ow ...``, ``moments <sub>``, ``help`` run the same
command router as Slack's slash commands; anything else is greeted. Mentions of colleagues are
resolved to the key each reports with (the roster), so a credit and a ``privacy delete @name``
reach the person whatever id Teams sent."""

from __future__ import annotations

from dataclasses import replace

from botbuilder.core import TurnContext  # type: ignore[import-untyped]

from bot import words as say
from bot.domain import Source
from bot.services import Actor
from bot.views import Reply
from handlers.teams.door import TeamsDoor, run
from handlers.teams.listeners import forms
from handlers.teams.org import named_channel, org_setup_words, share_reference, without_channels
from handlers.teams.reading import parse_command, read_text, unresolved_mentions

GREETING = say.GREETING.format(wow="`wow …`", ow="`ow …`", help="`help`")


async def on_message(door: TeamsDoor, turn_context: TurnContext) -> None:
    activity = turn_context.activity
    text, names = read_text(activity)
    form = forms.opener(text)
    if form is not None:  # `home`, `journey`: the door's own cards
        await form(door, turn_context)
        return
    if parse_command(text) is None:
        await door.send(turn_context, Reply(GREETING))
        return
    ctx = await run(door.context, activity, Source.TEAMS)
    aad_ids: dict[str, str] = {}
    unresolved = unresolved_mentions(activity)
    if unresolved:  # mentions carry account ids: credit people by the key they report with
        aad_ids = await door.roster.aad_ids(turn_context, ctx.workspace_id, unresolved)
        text, names = read_text(activity, aad_ids)
    ctx = replace(ctx, people=door.roster.mentioned(activity, aad_ids))
    command, rest = parse_command(text) or ("", "")
    asked = rest
    rest = org_setup_words(activity, command, rest)  # a channel named by mention (teams/org.py)
    names = without_channels(names)
    if names:  # so the digest, and later cards, show the colleagues' names
        await run(door.services.capture.remember_people, workspace_id=ctx.workspace_id,
                  people=[Actor(k, n) for k, n in names.items()])
    reply = await run(door.router.handle, ctx, command, rest)
    if rest != asked and not reply.error and (named := named_channel(activity)):
        await run(share_reference, door.conversations, ctx.workspace_id, activity, named[0],
                  door.services.clock.now())
    await door.send(turn_context, reply, ctx=ctx, names=names)
