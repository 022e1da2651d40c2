"""Buttons and selects: a core Action (vote, adopt, file, retract, forget-me) goes to the router;
after a vote or an adoption the prompt message is redrawn with live counts; "Propose a response"
opens the proposal modal, and a lead's "Edit touchpoints" the touchpoints modal.

The answers, the redrawn prompt and the forms (``SlackDoor.open_form``) are handed to the sender
(``after_ack.collecting``): the thread goes on to the next click while Slack answers. A form's
trigger_id lasts 3 seconds: one Slack would keep waiting longer is told to the person at once."""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt import App

from bot import text as render
from bot import words as say
from bot.domain import Source
from bot.views import ADOPT, SET_UP, VOTE, Reply
from handlers.slack import blocks as kit
from handlers.slack import ids
from handlers.slack.after_ack import collecting
from handlers.slack.door import SlackDoor, ack_only, knowing_who, team_id_of
from handlers.slack.listeners.views import open_setup, open_touchpoints
from handlers.slack.modals import Origin, propose_modal

log = logging.getLogger(__name__)
STALE = Reply(say.STALE_BUTTON, error=True)


def _where(body: dict[str, Any]) -> tuple[str, str]:
    """The channel and message a click came from ("" for the home tab)."""
    container = body.get("container") or {}
    channel = (body.get("channel") or {}).get("id") or container.get("channel_id") or ""
    return channel, container.get("message_ts") or (body.get("message") or {}).get("ts") or ""


def register(app: App, door: SlackDoor) -> None:
    def answer(body: dict[str, Any], respond: Any, client: Any, reply: Reply, ws: int | None = None) -> None:
        channel, _ = _where(body)
        user = body["user"]["id"]
        if body.get("response_url"):
            door.send(client, channel=channel, user=user, reply=reply, respond=respond, workspace_id=ws)
        elif (body.get("view") or {}).get("type") == "home":
            from handlers.slack.listeners.home import publish_home

            publish_home(door, client, team_id_of(body), user, notice=reply)
        else:
            door.send(client, channel=channel, user=user, reply=reply, workspace_id=ws)

    def on_act(body: dict[str, Any], action: dict[str, Any], respond: Any, client: Any) -> None:
        tell = lambda r: answer(body, respond, client, r)  # noqa: E731
        with door.friendly(tell):
            try:
                parsed, extra = kit.decode(action.get("value") or action.get("selected_option", {})
                                           .get("value") or "")
            except (ValueError, KeyError, TypeError):
                tell(STALE)  # type: ignore[no-untyped-call]
                return
            channel, _ = _where(body)
            if parsed.name == SET_UP:  # "Set up this channel": the form, prefilled with guesses
                open_setup(door, client, body, body["user"]["id"], channel, tell=tell)
                return
            ctx = door.context(client, body, body["user"]["id"], channel, Source.COMMAND)
            reply = door.router.act(ctx, parsed)
            if action.get("action_id") == ids.FILE_SELECT and body.get("response_url") and not reply.error:
                door.sender.respond(client, respond, text=kit.fallback_text(reply),
                                    blocks=kit.reply_blocks(reply), replace_original=True)
                return
            answer(body, respond, client, reply, ctx.workspace_id)
            if parsed.name in (VOTE, ADOPT) and not reply.error and extra.get("prompt"):
                redraw_prompt(body, respond, client, ctx.workspace_id, int(extra["prompt"]))

    def redraw_prompt(body: dict[str, Any], respond: Any, client: Any, ws: int, prompt_id: int) -> None:
        """Live counts: the message the click came from, drawn again from the core's view."""
        if (body.get("view") or {}).get("type") == "home":
            return  # answer() republished the home tab already
        channel, ts = _where(body)
        had_adopt = '"n":"adopt"' in json.dumps((body.get("message") or {}).get("blocks") or [])
        view = door.services.reports.prompt(workspace_id=ws, prompt_id=prompt_id)
        reply = render.prompt(view, lead=had_adopt)
        text, blocks = kit.fallback_text(reply), kit.reply_blocks(reply)
        if body.get("response_url"):
            door.sender.respond(client, respond, text=text, blocks=blocks, replace_original=True)
        elif channel and ts:
            door.sender.call(client, "chat_update", channel=channel, ts=ts, text=text, blocks=blocks)

    def on_open_propose(body: dict[str, Any], action: dict[str, Any], respond: Any, client: Any) -> None:
        with door.friendly(lambda r: answer(body, respond, client, r)):
            ws = door.workspace(team_id_of(body))
            view = door.services.reports.prompt(workspace_id=ws, prompt_id=int(action.get("value") or 0))
            if view.closed:
                answer(body, respond, client, Reply(say.VOTING_ON_PROMPT_CLOSED, error=True))
                return
            channel, ts = _where(body)
            origin = Origin(channel=channel, ts=ts, prompt=view.id, url=body.get("response_url") or "")
            door.open_form(client, body["trigger_id"], propose_modal(view, origin),
                           lambda r: answer(body, respond, client, r))

    def on_open_touchpoints(body: dict[str, Any], action: dict[str, Any], respond: Any, client: Any) -> None:
        tell = lambda r: answer(body, respond, client, r)  # noqa: E731
        with door.friendly(tell):
            channel = action.get("value") or _where(body)[0]  # the team's channel, where it was listed
            open_touchpoints(door, client, body, body["user"]["id"], channel, tell=tell)

    # knowing_who: the work asks who is acting (users.info), fetched before a thread takes it on
    app.action(ids.ACT)(ack=ack_only, lazy=[knowing_who(collecting(on_act))])
    app.action(ids.FILE_SELECT)(ack=ack_only, lazy=[knowing_who(collecting(on_act))])
    app.action(ids.OPEN_PROPOSE)(ack=ack_only, lazy=[collecting(on_open_propose)])
    app.action(ids.OPEN_TOUCHPOINTS)(ack=ack_only, lazy=[knowing_who(collecting(on_open_touchpoints))])
