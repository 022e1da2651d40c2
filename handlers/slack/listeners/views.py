"""Modal submissions. The ack checks what the person can fix in the modal itself (empty or too
long text, an unknown timezone, a bad touchpoint id) and keeps the modal open with the error on
the field; only then does the work run after, and the answer arrives as a message. Also the
openers of the leads' modals (team settings, touchpoints), shared by the command and the button."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from slack_bolt import App

from bot import text as render
from bot import welcome
from bot import words as say
from bot.commands import NO_TEAM
from bot.domain import MAX_PROPOSAL_CHARS, MomentKind, Source, Team
from bot.errors import UserError
from bot.journey_edits import apply_touchpoint_edits
from bot.services import Actor
from bot.services.base import NoTeam
from bot.subcommands import keep
from bot.views import Reply
from handlers.observability import count_reply_moment
from handlers.slack import blocks as kit
from handlers.slack import ids
from handlers.slack.after_ack import collecting
from handlers.slack.door import SlackDoor, knowing_who, team_id_of
from handlers.slack.listeners import first
from handlers.slack.markup import plain
from handlers.slack.modals import (
    Origin,
    read_setup,
    read_touchpoints,
    setup_modal,
    submitted,
    touchpoints_modal,
)

# Bolt starts the lazy listeners whatever the ack answered; an ack that kept the modal open with
# field errors marks the request (the mark travels to the lazy listener's copy of the context).
REFUSED = "moments_modal_refused"


def answer_fields(ack: Any, context: Any, errors: dict[str, str]) -> None:
    if errors:
        context[REFUSED] = True
        ack(response_action="errors", errors=errors)
    else:
        ack()


def _check_text(limit: int) -> Any:
    def check(ack: Any, view: dict[str, Any], context: Any) -> None:
        text = (submitted(view).get(ids.TEXT_INPUT) or "").strip()
        if not text:
            answer_fields(ack, context, {ids.TEXT_INPUT: say.TELL_US_WHAT_HAPPENED})
        elif len(text) > limit:
            answer_fields(ack, context, {ids.TEXT_INPUT: say.KEEP_IT_UNDER.format(limit=limit)})
        else:
            ack()
    return check


# the leads' modals


def _teller(door: SlackDoor, client: Any, channel: str, user: str) -> Callable[[Reply], None]:
    """Answers only the person, in the channel the modal was opened from."""
    def tell(reply: Reply) -> None:
        door.send(client, channel=channel, user=user, reply=reply)
    return tell


def _who(body: dict[str, Any], view: dict[str, Any]) -> tuple[Origin, str, str]:
    """Where to answer, who submitted, and their workspace."""
    return Origin.load(view.get("private_metadata")), body["user"]["id"], team_id_of(body)


def open_setup(door: SlackDoor, client: Any, body: dict[str, Any], user: str, channel: str, *,
               tell: Callable[[Reply], None]) -> None:
    """The team's settings for a lead (or the new team's, for anyone), prefilled; ``tell``:
    how the person is told if the form cannot open."""
    ctx = door.context(client, body, user, channel, Source.COMMAND)
    if not ctx.channel or ctx.channel.startswith("D"):
        raise UserError(say.SETUP_IN_TEAM_CHANNEL.format(command="`/moments setup`"))
    team = door.services.journey.team_for_channel(workspace_id=ctx.workspace_id, channel=ctx.channel)
    guess: Team | None = None
    if team is not None:
        door.services.journey.require_lead(workspace_id=ctx.workspace_id, team_id=team.id,
                                           actor=ctx.actor, doing=say.DOING_CHANGE_SETTINGS)
    else:  # a new team: everything guessed, so "Set up" needs no typing (listeners/first.py)
        offer = door.services.onboarding.defaults(
            workspace_id=ctx.workspace_id, channel=ctx.channel,
            channel_name=first.channel_name_of(door, client, body, ctx.channel),
            timezone=first.timezone_of(door, client, team_id_of(body), user))
        guess = Team(0, offer.name, ctx.channel, offer.timezone, offer.template)
    door.open_form(client, body["trigger_id"],
                   setup_modal(team, ctx.channel, Origin(channel=ctx.channel), guess=guess), tell)


def open_touchpoints(door: SlackDoor, client: Any, body: dict[str, Any], user: str, channel: str, *,
                     tell: Callable[[Reply], None]) -> None:
    ctx = door.context(client, body, user, channel, Source.COMMAND)
    team = door.router.team(ctx)
    door.services.journey.require_lead(workspace_id=ctx.workspace_id, team_id=team.id,
                                       actor=ctx.actor, doing=say.DOING_EDIT_TOUCHPOINTS)
    items = door.services.journey.touchpoints(workspace_id=ctx.workspace_id, team_id=team.id)
    door.open_form(client, body["trigger_id"], touchpoints_modal(team, items, Origin(channel=ctx.channel)),
                   tell)


def register(app: App, door: SlackDoor) -> None:
    def log_moment(body: dict[str, Any], view: dict[str, Any], client: Any, context: Any) -> None:
        if context.get(REFUSED):
            return
        values, origin, user = submitted(view), Origin.load(view.get("private_metadata")), body["user"]["id"]
        with door.friendly(lambda r: door.send(client, channel=origin.channel, user=user, reply=r)):
            ctx = door.context(client, body, user, origin.channel, Source.SHORTCUT,
                               f"{origin.channel}/{origin.ts}" if origin.ts else None)
            kind = MomentKind(values.get(ids.KIND_INPUT) or "wow")
            text = plain(values.get(ids.TEXT_INPUT) or "")
            key = f"view:{view['id']}:{view.get('hash', '')}" if view.get("id") else None
            try:
                filed = door.services.capture.log_message(
                    workspace_id=ctx.workspace_id, channel=ctx.channel, actor=ctx.actor, kind=kind,
                    text=text, touchpoint=values.get(ids.TOUCHPOINT_INPUT), message_ref=ctx.message_ref,
                    author=Actor(origin.author) if origin.author else None, request_key=key)
            except NoTeam:  # no team in this channel yet: kept for it (bot/services/onboarding.py)
                ctx = replace(ctx, request_key=key)
                door.send(client, channel=origin.channel, user=user,
                          reply=keep(door.services, ctx, kind, text, author_id=origin.author))
                return
            count_reply_moment(filed.moment, "shortcut")
            door.send(client, channel=origin.channel, user=user, reply=render.filed(filed),
                      workspace_id=ctx.workspace_id)

    def propose(body: dict[str, Any], view: dict[str, Any], client: Any, context: Any) -> None:
        if context.get(REFUSED):
            return
        values, origin, user = submitted(view), Origin.load(view.get("private_metadata")), body["user"]["id"]
        team_id = team_id_of(body)
        tell = _teller(door, client, origin.channel, user)
        with door.friendly(tell):
            ws = door.workspace(team_id)
            proposal = door.services.weekly.propose(
                workspace_id=ws, prompt_id=origin.prompt, actor=door.actor(client, team_id, user),
                text=plain(values.get(ids.TEXT_INPUT) or ""), touchpoint=values.get(ids.TOUCHPOINT_INPUT),
                anonymous=ids.ANONYMOUS in (values.get(ids.ANONYMOUS_INPUT) or []))
            prompt = door.services.reports.prompt(workspace_id=ws, prompt_id=origin.prompt)
            if origin.channel:
                tell(render.proposal_received(proposal))
            else:
                from handlers.slack.listeners.home import publish_home

                publish_home(door, client, team_id, user)
            if origin.url:  # the prompt message, redrawn with the new proposal on it
                reply = render.prompt(prompt, lead=False)
                door.sender.post(client, origin.url, text=kit.fallback_text(reply),
                                 blocks=kit.reply_blocks(reply), replace_original=True)

    def check_setup(ack: Any, view: dict[str, Any], context: Any) -> None:
        answer_fields(ack, context, read_setup(submitted(view))[1])

    def save_setup(body: dict[str, Any], view: dict[str, Any], client: Any, context: Any) -> None:
        form, errors = read_setup(submitted(view))
        if errors or context.get(REFUSED):
            return
        origin, user, team_id = _who(body, view)
        tell = _teller(door, client, origin.channel, user)
        with door.friendly(tell):
            ws, actor = door.workspace(team_id), door.actor(client, team_id, user)
            journey = door.services.journey
            team = journey.team_for_channel(workspace_id=ws, channel=origin.channel)
            made = None
            if team is None:  # a new team: what was waiting for it is filed into it
                made = door.services.onboarding.set_up(
                    workspace_id=ws, actor=actor, channel=origin.channel, name=form.name,
                    template=form.template or "", timezone=form.timezone)
                team = made.team
            team = journey.configure(
                workspace_id=ws, team_id=team.id, actor=actor, name=form.name, timezone=form.timezone,
                basic_after_weeks=form.basic_after_weeks, focus_count=form.focus_count,
                prompt_at=form.prompt_at, votes_close_at=form.votes_close_at, digest_at=form.digest_at,
                quiet_days=form.quiet_days)
            tell(welcome.set_up(replace(made, team=team), user) if made is not None
                 else Reply(render.setup_saved(team, False)))

    def journey_of(body: dict[str, Any], view: dict[str, Any]) -> tuple[int, Team]:
        ws = door.workspace(team_id_of(body))
        team = door.services.journey.team_for_channel(
            workspace_id=ws, channel=Origin.load(view.get("private_metadata")).channel)
        if team is None:
            raise UserError(NO_TEAM)
        return ws, team

    def check_touchpoints(ack: Any, body: dict[str, Any], view: dict[str, Any], context: Any) -> None:
        try:
            ws, team = journey_of(body, view)
            current = door.services.journey.touchpoints(workspace_id=ws, team_id=team.id,
                                                        include_retired=True)
        except Exception:  # the lazy listener says what went wrong, as a message
            ack()
            return
        answer_fields(ack, context, read_touchpoints(submitted(view), current)[1])

    def save_touchpoints(body: dict[str, Any], view: dict[str, Any], client: Any, context: Any) -> None:
        if context.get(REFUSED):
            return
        origin, user, team_id = _who(body, view)
        tell = _teller(door, client, origin.channel, user)
        with door.friendly(tell):
            ws, team = journey_of(body, view)
            journey = door.services.journey
            current = journey.touchpoints(workspace_id=ws, team_id=team.id, include_retired=True)
            edits, errors = read_touchpoints(submitted(view), current)
            if errors:  # the journey changed between the check and now
                raise UserError(next(iter(errors.values())))
            tell(apply_touchpoint_edits(journey, ws, team.id, door.actor(client, team_id, user), edits))

    # the answers are handed to the sender (after_ack.collecting): the thread goes on; and each
    # asks who submitted (users.info), fetched before a thread takes it on (door.knowing_who)
    app.view(ids.LOG_MODAL)(ack=_check_text(3000), lazy=[knowing_who(collecting(log_moment))])
    app.view(ids.PROPOSE_MODAL)(ack=_check_text(MAX_PROPOSAL_CHARS), lazy=[knowing_who(collecting(propose))])
    app.view(ids.SETUP_MODAL)(ack=check_setup, lazy=[knowing_who(collecting(save_setup))])
    app.view(ids.TOUCHPOINTS_MODAL)(ack=check_touchpoints, lazy=[knowing_who(collecting(save_touchpoints))])
