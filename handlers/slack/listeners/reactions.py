"""WOW and OW emoji on any message: the first reaction makes the moment (a WOW credits the
message's author), a colleague's same reaction adds a "me too", removing one withdraws it.

On Moments' own posts: a reaction on its confirmation of a moment is a "me too" for that
moment (as in Teams); on any other of its posts (the weekly prompt, a digest, a welcome) it logs
nothing and credits no one."""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from bot import text as render
from bot.services import Actor
from handlers.observability import METRICS
from handlers.slack.door import SlackDoor, moment_reaction, team_id_of, text_of
from handlers.slack.inbox import after_ack
from handlers.slack.listeners import first
from handlers.slack.people import actor_team, bot_user_of


def register(app: App, door: SlackDoor) -> None:
    def on_bot_post(client: Any, body: dict[str, Any], ws: int, channel: str, ts: str, user: str) -> None:
        moment = door.services.capture.me_too_on_post(
            workspace_id=ws, message_ref=f"{channel}/{ts}",
            actor=door.actor(client, team_id_of(body), user, actor_team(body)))
        if moment is not None:
            door.send(client, channel=channel, user=user, reply=render.me_too(moment), workspace_id=ws)

    def on_added(body: dict[str, Any], event: dict[str, Any], client: Any, context: Any) -> None:
        found = moment_reaction(door.settings, event)
        if found is None:
            return
        kind, channel, ts, user = found
        team_id = team_id_of(body)
        with door.friendly(lambda r: door.send(client, channel=channel, user=user, reply=r)):
            ws = door.workspace(team_id)
            team = door.services.journey.team_for_channel(workspace_id=ws, channel=channel)
            author = text_of(event, "item_user")
            if author and author == bot_user_of(body, context):
                if team is not None:
                    on_bot_post(client, body, ws, channel, ts, user)
                return  # (a like on the welcome, say: nobody's moment)
            if team is None:  # no team here yet: kept for it (listeners/first.py)
                reply = first.keep_reaction(door, body, ws, channel, ts, user, kind, author)
                door.send(client, channel=channel, user=user, reply=reply, workspace_id=ws)
                return
            reacted = door.recent.react(
                workspace_id=ws, team_id=team.id, channel=channel, ts=ts, kind=kind,
                actor=door.actor(client, team_id, user, actor_team(body)), author_id=author)
            if reacted.created:
                METRICS.inc("moments_logged_total", source="reaction", kind=kind.value)
            if not reacted.created:
                reply = render.me_too(reacted.moment)
            elif reacted.filed is None:
                door.fetch_text(client, team_id, ws, reacted.moment.id, channel, ts, user)
                return
            else:
                reply = render.filed(reacted.filed)
            door.send(client, channel=channel, user=user, reply=reply, workspace_id=ws)

    def on_removed(body: dict[str, Any], event: dict[str, Any]) -> None:
        found = moment_reaction(door.settings, event)
        if found is None:
            return
        kind, channel, ts, user = found
        ws = door.workspace(team_id_of(body))
        door.services.capture.unreact(workspace_id=ws, actor=Actor(user), kind=kind,
                                      message_ref=f"{channel}/{ts}")
        # (one kept before the channel had a team goes too)
        door.services.onboarding.unkeep(workspace_id=ws, channel=channel, actor=Actor(user),
                                        kind=kind, message_ref=f"{channel}/{ts}")

    app.event("reaction_added")(after_ack(on_added))
    app.event("reaction_removed")(after_ack(on_removed))
