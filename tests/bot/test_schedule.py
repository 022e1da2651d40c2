from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time, timedelta

import pytest

from bot.domain import Team
from bot.errors import UserError
from bot.schedule import due_posts, next_runs, parse_slot

TEAM = Team(1, "Gate crew", "C1", timezone="Europe/Stockholm")


def test_parse_slot() -> None:
    assert parse_slot("mon 09:00") == (1, time(9, 0))
    assert parse_slot("Friday-16:30") == (5, time(16, 30))
    for bad in ("monday", "mon 25:00", "noon", ""):
        with pytest.raises(UserError):
            parse_slot(bad)


def test_defaults_fall_due_in_team_local_time() -> None:
    monday_0800_utc = datetime(2026, 11, 16, 8, 0, tzinfo=UTC)  # 09:00 in Stockholm
    assert [d.kind for d in due_posts(TEAM, monday_0800_utc - timedelta(minutes=1))] == []
    [due] = due_posts(TEAM, monday_0800_utc)
    assert (due.kind, due.week) == ("prompt", "2026-W47")
    ny = replace(TEAM, timezone="America/New_York")
    assert due_posts(ny, monday_0800_utc) == []  # 03:00 in New York
    assert [d.kind for d in due_posts(ny, datetime(2026, 11, 16, 14, 0, tzinfo=UTC))] == ["prompt"]


def test_a_post_missed_while_down_is_due_within_the_grace_then_not() -> None:
    due = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)  # Friday 16:00 Stockholm
    late = due_posts(TEAM, due + timedelta(hours=3))
    assert [d.kind for d in late] == ["digest"]
    assert late[0].late_by(due + timedelta(hours=3)) == timedelta(hours=3)
    assert [d.kind for d in due_posts(TEAM, due + timedelta(hours=13))] == []


def test_dst_change_keeps_local_times() -> None:
    # Sunday 25 October 2026 Europe left summer time: Monday prompts at 09:00 local either side
    before = next_runs(TEAM, datetime(2026, 10, 18, 0, 0, tzinfo=UTC))["prompt"]
    after = next_runs(TEAM, datetime(2026, 10, 25, 0, 0, tzinfo=UTC))["prompt"]
    assert (before.hour, after.hour) == (7, 8)  # 09:00 CEST = 07:00 UTC, 09:00 CET = 08:00 UTC


def test_quiet_days_and_paused_teams_post_nothing() -> None:
    friday = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
    assert due_posts(replace(TEAM, quiet_days=("fri",)), friday) == []
    assert due_posts(replace(TEAM, paused=True), friday) == []
