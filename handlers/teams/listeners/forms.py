"""The Teams door's own forms: the personal home (``home``) and the leads' journey editor
(``journey``, also ``moments touchpoints edit``), opened by typing and answered from their cards'
Action.Submit buttons (Teams sends a message whose ``value`` is the button's data with the
card's inputs merged in, and whose ``replyToId`` is the card). A submit redraws its card in place
(updateActivity) and, if Teams refuses that, answers with the new card; what changed is said as
a message, in the same words as the text commands.

Nothing here decides anything: the home is the core's ``reports.home``, the edits are the
journey service's calls (``bot.journey_edits``), and the lead check is the service's own."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from botbuilder.core import CardFactory, MessageFactory, TurnContext  # type: ignore[import-untyped]

from bot import text as render
from bot import words
from bot.commands import ChatContext
from bot.domain import Source
from bot.errors import UserError, friendly
from bot.journey_edits import apply_touchpoint_edits
from bot.views import Reply
from handlers.teams import ids
from handlers.teams.cards import CARD_BUDGET, Card, size
from handlers.teams.door import TeamsDoor, run
from handlers.teams.home import home_card
from handlers.teams.journey_card import journey_card, listed_card, read_edits
from handlers.teams.reading import is_personal, teams_syntax
from handlers.teams.replies import name_people, people_of

log = logging.getLogger(__name__)
DOING = "edit the touchpoints"  # the service's words for the lead check, as Slack's form asks
HOME_WORDS = frozenset({"home", "moments home"})
JOURNEY_WORDS = frozenset({"journey", "moments journey", "moments touchpoints edit"})
LIST_WORDS = frozenset({"moments touchpoints", "moments touchpoints list"})  # + Edit, for leads


@dataclass(frozen=True, slots=True)
class Answer:
    card: Card | None = None  # the form drawn again (in place of the one pressed, or new)
    reply: Reply | None = None  # what to say
    people: bool = False  # the card shows what people wrote: their @key mentions as names


def opener(text: str) -> Callable[[TeamsDoor, TurnContext], Awaitable[None]] | None:
    """The form a typed message asks for, or None: the message is for the command router."""
    typed = " ".join(text.lower().lstrip("/").split())
    if typed in HOME_WORDS:
        return open_home
    if typed in JOURNEY_WORDS:
        return open_journey
    if typed in LIST_WORDS:
        return list_journey
    return None


def is_form_submit(data: dict[str, Any]) -> bool:
    return data.get(ids.ACTION) in ids.FORM_ACTIONS


async def open_home(door: TeamsDoor, turn_context: TurnContext) -> None:
    if not is_personal(turn_context.activity):
        await door.send(turn_context, Reply(words.HOME_IN_CHANNEL))
        return
    ctx = await run(door.context, turn_context.activity, Source.TEAMS)
    await _answer(door, turn_context, ctx, await run(_friendly, _home, door, ctx), new=True)


async def open_journey(door: TeamsDoor, turn_context: TurnContext) -> None:
    ctx = await run(door.context, turn_context.activity, Source.TEAMS)
    await _answer(door, turn_context, ctx, await run(_friendly, _journey, door, ctx, 0, {}), new=True)


async def list_journey(door: TeamsDoor, turn_context: TurnContext) -> None:
    """``moments touchpoints`` as the router answers it; a lead's comes with the Edit button."""
    ctx = await run(door.context, turn_context.activity, Source.TEAMS)
    reply = await run(door.router.handle, ctx, "/moments", "touchpoints")
    card = None if reply.error else await run(_friendly, _listed, door, ctx, reply)
    if card is None or card.card is None:
        await door.send(turn_context, reply, ctx=ctx)
    else:
        await _answer(door, turn_context, ctx, card, new=True)


async def on_submit(door: TeamsDoor, turn_context: TurnContext, data: dict[str, Any]) -> None:
    ctx = await run(door.context, turn_context.activity, Source.TEAMS)
    answer = await run(_friendly, _submitted, door, ctx, data)
    # the Edit button opens the editor below the list; every other button redraws its own card
    await _answer(door, turn_context, ctx, answer, new=data.get(ids.ACTION) == ids.JOURNEY_OPEN)


# the work, off the event loop


def _friendly(fn: Callable[..., Answer], *args: Any) -> Answer:
    """Errors a person can fix as words (``bot.errors.friendly``), never a stack trace."""
    told: list[Reply] = []
    with friendly(told.append, what="Teams form", logger=log):
        return fn(*args)
    return Answer(reply=told[0])


def _home(door: TeamsDoor, ctx: ChatContext) -> Answer:
    team = door.team(ctx)  # in a personal chat, the person's own team (TeamsDoor.context)
    view = door.services.reports.home(workspace_id=ctx.workspace_id, team_id=team.id if team else None,
                                      user_id=ctx.actor.user_id, is_admin=ctx.actor.is_admin)
    return Answer(card=home_card(view), people=True)


def _journey(door: TeamsDoor, ctx: ChatContext, start: int, draft: dict[str, Any]) -> Answer:
    team = door.router.team(ctx)
    journey = door.services.journey
    journey.require_lead(workspace_id=ctx.workspace_id, team_id=team.id, actor=ctx.actor, doing=DOING)
    items = journey.touchpoints(workspace_id=ctx.workspace_id, team_id=team.id)
    return Answer(card=journey_card(team, items, start=start, draft=draft))


def _listed(door: TeamsDoor, ctx: ChatContext, reply: Reply) -> Answer:
    team = door.router.team(ctx)
    if not door.services.journey.is_lead(workspace_id=ctx.workspace_id, team_id=team.id, actor=ctx.actor):
        return Answer()
    listed = listed_card(team, teams_syntax(reply.text))
    return Answer(card=listed) if size(listed) <= CARD_BUDGET else Answer()  # else: `journey`


def _submitted(door: TeamsDoor, ctx: ChatContext, data: dict[str, Any]) -> Answer:
    action = data[ids.ACTION]
    if action == ids.HOME_REFRESH:
        return _home(door, ctx)
    if action in (ids.HOME_PROMPT, ids.HOME_DIGEST):
        return Answer(reply=_home_opens(door, ctx, action))
    team = door.router.team(ctx)
    try:
        if str(team.id) != str(data.get(ids.JOURNEY_TEAM)):
            raise ValueError("another team's card")
        start = int(str(data.get(ids.JOURNEY_START) or 0))
    except ValueError:
        raise UserError(words.JOURNEY_OTHER_TEAM) from None
    journey, ws = door.services.journey, ctx.workspace_id
    journey.require_lead(workspace_id=ws, team_id=team.id, actor=ctx.actor, doing=DOING)
    if action in (ids.JOURNEY_PAGE, ids.JOURNEY_OPEN):
        return _journey(door, ctx, start, {})
    if action == ids.JOURNEY_MOVE:
        slug, place = str(data.get(ids.JOURNEY_SLUG) or ""), str(data.get(ids.JOURNEY_PLACE) or "")
        if not place.isdigit():
            raise UserError(words.JOURNEY_OTHER_TEAM)
        journey.move_touchpoint(workspace_id=ws, team_id=team.id, actor=ctx.actor, slug=slug,
                                position=int(place))
        return _journey(door, ctx, start, data)
    current = journey.touchpoints(workspace_id=ws, team_id=team.id, include_retired=True)
    edits, problem = read_edits(data, current)
    if problem:
        return Answer(reply=Reply(problem, error=True))
    reply = apply_touchpoint_edits(journey, ws, team.id, ctx.actor, edits)
    return Answer(card=None if edits.empty else _journey(door, ctx, start, data).card, reply=reply)


def _home_opens(door: TeamsDoor, ctx: ChatContext, action: str) -> Reply:
    """The prompt or the digest the home summarises, as their own cards (with the vote and
    propose buttons, and the chart)."""
    if action == ids.HOME_DIGEST:
        return door.router.handle(ctx, "/moments", "digest")
    team = door.team(ctx)
    view = door.services.reports.home(workspace_id=ctx.workspace_id, team_id=team.id if team else None,
                                      user_id=ctx.actor.user_id, is_admin=ctx.actor.is_admin)
    if view.open_prompt is None or view.open_prompt.closed:  # closed since the home was drawn
        return door.router.handle(ctx, "/moments", "results")
    return render.prompt(view.open_prompt, lead=view.is_lead)


# answering


async def _answer(door: TeamsDoor, turn_context: TurnContext, ctx: ChatContext, answer: Answer, *,
                  new: bool) -> None:
    if answer.card is not None:
        activity = MessageFactory.attachment(CardFactory.adaptive_card(answer.card))
        unnamed = people_of(activity) if answer.people else []
        if unnamed:  # (never on the journey card: a name input's value must stay as stored)
            activity = name_people(activity, await run(door.services.capture.names,
                                                       workspace_id=ctx.workspace_id, user_ids=unnamed))
        card_id = None if new else turn_context.activity.reply_to_id
        if not card_id or not await _update(turn_context, activity, card_id):
            await turn_context.send_activity(activity)
    if answer.reply is not None:
        await door.send(turn_context, answer.reply, ctx=ctx)


async def _update(turn_context: TurnContext, activity: Any, card_id: str) -> bool:
    """The card the button was on, drawn again; False when Teams would not (then the new card
    is sent as a reply)."""
    activity.id = card_id
    try:
        await turn_context.update_activity(activity)
    except Exception:  # noqa: BLE001 - the change is saved; only the card is stale
        log.warning("could not redraw Teams form card %s", card_id, exc_info=True)
        activity.id = None
        return False
    return True
