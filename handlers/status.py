"""`moments status`: every team's weekly schedule, its next posts, and how the last posts went."""

from __future__ import annotations

from datetime import datetime

from bot.domain import PostRecord, Team
from bot.schedule import GRACE, due_at, next_runs
from bot.services import Services
from bot.services.cycle import UNKNOWN, next_attempt_at
from bot.weeks import zone
from handlers.org_status import org_status_lines

RECENT_POSTS = 6


def status_lines(services: Services, now: datetime) -> list[str]:
    """One block per team: state, schedule, next runs, recent posts (failures spelled out)."""
    lines: list[str] = []
    teams = failing = 0
    for workspace in services.store.workspaces():
        for team in services.journey.teams(workspace_id=workspace.id):
            teams += 1
            with services.store.transaction(workspace.id) as repo:
                records = repo.post_records(team_id=team.id, limit=RECENT_POSTS)
            failing += sum(1 for r in records if r.sent_at is None)
            lines.append(f"{workspace.platform.value}:{workspace.external_id} · {team.name} "
                         f"({team.channel}, {team.timezone}) — {_state(team)}")
            quiet = f", quiet on {' '.join(team.quiet_days)}" if team.quiet_days else ""
            lines.append(f"    schedule: prompt {team.prompt_at}, votes close {team.votes_close_at}, "
                         f"digest {team.digest_at}{quiet}")
            if not team.paused:
                for kind, at in next_runs(team, now).items():
                    lines.append(f"    next {kind:<13} {_local(at, team)}")
            lines += [f"    {r.week} {r.kind:<13} {_outcome(r, team, now)}" for r in records]
    if not teams:
        return ["No teams yet: run `/moments setup` in a channel."]
    summary = f"{teams} team(s); " + (f"{failing} post(s) NOT SENT, see below" if failing
                                      else "every recent post was sent")
    return [summary, *lines, *org_status_lines(services, now)]  # handlers/org_status.py


def _state(team: Team) -> str:
    if team.paused:
        return "PAUSED: the bot could not post there (removed from the channel, or app uninstalled)"
    return "active"


def _local(at: datetime, team: Team) -> str:
    return f"{at.astimezone(zone(team.timezone)):%a %d %b %H:%M}"


def _outcome(record: PostRecord, team: Team, now: datetime) -> str:
    if record.sent_at is not None:
        done = "nothing to post" if record.last_error == "nothing to post" else "sent"
        return f"{done} {_local(record.sent_at, team)}"
    if record.sending_at is not None:
        if record.last_error == UNKNOWN:
            return (f"UNKNOWN: the bot stopped while sending it {_local(record.sending_at, team)}; "
                    f"check {team.channel} (not sent again, to avoid a double post)")
        return f"sending since {_local(record.sending_at, team)}"
    if record.attempts == 0:
        return f"claimed {_local(record.claimed_at, team)}, not yet sent"
    failed = f"NOT SENT after {record.attempts} attempt(s): {record.last_error}"
    if now >= due_at(team, record.kind, record.week) + GRACE:
        return f"{failed}; gave up (more than {GRACE.total_seconds() / 3600:.0f} h late)"
    if team.paused:
        return f"{failed}; retried when the team resumes"
    return f"{failed}; next try {_local(max(next_attempt_at(record), now), team)}"
