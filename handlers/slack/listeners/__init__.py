"""Listener groups; each exposes ``register(app, door)``."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import App

from handlers.slack.door import SlackDoor
from handlers.slack.inbox import FINISH, TAKEN_ON
from handlers.slack.listeners import (
    actions,
    commands,
    first,
    home,
    lifecycle,
    messages,
    reactions,
    shortcuts,
    views,
)


def register_all(app: App, door: SlackDoor) -> None:
    for group in (commands, messages, reactions, actions, shortcuts, views, home, lifecycle, first):
        group.register(app, door)
    # Last, so they match only what no listener above took: an event or command with no work
    # behind it is done at its ack (else its claim would wait for a replay that does nothing).
    app.event(re.compile(".*"))(nothing_to_do)
    app.command(re.compile(".*"))(nothing_to_do)


def nothing_to_do(ack: Any, context: Any) -> None:
    ack()
    context[TAKEN_ON] = True
    finish = context.get(FINISH)
    if finish is not None:
        finish()

