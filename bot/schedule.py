"""When each weekly post falls due for a team, in its own timezone: plain functions of a clock.

The scheduler asks ``due_posts`` every minute; the post claims in the database make each
(team, kind, week) happen once, so the answer may repeat without harm.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from bot import words
from bot.domain import Team
from bot.errors import UserError
from bot.weeks import iso_week, local_at, shift_week, zone

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SLOT = re.compile(r"^\s*(mon|tue|wed|thu|fri|sat|sun)[a-z]*[\s@-]+([01]?\d|2[0-3]):([0-5]\d)\s*$", re.I)
KINDS = ("prompt", "votes_closed", "digest")
GRACE = timedelta(hours=12)  # a post that fell due while the bot was down still goes out, late


@dataclass(frozen=True, slots=True)
class Due:
    kind: str
    week: str
    due_at: datetime

    def late_by(self, now: datetime) -> timedelta:
        return now - self.due_at


def parse_slot(raw: str) -> tuple[int, time]:
    """'mon 09:00' -> (1, 09:00)."""
    match = SLOT.match(raw)
    if not match:
        raise UserError(words.NOT_A_WEEKLY_TIME.format(slot=raw))
    return DAYS.index(match.group(1).lower()[:3]) + 1, time(int(match.group(2)), int(match.group(3)))


def slot_of(team: Team, kind: str) -> str:
    return {"prompt": team.prompt_at, "votes_closed": team.votes_close_at, "digest": team.digest_at}[kind]


def due_at(team: Team, kind: str, week: str) -> datetime:
    weekday, at = parse_slot(slot_of(team, kind))
    return local_at(week, team.timezone, weekday, at)


def quiet(team: Team, at: datetime) -> bool:
    day = DAYS[at.astimezone(zone(team.timezone)).isoweekday() - 1]
    return day in {d.lower()[:3] for d in team.quiet_days}


def due_posts(team: Team, now: datetime, grace: timedelta = GRACE) -> list[Due]:
    """Posts whose time has come (within the grace) this week or last, in order."""
    if team.paused:
        return []
    week = iso_week(now, team.timezone)
    found = []
    for w in (shift_week(week, -1), week):
        for kind in KINDS:
            when = due_at(team, kind, w)
            if when <= now < when + grace and not quiet(team, when):
                found.append(Due(kind, w, when))
    return sorted(found, key=lambda d: d.due_at)


def next_due_at(team: Team, now: datetime) -> datetime | None:
    """The first moment after ``now`` when any of the team's posts falls due (None when paused):
    until then nothing new can be due, so the scheduler need not look at the team."""
    if team.paused:
        return None
    return min(next_runs(team, now).values())


def next_runs(team: Team, now: datetime) -> dict[str, datetime]:
    """The next time each post falls due, for `moments status`."""
    week = iso_week(now, team.timezone)
    out = {}
    for kind in KINDS:
        when = due_at(team, kind, week)
        out[kind] = when if when > now else due_at(team, kind, shift_week(week, 1))
    return out
