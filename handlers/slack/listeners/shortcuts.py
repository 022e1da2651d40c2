"""The message shortcut "Log as a moment": a modal prefilled with the message, the likely kind
and the team's touchpoints. Its submission is handled in listeners/views.py.

Moments' own posts (the weekly prompt, a digest) are not moments: the person is told so. A
message longer than a moment may be is shortened by the core's rule, and the person told."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import App
from slack_bolt.context.respond.internals import _build_message

from bot import words as say
from bot.domain import MomentKind
from bot.shorten import shorten_message
from handlers.slack import ids
from handlers.slack.after_ack import collecting
from handlers.slack.door import SlackDoor, ack_only, team_id_of
from handlers.slack.markup import from_core, plain
from handlers.slack.modals import Origin, log_modal
from handlers.slack.people import posted_by_moments

OWN_POST = from_core(say.OWN_POST)


def register(app: App, door: SlackDoor) -> None:
    def open_log_modal(body: dict[str, Any], respond: Any, client: Any, context: Any) -> None:
        message = body.get("message") or {}
        channel, user = (body.get("channel") or {}).get("id", ""), body["user"]["id"]
        tell = lambda r: door.send(client, channel=channel, user=user, reply=r, respond=respond)  # noqa: E731
        with door.friendly(tell):
            if posted_by_moments(message, body, context):
                door.sender.respond(client, respond, text=OWN_POST, response_type="ephemeral",
                                    replace_original=False)
                return
            ws = door.workspace(team_id_of(body))
            # in a DM (a form the person opens for themselves), their own team; elsewhere the
            # channel's, where the submission files it (door.context)
            team = door.services.journey.team_here(workspace_id=ws, channel=channel, user_id=user,
                                                   private=channel.startswith("D") or not channel)
            # no team (yet): the form all the same, and its moment is kept for the channel's
            # team to come (listeners/views.py, the core's Onboarding.keep)
            short = shorten_message(plain(message.get("text") or ""))
            touchpoints = door.services.journey.touchpoints(workspace_id=ws, team_id=team.id) \
                if team is not None else []
            # another app's post credits no one: a WOW thanks a person
            author = "" if message.get("bot_id") else message.get("user", "")
            origin = Origin(channel=channel, ts=message.get("ts", ""), author=author)
            kind = door.services.moments.likely_kind(workspace_id=ws, team_id=team.id, text=short.text) \
                if team is not None else MomentKind.WOW
            view = log_modal(short.text, kind, touchpoints, origin)
            url = getattr(respond, "response_url", None)
            note = _build_message(text=say.CHECK_THE_FORM.format(note=short.note),
                                  response_type="ephemeral", replace_original=False)
            then = (lambda api: api.post(url, note)) if short.cut and isinstance(url, str) else None
            door.open_form(client, body["trigger_id"], view, tell, then=then)  # (then the note)

    app.shortcut(ids.LOG_SHORTCUT)(ack=ack_only, lazy=[collecting(open_log_modal)])
    # No modal asks to be told when it is closed; if Slack says so anyway, there is nothing to do.
    app.view_closed(re.compile(".*"))(ack_only)
