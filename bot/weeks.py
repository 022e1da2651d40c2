"""ISO weeks in a team's own timezone: the method runs in weeks, and a week is local."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot import words
from bot.errors import UserError


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # "Europe" is a folder; very long names
        raise UserError(words.UNKNOWN_TIMEZONE.format(name=name)) from None


def iso_week(at: datetime, timezone: str) -> str:
    """The ISO week ("2026-W47") that ``at`` falls in, seen from ``timezone``."""
    year, week, _ = at.astimezone(zone(timezone)).isocalendar()
    return f"{year}-W{week:02d}"


def parse_week(week: str) -> tuple[int, int]:
    try:
        year_text, week_text = week.upper().split("-W")
        year, number = int(year_text), int(week_text)
        datetime.fromisocalendar(year, number, 1)
    except ValueError:
        raise UserError(words.NOT_A_WEEK.format(week=week)) from None
    return year, number


def week_bounds(week: str, timezone: str) -> tuple[datetime, datetime]:
    """Monday 00:00 to the next Monday 00:00, local time, returned in UTC."""
    year, number = parse_week(week)
    tz = zone(timezone)
    monday = datetime.fromisocalendar(year, number, 1).date()
    start = datetime.combine(monday, time(0), tzinfo=tz)
    end = datetime.combine(monday + timedelta(days=7), time(0), tzinfo=tz)
    return start.astimezone(UTC), end.astimezone(UTC)


def shift_week(week: str, weeks: int) -> str:
    year, number = parse_week(week)
    monday = datetime.fromisocalendar(year, number, 1) + timedelta(weeks=weeks)
    y, w, _ = monday.isocalendar()
    return f"{y}-W{w:02d}"


def local_at(week: str, timezone: str, weekday: int, at: time) -> datetime:
    """The UTC instant of a local weekday (1 = Monday) and wall-clock time in that week."""
    year, number = parse_week(week)
    day = datetime.fromisocalendar(year, number, weekday).date()
    return datetime.combine(day, at, tzinfo=zone(timezone)).astimezone(UTC)
