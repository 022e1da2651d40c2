"""app_uninstalled and tokens_revoked: forget the workspace's tokens (multi-workspace mode) and
say so in the log; moments stay until someone deletes them (`moments privacy`)."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App
from slack_bolt.listener.builtins import TokenRevocationListeners

from handlers.slack.door import SlackDoor, team_id_of
from handlers.slack.inbox import after_ack

log = logging.getLogger(__name__)


def register(app: App, door: SlackDoor) -> None:
    revoke = TokenRevocationListeners(door.installations) if door.installations is not None else None

    def on_uninstalled(body: dict[str, Any], context: Any) -> None:
        log.warning("Slack workspace %s uninstalled Moments", team_id_of(body))
        if revoke is not None:
            revoke.handle_app_uninstalled_events(context)

    def on_tokens_revoked(body: dict[str, Any], event: dict[str, Any], context: Any) -> None:
        log.warning("Slack workspace %s revoked Moments' tokens", team_id_of(body))
        if revoke is not None:
            revoke.handle_tokens_revoked_events(event, context)

    app.event("app_uninstalled")(after_ack(on_uninstalled))
    app.event("tokens_revoked")(after_ack(on_tokens_revoked))
