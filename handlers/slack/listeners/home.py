"""App Home: published when a person opens the tab, and again after they act from it."""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from bot.views import Reply
from handlers.slack.door import SlackDoor, team_id_of, text_of
from handlers.slack.home import home_view
from handlers.slack.inbox import after_ack


def publish_home(door: SlackDoor, client: Any, team_id: str, user: str, notice: Reply | None = None) -> None:
    ws = door.workspace(team_id)
    actor = door.actor(client, team_id, user)
    team = door.services.journey.team_for_user(workspace_id=ws, user_id=user)
    view = door.services.reports.home(workspace_id=ws, team_id=team.id if team else None, user_id=user,
                                      is_admin=actor.is_admin)
    door.sender.call(client, "views_publish", user_id=user,
                     view=home_view(view, notice.text if notice else ""))


def register(app: App, door: SlackDoor) -> None:
    def on_home_opened(body: dict[str, Any], event: dict[str, Any], client: Any) -> None:
        if event.get("tab", "home") != "home" or not text_of(event, "user"):
            return
        with door.friendly(lambda r: None):  # nowhere to show an error: the tab stays as it was
            publish_home(door, client, team_id_of(body), text_of(event, "user"))

    app.event("app_home_opened")(after_ack(on_home_opened))
