"""PostgreSQL drops every connection of `moments serve` a few times during a burst of slash
commands and reactions. Nothing may vanish: each moment is stored once, or the person is told
that nothing was saved; and once the database is back, the server stores again."""

from __future__ import annotations

import re
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from handlers.slack.ports import Claim
from storage import SqlRequestInbox, create_engine
from tests.handlers.faults.conftest import (
    CHANNEL,
    CONNECTION_ERRORS,
    OOPS_WORDS,
    Api,
    Scratch,
    Server,
    burst,
    far_from,
    seed_team,
    wait_healthy,
    wait_until,
)

pytestmark = pytest.mark.postgres
COMMANDS = 60
REACTIONS = 30
FAULT_AFTER_ACKS = (12, 30, 48, 66)  # drop every connection when this many requests were acked
TOKEN = re.compile(r"fault(\d{3})x")


def command_text(n: int) -> str:
    return f"#baggage fault{n:03d}x bag came out last"


def reaction_ts(n: int) -> str:
    return f"1700000000.{n:06d}"


def stored_commands(db: Scratch) -> Counter[int]:
    texts = db.rows("SELECT text FROM moments WHERE source = 'COMMAND' OR text LIKE '%fault%'")
    return Counter(int(m.group(1)) for (text,) in texts if (m := TOKEN.search(text)))


def stored_reactions(db: Scratch) -> Counter[str]:
    refs = db.rows("SELECT message_ref FROM moments WHERE message_ref IS NOT NULL")
    return Counter(str(ref).partition("/")[2] for (ref,) in refs)


def test_dropped_connections_during_a_burst_lose_nothing_silently(
    api: Api, scratch: Scratch, serve: Callable[[str], Server]
) -> None:
    seed_team(scratch.url, **far_from(datetime.now(UTC).isoweekday()))
    server = serve("faults-pg")
    wait_healthy(server)
    assert server.command(command_text(999), api.response_url("warm")) == 200
    assert wait_until(lambda: bool(api.answers_to("warm")), 20), server.tail()

    # the burst: commands and reactions interleaved, 8 at a time, with faults at fixed progress
    jobs = burst(COMMANDS, REACTIONS)
    statuses: dict[tuple[str, int], int | str] = {}
    acked = 0
    lock = threading.Lock()
    progress = threading.Condition(lock)
    terminated: list[int] = []

    def send(job: tuple[str, int]) -> None:
        nonlocal acked
        kind, n = job
        try:
            if kind == "command":
                status: int | str = server.command(command_text(n), api.response_url(f"c{n}"))
            else:
                status = server.reaction(f"EvFault{n:04d}", f"UR{n:03d}", reaction_ts(n))
        except CONNECTION_ERRORS as err:
            status = type(err).__name__
        with progress:
            statuses[job] = status
            acked += 1
            progress.notify_all()

    def faults() -> None:
        for mark in FAULT_AFTER_ACKS:
            with progress:
                progress.wait_for(lambda mark=mark: acked >= mark, timeout=30)
            terminated.append(scratch.terminate_backends())
            time.sleep(0.2)  # one drop at a time: two in a row would beat any single retry

    injector = threading.Thread(target=faults)
    injector.start()
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(send, jobs))
    injector.join(timeout=30)

    def command_settled(n: int) -> bool:
        return bool(api.answers_to(f"c{n}"))

    def reaction_settled(n: int, stored: Counter[str]) -> bool:
        return stored[reaction_ts(n)] > 0 or any(OOPS_WORDS in t for t in api.ephemerals_to(f"UR{n:03d}"))

    def all_settled() -> bool:
        stored = stored_reactions(scratch)
        return all(command_settled(n) for n in range(COMMANDS)) and \
            all(reaction_settled(n, stored) for n in range(REACTIONS))

    settled = wait_until(all_settled, timeout=40, step=0.3)
    time.sleep(1.0)  # anything still running (a text fetch) gets to finish

    commands, reactions = stored_commands(scratch), stored_reactions(scratch)
    told_c = {n for n in range(COMMANDS) if any(OOPS_WORDS in t for t in api.answers_to(f"c{n}"))}
    told_r = {n for n in range(REACTIONS) if any(OOPS_WORDS in t for t in api.ephemerals_to(f"UR{n:03d}"))}
    stored_c = {n for n in range(COMMANDS) if commands[n]}
    stored_r = {n for n in range(REACTIONS) if reactions[reaction_ts(n)]}
    silent_c = sorted(set(range(COMMANDS)) - stored_c - told_c)
    silent_r = sorted(set(range(REACTIONS)) - stored_r - told_r)
    not_2xx = {job: s for job, s in statuses.items() if not (isinstance(s, int) and 200 <= s < 300)}
    print(f"\nPG faults: {len(jobs)} sent, {len(jobs) - len(not_2xx)} acked 2xx, backends terminated "
          f"{terminated}; commands stored {len(stored_c)}/{COMMANDS}, told to retry {len(told_c)} "
          f"(of which stored anyway {len(told_c & stored_c)}); reactions stored "
          f"{len(stored_r)}/{REACTIONS}, told to retry {len(told_r)} (stored anyway "
          f"{len(told_r & stored_r)}); silent drops {silent_c} {silent_r}")

    assert not not_2xx, f"requests not acknowledged: {not_2xx}\n{server.tail()}"
    assert sum(terminated) > 0, "the faults hit no connection"
    assert [n for n, c in commands.items() if c > 1] == [], "a command's moment was stored twice"
    assert [ts for ts, c in reactions.items() if c > 1] == [], "a reaction's moment was stored twice"
    assert (silent_c, silent_r) == ([], []), f"dropped silently\n{server.tail(80)}"
    assert settled
    # every command is answered exactly once, and a stored one is not also told to try again
    assert all(len(api.answers_to(f"c{n}")) == 1 for n in range(COMMANDS))

    # the pool recovers: after the faults, every new command is stored and confirmed
    for n in range(COMMANDS, COMMANDS + 5):
        assert server.command(command_text(n), api.response_url(f"c{n}")) == 200
    assert wait_until(lambda: all(api.answers_to(f"c{n}") for n in range(COMMANDS, COMMANDS + 5)), 20)
    after = stored_commands(scratch)
    assert all(after[n] == 1 for n in range(COMMANDS, COMMANDS + 5)), server.tail()
    assert not any(OOPS_WORDS in api.answers_to(f"c{n}")[0] for n in range(COMMANDS, COMMANDS + 5))
    assert CHANNEL  # the burst went to the seeded team's channel


def dropped(statement: str | None, invalidated: bool = True) -> sa.exc.OperationalError:
    """As SQLAlchemy raises it; psycopg's "consuming input failed" on a COMMIT is not always
    marked as invalidating the connection."""
    return sa.exc.OperationalError(
        statement, {}, Exception("consuming input failed: server closed the connection unexpectedly"),
        connection_invalidated=invalidated)


@pytest.mark.parametrize("invalidated", [True, False])
@pytest.mark.parametrize("applied", [False, True])
def test_an_event_claim_survives_a_connection_dropped_under_it(
    scratch: Scratch, monkeypatch: pytest.MonkeyPatch, applied: bool, invalidated: bool
) -> None:
    """Before COMMIT (a statement failed): claimed again. During COMMIT, applied or not: the row's
    own timestamp tells the store whether the claim it finds is its own."""
    store = SqlRequestInbox(create_engine(scratch.url))
    real = SqlRequestInbox._claim
    attempts: list[str] = []

    def flaky(self: SqlRequestInbox, event_id: str, at: datetime, *kept: Any) -> bool:
        attempts.append(event_id)
        if len(attempts) > 1:
            return real(self, event_id, at, *kept)
        if applied:  # the COMMIT went through; its answer was lost with the connection
            real(self, event_id, at, *kept)
            raise dropped(None, invalidated)
        raise dropped("INSERT INTO processed_events ...", invalidated)

    monkeypatch.setattr(SqlRequestInbox, "_claim", flaky)
    try:
        at = datetime.now(UTC)
        assert store.claim_event("EvDropped", at) is True
        assert len(attempts) == 2
        attempts.clear()
        attempts.append("again")  # no more faults: a real redelivery is still refused
        assert store.claim_event("EvDropped", at + timedelta(seconds=30)) is False
    finally:
        store.close()
        store.engine.dispose()


def test_a_claim_dropped_twice_fails_and_other_errors_pass_through(
    scratch: Scratch, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = SqlRequestInbox(create_engine(scratch.url))
    disk_full = sa.exc.OperationalError("INSERT", {}, Exception("disk full"))
    errors = [dropped("INSERT"), dropped("INSERT"), disk_full]

    def failing(self: SqlRequestInbox, event_id: str, at: datetime, *kept: Any) -> bool:
        raise errors.pop(0)

    monkeypatch.setattr(SqlRequestInbox, "_claim", failing)
    try:
        with pytest.raises(sa.exc.OperationalError, match="closed"):
            store.claim_event("EvTwice", datetime.now(UTC))  # the database is really gone: a 500
        with pytest.raises(sa.exc.OperationalError, match="disk full"):
            store.claim_event("EvOther", datetime.now(UTC))  # not a dropped connection: no retry
        assert errors == []
    finally:
        store.close()
        store.engine.dispose()


@pytest.mark.parametrize("applied", [False, True])
def test_a_batch_of_claims_survives_a_connection_dropped_under_it(
    scratch: Scratch, monkeypatch: pytest.MonkeyPatch, applied: bool
) -> None:
    """The batch's INSERT applied or not before the connection dropped: claimed again, and a
    claim written by the first attempt (its very timestamp) is the batch's own; an id a
    redelivery holds (another timestamp) is not."""
    store = SqlRequestInbox(create_engine(scratch.url))
    real = SqlRequestInbox._claim_batch
    attempts: list[int] = []

    def flaky(self: SqlRequestInbox, claims: Any, *kept: Any) -> list[str]:
        attempts.append(len(claims))
        if len(attempts) > 1:
            return real(self, claims, *kept)
        if applied:
            real(self, claims, *kept)
            raise dropped(None, True)
        raise dropped("INSERT INTO processed_events ...", True)

    try:
        at = datetime.now(UTC)
        assert store.claim_event("EvHeldElsewhere", at - timedelta(seconds=1), owner="other") is True
        monkeypatch.setattr(SqlRequestInbox, "_claim_batch", flaky)
        batch = [("EvB1", at, None), ("EvHeldElsewhere", at, None), ("EvB2", at, "{}"), ("EvB1", at, None)]
        assert store.claim_events(batch, owner="me") == [Claim.TAKEN, Claim.HELD, Claim.TAKEN, Claim.HELD]
        assert attempts == [4, 4]
    finally:
        store.close()
        store.engine.dispose()


@pytest.mark.parametrize("dropped_after", ["insert", "look-up", "takeover"])
def test_a_batch_whose_connection_drops_between_its_statements_is_still_the_batchs_own(
    scratch: Scratch, monkeypatch: pytest.MonkeyPatch, dropped_after: str
) -> None:
    """A batch on PostgreSQL is up to three statements (the INSERT of the new ids, the look-up of
    those claimed already, a takeover of a claim left for dead), each committed on its own. The
    connection drops just after one of them went through: the batch is claimed again, and what
    the first attempt wrote (its very timestamp) is the batch's own, once; an id a live replica
    holds stays HELD."""
    import psycopg

    import storage.inbox as inbox

    store = SqlRequestInbox(create_engine(scratch.url))
    real = inbox._claim_batch_pg
    statements = {"insert": 1, "look-up": 2, "takeover": 3}[dropped_after]
    dropped_once: list[bool] = []

    class Dropping:
        """The driver's cursor, whose connection drops once after its ``statements``-th statement."""

        def __init__(self, cursor: Any) -> None:
            self.cursor, self.count = cursor, 0

        def execute(self, *args: Any, **kwargs: Any) -> Any:
            self.cursor.execute(*args, **kwargs)
            self.count += 1
            if self.count == statements and not dropped_once:
                dropped_once.append(True)
                raise psycopg.OperationalError("server closed the connection unexpectedly")
            return self

        def __getattr__(self, name: str) -> Any:
            return getattr(self.cursor, name)

    def flaky(engine: Any, cursor: Any, *args: Any) -> Any:
        return real(engine, Dropping(cursor), *args)

    try:
        now = datetime.now(UTC)
        assert store.claim_event("EvLeftForDead", now - timedelta(minutes=5), owner="dead") is True
        assert store.claim_event("EvHeldAlive", now - timedelta(minutes=5), owner="alive") is True
        store.beat("alive", now)
        monkeypatch.setattr(inbox, "_claim_batch_pg", flaky)
        batch = [("EvNew", now, "{}"), ("EvLeftForDead", now, "{}"), ("EvHeldAlive", now, "{}")]
        assert store.claim_events(batch, owner="me") == [Claim.TAKEN, Claim.TAKEN, Claim.HELD]
        assert dropped_once == [True]
        monkeypatch.setattr(inbox, "_claim_batch_pg", real)
        later = now + timedelta(seconds=1)  # Slack's redeliveries: taken already, held
        again = [("EvNew", later, None), ("EvLeftForDead", later, None)]
        assert store.claim_events(again, owner="other") == [Claim.HELD, Claim.HELD]
    finally:
        store.close()
        store.engine.dispose()
