"""The organisation's rows: its channel, the weekly organisation digest's exactly-once guard,
and which sibling standards a team has been offered.

The organisation channel is due for a look the way a team is (``storage/due.py``): its row
carries ``next_post_at``; a replica claims the due ones with ``FOR UPDATE SKIP LOCKED`` (SQLite
has one writer: a plain claim), moves them to the end of a lease, and writes the next time when
done, compare-and-set on the lease. The per-week ``org_posts`` row is the last guard against a
double post, as ``post_records`` is for a team's.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.domain import OrgChannel, OrgPost, Standard, StandardLevel
from storage.models import (
    SOON,
    OrgChannelRow,
    OrgPostRow,
    PromptRow,
    ProposalRow,
    StandardRow,
    TeamRow,
    TouchpointRow,
    entity_values,
    maybe_entity,
    to_entity,
)
from storage.rows import WorkspaceRows

RESCHEDULE_FIELDS = ("timezone", "digest_at", "paused", "channel")


class OrgRows(WorkspaceRows):
    """The organisation half of SqlRepository."""

    def org_channel(self) -> OrgChannel | None:
        return maybe_entity(OrgChannel, self._s.scalar(self._mine(OrgChannelRow)))

    def save_org_channel(self, org: OrgChannel) -> OrgChannel:
        row = self._s.scalar(self._mine(OrgChannelRow))
        values = {k: v for k, v in entity_values(org).items()}
        if row is None:
            row = OrgChannelRow(workspace_id=self._ws.id, **values)
            if not self._saved(row):  # another admin set it up a moment ago: theirs is updated
                row = self._s.scalar(self._mine(OrgChannelRow))
                assert row is not None
            else:
                return to_entity(OrgChannel, row)
        if any(getattr(row, name) != values[name] for name in RESCHEDULE_FIELDS):
            row.next_post_at = SOON
        for key, value in values.items():
            setattr(row, key, value)
        self._s.flush()
        return to_entity(OrgChannel, row)

    def remove_org_channel(self) -> bool:
        row = self._s.scalar(self._mine(OrgChannelRow))
        if row is None:
            return False
        self._s.execute(sa.delete(OrgPostRow).where(OrgPostRow.org_id == row.id))
        self._s.delete(row)
        self._s.flush()
        return True

    def offered_origins(self, team_id: int) -> set[int]:
        """The sibling standards already offered to the team in any of its prompts."""
        query = (sa.select(ProposalRow.origin_standard_id)
                 .join(PromptRow, PromptRow.id == ProposalRow.prompt_id)
                 .where(ProposalRow.workspace_id == self._ws.id, PromptRow.team_id == team_id,
                        ProposalRow.origin_standard_id.is_not(None)))
        return {int(found) for found in self._s.scalars(query) if found is not None}

    def sibling_standards(self, team_id: int, template: str) -> list[tuple[Standard, str]]:
        query = (sa.select(StandardRow, TouchpointRow.slug)
                 .join(TeamRow, TeamRow.id == StandardRow.team_id)
                 .join(TouchpointRow, TouchpointRow.id == StandardRow.touchpoint_id)
                 .where(StandardRow.workspace_id == self._ws.id, TeamRow.template == template,
                        TeamRow.id != team_id, StandardRow.level == StandardLevel.DELIGHT)
                 .order_by(StandardRow.adopted_at.desc(), StandardRow.id.desc()))
        return [(to_entity(Standard, row), slug) for row, slug in self._s.execute(query)]

    # the organisation digest's exactly-once guard

    def _org_post_row(self, org_id: int, week: str) -> OrgPostRow | None:
        return self._s.scalar(self._mine(OrgPostRow).where(OrgPostRow.org_id == org_id,
                                                            OrgPostRow.week == week))

    def claim_org_post(self, org_id: int, week: str, at: datetime) -> bool:
        org = self._s.scalar(self._mine(OrgChannelRow).where(OrgChannelRow.id == org_id))
        if org is None:
            return False
        return self._saved(OrgPostRow(workspace_id=self._ws.id,
                                      **entity_values(OrgPost(org_id, week, claimed_at=at))))

    def org_post(self, org_id: int, week: str) -> OrgPost | None:
        return maybe_entity(OrgPost, self._org_post_row(org_id, week))

    def swap_org_post(self, expected: OrgPost, new: OrgPost) -> bool:
        """Compare-and-set, as ``swap_post_record``: of two replicas taking the same attempt
        exactly one wins."""
        return self._swap_attempt(OrgPostRow, [OrgPostRow.org_id == expected.org_id,
                                               OrgPostRow.week == expected.week], expected, new)


def claim_due_orgs(session: Session, *, now: datetime, until: datetime,
                   limit: int) -> list[tuple[int, int]]:
    """(workspace id, organisation channel id) of those due, held until ``until``."""
    query = (sa.select(OrgChannelRow.workspace_id, OrgChannelRow.id)
             .where(OrgChannelRow.next_post_at <= now, OrgChannelRow.paused.is_(False))
             .order_by(OrgChannelRow.next_post_at, OrgChannelRow.id).limit(limit)
             .with_for_update(skip_locked=True, of=OrgChannelRow))
    rows = [(int(row[0]), int(row[1])) for row in session.execute(query)]
    if rows:
        session.execute(sa.update(OrgChannelRow).where(OrgChannelRow.id.in_([o for _, o in rows]))
                        .values(next_post_at=until).execution_options(synchronize_session=False))
    return rows


def settle_org(session: Session, *, workspace_id: int, org_id: int, claimed_until: datetime,
               next_check: datetime | None) -> bool:
    result = cast("sa.CursorResult[Any]", session.execute(
        sa.update(OrgChannelRow)
        .where(OrgChannelRow.id == org_id, OrgChannelRow.workspace_id == workspace_id,
               OrgChannelRow.next_post_at == claimed_until)
        .values(next_post_at=next_check).execution_options(synchronize_session=False)))
    return result.rowcount == 1


class OrgStoreMethods:
    """The organisation half of SqlStore: claiming and settling the organisation channels."""

    _sessions: Any

    def claim_due_orgs(self, *, now: datetime, until: datetime, limit: int) -> list[tuple[int, int]]:
        with self._sessions.begin() as session:
            return claim_due_orgs(session, now=now, until=until, limit=limit)

    def settle_org(self, *, workspace_id: int, org_id: int, claimed_until: datetime,
                   next_check: datetime | None) -> bool:
        with self._sessions.begin() as session:
            return settle_org(session, workspace_id=workspace_id, org_id=org_id,
                              claimed_until=claimed_until, next_check=next_check)
