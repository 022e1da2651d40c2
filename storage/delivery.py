"""Rows that keep chat delivery honest: quotable recent messages, exactly-once weekly posts,
Teams conversation references, and platform events already handled.

Split from repository.py along the seam between the method (moments, prompts, standards) and
the plumbing of getting messages in and out. Every read is still scoped to the workspace.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from typing import Any, TypeVar, cast

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.domain import CachedMessage, Moment, PostRecord, Workspace
from bot.ports import EVENT_LEASE, REPLICA_TIMEOUT, Claim, Orphan
from storage.models import (
    CachedMessageRow,
    ConversationRow,
    MomentRow,
    PostRecordRow,
    ProcessedEventRow,
    ReplicaRow,
    TeamRow,
    entity_values,
    maybe_entity,
    to_entity,
)

Row = TypeVar("Row", CachedMessageRow, ConversationRow, MomentRow, PostRecordRow, TeamRow)
T = TypeVar("T")


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
                 lease: timedelta = EVENT_LEASE, autocommit: bool = False) -> list[Claim]:
    """``claim_event`` for a batch of ``(event_id, at, payload)``, as one INSERT on PostgreSQL:
    one round trip and one commit for all the requests that arrived together, instead of one
    each. An id that is in the batch twice is taken by its first copy. The few ids already
    claimed are tried one by one, for a takeover, and those still not taken are looked up
    together: handled already, or held elsewhere."""
    first: dict[str, int] = {}
    for i, (event_id, _, _) in enumerate(claims):
        first.setdefault(event_id, i)
    unique = [claims[i] for i in first.values()]
    inserted: set[str] = set()
    if unique and autocommit and engine.dialect.name == "postgresql":
        _aware(*(at for _, at, _ in unique))
        inserted = _on_driver(engine, "claim", lambda cursor: _insert_batch(cursor, unique, owner))
    taken = {event_id: event_id in inserted or claim_event(
        engine, event_id, at, owner=owner, payload=payload, lease=lease, autocommit=autocommit)
        for event_id, at, payload in unique}
    done = events_done(engine, [event_id for event_id, ok in taken.items() if not ok])
    return [Claim.TAKEN if taken[event_id] and first[event_id] == i
            else Claim.DONE if event_id in done else Claim.HELD
            for i, (event_id, _, _) in enumerate(claims)]


def _insert_batch(cursor: Any, claims: list[tuple[str, datetime, str | None]], owner: str) -> set[str]:
    table = cast("sa.Table", ProcessedEventRow.__table__)
    cursor.execute(
        f"INSERT INTO {table.name} (event_id, claimed_at, owner, payload, attempts) "  # noqa: S608
        "SELECT k, t, %s, p, 1 FROM unnest(%s::varchar[], %s::timestamptz[], %s::text[]) AS c(k, t, p) "
        "ON CONFLICT (event_id) DO NOTHING RETURNING event_id",
        (owner or None, [c[0] for c in claims], [c[1] for c in claims], [c[2] for c in claims]))
    return {row[0] for row in cursor.fetchall()}


_DRIVER_SQL: dict[int, Any] = {}


def _driver_sql(engine: sa.Engine, statement: sa.Executable, params: dict[str, Any]) -> tuple[str, Any]:
    """The statement as the driver's SQL text, compiled once, and its parameters (the values
    the statement itself holds, such as ``attempts=1``, included)."""
    found = _DRIVER_SQL.get(id(statement))  # the statements live as long as _CLAIMS
    if found is None:
        compiled = cast("sa.ClauseElement", statement).compile(dialect=engine.dialect)
        found = _DRIVER_SQL[id(statement)] = (str(compiled), compiled)
    return found[0], found[1].construct_params(params)


def _claim_on_driver(engine: sa.Engine, insert: sa.Executable, takeover: sa.Executable,
                     params: dict[str, Any]) -> bool:
    """The claim straight on a pooled driver connection (in autocommit): this runs before every
    ack, and SQLAlchemy's execution around one small statement cost more CPU than the statement
    (about 330 µs against 60 µs a claim, measured). The datetimes are checked as UTCDateTime
    would, so nothing naive is stored."""
    _aware(params["t"], params["stale"], params["alive"])

    def claim(cursor: Any) -> bool:
        cursor.execute(*_driver_sql(engine, insert, params))
        if cursor.fetchone() is not None:
            return True
        cursor.execute(*_driver_sql(engine, takeover, params))
        return bool(cursor.rowcount == 1)

    return _on_driver(engine, "claim", claim)


def _aware(*values: datetime) -> None:
    """Checked as UTCDateTime would on the ORM's way in: nothing naive is stored."""
    for value in values:
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: claims store aware UTC datetimes")


def _on_driver(engine: sa.Engine, what: str, work: Callable[[Any], T]) -> T:
    """``work(cursor)`` on a pooled driver connection. A connection that failed is dropped from
    the pool, and driver errors are raised as SQLAlchemy's (a dropped connection is retried by
    the store)."""
    dbapi_error: type[Exception] = engine.dialect.loaded_dbapi.Error
    try:
        conn = engine.raw_connection()
    except dbapi_error as err:  # reported as SQLAlchemy would, for the callers' retry rules
        raise sa.exc.DBAPIError.instance(None, None, err, dbapi_error, hide_parameters=True,
                                         dialect=engine.dialect) from err
    cursor = None
    try:
        cursor = conn.cursor()
        return work(cursor)
    except dbapi_error as err:
        gone = engine.dialect.is_disconnect(cast(Any, err), conn.dbapi_connection, cursor)
        conn.invalidate(err)
        if gone:  # the server dropped its connections (a restart): the pooled ones are dead too,
            engine.dispose(close=False)  # as SQLAlchemy's own handling would invalidate them
        raise sa.exc.DBAPIError.instance(what, None, err, dbapi_error, hide_parameters=True,
                                         connection_invalidated=gone, dialect=engine.dialect) from err
    finally:
        conn.close()


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


def beat(sessions: sessionmaker[Session], owner: str, at: datetime) -> None:
    with sessions.begin() as session:
        dialect = session.get_bind().dialect.name
        insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(ReplicaRow)
        session.execute(insert.values(id=owner, seen_at=at)
                        .on_conflict_do_update(index_elements=["id"], set_={"seen_at": at}))


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


class DeliveryRows:
    """The delivery half of SqlRepository; it shares the repository's session and workspace."""

    _s: Session
    _ws: Workspace

    def _mine(self, model: type[Row]) -> sa.Select[Row]:
        return sa.select(model).where(model.workspace_id == self._ws.id)

    def _upsert(self, find: Callable[[], Any], fresh: Any, values: dict[str, Any]) -> None:
        """Insert ``fresh``, or update the row ``find`` gives. The insert runs in a SAVEPOINT so
        that losing a race to another replica turns into an update, not a failed transaction."""
        row = find()
        if row is None:
            if self._saved(fresh):
                return
            row = find()
            assert row is not None
        for key, value in values.items():
            setattr(row, key, value)
        self._s.flush()

    def _saved(self, row: Any) -> bool:
        """Insert in a SAVEPOINT; False (and the transaction intact) on a unique violation."""
        try:
            with self._s.begin_nested():
                self._s.add(row)
        except IntegrityError:
            return False
        return True

    # reactions: moments made from a message whose text has not been fetched yet

    def moments_awaiting_text(self, *, limit: int = 50) -> list[Moment]:
        query = (
            self._mine(MomentRow)
            .where(
                MomentRow.text == "",
                MomentRow.message_ref.is_not(None),
                MomentRow.retracted_at.is_(None),
            )
            .order_by(MomentRow.created_at, MomentRow.id)
            .limit(limit)
        )
        return [to_entity(Moment, row) for row in self._s.scalars(query)]

    # recent channel messages

    def _message_row(self, channel: str, ts: str) -> CachedMessageRow | None:
        query = self._mine(CachedMessageRow).where(
            CachedMessageRow.channel == channel, CachedMessageRow.ts == ts
        )
        return self._s.scalar(query)

    def remember_message(self, message: CachedMessage) -> None:
        values = entity_values(message)
        self._upsert(
            lambda: self._message_row(message.channel, message.ts),
            CachedMessageRow(workspace_id=self._ws.id, **values),
            values,
        )

    def cached_message(self, channel: str, ts: str) -> CachedMessage | None:
        return maybe_entity(CachedMessage, self._message_row(channel, ts))

    def forget_message(self, channel: str, ts: str) -> bool:
        statement = sa.delete(CachedMessageRow).where(
            CachedMessageRow.workspace_id == self._ws.id, CachedMessageRow.channel == channel,
            CachedMessageRow.ts == ts)
        result = cast("sa.CursorResult[Any]", self._s.execute(statement))
        return bool(result.rowcount)

    def purge_messages(self, *, seen_before: datetime) -> int:
        statement = sa.delete(CachedMessageRow).where(
            CachedMessageRow.workspace_id == self._ws.id, CachedMessageRow.seen_at < seen_before
        )
        result = cast("sa.CursorResult[Any]", self._s.execute(statement))
        return result.rowcount

    # the weekly cycle's exactly-once guard

    def _post_row(self, team_id: int, kind: str, week: str) -> PostRecordRow | None:
        query = self._mine(PostRecordRow).where(
            PostRecordRow.team_id == team_id, PostRecordRow.kind == kind, PostRecordRow.week == week
        )
        return self._s.scalar(query)

    def claim_post(self, team_id: int, kind: str, week: str, at: datetime) -> bool:
        team = self._s.scalar(self._mine(TeamRow).where(TeamRow.id == team_id))
        if team is None:
            return False
        record = PostRecord(team_id, kind, week, claimed_at=at)
        return self._saved(PostRecordRow(workspace_id=self._ws.id, **entity_values(record)))

    def post_record(self, team_id: int, kind: str, week: str) -> PostRecord | None:
        return maybe_entity(PostRecord, self._post_row(team_id, kind, week))

    def save_post_record(self, record: PostRecord) -> None:
        row = self._post_row(record.team_id, record.kind, record.week)
        if row is not None:
            for key, value in entity_values(record).items():
                setattr(row, key, value)
            self._s.flush()

    def swap_post_record(self, expected: PostRecord, new: PostRecord) -> bool:
        """Compare-and-set: write ``new`` only if the row still holds ``expected``'s attempts and
        sending mark and is unsent. One UPDATE, so of two replicas retrying the same post at the
        same moment exactly one wins the attempt."""
        mark = PostRecordRow.sending_at
        statement = (
            sa.update(PostRecordRow)
            .where(
                PostRecordRow.workspace_id == self._ws.id,
                PostRecordRow.team_id == expected.team_id,
                PostRecordRow.kind == expected.kind,
                PostRecordRow.week == expected.week,
                PostRecordRow.attempts == expected.attempts,
                PostRecordRow.sent_at.is_(None),
                mark.is_(None) if expected.sending_at is None else mark == expected.sending_at,
            )
            .values(sent_at=new.sent_at, attempts=new.attempts, last_error=new.last_error,
                    sending_at=new.sending_at)
            .execution_options(synchronize_session="fetch")
        )
        result = cast("sa.CursorResult[Any]", self._s.execute(statement))
        return result.rowcount == 1

    def post_records(self, *, team_id: int | None = None, limit: int = 50) -> list[PostRecord]:
        query = self._mine(PostRecordRow)
        if team_id is not None:
            query = query.where(PostRecordRow.team_id == team_id)
        query = query.order_by(PostRecordRow.claimed_at.desc(), PostRecordRow.id.desc())
        return [to_entity(PostRecord, row) for row in self._s.scalars(query.limit(limit))]

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
