"""Slack's short-lived cache of recent channel messages, so a reaction can quote the message
it was made on (purged on schedule). Part of SqlRepository, scoped to its workspace."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

import sqlalchemy as sa

from bot.domain import CachedMessage
from storage.models import CachedMessageRow, entity_values, maybe_entity
from storage.rows import WorkspaceRows


class MessageCacheRows(WorkspaceRows):
    # recent channel messages

    def _message_row(self, channel: str, ts: str) -> CachedMessageRow | None:
        query = self._mine(CachedMessageRow).where(
            CachedMessageRow.channel == channel, CachedMessageRow.ts == ts
        )
        return self._s.scalar(query)

    def remember_message(self, message: CachedMessage) -> None:
        values = entity_values(message)
        self._upsert(
            lambda: self._message_row(message.channel, message.ts),
            CachedMessageRow(workspace_id=self._ws.id, **values),
            values,
        )

    def cached_message(self, channel: str, ts: str) -> CachedMessage | None:
        return maybe_entity(CachedMessage, self._message_row(channel, ts))

    def forget_message(self, channel: str, ts: str) -> bool:
        statement = sa.delete(CachedMessageRow).where(
            CachedMessageRow.workspace_id == self._ws.id, CachedMessageRow.channel == channel,
            CachedMessageRow.ts == ts)
        result = cast("sa.CursorResult[Any]", self._s.execute(statement))
        return bool(result.rowcount)

    def purge_messages(self, *, seen_before: datetime) -> int:
        statement = sa.delete(CachedMessageRow).where(
            CachedMessageRow.workspace_id == self._ws.id, CachedMessageRow.seen_at < seen_before
        )
        result = cast("sa.CursorResult[Any]", self._s.execute(statement))
        return result.rowcount
