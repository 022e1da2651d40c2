"""Card submits (Action.Submit on the bot's cards): the same actions as Slack's buttons, through
the command router; a proposal from the weekly prompt's form; the prompt card redrawn with live
counts after a vote."""

from __future__ import annotations

import logging
from typing import Any

from botbuilder.core import CardFactory, MessageFactory, TurnContext  # type: ignore[import-untyped]

from bot import text as render
from bot.commands import ChatContext
from bot.domain import Source
from bot.views import PROPOSE, SET_UP, Reply
from handlers.teams import cards, ids
from handlers.teams.door import TeamsDoor, run
from handlers.teams.listeners import forms, setup

log = logging.getLogger(__name__)


def is_submit(activity: Any) -> bool:
    return isinstance(activity.value, dict) and ids.ACTION in activity.value


async def on_submit(door: TeamsDoor, turn_context: TurnContext) -> None:
    data: dict[str, Any] = turn_context.activity.value
    if forms.is_form_submit(data):  # the home and journey cards (listeners/forms.py)
        await forms.on_submit(door, turn_context, data)
        return
    action = cards.decode(data)
    if action is None:
        return
    if action.name == SET_UP:  # the setup form (listeners/setup.py)
        await setup.on_set_up(door, turn_context, data)
        return
    ctx = await run(door.context, turn_context.activity, Source.TEAMS)
    if action.name == PROPOSE and str(data.get(ids.PROPOSAL_TEXT) or "").strip():
        reply = await run(door.friendly, propose, door, ctx, data)
    else:
        reply = await run(door.router.act, ctx, action)
    if ids.PROMPT in data and not reply.error:
        await redraw_prompt(door, turn_context, ctx, data)
    await door.send(turn_context, reply, ctx=ctx)


def propose(door: TeamsDoor, ctx: ChatContext, data: dict[str, Any]) -> Reply:
    proposal = door.services.weekly.propose(
        workspace_id=ctx.workspace_id, prompt_id=int(data[ids.PROMPT]), actor=ctx.actor,
        text=str(data.get(ids.PROPOSAL_TEXT) or ""),
        touchpoint=str(data.get(ids.PROPOSAL_TOUCHPOINT) or "") or None,
        anonymous=str(data.get(ids.PROPOSAL_ANONYMOUS)).lower() == "true")
    return render.proposal_received(proposal)


async def redraw_prompt(door: TeamsDoor, turn_context: TurnContext, ctx: ChatContext,
                        data: dict[str, Any]) -> None:
    """The prompt card the button was on, drawn again with live counts."""
    card_id = turn_context.activity.reply_to_id
    if not card_id:
        return
    try:
        view = await run(door.services.reports.prompt, workspace_id=ctx.workspace_id,
                         prompt_id=int(data[ids.PROMPT]))
        reply = render.prompt(view, lead=data.get(ids.LEAD_CARD) == "1")
        updated = MessageFactory.attachment(CardFactory.adaptive_card(cards.reply_card(reply)))
        updated.id = card_id
        await turn_context.update_activity(updated)
    except Exception:  # noqa: BLE001 - the vote counts; a stale card is only cosmetic
        log.warning("could not redraw prompt card %s", card_id, exc_info=True)
