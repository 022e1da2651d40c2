"""The Slack request inbox's contract (``handlers.slack.ports.RequestInbox``): claims, leases,
heartbeats, replays and give-backs, run on the in-memory fake, SQLite and PostgreSQL alike."""

from __future__ import annotations

import uuid
from datetime import timedelta

from handlers.slack.ports import Claim, RequestInbox
from storage.inbox import EVENT_LEASE, REPLICA_TIMEOUT
from tests.storage.builders import at


def test_an_event_is_claimed_once(requests: RequestInbox) -> None:
    event_id = f"Ev{uuid.uuid4().hex}"
    assert requests.claim_event(event_id, at(0)) is True
    assert requests.claim_event(event_id, at(0) + timedelta(seconds=1)) is False
    requests.finish_events([event_id], at(0) + timedelta(seconds=1))
    assert requests.claim_event(event_id, at(1)) is False
    assert requests.claim_event(f"{event_id}-other", at(1)) is True


def test_a_batch_of_claims_is_claimed_as_one_by_one(requests: RequestInbox) -> None:
    """Requests that arrive together are claimed in one go: each new id once (by its first copy
    in the batch), an id done or held by a live replica not (and which of the two it is), a
    claim left for dead taken over."""
    tag = uuid.uuid4().hex
    held, stale, done, new = (f"Ev{tag}-{name}" for name in ("held", "stale", "done", "new"))
    start = at(0)
    assert requests.claim_events([(held, start, None)], owner=f"alive-{tag}") == [Claim.TAKEN]
    assert requests.claim_events([(stale, start, '{"s": 1}'), (done, start, None)],
                              owner=f"gone-{tag}") == [Claim.TAKEN, Claim.TAKEN]
    requests.finish_events([done], start)
    later = start + EVENT_LEASE + timedelta(seconds=1)
    requests.beat(f"alive-{tag}", later)
    batch = [(new, later, '{"n": 1}'), (done, later, None), (stale, later, '{"s": 2}'), (new, later, None),
             (held, later, None)]
    assert requests.claim_events(batch, owner=f"me-{tag}") == [
        Claim.TAKEN, Claim.DONE, Claim.TAKEN, Claim.HELD, Claim.HELD]
    assert requests.claim_event(new, later) is False and requests.claim_event(stale, later) is False
    assert requests.event_done(new) is False and requests.event_done(done) is True
    # the claim taken over in the batch holds that delivery's copy, on its second attempt: once
    # its new owner stops too, the next replica replays that copy (a third attempt)
    much_later = later + EVENT_LEASE + timedelta(seconds=1)
    assert _mine(requests, f"next-{tag}", much_later, {stale, new}) == {
        stale: ('{"s": 2}', 3), new: ('{"n": 1}', 2)}
    assert requests.claim_events([], owner="x") == []


def test_an_unfinished_event_claim_is_a_lease(requests: RequestInbox) -> None:
    """A process that claimed an event and died before acknowledging it must not swallow
    Slack's redelivery: once the lease is over, the claim is taken over, exactly once."""
    event_id = f"Ev{uuid.uuid4().hex}"
    start = at(0)
    assert requests.claim_event(event_id, start) is True
    assert requests.event_done(event_id) is False  # held, not finished
    assert requests.claim_event(event_id, start + EVENT_LEASE) is False  # may still be at work
    later = start + EVENT_LEASE + timedelta(seconds=1)
    assert requests.claim_event(event_id, later) is True  # left for dead: taken over
    assert requests.claim_event(event_id, later + timedelta(seconds=1)) is False  # once
    requests.finish_events([event_id, f"{event_id}-never-claimed"], later + timedelta(seconds=2))
    assert requests.event_done(event_id) is True
    assert requests.claim_event(event_id, later + timedelta(days=1)) is False  # done for good
    assert requests.event_done(f"{event_id}-never-seen") is True


def _mine(requests: RequestInbox, owner: str, when: object, ids: set[str]) -> dict[str, tuple[str, int]]:
    """The orphans taken at ``when`` among this test's own claims (the PostgreSQL database is
    shared with other tests)."""
    return {event_id: (payload, attempts)
            for event_id, payload, attempts in requests.orphans(owner, when, limit=10_000)  # type: ignore[arg-type]
            if event_id in ids}


def test_a_claim_keeps_its_request_until_done_and_a_dead_owners_work_is_taken_over_once(
    requests: RequestInbox,
) -> None:
    """What a replica acknowledged and then died with is replayed by another, once; what a
    live replica holds (however long its queue) is not; what was handled is not."""
    tag = uuid.uuid4().hex
    held, lost, handled, bare = (f"Ev{tag}-{n}" for n in ("held", "lost", "handled", "bare"))
    start = at(0)
    requests.beat(f"alive-{tag}", start)
    requests.beat(f"dead-{tag}", start)
    assert requests.claim_event(held, start, owner=f"alive-{tag}", payload='{"held": 1}')
    assert requests.claim_event(lost, start, owner=f"dead-{tag}", payload='{"lost": 1}')
    assert requests.claim_event(handled, start, owner=f"dead-{tag}", payload='{"handled": 1}')
    assert requests.claim_event(bare, start, owner=f"dead-{tag}")  # nothing kept to replay
    requests.finish_events([handled], start + timedelta(seconds=1))
    ids = {held, lost, handled, bare}

    soon = start + timedelta(seconds=10)
    requests.beat(f"alive-{tag}", soon)
    assert _mine(requests, f"other-{tag}", soon, ids) == {}  # both owners beat recently

    later = start + REPLICA_TIMEOUT + timedelta(seconds=5)
    requests.beat(f"alive-{tag}", later)  # the dead one has not beaten since start
    assert _mine(requests, f"other-{tag}", later, ids) == {lost: ('{"lost": 1}', 2)}
    assert _mine(requests, f"third-{tag}", later + timedelta(seconds=1), ids) == {}  # taken once
    assert requests.event_done(lost) is False  # being replayed

    # the taker dies as well: the next live replica takes it again, one attempt more
    much_later = later + REPLICA_TIMEOUT + timedelta(seconds=10)
    requests.beat(f"alive-{tag}", much_later)
    assert _mine(requests, f"alive-{tag}", much_later, ids) == {lost: ('{"lost": 1}', 3)}
    requests.finish_events([lost, held], much_later)
    assert requests.event_done(lost) and requests.event_done(held)
    assert _mine(requests, f"alive-{tag}", much_later + timedelta(days=1), ids) == {}

    # long after, handled claims are forgotten; a redelivery that late would be new again
    assert requests.forget_handled(much_later + timedelta(seconds=1)) >= 3  # not the unfinished one
    assert requests.claim_event(lost, much_later + timedelta(days=3)) is True
    requests.finish_events([lost], much_later + timedelta(days=3))


def test_a_redelivery_takes_over_only_a_dead_owners_claim_and_claims_can_be_given_back(
    requests: RequestInbox,
) -> None:
    tag = uuid.uuid4().hex
    busy, lost, half, stuck = (f"Ev{tag}-{n}" for n in ("busy", "lost", "half", "stuck"))
    start = at(0)
    for owner in ("live", "dead"):
        requests.beat(f"{owner}-{tag}", start)
    assert requests.claim_event(busy, start, owner=f"live-{tag}", payload="{}")
    assert requests.claim_event(lost, start, owner=f"dead-{tag}", payload="{}")
    later = start + EVENT_LEASE + timedelta(seconds=1)
    requests.beat(f"live-{tag}", later)
    assert requests.claim_event(busy, later, owner=f"other-{tag}") is False  # its owner is at it
    assert requests.claim_event(lost, later, owner=f"other-{tag}") is True  # its owner stopped

    # a claim written as the database failed is dropped; a replay that never started, released
    assert requests.claim_event(half, later, owner=f"live-{tag}", payload="{}")
    assert requests.claim_event(stuck, later, owner=f"live-{tag}", payload='{"stuck": 1}')
    requests.give_back([(half, f"live-{tag}", later), (stuck, f"live-{tag}", None),
                     (busy, f"someone-else-{tag}", None)])  # not theirs: untouched
    assert requests.event_done(half) is True  # no claim at all: a redelivery is new
    assert requests.claim_event(half, later + timedelta(seconds=1), owner=f"live-{tag}") is True
    taken = _mine(requests, f"live-{tag}", later + timedelta(seconds=6), {busy, stuck})
    assert taken == {stuck: ('{"stuck": 1}', 2)}  # released: the next round replays it
    requests.finish_events([busy, lost, half, stuck], later + timedelta(seconds=7))


def test_a_replica_that_leaves_hands_its_claims_over_at_once(requests: RequestInbox) -> None:
    tag = uuid.uuid4().hex
    event_id = f"Ev{tag}"
    start = at(0)
    requests.beat(f"a-{tag}", start)
    requests.beat(f"b-{tag}", start)
    assert requests.claim_event(event_id, start, owner=f"a-{tag}", payload="{}")
    assert _mine(requests, f"b-{tag}", start + timedelta(seconds=6), {event_id}) == {}
    requests.leave(f"a-{tag}")  # a graceful stop that still left work (it should not, but)
    assert _mine(requests, f"b-{tag}", start + timedelta(seconds=6), {event_id}) == {event_id: ("{}", 2)}
    requests.finish_events([event_id], start + timedelta(seconds=7))


def test_a_beat_says_how_many_replicas_are_alive(requests: RequestInbox) -> None:
    """Replicas share Slack's rate limits: each beat counts those that beat within the timeout."""
    tag = uuid.uuid4().hex
    start = at(24 * (3650 + uuid.UUID(tag).int % 3650))  # (a time no other test beats at)
    assert requests.beat(f"a-{tag}", start) == 1
    assert requests.beat(f"b-{tag}", start + timedelta(seconds=1)) == 2
    later = start + REPLICA_TIMEOUT + timedelta(seconds=2)
    assert requests.beat(f"a-{tag}", later) == 1  # b stopped beating
    requests.leave(f"a-{tag}")
