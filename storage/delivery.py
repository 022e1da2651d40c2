"""Rows that keep chat delivery honest: quotable recent messages, exactly-once weekly posts and
Teams conversation references. (The Slack request inbox has its own module, ``storage/inbox.py``.)

Split from repository.py along the seam between the method (moments, prompts, standards) and
the plumbing of getting messages in and out. Every read is still scoped to the workspace.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar, cast

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.domain import CachedMessage, Moment, PostRecord, Workspace
from storage.models import (
    CachedMessageRow,
    ConversationRow,
    MomentRow,
    PostRecordRow,
    TeamRow,
    entity_values,
    maybe_entity,
    to_entity,
)

Row = TypeVar("Row", CachedMessageRow, ConversationRow, MomentRow, PostRecordRow, TeamRow)

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
