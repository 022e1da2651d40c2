"""The first five minutes' rows: moments waiting for a team, the team a person picked for what
they report in private, and the channels the bot has welcomed. Every read is scoped to the
workspace (split from repository.py along the seam of the feature)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from bot.domain import WaitingMoment
from bot.ports import DuplicateError
from storage.models import (
    TeamChoiceRow,
    TeamRow,
    WaitingMomentRow,
    WelcomeRow,
    entity_values,
    maybe_entity,
    to_entity,
)
from storage.rows import WorkspaceRows


class WaitingRows(WorkspaceRows):
    def add_waiting(self, waiting: WaitingMoment) -> WaitingMoment:
        row = WaitingMomentRow(workspace_id=self._ws.id, **entity_values(waiting))
        if not self._saved(row):
            raise DuplicateError("that request's waiting moment exists already")
        self._s.flush()
        return to_entity(WaitingMoment, row)

    def waiting_by_request(self, request_key: str) -> WaitingMoment | None:
        query = self._mine(WaitingMomentRow).where(WaitingMomentRow.request_key == request_key)
        return maybe_entity(WaitingMoment, self._s.scalar(query))

    def _waiting(self, *conditions: Any) -> list[WaitingMoment]:
        query = self._mine(WaitingMomentRow).where(*conditions).order_by(
            WaitingMomentRow.created_at, WaitingMomentRow.id)
        return [to_entity(WaitingMoment, row) for row in self._s.scalars(query)]

    def waiting_in(self, channel: str) -> list[WaitingMoment]:
        if not channel:
            return []
        return self._waiting(WaitingMomentRow.channel == channel)

    def waiting_of(self, reporter_id: str) -> list[WaitingMoment]:
        return self._waiting(WaitingMomentRow.channel == "",
                             WaitingMomentRow.reporter_id == reporter_id)

    def waiting_reported_by(self, reporter_id: str) -> list[WaitingMoment]:
        return self._waiting(WaitingMomentRow.reporter_id == reporter_id)

    def _gone(self, *conditions: Any) -> int:
        result: sa.CursorResult[Any] = self._s.execute(  # type: ignore[assignment]
            sa.delete(WaitingMomentRow).where(WaitingMomentRow.workspace_id == self._ws.id,
                                              *conditions))
        return int(result.rowcount)

    def delete_waiting(self, waiting_id: int) -> bool:
        return self._gone(WaitingMomentRow.id == waiting_id) > 0

    def delete_waiting_expired(self, now: datetime) -> int:
        return self._gone(WaitingMomentRow.expires_at <= now)

    def chosen_team(self, user_id: str) -> int | None:
        query = sa.select(TeamChoiceRow.team_id).where(TeamChoiceRow.workspace_id == self._ws.id,
                                                       TeamChoiceRow.user_id == user_id)
        return self._s.scalar(query)

    def choose_team(self, user_id: str, team_id: int) -> None:
        team = self._s.get(TeamRow, team_id)
        if team is None or team.workspace_id != self._ws.id:
            raise KeyError(f"no team {team_id} in this workspace")
        self._upsert(
            lambda: self._s.scalar(self._mine(TeamChoiceRow).where(TeamChoiceRow.user_id == user_id)),
            TeamChoiceRow(workspace_id=self._ws.id, user_id=user_id, team_id=team_id),
            {"team_id": team_id})

    def claim_welcome(self, channel: str, at: datetime) -> bool:
        return self._saved(WelcomeRow(workspace_id=self._ws.id, channel=channel, welcomed_at=at))
