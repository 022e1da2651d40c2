"""Listener groups; each exposes ``register(app, door)``."""

from __future__ import annotations

from slack_bolt import App

from handlers.slack.door import SlackDoor
from handlers.slack.listeners import actions, commands, home, lifecycle, messages, reactions, shortcuts, views


def register_all(app: App, door: SlackDoor) -> None:
    for group in (commands, messages, reactions, actions, shortcuts, views, home, lifecycle):
        group.register(app, door)

