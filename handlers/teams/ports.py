"""What the Teams door needs for itself, as Protocols: its conversation references.

A proactive post (the weekly prompt, the digest) needs the reference of a conversation the bot
was in; keeping them is this door's business, not the method's, so the port lives here, with
its SQL in ``storage/conversations.py`` and its fake in ``tests/handlers/teams/fakes.py``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class ConversationStore(Protocol):
    """A conversation reference per key (a channel), as JSON, inside one workspace; each call is
    its own unit of work."""

    def save_conversation(self, workspace_id: int, key: str, reference_json: str,
                          at: datetime) -> None:
        """Insert or replace by key."""
        ...

    def conversation(self, workspace_id: int, key: str) -> str | None: ...
