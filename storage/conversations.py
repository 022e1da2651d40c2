"""Teams conversation references (one per channel, as JSON), for proactive posts. Part of
SqlRepository, scoped to its workspace."""

from __future__ import annotations

from datetime import datetime

from storage.models import ConversationRow
from storage.rows import WorkspaceRows


class ConversationRows(WorkspaceRows):
    # Teams conversation references

    def _conversation_row(self, key: str) -> ConversationRow | None:
        return self._s.scalar(self._mine(ConversationRow).where(ConversationRow.key == key))

    def save_conversation(self, key: str, reference_json: str, at: datetime) -> None:
        values = {"key": key, "reference_json": reference_json, "updated_at": at}
        self._upsert(
            lambda: self._conversation_row(key),
            ConversationRow(workspace_id=self._ws.id, **values),
            values,
        )

    def conversation(self, key: str) -> str | None:
        row = self._conversation_row(key)
        return None if row is None else row.reference_json
