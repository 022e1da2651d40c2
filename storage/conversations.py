"""The Teams door's conversation references on SQL (``handlers.teams.ports.ConversationStore``),
in the ``conversations`` table: one per channel, as JSON, for proactive posts.

Not part of the core's Store: nothing of the method reads these rows.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from storage.models import ConversationRow
from storage.rows import upsert


def _row(session: Session, workspace_id: int, key: str) -> ConversationRow | None:
    return session.scalar(sa.select(ConversationRow).where(
        ConversationRow.workspace_id == workspace_id, ConversationRow.key == key))


class SqlConversationStore:
    """``handlers.teams.ports.ConversationStore`` on the database behind ``engine``: one short
    transaction per call."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    def save_conversation(self, workspace_id: int, key: str, reference_json: str,
                          at: datetime) -> None:
        values = {"key": key, "reference_json": reference_json, "updated_at": at}
        with self._sessions.begin() as session:
            upsert(session, lambda: _row(session, workspace_id, key),
                   ConversationRow(workspace_id=workspace_id, **values), values)

    def conversation(self, workspace_id: int, key: str) -> str | None:
        with self._sessions.begin() as session:
            row = _row(session, workspace_id, key)
            return None if row is None else row.reference_json
