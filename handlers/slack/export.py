"""`/moments export` in Slack: the CSV as a file in a direct message to the person who asked."""

from __future__ import annotations

from typing import Any

from bot.views import MomentsExport


def send_export(client: Any, *, user: str, export: MomentsExport) -> None:
    """Only the asker gets the file: their DM with the bot (conversations.open, im:write),
    uploaded there with files_upload_v2 (files:write)."""
    opened = client.conversations_open(users=user)
    client.files_upload_v2(channel=opened["channel"]["id"], content=export.csv().encode(),
                           filename=export.filename, title=export.filename)
