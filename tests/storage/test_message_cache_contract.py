"""The Slack message cache's contract (``handlers.slack.ports.MessageCache``): copies replaced by
channel and ts, kept per workspace, forgotten and purged, on the in-memory fake, SQLite and
PostgreSQL alike; and, on SQL, forgetting a person drops their copies with the rest of them."""

from __future__ import annotations

import uuid
from dataclasses import replace

from bot.domain import CachedMessage
from handlers.slack.ports import MessageCache
from storage import SqlMessageCache, SqlStore
from tests.storage.builders import assert_exact, at, new_workspace

Cache = tuple[MessageCache, int, int]  # the cache, a workspace and another


def channel() -> str:
    return f"C{uuid.uuid4().hex[:8]}"  # the PostgreSQL database is shared with other tests


def test_a_copy_is_replaced_by_channel_and_ts_and_old_ones_are_purged(cached: Cache) -> None:
    messages, ws, theirs = cached
    c = channel()
    old = CachedMessage(c, "1700000000.000100", "U1", "Lovely crew", at(0))
    new = CachedMessage(c, "1700000000.000200", "U2", "Lost my bag", at(5))
    assert messages.cached_message(ws, c, old.ts) is None
    messages.remember_message(ws, old)
    messages.remember_message(ws, new)
    messages.remember_message(ws, replace(new, text="Lost my bag (edited)", seen_at=at(6)))
    assert_exact(messages.cached_message(ws, c, old.ts), old)
    assert_exact(messages.cached_message(ws, c, new.ts),
                 replace(new, text="Lost my bag (edited)", seen_at=at(6)))
    assert messages.cached_message(ws, channel(), old.ts) is None
    assert messages.purge_messages(seen_before=at(6)) >= 1
    assert messages.purge_messages(seen_before=at(6)) == 0
    assert messages.cached_message(ws, c, old.ts) is None
    assert messages.cached_message(ws, c, new.ts) is not None


def test_a_deleted_message_is_forgotten_once(cached: Cache) -> None:
    messages, ws, theirs = cached
    c = channel()
    messages.remember_message(ws, CachedMessage(c, "1.0", "U1", "Hello", at(0)))
    assert messages.forget_message(ws, c, "1.0") is True
    assert messages.cached_message(ws, c, "1.0") is None
    assert messages.forget_message(ws, c, "1.0") is False


def test_another_workspace_can_neither_see_nor_change_a_copy(cached: Cache) -> None:
    messages, ws, theirs = cached
    c = channel()
    mine = CachedMessage(c, "1.0", "U1", "Hello", at(0))
    messages.remember_message(ws, mine)
    assert messages.cached_message(theirs, c, "1.0") is None
    assert messages.forget_message(theirs, c, "1.0") is False
    messages.remember_message(theirs, replace(mine, text="Theirs"))
    assert messages.cached_message(ws, c, "1.0") == mine
    assert messages.cached_message(theirs, c, "1.0") == replace(mine, text="Theirs")


def test_forgetting_a_person_drops_their_cached_messages(sql_store: SqlStore) -> None:
    ws, other = new_workspace(sql_store), new_workspace(sql_store)
    messages, c = SqlMessageCache(sql_store.engine), channel()
    messages.remember_message(ws.id, CachedMessage(c, "1.1", "U9", "hello", at(0)))
    messages.remember_message(ws.id, CachedMessage(c, "1.2", "U1", "hi", at(0)))
    messages.remember_message(other.id, CachedMessage(c, "1.1", "U9", "another tenant's U9", at(0)))
    with sql_store.transaction(ws.id) as repo:
        repo.forget_user("U9")
    assert messages.cached_message(ws.id, c, "1.1") is None
    assert messages.cached_message(ws.id, c, "1.2") is not None
    assert messages.cached_message(other.id, c, "1.1") is not None
