from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from bot.errors import UserError
from bot.weeks import iso_week, local_at, shift_week, week_bounds


def test_week_is_the_teams_local_week() -> None:
    sunday_night_utc = datetime(2026, 11, 22, 23, 30, tzinfo=UTC)
    assert iso_week(sunday_night_utc, "UTC") == "2026-W47"
    assert iso_week(sunday_night_utc, "Europe/Stockholm") == "2026-W48"  # already Monday there
    assert iso_week(sunday_night_utc, "America/Los_Angeles") == "2026-W47"


def test_week_bounds_across_a_dst_change() -> None:
    # Europe left summer time on Sunday 25 October 2026: that week is 169 hours long
    start, end = week_bounds("2026-W43", "Europe/Stockholm")
    assert start == datetime(2026, 10, 18, 22, 0, tzinfo=UTC)
    assert (end - start).total_seconds() == 169 * 3600
    # votes close Thursday 17:00 local, whatever the offset
    assert local_at("2026-W43", "Europe/Stockholm", 4, time(17)).hour == 15
    assert local_at("2026-W44", "Europe/Stockholm", 4, time(17)).hour == 16


def test_shift_week_crosses_years() -> None:
    assert shift_week("2026-W01", -1) == "2025-W52"
    assert shift_week("2026-W53", 1) == "2027-W01"


@pytest.mark.parametrize("bad", ["2026-47", "W47", "2026-W54", "2025-W53", ""])
def test_bad_weeks_are_refused(bad: str) -> None:
    with pytest.raises(UserError):
        week_bounds(bad, "UTC")


@pytest.mark.parametrize("name", ["Europe", "America", "x" * 300, "Europe/Nowhere", "../etc/passwd"])
def test_a_timezone_that_is_not_one_gets_a_friendly_error(name: str) -> None:
    from bot.errors import UserError
    from bot.weeks import zone

    with pytest.raises(UserError, match="I don't know the timezone"):
        zone(name)
