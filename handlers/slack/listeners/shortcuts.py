"""The message shortcut "Log as a moment": a modal prefilled with the message, the likely kind
and the team's touchpoints. Its submission is handled in listeners/views.py."""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from bot.commands import NO_TEAM
from handlers.slack import ids
from handlers.slack.door import SlackDoor, ack_only, team_id_of
from handlers.slack.markup import plain
from handlers.slack.modals import Origin, log_modal


def register(app: App, door: SlackDoor) -> None:
    def open_log_modal(body: dict[str, Any], respond: Any, client: Any) -> None:
        message = body.get("message") or {}
        channel, user = (body.get("channel") or {}).get("id", ""), body["user"]["id"]
        with door.friendly(lambda r: door.send(client, channel=channel, user=user, reply=r, respond=respond)):
            ws = door.workspace(team_id_of(body))
            team = door.services.journey.team_for_channel(workspace_id=ws, channel=channel) or \
                door.services.journey.team_for_user(workspace_id=ws, user_id=user)
            if team is None:
                respond(text=NO_TEAM, response_type="ephemeral")
                return
            text = plain(message.get("text") or "")
            touchpoints = door.services.journey.touchpoints(workspace_id=ws, team_id=team.id)
            origin = Origin(channel=channel, ts=message.get("ts", ""), author=message.get("user", ""))
            kind = door.services.moments.likely_kind(workspace_id=ws, team_id=team.id, text=text)
            client.views_open(trigger_id=body["trigger_id"], view=log_modal(text, kind, touchpoints, origin))

    app.shortcut(ids.LOG_SHORTCUT)(ack=ack_only, lazy=[open_log_modal])

