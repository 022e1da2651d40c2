"""The Slack door's cache of recent channel messages on SQL (``handlers.slack.ports.MessageCache``),
in the ``cached_messages`` table: a reaction can quote the message it was made on, and the cache
is purged on schedule.

Not part of the core's Store: nothing of the method reads these rows. (Forgetting a person
drops theirs too: storage/privacy.py, in the same transaction as the rest of them.)
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from bot.domain import CachedMessage
from storage.models import CachedMessageRow, entity_values, maybe_entity
from storage.rows import upsert


def _row(session: Session, workspace_id: int, channel: str, ts: str) -> CachedMessageRow | None:
    return session.scalar(sa.select(CachedMessageRow).where(
        CachedMessageRow.workspace_id == workspace_id, CachedMessageRow.channel == channel,
        CachedMessageRow.ts == ts))


class SqlMessageCache:
    """``handlers.slack.ports.MessageCache`` on the database behind ``engine``: one short
    transaction per call."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    def remember_message(self, workspace_id: int, message: CachedMessage) -> None:
        values = entity_values(message)
        with self._sessions.begin() as session:
            upsert(session, lambda: _row(session, workspace_id, message.channel, message.ts),
                   CachedMessageRow(workspace_id=workspace_id, **values), values)

    def cached_message(self, workspace_id: int, channel: str, ts: str) -> CachedMessage | None:
        with self._sessions.begin() as session:
            return maybe_entity(CachedMessage, _row(session, workspace_id, channel, ts))

    def forget_message(self, workspace_id: int, channel: str, ts: str) -> bool:
        statement = sa.delete(CachedMessageRow).where(
            CachedMessageRow.workspace_id == workspace_id, CachedMessageRow.channel == channel,
            CachedMessageRow.ts == ts)
        with self._sessions.begin() as session:
            return bool(cast("sa.CursorResult[Any]", session.execute(statement)).rowcount)

    def purge_messages(self, *, seen_before: datetime) -> int:
        statement = sa.delete(CachedMessageRow).where(CachedMessageRow.seen_at < seen_before)
        with self._sessions.begin() as session:
            return int(cast("sa.CursorResult[Any]", session.execute(statement)).rowcount)
