"""What the weekly scheduler has to do now, asked of the database in one query for every team.

Each team row carries ``next_post_at``: when the scheduler next has to look at it (its next post
slot, or a minute on while a post is unsettled). A replica claims a batch of due teams with
``FOR UPDATE SKIP LOCKED`` on PostgreSQL (SQLite has one writer: a plain claim) and moves their
``next_post_at`` to the end of a lease, so rival replicas take other teams; when done it writes the
next time, compare-and-set on the lease so an edit of the schedule meanwhile is not lost. The
per-post records (``storage/delivery.py``) stay the guard against a double post.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.orm import Session

from storage.models import SOON, TeamRow

SCHEDULE_FIELDS = ("timezone", "prompt_at", "votes_close_at", "digest_at", "quiet_days", "paused")


def due_query(now: datetime, limit: int) -> sa.Select[int, int]:
    """Teams whose next post time has passed, soonest first, read straight off
    ix_teams_next_post_at: the scan stops after ``limit`` rows it could lock. (Ordering ties by
    id too made PostgreSQL read and sort every due team for each claim: all of them share one
    slot when their schedules agree, 10,000 rows sorted to hand out 8.)"""
    return (
        sa.select(TeamRow.workspace_id, TeamRow.id)
        .where(TeamRow.next_post_at <= now, TeamRow.paused.is_(False))
        .order_by(TeamRow.next_post_at)
        .limit(limit)
    )


def claim_due_teams(session: Session, *, now: datetime, until: datetime,
                    limit: int) -> list[tuple[int, int]]:
    rows = [(int(row[0]), int(row[1])) for row in session.execute(
        due_query(now, limit).with_for_update(skip_locked=True, of=TeamRow))]
    if rows:
        session.execute(sa.update(TeamRow).where(TeamRow.id.in_([t for _, t in rows]))
                        .values(next_post_at=until).execution_options(synchronize_session=False))
    return rows


def settle_team(session: Session, *, workspace_id: int, team_id: int, claimed_until: datetime,
                next_check: datetime | None) -> bool:
    result = cast("sa.CursorResult[Any]", session.execute(
        sa.update(TeamRow)
        .where(TeamRow.id == team_id, TeamRow.workspace_id == workspace_id,
               TeamRow.next_post_at == claimed_until)
        .values(next_post_at=next_check).execution_options(synchronize_session=False)))
    return result.rowcount == 1


def look_again_if_rescheduled(row: TeamRow, values: dict[str, Any]) -> None:
    """A changed schedule (or pause) makes the team due for a look at once."""
    if any(getattr(row, name) != values[name] for name in SCHEDULE_FIELDS if name in values):
        row.next_post_at = SOON
