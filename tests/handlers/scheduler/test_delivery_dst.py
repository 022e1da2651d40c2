"""The weekly schedule across a daylight-saving change: posts keep their local times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from handlers.scheduled import SoleLeader, tick
from tests.conftest import STAFF, make_world
from tests.fakes import RecordingNotifier


def test_posts_keep_local_time_across_the_dst_change() -> None:
    world = make_world(timezone="Europe/Stockholm")
    world.clock.set(datetime(2026, 10, 18, 12, 0, tzinfo=UTC))
    world.router.handle(world.ctx(STAFF), "/ow", "#boarding gate chaos")
    notifier = RecordingNotifier()
    sent_at: list[tuple[str, str, datetime]] = []
    while world.clock.now() < datetime(2026, 10, 26, 12, 0, tzinfo=UTC):
        world.clock.advance(timedelta(minutes=15))
        before = len(notifier.sent)
        tick(world.services, notifier, SoleLeader())
        sent_at += [(p.kind, p.week, world.clock.now()) for _w, p in notifier.sent[before:]]
        if world.clock.now() == datetime(2026, 10, 19, 9, 0, tzinfo=UTC):
            world.router.handle(world.ctx(STAFF), "/ow", "#boarding again")
    # summer time (UTC+2) for week 43, winter time (UTC+1) from Sunday 25 October
    assert [(k, w, t.strftime("%a %H:%M")) for k, w, t in sent_at] == [
        ("prompt", "2026-W43", "Mon 07:00"), ("votes_closed", "2026-W43", "Thu 15:00"),
        ("digest", "2026-W43", "Fri 14:00"), ("prompt", "2026-W44", "Mon 08:00"),
    ]
