"""A message edited or deleted (Teams tells the bot about the messages it was sent): the moments
the message action made from it follow it (the core's ``source_edited`` / ``source_deleted``).
No one asked for anything: nothing is said in chat, an error is only logged."""

from __future__ import annotations

import logging
from typing import Any

from bot.domain import Source
from handlers.teams.door import TeamsDoor
from handlers.teams.reading import plain_from_html

log = logging.getLogger(__name__)


def source_changed(door: TeamsDoor, activity: Any, edited: bool) -> None:
    if not activity.id or not activity.conversation or activity.from_property is None:
        return
    try:
        ctx = door.context(activity, Source.SHORTCUT)  # the channel the message action saw
        capture = door.services.capture
        if edited:
            capture.source_edited(workspace_id=ctx.workspace_id, channel=ctx.channel,
                                  ts=str(activity.id), text=edited_text(activity))
        else:
            capture.source_deleted(workspace_id=ctx.workspace_id, channel=ctx.channel,
                                   ts=str(activity.id))
    except Exception:
        log.exception("Teams %s of message %s not applied", activity.type, activity.id)


def edited_text(activity: Any) -> str:
    """An edited message's new words, read as the message action reads a message: from its
    HTML body (Teams sends it as a text/html attachment), else its text."""
    html_body = next((a.content for a in activity.attachments or []
                      if a.content_type == "text/html" and isinstance(a.content, str)), None)
    return plain_from_html(html_body if html_body is not None else activity.text or "")
