"""The delivery half of the Store contract (message cache, weekly posts, Teams conversation
references, platform events), run on the in-memory fake, SQLite and PostgreSQL alike."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import timedelta

import pytest

from bot.domain import CachedMessage, PostRecord, Team, Workspace
from bot.ports import EVENT_LEASE, REPLICA_TIMEOUT, Claim, Store
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


def test_message_cache_replaces_by_channel_and_ts_and_purges(store: Store, ws: Workspace) -> None:
    old = CachedMessage("C1", "1700000000.000100", "U1", "Lovely crew", at(0))
    new = CachedMessage("C1", "1700000000.000200", "U2", "Lost my bag", at(5))
    with store.transaction(ws.id) as repo:
        assert repo.cached_message("C1", old.ts) is None
        repo.remember_message(old)
        repo.remember_message(new)
        repo.remember_message(replace(new, text="Lost my bag (edited)", seen_at=at(6)))
    with store.transaction(ws.id) as repo:
        assert_exact(repo.cached_message("C1", old.ts), old)
        assert_exact(repo.cached_message("C1", new.ts),
                     replace(new, text="Lost my bag (edited)", seen_at=at(6)))
        assert repo.cached_message("C2", old.ts) is None
        assert repo.purge_messages(seen_before=at(6)) == 1
        assert repo.purge_messages(seen_before=at(6)) == 0
    with store.transaction(ws.id) as repo:
        assert repo.cached_message("C1", old.ts) is None
        assert repo.cached_message("C1", new.ts) is not None


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


def test_conversation_references_are_upserted_by_key(store: Store, ws: Workspace) -> None:
    with store.transaction(ws.id) as repo:
        assert repo.conversation("19:abc@thread.tacv2") is None
        repo.save_conversation("19:abc@thread.tacv2", '{"v": 1}', at(0))
        repo.save_conversation("19:abc@thread.tacv2", '{"v": 2}', at(1))
        repo.save_conversation("19:def@thread.tacv2", '{"v": 3}', at(1))
    with store.transaction(ws.id) as repo:
        assert repo.conversation("19:abc@thread.tacv2") == '{"v": 2}'
        assert repo.conversation("19:def@thread.tacv2") == '{"v": 3}'


def test_an_event_is_claimed_once(store: Store) -> None:
    event_id = f"Ev{uuid.uuid4().hex}"
    assert store.claim_event(event_id, at(0)) is True
    assert store.claim_event(event_id, at(0) + timedelta(seconds=1)) is False
    store.finish_events([event_id], at(0) + timedelta(seconds=1))
    assert store.claim_event(event_id, at(1)) is False
    assert store.claim_event(f"{event_id}-other", at(1)) is True


def test_a_batch_of_claims_is_claimed_as_one_by_one(store: Store) -> None:
    """Requests that arrive together are claimed in one go: each new id once (by its first copy
    in the batch), an id done or held by a live replica not (and which of the two it is), a
    claim left for dead taken over."""
    tag = uuid.uuid4().hex
    held, stale, done, new = (f"Ev{tag}-{name}" for name in ("held", "stale", "done", "new"))
    start = at(0)
    assert store.claim_events([(held, start, None)], owner=f"alive-{tag}") == [Claim.TAKEN]
    assert store.claim_events([(stale, start, '{"s": 1}'), (done, start, None)],
                              owner=f"gone-{tag}") == [Claim.TAKEN, Claim.TAKEN]
    store.finish_events([done], start)
    later = start + EVENT_LEASE + timedelta(seconds=1)
    store.beat(f"alive-{tag}", later)
    batch = [(new, later, '{"n": 1}'), (done, later, None), (stale, later, '{"s": 2}'), (new, later, None),
             (held, later, None)]
    assert store.claim_events(batch, owner=f"me-{tag}") == [
        Claim.TAKEN, Claim.DONE, Claim.TAKEN, Claim.HELD, Claim.HELD]
    assert store.claim_event(new, later) is False and store.claim_event(stale, later) is False
    assert store.event_done(new) is False and store.event_done(done) is True
    assert store.claim_events([], owner="x") == []


def test_an_unfinished_event_claim_is_a_lease(store: Store) -> None:
    """A process that claimed an event and died before acknowledging it must not swallow
    Slack's redelivery: once the lease is over, the claim is taken over, exactly once."""
    event_id = f"Ev{uuid.uuid4().hex}"
    start = at(0)
    assert store.claim_event(event_id, start) is True
    assert store.event_done(event_id) is False  # held, not finished
    assert store.claim_event(event_id, start + EVENT_LEASE) is False  # may still be at work
    later = start + EVENT_LEASE + timedelta(seconds=1)
    assert store.claim_event(event_id, later) is True  # left for dead: taken over
    assert store.claim_event(event_id, later + timedelta(seconds=1)) is False  # once
    store.finish_events([event_id, f"{event_id}-never-claimed"], later + timedelta(seconds=2))
    assert store.event_done(event_id) is True
    assert store.claim_event(event_id, later + timedelta(days=1)) is False  # done for good
    assert store.event_done(f"{event_id}-never-seen") is True


def _mine(store: Store, owner: str, when: object, ids: set[str]) -> dict[str, tuple[str, int]]:
    """The orphans taken at ``when`` among this test's own claims (the PostgreSQL database is
    shared with other tests)."""
    return {o.event_id: (o.payload, o.attempts) for o in store.orphans(owner, when, limit=10_000)  # type: ignore[arg-type]
            if o.event_id in ids}


def test_a_claim_keeps_its_request_until_done_and_a_dead_owners_work_is_taken_over_once(
    store: Store,
) -> None:
    """What a replica acknowledged and then died with is replayed by another, once; what a
    live replica holds (however long its queue) is not; what was handled is not."""
    tag = uuid.uuid4().hex
    held, lost, handled, bare = (f"Ev{tag}-{n}" for n in ("held", "lost", "handled", "bare"))
    start = at(0)
    store.beat(f"alive-{tag}", start)
    store.beat(f"dead-{tag}", start)
    assert store.claim_event(held, start, owner=f"alive-{tag}", payload='{"held": 1}')
    assert store.claim_event(lost, start, owner=f"dead-{tag}", payload='{"lost": 1}')
    assert store.claim_event(handled, start, owner=f"dead-{tag}", payload='{"handled": 1}')
    assert store.claim_event(bare, start, owner=f"dead-{tag}")  # nothing kept to replay
    store.finish_events([handled], start + timedelta(seconds=1))
    ids = {held, lost, handled, bare}

    soon = start + timedelta(seconds=10)
    store.beat(f"alive-{tag}", soon)
    assert _mine(store, f"other-{tag}", soon, ids) == {}  # both owners beat recently

    later = start + REPLICA_TIMEOUT + timedelta(seconds=5)
    store.beat(f"alive-{tag}", later)  # the dead one has not beaten since start
    assert _mine(store, f"other-{tag}", later, ids) == {lost: ('{"lost": 1}', 2)}
    assert _mine(store, f"third-{tag}", later + timedelta(seconds=1), ids) == {}  # taken once
    assert store.event_done(lost) is False  # being replayed

    # the taker dies as well: the next live replica takes it again, one attempt more
    much_later = later + REPLICA_TIMEOUT + timedelta(seconds=10)
    store.beat(f"alive-{tag}", much_later)
    assert _mine(store, f"alive-{tag}", much_later, ids) == {lost: ('{"lost": 1}', 3)}
    store.finish_events([lost, held], much_later)
    assert store.event_done(lost) and store.event_done(held)
    assert _mine(store, f"alive-{tag}", much_later + timedelta(days=1), ids) == {}

    # long after, handled claims are forgotten; a redelivery that late would be new again
    assert store.forget_handled(much_later + timedelta(seconds=1)) >= 3  # not the unfinished one
    assert store.claim_event(lost, much_later + timedelta(days=3)) is True
    store.finish_events([lost], much_later + timedelta(days=3))


def test_a_redelivery_takes_over_only_a_dead_owners_claim_and_claims_can_be_given_back(
    store: Store,
) -> None:
    tag = uuid.uuid4().hex
    busy, lost, half, stuck = (f"Ev{tag}-{n}" for n in ("busy", "lost", "half", "stuck"))
    start = at(0)
    for owner in ("live", "dead"):
        store.beat(f"{owner}-{tag}", start)
    assert store.claim_event(busy, start, owner=f"live-{tag}", payload="{}")
    assert store.claim_event(lost, start, owner=f"dead-{tag}", payload="{}")
    later = start + EVENT_LEASE + timedelta(seconds=1)
    store.beat(f"live-{tag}", later)
    assert store.claim_event(busy, later, owner=f"other-{tag}") is False  # its owner is at it
    assert store.claim_event(lost, later, owner=f"other-{tag}") is True  # its owner stopped

    # a claim written as the database failed is dropped; a replay that never started, released
    assert store.claim_event(half, later, owner=f"live-{tag}", payload="{}")
    assert store.claim_event(stuck, later, owner=f"live-{tag}", payload='{"stuck": 1}')
    store.give_back([(half, f"live-{tag}", later), (stuck, f"live-{tag}", None),
                     (busy, f"someone-else-{tag}", None)])  # not theirs: untouched
    assert store.event_done(half) is True  # no claim at all: a redelivery is new
    assert store.claim_event(half, later + timedelta(seconds=1), owner=f"live-{tag}") is True
    taken = _mine(store, f"live-{tag}", later + timedelta(seconds=6), {busy, stuck})
    assert taken == {stuck: ('{"stuck": 1}', 2)}  # released: the next round replays it
    store.finish_events([busy, lost, half, stuck], later + timedelta(seconds=7))


def test_a_replica_that_leaves_hands_its_claims_over_at_once(store: Store) -> None:
    tag = uuid.uuid4().hex
    event_id = f"Ev{tag}"
    start = at(0)
    store.beat(f"a-{tag}", start)
    store.beat(f"b-{tag}", start)
    assert store.claim_event(event_id, start, owner=f"a-{tag}", payload="{}")
    assert _mine(store, f"b-{tag}", start + timedelta(seconds=6), {event_id}) == {}
    store.leave(f"a-{tag}")  # a graceful stop that still left work (it should not, but)
    assert _mine(store, f"b-{tag}", start + timedelta(seconds=6), {event_id}) == {event_id: ("{}", 2)}
    store.finish_events([event_id], start + timedelta(seconds=7))


def test_another_workspace_cannot_see_or_change_delivery_rows(store: Store) -> None:
    mine, theirs = new_workspace(store), new_workspace(store)
    message = CachedMessage("C1", "1.0", "U1", "Hello", at(0))
    with store.transaction(mine.id) as repo:
        team = repo.add_team(a_team())
        repo.add_moment(a_moment(team.id, text="", message_ref="r1"))
        repo.remember_message(message)
        assert repo.claim_post(team.id, "prompt", "W1", at(0))
        repo.save_conversation("conv", "mine", at(0))
    with store.transaction(theirs.id) as repo:
        assert repo.moments_awaiting_text() == []
        assert repo.cached_message("C1", "1.0") is None
        assert repo.purge_messages(seen_before=at(100)) == 0
        assert repo.claim_post(team.id, "prompt", "W2", at(0)) is False
        assert repo.post_record(team.id, "prompt", "W1") is None
        assert repo.post_records() == []
        repo.save_post_record(PostRecord(team.id, "prompt", "W1", at(0), at(1), 1, "taken"))
        assert repo.conversation("conv") is None
        repo.save_conversation("conv", "theirs", at(1))
        repo.remember_message(replace(message, text="Theirs"))
    with store.transaction(mine.id) as repo:
        assert repo.cached_message("C1", "1.0") == message
        assert repo.post_records() == [PostRecord(team.id, "prompt", "W1", at(0))]
        assert repo.conversation("conv") == "mine"
    with store.transaction(theirs.id) as repo:
        assert repo.conversation("conv") == "theirs"
        assert repo.cached_message("C1", "1.0") == replace(message, text="Theirs")
