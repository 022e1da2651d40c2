"""Deleting personal data: retention, and forgetting one person on request.

Split from repository.py along the seam between running the method and erasing data. Every
statement is still scoped to the workspace.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.domain import Workspace
from storage.models import (
    CachedMessageRow,
    FilingFeedbackRow,
    MemberRow,
    MomentRow,
    ProposalRow,
    RedactionPatternRow,
    StandardRow,
    TeamChoiceRow,
    TeamRow,
    VoteRow,
    WaitingMomentRow,
)


class PrivacyRows:
    _s: Session
    _ws: Workspace

    def _where(self, model: Any) -> Any:
        return model.workspace_id == self._ws.id

    def _delete_moments(self, condition: Any) -> int:
        ids = list(self._s.scalars(sa.select(MomentRow.id).where(self._where(MomentRow), condition)))
        if not ids:
            return 0
        self._s.execute(sa.delete(FilingFeedbackRow).where(
            self._where(FilingFeedbackRow), FilingFeedbackRow.moment_id.in_(ids)))
        self._s.execute(sa.delete(MomentRow).where(self._where(MomentRow), MomentRow.id.in_(ids)))
        return len(ids)

    def _changed(self, statement: Any) -> int:
        result: sa.CursorResult[Any] = self._s.execute(statement)  # type: ignore[assignment]
        return int(result.rowcount)

    def delete_moments_before(self, cutoff: datetime) -> int:
        return self._delete_moments(MomentRow.created_at < cutoff)

    def forget_user(self, user_id: str) -> dict[str, int]:
        counts = {"moments": self._delete_moments(MomentRow.reporter_id == user_id)}
        mentioned = 0
        for row in self._s.scalars(sa.select(MomentRow).where(self._where(MomentRow))):
            credited = tuple(u for u in row.credited if u != user_id)
            also = tuple(u for u in row.also_reported_by if u != user_id)
            if (credited, also) != (row.credited, row.also_reported_by):
                row.credited, row.also_reported_by = credited, also
                mentioned += 1
        counts["credits"] = mentioned
        counts["votes"] = self._changed(
            sa.delete(VoteRow).where(self._where(VoteRow), VoteRow.voter_id == user_id))
        counts["proposals"] = self._changed(
            sa.update(ProposalRow)
            .where(self._where(ProposalRow), ProposalRow.author_id == user_id)
            .values(author_id="", anonymous=True))
        counts["standards"] = self._changed(
            sa.update(StandardRow)
            .where(self._where(StandardRow), StandardRow.adopted_by == user_id)
            .values(adopted_by=""))
        self._s.execute(
            sa.update(RedactionPatternRow)
            .where(self._where(RedactionPatternRow), RedactionPatternRow.added_by == user_id)
            .values(added_by=""))
        for team in self._s.scalars(sa.select(TeamRow).where(self._where(TeamRow))):
            if user_id in team.leads:
                team.leads = tuple(u for u in team.leads if u != user_id)
        self._s.execute(sa.delete(CachedMessageRow).where(
            self._where(CachedMessageRow), CachedMessageRow.author_id == user_id))
        self._s.execute(sa.delete(MemberRow).where(self._where(MemberRow), MemberRow.user_id == user_id))
        # what they reported before their channel had a team, and the team they picked
        counts["moments"] += self._changed(sa.delete(WaitingMomentRow).where(
            self._where(WaitingMomentRow), WaitingMomentRow.reporter_id == user_id))
        self._s.execute(sa.delete(TeamChoiceRow).where(
            self._where(TeamChoiceRow), TeamChoiceRow.user_id == user_id))
        self._s.flush()
        return counts
