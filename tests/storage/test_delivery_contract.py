"""The delivery half of the Store contract (moments awaiting their text, weekly posts), run on
the in-memory fake, SQLite and PostgreSQL alike. (The doors' own stores have their own
contracts: test_inbox_contract.py, test_message_cache_contract.py, test_conversations_contract.py.)"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import pytest

from bot.domain import PostRecord, Team, Workspace
from bot.ports import Store
from tests.storage.builders import a_moment, a_team, assert_exact, at, new_workspace


def test_moments_awaiting_text_are_live_reactions_oldest_first(
    store: Store, ws: Workspace, team: Team
) -> None:
    with store.transaction(ws.id) as repo:
        other_team = repo.add_team(a_team("C-OTHER"))
        add = repo.add_moment
        second = add(a_moment(team.id, text="", message_ref="r2", created_at=at(2)))
        first = add(a_moment(team.id, text="", message_ref="r1", created_at=at(1)))
        elsewhere = add(a_moment(other_team.id, text="", message_ref="r3", created_at=at(3)))
        add(a_moment(team.id, text="", message_ref=None, created_at=at(0)))
        add(a_moment(team.id, text="Has text", message_ref="r4", created_at=at(0)))
        add(a_moment(team.id, text="", message_ref="r5", created_at=at(0), retracted_at=at(1)))
    with store.transaction(ws.id) as repo:
        assert repo.moments_awaiting_text() == [first, second, elsewhere]
        assert repo.moments_awaiting_text(limit=2) == [first, second]
        repo.save_moment(replace(first, text="Fetched"))
    with store.transaction(ws.id) as repo:
        assert repo.moments_awaiting_text() == [second, elsewhere]


def test_a_weekly_post_is_claimed_once(store: Store, ws: Workspace, team: Team) -> None:
    with store.transaction(ws.id) as repo:
        assert repo.claim_post(team.id, "prompt", "2026-W47", at(0)) is True
        assert repo.claim_post(team.id, "prompt", "2026-W47", at(1)) is False
        # Still usable after the refused claim.
        assert repo.claim_post(team.id, "digest", "2026-W47", at(2)) is True
        assert repo.claim_post(team.id + 10_000, "prompt", "2026-W47", at(0)) is False
    with store.transaction(ws.id) as repo:
        assert repo.claim_post(team.id, "prompt", "2026-W47", at(3)) is False
        assert repo.claim_post(team.id, "prompt", "2026-W48", at(3)) is True
        claimed = repo.post_record(team.id, "prompt", "2026-W47")
        assert_exact(claimed, PostRecord(team.id, "prompt", "2026-W47", at(0), None, 0, ""))
        assert repo.post_record(team.id, "votes_closed", "2026-W47") is None


def test_post_records_are_updated_and_listed_newest_first(
    store: Store, ws: Workspace, team: Team
) -> None:
    with store.transaction(ws.id) as repo:
        other_team = repo.add_team(a_team("C-OTHER"))
        for claimed_at, team_id, week in ((0, team.id, "W1"), (2, team.id, "W2"),
                                          (1, other_team.id, "W1")):
            assert repo.claim_post(team_id, "digest", week, at(claimed_at))
        failed = PostRecord(team.id, "digest", "W1", at(0), None, 3, "channel_not_found")
        repo.save_post_record(failed)
        repo.save_post_record(PostRecord(team.id, "digest", "W9", at(0), at(1)))  # never claimed
    with store.transaction(ws.id) as repo:
        assert_exact(repo.post_record(team.id, "digest", "W1"), failed)
        assert repo.post_record(team.id, "digest", "W9") is None
        assert [(r.team_id, r.week) for r in repo.post_records()] == [
            (team.id, "W2"), (other_team.id, "W1"), (team.id, "W1")]
        assert [r.week for r in repo.post_records(team_id=team.id)] == ["W2", "W1"]
        assert [r.week for r in repo.post_records(limit=1)] == ["W2"]
        sent = replace(failed, sent_at=at(4), attempts=4, last_error="")
        repo.save_post_record(sent)
    with store.transaction(ws.id) as repo:
        assert_exact(repo.post_record(team.id, "digest", "W1"), sent)


def test_an_attempt_is_taken_by_compare_and_set(store: Store, ws: Workspace, team: Team) -> None:
    """Two replicas that read the same unsent record both try to take the next attempt: the
    first wins, the second learns it lost and sends nothing."""
    with store.transaction(ws.id) as repo:
        assert repo.claim_post(team.id, "digest", "2026-W47", at(0))
        seen = repo.post_record(team.id, "digest", "2026-W47")
    assert seen is not None
    sending = replace(seen, sending_at=at(1))
    with store.transaction(ws.id) as repo:
        assert repo.swap_post_record(seen, sending) is True
    with store.transaction(ws.id) as repo:
        assert repo.swap_post_record(seen, replace(seen, sending_at=at(2))) is False
        assert_exact(repo.post_record(team.id, "digest", "2026-W47"), sending)
        failed = replace(sending, sending_at=None, attempts=1, last_error="Slack said ratelimited")
        assert repo.swap_post_record(sending, failed) is True
        assert repo.swap_post_record(sending, failed) is False  # that attempt is over
        retry = replace(failed, sending_at=at(3))
        assert repo.swap_post_record(failed, retry) is True
        done = replace(retry, sending_at=None, sent_at=at(4), attempts=2, last_error="")
        assert repo.swap_post_record(retry, done) is True
        assert repo.swap_post_record(done, replace(done, sending_at=at(5))) is False  # sent: final
    with store.transaction(ws.id) as repo:
        assert_exact(repo.post_record(team.id, "digest", "2026-W47"), done)
    with store.transaction(ws.id) as repo:
        assert repo.claim_post(team.id, "prompt", "2026-W48", at(6))
        fresh = repo.post_record(team.id, "prompt", "2026-W48")
    assert fresh is not None
    other = new_workspace(store, "T-OTHER")
    with store.transaction(other.id) as repo:  # another workspace cannot take it
        assert repo.swap_post_record(fresh, replace(fresh, sending_at=at(7))) is False
    with store.transaction(ws.id) as repo:
        assert_exact(repo.post_record(team.id, "prompt", "2026-W48"), fresh)


def test_of_many_concurrent_attempts_exactly_one_wins(store: Store, ws: Workspace, team: Team) -> None:
    with store.transaction(ws.id) as repo:
        assert repo.claim_post(team.id, "digest", "2026-W47", at(0))
        seen = repo.post_record(team.id, "digest", "2026-W47")
    assert seen is not None
    barrier = threading.Barrier(6)

    def attempt(n: int) -> bool:
        barrier.wait(timeout=10)
        with store.transaction(ws.id) as repo:
            return repo.swap_post_record(seen, replace(seen, sending_at=at(n + 1)))

    with ThreadPoolExecutor(6) as pool:
        won = list(pool.map(attempt, range(6)))
    assert won.count(True) == 1
    with store.transaction(ws.id) as repo:
        record = repo.post_record(team.id, "digest", "2026-W47")
    assert record is not None and record.sending_at == at(won.index(True) + 1)


def test_a_claim_in_a_failed_transaction_is_released(
    store: Store, ws: Workspace, team: Team
) -> None:
    with pytest.raises(RuntimeError), store.transaction(ws.id) as repo:
        assert repo.claim_post(team.id, "prompt", "2026-W47", at(0))
        raise RuntimeError("the post could not be sent")
    with store.transaction(ws.id) as repo:
        assert repo.post_record(team.id, "prompt", "2026-W47") is None
        assert repo.claim_post(team.id, "prompt", "2026-W47", at(1)) is True


def test_another_workspace_cannot_see_or_change_delivery_rows(store: Store) -> None:
    mine, theirs = new_workspace(store), new_workspace(store)
    with store.transaction(mine.id) as repo:
        team = repo.add_team(a_team())
        repo.add_moment(a_moment(team.id, text="", message_ref="r1"))
        assert repo.claim_post(team.id, "prompt", "W1", at(0))
    with store.transaction(theirs.id) as repo:
        assert repo.moments_awaiting_text() == []
        assert repo.claim_post(team.id, "prompt", "W2", at(0)) is False
        assert repo.post_record(team.id, "prompt", "W1") is None
        assert repo.post_records() == []
        repo.save_post_record(PostRecord(team.id, "prompt", "W1", at(0), at(1), 1, "taken"))
    with store.transaction(mine.id) as repo:
        assert repo.post_records() == [PostRecord(team.id, "prompt", "W1", at(0))]
