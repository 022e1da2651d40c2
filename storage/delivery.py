"""Rows that keep the weekly posts honest: exactly-once post records, and the reactions'
moments still waiting for their message's text. (The recent-message cache is in
``storage/message_cache.py``, Teams conversation references in ``storage/conversations.py`` and
the Slack request inbox in ``storage/inbox.py``.) Every read is scoped to the workspace.
"""

from __future__ import annotations

from datetime import datetime

from bot.domain import Moment, PostRecord
from storage.models import MomentRow, PostRecordRow, TeamRow, entity_values, maybe_entity, to_entity
from storage.rows import WorkspaceRows


class DeliveryRows(WorkspaceRows):
    """The delivery half of SqlRepository."""

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
        """Compare-and-set (``WorkspaceRows._swap_attempt``): of two replicas retrying the same
        post at the same moment exactly one wins the attempt."""
        return self._swap_attempt(PostRecordRow, [PostRecordRow.team_id == expected.team_id,
                                                  PostRecordRow.kind == expected.kind,
                                                  PostRecordRow.week == expected.week],
                                  expected, new)

    def post_records(self, *, team_id: int | None = None, limit: int = 50) -> list[PostRecord]:
        query = self._mine(PostRecordRow)
        if team_id is not None:
            query = query.where(PostRecordRow.team_id == team_id)
        query = query.order_by(PostRecordRow.claimed_at.desc(), PostRecordRow.id.desc())
        return [to_entity(PostRecord, row) for row in self._s.scalars(query.limit(limit))]
