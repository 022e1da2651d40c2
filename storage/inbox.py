"""The Slack request inbox on SQL (``handlers.slack.ports.RequestInbox``): claims, leases,
heartbeats and replays of platform events, in the ``processed_events`` and ``replicas`` tables.

Not part of the core's Store: these rows are the Slack door's way of never losing an
acknowledged request, and nothing of the method reads them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple, cast

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from storage.driver import aware, driver_sql, dropped, on_driver
from storage.models import ProcessedEventRow, ReplicaRow

if TYPE_CHECKING:
    import psycopg

log = logging.getLogger(__name__)
EVENT_LEASE = timedelta(seconds=30)  # an event claimed but never acknowledged is left for dead
REPLICA_TIMEOUT = timedelta(seconds=20)  # a replica that has not beaten for this long is dead
# what claiming a request found (the values of handlers.slack.ports.Claim)
TAKEN, DONE, HELD = "taken", "done", "held"


class Orphan(NamedTuple):
    """A request a dead process claimed and never finished, taken over for a replay."""

    event_id: str
    payload: str
    attempts: int  # this replay included


def claim_event(engine: sa.Engine, event_id: str, at: datetime, *, owner: str = "",
                payload: str | None = None, lease: timedelta = EVENT_LEASE,
                autocommit: bool = False) -> bool:
    """Outside any transaction of the caller's: the claim must stick even if handling the event
    fails later, or the platform's retry would be handled twice. A claim never marked done (its
    process died before handling it) is a lease: older than ``lease``, and held by no live
    process (see ``beat``), a redelivery takes it over; a live owner finishes its own work.

    This runs before every request's ack, so it is compiled once with bind parameters instead
    of going through the ORM, and on PostgreSQL ``engine`` is one whose connections are in
    autocommit (``autocommit=True``): each statement is atomic on its own, one round trip with
    no BEGIN or COMMIT."""
    insert, takeover = _claim_statements(engine.dialect.name)
    params = {"k": event_id, "t": at, "o": owner or None, "p": payload, "stale": at - lease,
              "alive": at - REPLICA_TIMEOUT}
    if autocommit and engine.dialect.name == "postgresql":
        return _claim_on_driver(engine, insert, takeover, params)
    opened: AbstractContextManager[sa.Connection] = engine.connect() if autocommit else engine.begin()
    with opened as conn:
        if conn.execute(insert, params).first() is not None:
            return True
        return conn.execute(takeover, params).rowcount == 1


def claim_events(engine: sa.Engine, claims: Sequence[tuple[str, datetime, str | None]], *, owner: str = "",
                 lease: timedelta = EVENT_LEASE, autocommit: bool = False) -> list[str]:
    """``claim_event`` for a batch of ``(event_id, at, payload)``, as one INSERT on PostgreSQL:
    one round trip and one commit for all the requests that arrived together, instead of one
    each. An id that is in the batch twice is taken by its first copy. The few ids already
    claimed are looked up together (handled already, or held elsewhere), and those of them
    unfinished past the lease are tried one by one, for a takeover (``_claim_batch_pg``)."""
    first: dict[str, int] = {}
    for i, (event_id, _, _) in enumerate(claims):
        first.setdefault(event_id, i)
    unique = [claims[i] for i in first.values()]
    if unique and autocommit and engine.dialect.name == "postgresql":
        aware(*(at for _, at, _ in unique))
        found = on_driver(engine, "claim",
                          lambda cursor: _claim_batch_pg(engine, cursor, unique, owner, lease))
        taken = {event_id: state == TAKEN for event_id, state in found.items()}
        done = {event_id for event_id, state in found.items() if state == DONE}
    else:
        taken = {event_id: claim_event(engine, event_id, at, owner=owner, payload=payload, lease=lease,
                                       autocommit=autocommit)
                 for event_id, at, payload in unique}
        done = events_done(engine, [event_id for event_id, ok in taken.items() if not ok])
    return [TAKEN if taken[event_id] and first[event_id] == i
            else DONE if event_id in done else HELD
            for i, (event_id, _, _) in enumerate(claims)]


NEW_CLAIMS = (
    f"INSERT INTO {cast('sa.Table', ProcessedEventRow.__table__).name} "  # noqa: S608
    "(event_id, claimed_at, owner, payload, attempts) "
    "SELECT k, t, %(o)s, p, 1 "
    "FROM unnest(%(k)b::varchar[], %(t)b::timestamptz[], %(p)b::text[]) AS c(k, t, p) "
    # (in key order: two replicas' batches holding the same ids lock them in the same order,
    # and never wait for each other in a deadlock)
    "ORDER BY k ON CONFLICT (event_id) DO NOTHING RETURNING event_id")


def _new_claims(claims: Sequence[tuple[str, datetime, str | None]], owner: str) -> dict[str, Any]:
    """NEW_CLAIMS' parameters (psycopg's, the arrays sent in binary)."""
    return {"k": [c[0] for c in claims], "t": [c[1] for c in claims], "p": [c[2] for c in claims],
            "o": owner or None}


class LoopClaims:
    """New claims written from the server's event loop, on PostgreSQL, with psycopg's async
    connections: one for each batch in the database at once, kept for the loop that opened
    them. It runs only ``_claim_batch_pg``'s INSERT and answers the ids it wrote; the rest of a
    batch (claimed already: handled, held, or left for dead) and any failure are for
    ``SqlRequestInbox.claim_events`` on a thread, as before. What it saves is the two hops
    between the loop and a claims thread, whose waits left the loop idle for a third of a
    burst (docs/benchmarks.md)."""

    KEPT = 4  # idle connections kept (Claims has 2 batches in the database at most)
    RECYCLE = 1800.0  # seconds a connection serves, as the engines' pool_recycle

    def __init__(self, url: sa.URL) -> None:
        self._conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._idle: list[tuple[psycopg.AsyncConnection[Any], float]] = []  # (and when it opened)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closed = False

    async def __call__(self, claims: Sequence[tuple[str, datetime, str | None]], owner: str) -> set[str]:
        """Each id of ``claims`` (each once) not claimed yet is claimed; the ids written."""
        aware(*(at for _, at, _ in claims))
        loop = asyncio.get_running_loop()
        if loop is not self._loop:  # (a connection serves the loop that opened it)
            self._drop_idle()
            self._loop = loop
        conn, opened = self._idle.pop() if self._idle else (None, 0.0)
        if conn is not None and loop.time() - opened > self.RECYCLE:
            _finish(conn)  # (before an idle-connection killer gets to it)
            conn = None
        if conn is None:
            import psycopg  # (here: a SQLite deployment never loads it)
            conn = await psycopg.AsyncConnection.connect(self._conninfo, autocommit=True,
                                                         connect_timeout=10)
            opened = loop.time()
        try:
            async with conn.cursor() as cursor:
                await cursor.execute(NEW_CLAIMS, _new_claims(claims, owner))
                written = {str(row[0]) for row in await cursor.fetchall()}
        except BaseException:
            _finish(conn)  # its state is unknown: never used again
            raise
        if self._closed or loop is not self._loop or len(self._idle) >= self.KEPT:
            _finish(conn)
        else:
            self._idle.append((conn, opened))
        return written

    def close(self) -> None:
        self._closed = True
        self._drop_idle()

    def _drop_idle(self) -> None:
        idle, self._idle = self._idle, []
        for conn, _ in idle:
            _finish(conn)


def _finish(conn: psycopg.AsyncConnection[Any]) -> None:
    """Closed at once, without the loop it was opened on (which may be gone)."""
    conn.pgconn.finish()


def _claim_batch_pg(engine: sa.Engine, cursor: Any, claims: list[tuple[str, datetime, str | None]],
                    owner: str, lease: timedelta) -> dict[str, str]:
    """The batch on PostgreSQL: the new ids inserted, in one statement; only if some were
    claimed already, those looked up by key, handled already (DONE) or held (HELD); and only
    for the few of those whose lease ran out (their owner may have died), a takeover each, on
    the same terms as ``claim_event``'s. Each statement is one PostgreSQL plans cheaply and
    right whatever the table's statistics say: the single statement that did all three cost
    it 670 µs of CPU a batch of 17 (most of it planning) against 270 µs for the insert, and on
    a young table its join read every unfinished claim (docs/benchmarks.md). An id another
    replica claimed or released in between is HELD: Slack asks again."""
    table = cast("sa.Table", ProcessedEventRow.__table__).name
    cursor.execute(NEW_CLAIMS, _new_claims(claims, owner))
    found = {str(row[0]): TAKEN for row in cursor.fetchall()}
    rest = {event_id: (at, payload) for event_id, at, payload in claims if event_id not in found}
    if not rest:
        return found
    cursor.execute(f"SELECT event_id, done_at IS NOT NULL, claimed_at FROM {table} "  # noqa: S608
                   "WHERE event_id = ANY(%(k)b::varchar[])", {"k": list(rest)})
    stale = []
    for event_id, done, claimed_at in cursor.fetchall():
        found[event_id] = DONE if done else HELD
        if not done and claimed_at < rest[event_id][0] - lease:
            stale.append(event_id)
    _, takeover = _claim_statements("postgresql")
    for event_id in stale:  # (rare: a claim unfinished for longer than the lease)
        at, payload = rest[event_id]
        cursor.execute(*driver_sql(engine, takeover, {
            "k": event_id, "t": at, "o": owner or None, "p": payload, "stale": at - lease,
            "alive": at - REPLICA_TIMEOUT}))
        if cursor.rowcount == 1:
            found[event_id] = TAKEN
    return {event_id: found.get(event_id, HELD) for event_id, _, _ in claims}


def _claim_on_driver(engine: sa.Engine, insert: sa.Executable, takeover: sa.Executable,
                     params: dict[str, Any]) -> bool:
    """The claim straight on a pooled driver connection (in autocommit): this runs before every
    ack, and SQLAlchemy's execution around one small statement cost more CPU than the statement
    (about 330 µs against 60 µs a claim, measured). The datetimes are checked as UTCDateTime
    would, so nothing naive is stored."""
    aware(params["t"], params["stale"], params["alive"])

    def claim(cursor: Any) -> bool:
        cursor.execute(*driver_sql(engine, insert, params))
        if cursor.fetchone() is not None:
            return True
        cursor.execute(*driver_sql(engine, takeover, params))
        return bool(cursor.rowcount == 1)

    return on_driver(engine, "claim", claim)


_CLAIMS: dict[str, tuple[sa.Executable, sa.Executable]] = {}


def _claim_statements(dialect: str) -> tuple[sa.Executable, sa.Executable]:
    found = _CLAIMS.get(dialect)
    if found is None:
        table = cast("sa.Table", ProcessedEventRow.__table__)
        col = table.c
        at = sa.bindparam("t", type_=col.claimed_at.type)
        insert = (
            (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
            .values(event_id=sa.bindparam("k"), claimed_at=at, owner=sa.bindparam("o"),
                    payload=sa.bindparam("p"), attempts=1)
            .on_conflict_do_nothing(index_elements=["event_id"])
            .returning(col.event_id)
        )
        takeover = (
            sa.update(table)
            .where(col.event_id == sa.bindparam("k"), col.done_at.is_(None),
                   col.claimed_at < sa.bindparam("stale", type_=col.claimed_at.type),
                   sa.or_(col.owner.is_(None), col.owner.not_in(
                       sa.select(ReplicaRow.id).where(ReplicaRow.seen_at >= sa.bindparam(
                           "alive", type_=col.claimed_at.type)).scalar_subquery())))
            .values(claimed_at=at, owner=sa.bindparam("o"), payload=sa.bindparam("p"),
                    attempts=col.attempts + 1)
        )
        found = _CLAIMS[dialect] = (insert, takeover)
    return found


def give_back(engine: sa.Engine, claims: Sequence[tuple[str, str, datetime | None]], *,
              autocommit: bool = False) -> None:
    """Undo claims whose work never started, if ``owner`` still holds them unfinished: with the
    claim's time, the claim is dropped (nothing was taken on: the person was told, or the
    platform delivers it again); without, it is released for another replay."""
    if not claims:
        return
    table = cast("sa.Table", ProcessedEventRow.__table__)
    col = table.c
    opened: AbstractContextManager[sa.Connection] = engine.connect() if autocommit else engine.begin()
    with opened as conn:
        for event_id, owner, claimed_at in claims:
            mine = sa.and_(col.event_id == event_id, col.owner == owner, col.done_at.is_(None))
            if claimed_at is not None:
                conn.execute(sa.delete(table).where(mine, col.claimed_at == claimed_at))
            else:
                conn.execute(sa.update(table).where(mine).values(owner=None))


def beat(sessions: sessionmaker[Session], owner: str, at: datetime) -> int:
    with sessions.begin() as session:
        dialect = session.get_bind().dialect.name
        insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(ReplicaRow)
        session.execute(insert.values(id=owner, seen_at=at)
                        .on_conflict_do_update(index_elements=["id"], set_={"seen_at": at}))
        return int(session.scalar(sa.select(sa.func.count()).select_from(ReplicaRow).where(
            ReplicaRow.seen_at >= at - REPLICA_TIMEOUT)) or 1)


def leave(sessions: sessionmaker[Session], owner: str) -> None:
    with sessions.begin() as session:
        session.execute(sa.delete(ReplicaRow).where(ReplicaRow.id == owner))


def forget_handled(sessions: sessionmaker[Session], before: datetime) -> int:
    with sessions.begin() as session:
        # by claimed_at, which is indexed: every replica runs this each minute on a table that
        # holds two days of a workspace's Slack events
        gone = session.execute(sa.delete(ProcessedEventRow)
                               .where(ProcessedEventRow.claimed_at < before,
                                      ProcessedEventRow.done_at < before)
                               .execution_options(synchronize_session=False))
        session.execute(sa.delete(ReplicaRow).where(ReplicaRow.seen_at < before))
        return cast("sa.CursorResult[Any]", gone).rowcount


def orphans(sessions: sessionmaker[Session], owner: str, at: datetime, limit: int) -> list[Orphan]:
    """One transaction: pick unfinished claims whose owner is not alive, then take each with a
    compare-and-set on its owner and time, so two replicas never replay the same request."""
    alive = sa.select(ReplicaRow.id).where(ReplicaRow.seen_at >= at - REPLICA_TIMEOUT)
    with sessions.begin() as session:
        found = session.execute(
            sa.select(ProcessedEventRow.event_id, ProcessedEventRow.owner, ProcessedEventRow.claimed_at)
            .where(ProcessedEventRow.done_at.is_(None), ProcessedEventRow.payload.is_not(None),
                   ProcessedEventRow.claimed_at < at - timedelta(seconds=5),  # not one just made
                   sa.or_(ProcessedEventRow.owner.is_(None),
                          sa.and_(ProcessedEventRow.owner != owner, ProcessedEventRow.owner.not_in(alive))))
            .order_by(ProcessedEventRow.claimed_at)
            .limit(limit)
        ).all()
        taken: list[Orphan] = []
        for event_id, was_owner, claimed_at in found:
            row = session.execute(
                sa.update(ProcessedEventRow)
                .where(ProcessedEventRow.event_id == event_id, ProcessedEventRow.done_at.is_(None),
                       ProcessedEventRow.claimed_at == claimed_at,
                       ProcessedEventRow.owner.is_(None) if was_owner is None
                       else ProcessedEventRow.owner == was_owner)
                .values(owner=owner, claimed_at=at, attempts=ProcessedEventRow.attempts + 1)
                .returning(ProcessedEventRow.payload, ProcessedEventRow.attempts)
                .execution_options(synchronize_session=False)
            ).first()
            if row is not None and row[0] is not None:
                taken.append(Orphan(event_id, row[0], row[1]))
        return taken


def finish_events(engine: sa.Engine, event_ids: Sequence[str], at: datetime, *,
                  autocommit: bool = False) -> None:
    """One statement for a batch of marks (Core, on the claims' engine: see ``claim_event``)."""
    if not event_ids:
        return
    table = cast("sa.Table", ProcessedEventRow.__table__)
    done = (sa.update(table).where(table.c.event_id.in_(sa.bindparam("ids", expanding=True)))
            .values(done_at=sa.bindparam("t", type_=table.c.done_at.type), payload=None))
    opened: AbstractContextManager[sa.Connection] = engine.connect() if autocommit else engine.begin()
    with opened as conn:
        conn.execute(done, {"ids": list(event_ids), "t": at})


def event_done(engine: sa.Engine, event_id: str) -> bool:
    """Whether a claimed event was acknowledged (False: another process holds it right now).
    Core on the claims' engine, like the claim it follows on every redelivery."""
    return event_id in events_done(engine, [event_id])


def events_done(engine: sa.Engine, event_ids: Sequence[str]) -> set[str]:
    """Those of ``event_ids`` not held unfinished (an id with no claim counts as done)."""
    if not event_ids:
        return set()
    table = cast("sa.Table", ProcessedEventRow.__table__)
    with engine.connect() as conn:
        held = set(conn.scalars(sa.select(table.c.event_id).where(
            table.c.event_id.in_(list(event_ids)), table.c.done_at.is_(None))))
    return set(event_ids) - held


class SqlRequestInbox:
    """``handlers.slack.ports.RequestInbox`` on the database behind ``engine``.

    Claims run before every Slack ack: on PostgreSQL they get a small pool of their own in
    autocommit (one round trip each; switching a shared connection's isolation level costs two
    more). Sized for the threads that claim at once (the server's ack threads, the finisher, the
    replay): a connection opened beyond the pool's size is closed again after each use, which
    costs more than the claim. A claim whose connection dropped under it is tried once more.
    """

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._autocommit = engine.dialect.name == "postgresql"
        self._claims = sa.create_engine(engine.url, isolation_level="AUTOCOMMIT", pool_size=8,
                                        max_overflow=2, pool_recycle=1800, hide_parameters=True) \
            if self._autocommit else engine
        self._on_loop = LoopClaims(engine.url) if self._autocommit else None

    def close(self) -> None:
        if self._on_loop is not None:
            self._on_loop.close()
        if self._claims is not self.engine:
            self._claims.dispose()

    def _claim(self, event_id: str, at: datetime, owner: str, payload: str | None) -> bool:
        return claim_event(self._claims, event_id, at, owner=owner, payload=payload,
                           autocommit=self._autocommit)

    def _claim_batch(self, claims: Sequence[tuple[str, datetime, str | None]], owner: str) -> list[str]:
        return claim_events(self._claims, claims, owner=owner, autocommit=self._autocommit)

    def claim_event(self, event_id: str, at: datetime, *, owner: str = "",
                    payload: str | None = None) -> bool:
        try:
            return self._claim(event_id, at, owner, payload)
        except sa.exc.DBAPIError as err:
            if not dropped(err):
                raise
        log.warning("database connection dropped while claiming event %s; claiming again", event_id)
        if self._claim(event_id, at, owner, payload):
            return True
        # Taken: by a redelivery, or by the first attempt, whose COMMIT went through as the
        # connection dropped. Only the first attempt wrote this very timestamp.
        with self._sessions.begin() as session:
            row = session.get(ProcessedEventRow, event_id)
            return row is not None and row.claimed_at == at

    def claims_on_loop(self) -> LoopClaims | None:
        return self._on_loop

    def claim_events(self, claims: Sequence[tuple[str, datetime, str | None]], *,
                     owner: str = "", maybe_written: bool = False) -> list[str]:
        """As ``claim_event``, for the batch: run again once if the connection dropped, and a
        claim the first attempt wrote (its very timestamp) is this batch's own. With
        ``maybe_written`` an attempt elsewhere (``claims_on_loop``) failed under this batch,
        and the batch is claimed as that second try would be."""
        if not maybe_written:
            try:
                return self._claim_batch(claims, owner)
            except sa.exc.DBAPIError as err:
                if not dropped(err):
                    raise
            log.warning("database connection dropped while claiming %d events; claiming again", len(claims))
        found = self._claim_batch(claims, owner)
        held = {event_id for (event_id, _, _), claim in zip(claims, found, strict=True)
                if claim == HELD}
        if not held:
            return found
        with self._sessions.begin() as session:
            written = {row.event_id: row.claimed_at for row in session.scalars(
                sa.select(ProcessedEventRow).where(ProcessedEventRow.event_id.in_(held)))}
        seen: set[str] = set()
        mine = []
        for (event_id, at, _), claim in zip(claims, found, strict=True):
            ours = claim == HELD and event_id not in seen and written.get(event_id) == at
            mine.append(TAKEN if ours else claim)
            seen.add(event_id)
        return mine

    def give_back(self, claims: Sequence[tuple[str, str, datetime | None]]) -> None:
        give_back(self._claims, claims, autocommit=self._autocommit)

    def beat(self, owner: str, at: datetime) -> int:
        return beat(self._sessions, owner, at)

    def leave(self, owner: str) -> None:
        leave(self._sessions, owner)

    def forget_handled(self, before: datetime) -> int:
        return forget_handled(self._sessions, before)

    def orphans(self, owner: str, at: datetime, *, limit: int = 20) -> list[Orphan]:
        return orphans(self._sessions, owner, at, limit)

    def finish_events(self, event_ids: Sequence[str], at: datetime) -> None:
        finish_events(self._claims, event_ids, at, autocommit=self._autocommit)

    def event_done(self, event_id: str) -> bool:
        return event_done(self._claims, event_id)
