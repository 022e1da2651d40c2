"""The Teams door's fakes, beside its ports (``handlers/teams/ports.py``)."""

from __future__ import annotations

from datetime import datetime


class InMemoryConversationStore:
    """``ConversationStore`` in a dict, with the same contract as storage.SqlConversationStore."""

    def __init__(self) -> None:
        self._references: dict[tuple[int, str], str] = {}

    def save_conversation(self, workspace_id: int, key: str, reference_json: str,
                          at: datetime) -> None:
        self._references[workspace_id, key] = reference_json

    def conversation(self, workspace_id: int, key: str) -> str | None:
        return self._references.get((workspace_id, key))
