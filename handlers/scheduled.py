"""The weekly schedule: one APScheduler job a minute asks the core what is due, on one replica.

Why a tick and not one job per team in a SQLAlchemy job store: what is due follows from each
team's schedule and the post claims in the database, which survive restarts and are shared by
every replica. A job store would be a second, redundant record of the same thing, and APScheduler 3
must not share one job store between schedulers anyway. So each process runs an in-memory
scheduler, only the replica holding the PostgreSQL advisory lock acts on a tick, and the unique
(team, kind, week) claim is the last guard against a double post.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from apscheduler.schedulers.background import BackgroundScheduler  # type: ignore[import-untyped]

from bot.domain import Platform
from bot.ports import Notifier
from bot.services import Services
from handlers.observability import METRICS

log = logging.getLogger(__name__)
LOCK_KEY = 0x6D6F6D656E7473  # "moments": the advisory lock the scheduling replica holds


class Leadership:
    """PostgreSQL: a session-level advisory lock on a dedicated connection; whoever holds it
    leads, and if that process dies its connection closes and another replica takes over on its
    next tick. SQLite: one process, always the leader."""

    def __init__(self, engine: sa.Engine | None) -> None:
        self._engine = engine if engine is not None and engine.dialect.name == "postgresql" else None
        self._conn: sa.Connection | None = None
        self._lock = threading.Lock()

    def is_leader(self) -> bool:
        if self._engine is None:
            return True
        with self._lock:
            try:
                if self._conn is not None:
                    self._conn.execute(sa.text("SELECT 1"))
                    return True
                # Autocommit: the lock belongs to the session, and a held connection must not sit
                # "idle in transaction" between ticks (monitoring alarms, idle-transaction timeouts).
                conn = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
                got = conn.execute(sa.text("SELECT pg_try_advisory_lock(:k)"), {"k": LOCK_KEY}).scalar()
                if got:
                    self._conn = conn
                    log.info("this replica now runs the weekly schedule")
                    return True
                conn.close()
                return False
            except sa.exc.DBAPIError:
                log.warning("lost the scheduler lock's connection; will try again", exc_info=True)
                self.release()
                return False

    def release(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(sa.exc.DBAPIError):
                self._conn.close()
            self._conn = None


def tick(services: Services, notifier: Notifier, leadership: Leadership) -> int:
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


def start_scheduler(services: Services, notifier: Notifier, engine: Any) -> BackgroundScheduler:
    leadership = Leadership(engine)
    scheduler = BackgroundScheduler(timezone=UTC)
    scheduler.add_job(
        tick, "interval", minutes=1, args=(services, notifier, leadership), id="weekly-tick",
        next_run_time=datetime.now(UTC),  # catch up at once after a restart
        coalesce=True, max_instances=1,
        misfire_grace_time=3600,  # a tick delayed by a busy process still runs (not APScheduler's 1 s)
    )
    scheduler.start()
    return scheduler
