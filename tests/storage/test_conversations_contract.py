"""The Teams conversation references' contract (``handlers.teams.ports.ConversationStore``):
upserted by key, kept per workspace, on the in-memory fake, SQLite and PostgreSQL alike."""

from __future__ import annotations

import uuid

from handlers.teams.ports import ConversationStore
from tests.storage.builders import at

References = tuple[ConversationStore, int, int]  # the store, a workspace and another


def test_references_are_upserted_by_key(references: References) -> None:
    conversations, ws, theirs = references
    abc, deff = (f"19:{uuid.uuid4().hex}@thread.tacv2" for _ in range(2))
    assert conversations.conversation(ws, abc) is None
    conversations.save_conversation(ws, abc, '{"v": 1}', at(0))
    conversations.save_conversation(ws, abc, '{"v": 2}', at(1))
    conversations.save_conversation(ws, deff, '{"v": 3}', at(1))
    assert conversations.conversation(ws, abc) == '{"v": 2}'
    assert conversations.conversation(ws, deff) == '{"v": 3}'


def test_another_workspace_can_neither_see_nor_change_a_reference(references: References) -> None:
    conversations, ws, theirs = references
    key = f"19:{uuid.uuid4().hex}@thread.tacv2"
    conversations.save_conversation(ws, key, "mine", at(0))
    assert conversations.conversation(theirs, key) is None
    conversations.save_conversation(theirs, key, "theirs", at(1))
    assert conversations.conversation(ws, key) == "mine"
    assert conversations.conversation(theirs, key) == "theirs"
