"""The weekly schedule: one APScheduler job a minute, on every replica, delivers what is due.

Why a tick and not one job per team in a SQLAlchemy job store: what is due follows from each
team's schedule and the post claims in the database, which survive restarts and are shared by
every replica. A job store would be a second, redundant record of the same thing, and APScheduler 3
must not share one job store between schedulers anyway. So each process runs an in-memory
scheduler; on each tick it asks the database which teams are due (one indexed query,
``storage/due.py``), claims a few at a time so the replicas share the work, and delivers them on
a small thread pool. A digest's chart is uploaded (unshared, on the uploads loop,
``handlers/uploads.py``) before the digest and travels in it, so the post's exactly-once covers
the chart too. The unique (team, kind, week) post claim stays the last guard against a double
post.
"""

from __future__ import annotations

import logging
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from datetime import UTC, datetime, timedelta
from typing import Protocol

from apscheduler.schedulers.background import BackgroundScheduler  # type: ignore[import-untyped]

from bot.domain import Platform, Workspace
from bot.ports import Notifier
from bot.services import Services
from bot.services.cycle import RECHECK
from handlers.observability import METRICS
from handlers.org_scheduled import deliver_due_orgs
from handlers.uploads import Draining

log = logging.getLogger(__name__)
WORKERS = 16  # teams delivered at once per replica; Slack's per-channel pace is the notifier's.
# A digest holds its worker through its chart's upload (three calls) and the post, so more than
# the 8 that the database-bound prompts need (docs/benchmarks.md, weekly posts)
LEASE = timedelta(minutes=10)  # a claimed team's other replicas wait this long if we die
DRAIN = 300.0  # seconds the tick waits at its end for uploads still going (one abandoned at
# its timeout; the post went without it)


class Leader(Protocol):
    """Whether this replica runs the weekly schedule now (``storage/leadership.py`` on
    PostgreSQL: an advisory lock; the same question is asked again on every tick)."""

    def is_leader(self) -> bool: ...


class SoleLeader:
    """One process (SQLite, the console, tests): always the leader."""

    def is_leader(self) -> bool:
        return True


def tick(services: Services, notifier: Notifier, leadership: Leader | None = None, *,
         workers: int = WORKERS) -> int:
    """One round on this replica: claim the teams that are due (one query for all of them,
    shared fairly with the other replicas), deliver up to ``workers`` teams at once, and set
    when each is due next. Returns posts attempted. ``leadership`` no longer gates delivery;
    it is only reported (``scheduler_leader``) for housekeeping that wants one replica."""
    if leadership is not None:
        METRICS.set("scheduler_leader", 1 if leadership.is_leader() else 0)
    store = services.store
    now = services.clock.now()
    until = now + LEASE
    known: dict[int, Workspace] = {}
    attempted = deliver_due_orgs(services, notifier)  # the organisation digests: org_scheduled.py
    running: set[Future[int]] = set()
    exhausted = False
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="weekly") as pool:
        while True:
            free = workers - len(running)
            if free and not exhausted:
                batch = store.claim_due_teams(now=now, until=until, limit=free)
                exhausted = len(batch) < free
                if any(ws not in known for ws, _ in batch):
                    known = {w.id: w for w in store.workspaces()}
                for ws, team_id in batch:
                    running.add(pool.submit(_deliver_team, services, notifier, known[ws], team_id,
                                            until))
            if not running:
                if isinstance(notifier, Draining) and not notifier.drain(DRAIN):
                    log.warning("chart uploads still going after %.0f s; the next tick goes on",
                                DRAIN)
                return attempted
            done, running = wait(running, return_when=FIRST_COMPLETED)
            attempted += sum(future.result() for future in done)


def _deliver_team(services: Services, notifier: Notifier, workspace: Workspace, team_id: int,
                  claimed_until: datetime) -> int:
    """One claimed team: its due posts, then when to look again. Never raises: one team's
    failure must not stop the others (a team left claimed is due again when the lease ends)."""
    attempted = 0
    next_check: datetime | None = None
    try:
        if workspace.platform is not Platform.CONSOLE:  # no channel; `/moments week` runs it by hand
            records = services.delivery.run_due(workspace=workspace, team_id=team_id,
                                                notifier=notifier)
            for record in records:
                attempted += 1
                outcome = "posts_sent_total" if record.sent_at else "posts_failed_total"
                METRICS.inc(outcome, platform=workspace.platform.value, kind=record.kind)
            next_check = services.delivery.next_check(workspace_id=workspace.id, team_id=team_id)
    except Exception:
        log.exception("weekly posts for team %s failed; the others go on", team_id)
        next_check = services.clock.now() + RECHECK
    try:
        services.store.settle_team(workspace_id=workspace.id, team_id=team_id,
                                   claimed_until=claimed_until, next_check=next_check)
    except Exception:
        log.exception("could not set when team %s is due next; it is due again in %s", team_id,
                      LEASE)
    return attempted


def start_scheduler(services: Services, notifier: Notifier,
                    leadership: Leader | None = None) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(timezone=UTC)
    scheduler.add_job(
        tick, "interval", minutes=1, args=(services, notifier, leadership), id="weekly-tick",
        next_run_time=datetime.now(UTC),  # catch up at once after a restart
        coalesce=True, max_instances=1,
        misfire_grace_time=3600,  # a tick delayed by a busy process still runs (not APScheduler's 1 s)
    )
    scheduler.start()
    return scheduler
