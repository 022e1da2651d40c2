"""`/moments export` in Slack: the CSV as a file in a direct message to the person who asked."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from bot.views import MomentsExport
from handlers.slack.sender import Api


def upload_export(*, user: str, export: MomentsExport) -> Callable[[Api], Awaitable[Any]]:
    """Only the asker gets the file: their DM with the bot (conversations.open, im:write),
    uploaded there with files_upload_v2 (files:write). The CSV is written here, on the caller's
    thread; the calls are a step for the sender (``Sender.work``), made on its loop."""
    content, name = export.csv().encode(), export.filename

    async def upload(api: Api) -> Any:
        opened = await api.call("conversations_open", users=user)
        return await api.call("files_upload_v2", channel=opened["channel"]["id"], content=content,
                              filename=name, title=name)

    return upload
