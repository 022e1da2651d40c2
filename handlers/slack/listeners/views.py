"""Modal submissions. The ack checks what the person can fix in the modal itself (empty or too
long text); the report or proposal runs after, and the answer arrives as a message."""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from slack_sdk.webhook import WebhookClient

from bot import text as render
from bot.domain import MAX_PROPOSAL_CHARS, MomentKind, Source
from bot.views import Reply
from handlers.observability import count_reply_moment
from handlers.slack import blocks as kit
from handlers.slack import ids
from handlers.slack.door import SlackDoor, team_id_of
from handlers.slack.markup import plain
from handlers.slack.modals import Origin, submitted


def _check_text(limit: int) -> Any:
    def check(ack: Any, view: dict[str, Any]) -> None:
        text = (submitted(view).get(ids.TEXT_INPUT) or "").strip()
        if not text:
            ack(response_action="errors", errors={ids.TEXT_INPUT: "Tell us what happened."})
        elif len(text) > limit:
            ack(response_action="errors", errors={ids.TEXT_INPUT: f"Keep it under {limit:,} characters."})
        else:
            ack()
    return check


def register(app: App, door: SlackDoor) -> None:
    def log_moment(body: dict[str, Any], view: dict[str, Any], client: Any) -> None:
        values, origin, user = submitted(view), Origin.load(view.get("private_metadata")), body["user"]["id"]
        with door.friendly(lambda r: door.send(client, channel=origin.channel, user=user, reply=r)):
            ctx = door.context(client, body, user, origin.channel, Source.SHORTCUT,
                               f"{origin.channel}/{origin.ts}" if origin.ts else None)
            team = door.router.team(ctx)
            kind = MomentKind(values.get(ids.KIND_INPUT) or "wow")
            text = plain(values.get(ids.TEXT_INPUT) or "")
            slug = values.get(ids.TOUCHPOINT_INPUT)
            if slug:
                text = f"{text} #{slug}"  # an explicit tag: filed where the person chose
            credit = (origin.author,) if kind is MomentKind.WOW and origin.author not in ("", user) else ()
            filed = door.services.moments.report(
                workspace_id=ctx.workspace_id, team_id=team.id, actor=ctx.actor, kind=kind, text=text,
                source=Source.SHORTCUT, message_ref=ctx.message_ref, credited=credit, strict_tags=False)
            count_reply_moment(filed.moment, "shortcut")
            door.send(client, channel=origin.channel, user=user, reply=render.filed(filed),
                      workspace_id=ctx.workspace_id)

    def propose(body: dict[str, Any], view: dict[str, Any], client: Any) -> None:
        values, origin, user = submitted(view), Origin.load(view.get("private_metadata")), body["user"]["id"]
        team_id = team_id_of(body)
        tell = lambda r: door.send(client, channel=origin.channel, user=user, reply=r)  # noqa: E731
        with door.friendly(tell):
            ws = door.workspace(team_id)
            proposal = door.services.weekly.propose(
                workspace_id=ws, prompt_id=origin.prompt, actor=door.actor(client, team_id, user),
                text=plain(values.get(ids.TEXT_INPUT) or ""), touchpoint=values.get(ids.TOUCHPOINT_INPUT),
                anonymous=ids.ANONYMOUS in (values.get(ids.ANONYMOUS_INPUT) or []))
            prompt = door.services.reports.prompt(workspace_id=ws, prompt_id=origin.prompt)
            how = " anonymously" if proposal.anonymous else ""
            if origin.channel:
                tell(Reply(f"✍️ Thanks! Your proposal [{proposal.id}] is in{how}; the team can vote on it "  # type: ignore[no-untyped-call]
                           "until the vote closes."))
            else:
                from handlers.slack.listeners.home import publish_home

                publish_home(door, client, team_id, user)
            if origin.url:  # the prompt message, redrawn with the new proposal on it
                reply = render.prompt(prompt, lead=False)
                WebhookClient(origin.url).send(text=kit.fallback_text(reply), blocks=kit.reply_blocks(reply),
                                               replace_original=True)

    app.view(ids.LOG_MODAL)(ack=_check_text(3000), lazy=[log_moment])
    app.view(ids.PROPOSE_MODAL)(ack=_check_text(MAX_PROPOSAL_CHARS), lazy=[propose])
