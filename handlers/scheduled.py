"""The weekly schedule: one APScheduler job a minute asks the core what is due, on one replica.

Why a tick and not one job per team in a SQLAlchemy job store: what is due follows from each
team's schedule and the post claims in the database, which survive restarts and are shared by
every replica. A job store would be a second, redundant record of the same thing, and APScheduler 3
must not share one job store between schedulers anyway. So each process runs an in-memory
scheduler, only the replica that leads (a PostgreSQL advisory lock, ``storage/leadership.py``)
acts on a tick, and the unique (team, kind, week) claim is the last guard against a double post.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Protocol

from apscheduler.schedulers.background import BackgroundScheduler  # type: ignore[import-untyped]

from bot.domain import Platform
from bot.ports import Notifier
from bot.services import Services
from handlers.observability import METRICS

log = logging.getLogger(__name__)


class Leader(Protocol):
    """Whether this replica runs the weekly schedule now (``storage/leadership.py`` on
    PostgreSQL: an advisory lock; the same question is asked again on every tick)."""

    def is_leader(self) -> bool: ...


class SoleLeader:
    """One process (SQLite, the console, tests): always the leader."""

    def is_leader(self) -> bool:
        return True


def tick(services: Services, notifier: Notifier, leadership: Leader) -> int:
    """One round: every due post of every team, each team on its own. Returns posts attempted."""
    leading = leadership.is_leader()
    METRICS.set("scheduler_leader", 1 if leading else 0)
    if not leading:
        return 0
    attempted = 0
    for workspace in services.store.workspaces():
        if workspace.platform is Platform.CONSOLE:
            continue  # the console has no channel to post to; `/moments week` runs it by hand
        try:
            teams = services.journey.teams(workspace_id=workspace.id)
        except Exception:
            log.exception("could not list teams of workspace %s", workspace.id)
            continue
        for team in teams:
            try:
                records = services.delivery.run_due(workspace=workspace, team_id=team.id,
                                                    notifier=notifier)
            except Exception:
                log.exception("weekly posts for team %s failed; the others go on", team.name)
                continue
            for record in records:
                attempted += 1
                outcome = "posts_sent_total" if record.sent_at else "posts_failed_total"
                METRICS.inc(outcome, platform=workspace.platform.value, kind=record.kind)
    return attempted


def start_scheduler(services: Services, notifier: Notifier, leadership: Leader) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(timezone=UTC)
    scheduler.add_job(
        tick, "interval", minutes=1, args=(services, notifier, leadership), id="weekly-tick",
        next_run_time=datetime.now(UTC),  # catch up at once after a restart
        coalesce=True, max_instances=1,
        misfire_grace_time=3600,  # a tick delayed by a busy process still runs (not APScheduler's 1 s)
    )
    scheduler.start()
    return scheduler
