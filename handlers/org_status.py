"""`moments status` for the organisation channels: where, when next, how the last two went."""

from __future__ import annotations

from datetime import datetime

from bot.domain import OrgPost
from bot.schedule import next_runs
from bot.services import Services
from bot.services.cycle import UNKNOWN
from bot.services.org import org_schedule
from bot.weeks import iso_week, shift_week, zone


def org_status_lines(services: Services, now: datetime) -> list[str]:
    lines: list[str] = []
    for workspace in services.store.workspaces():
        with services.store.transaction(workspace.id) as repo:
            org = repo.org_channel()
            if org is None:
                continue
            week = iso_week(now, org.timezone)
            records = [r for w in (week, shift_week(week, -1)) if (r := repo.org_post(org.id, w))]
        state = "PAUSED: the bot could not post there; set it up again" if org.paused else "active"
        lines.append(f"{workspace.platform.value}:{workspace.external_id} · organisation digest "
                     f"(#{org.name or org.channel}, {org.channel}, {org.timezone}) — {state}")
        if not org.paused:
            at = next_runs(org_schedule(org), now)["digest"]
            lines.append(f"    next org_digest   {at.astimezone(zone(org.timezone)):%a %d %b %H:%M}")
        lines += [f"    {r.week} org_digest   {_outcome(r)}" for r in records]
    return lines


def _outcome(record: OrgPost) -> str:
    if record.sent_at is not None:
        return f"sent {record.sent_at:%a %d %b %H:%M} UTC"
    if record.last_error == UNKNOWN:
        return "UNKNOWN: the bot stopped while sending it (not sent again, to avoid a double post)"
    if record.attempts:
        return f"NOT SENT after {record.attempts} attempt(s): {record.last_error}"
    return "claimed, not yet sent"
