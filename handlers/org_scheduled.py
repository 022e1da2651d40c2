"""The organisation digest on the weekly tick: every replica asks the database which
organisation channels are due (one indexed query, ``storage/org.py``), claims them with SKIP
LOCKED so rivals take others, delivers (``OrgDelivery``: claimed once per channel and week) and
sets when each is due next. Called from ``handlers.scheduled.tick``; kept apart so the teams'
schedule and the organisation's change independently."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.domain import Platform, Workspace
from bot.ports import Notifier
from bot.services import Services
from bot.services.cycle import RECHECK
from handlers.observability import METRICS

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=10)  # as the teams' lease: a claimed channel waits this long if we die
BATCH = 20


def deliver_due_orgs(services: Services, notifier: Notifier) -> int:
    """One round for the organisation channels. Returns posts attempted; never raises."""
    try:
        return _round(services, notifier)
    except Exception:
        log.exception("the organisation digests could not be looked at; next tick tries again")
        return 0


def _round(services: Services, notifier: Notifier) -> int:
    store = services.store
    now = services.clock.now()
    until = now + LEASE
    attempted = 0
    known: dict[int, Workspace] = {}
    while True:
        batch = store.claim_due_orgs(now=now, until=until, limit=BATCH)
        if any(ws not in known for ws, _ in batch):
            known = {w.id: w for w in store.workspaces()}
        for ws, org_id in batch:
            attempted += _deliver(services, notifier, known[ws], org_id, until)
        if len(batch) < BATCH:
            return attempted


def _deliver(services: Services, notifier: Notifier, workspace: Workspace, org_id: int,
             until: datetime) -> int:
    attempted = 0
    try:
        if workspace.platform is not Platform.CONSOLE:  # no channel: `/moments org digest` shows it
            for record in services.org_delivery.run_due(workspace=workspace, org_id=org_id,
                                                        notifier=notifier):
                attempted += 1
                outcome = "posts_sent_total" if record.sent_at else "posts_failed_total"
                METRICS.inc(outcome, platform=workspace.platform.value, kind="org_digest")
        next_check = services.org_delivery.next_check(workspace_id=workspace.id, org_id=org_id)
    except Exception:
        log.exception("the organisation digest of workspace %s failed", workspace.id)
        next_check = services.clock.now() + RECHECK
    try:
        services.store.settle_org(workspace_id=workspace.id, org_id=org_id,
                                  claimed_until=until,
                                  next_check=next_check)
    except Exception:
        log.exception("could not set when the organisation digest is due next")
    return attempted
