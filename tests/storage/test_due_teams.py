"""What is due is asked of the database in one query: exactly the teams whose next post time
has passed, on SQLite and PostgreSQL, and each handed to one claimer at a time."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from bot.commands import ChatContext, CommandRouter
from bot.domain import Platform
from bot.services import Actor, Services
from handlers.scheduled import tick
from storage import open_store, upgrade
from tests.fakes import FakeFiler, FixedClock, RecordingNotifier

LEAD = Actor("U1", is_admin=True)
ZONES = {"C-sto": "Europe/Stockholm", "C-nyc": "America/New_York", "C-ccu": "Asia/Kolkata",
         "C-paused": "Europe/Stockholm"}
# Monday 2026-11-16 08:05 UTC: 09:05 in Stockholm and 13:35 in Kolkata (prompts due since
# 09:00), 03:05 in New York (not yet).
MONDAY = datetime(2026, 11, 16, 8, 5, tzinfo=UTC)
SUNDAY = datetime(2026, 11, 15, 12, 0, tzinfo=UTC)


def test_the_due_query_returns_exactly_the_teams_whose_post_time_has_passed(empty_database: str) -> None:
    upgrade(empty_database)
    store = open_store(empty_database, migrate=False)
    try:
        clock = FixedClock(SUNDAY)
        services = Services(store=store, clock=clock, make_filer=FakeFiler)
        ws = store.workspace(platform=Platform.SLACK, external_id="T1").id
        teams = {channel: services.journey.setup_team(workspace_id=ws, actor=LEAD, channel=channel,
                                                       name=channel, template="airline", timezone=zone)
                 for channel, zone in ZONES.items()}
        with store.transaction(ws) as repo:
            repo.save_team(replace(teams["C-paused"], paused=True))
        names = {team.id: channel for channel, team in teams.items()}
        for channel in teams:  # something to ask about in each prompt
            CommandRouter(services).handle(ChatContext(ws, channel, Actor("U2")), "/ow", "#boarding chaos")

        # New teams are looked at on the first tick, which sets when each is due next.
        tick(services, RecordingNotifier())
        assert store.claim_due_teams(now=SUNDAY, until=SUNDAY, limit=100) == []
        due = store.claim_due_teams(now=MONDAY, until=MONDAY.replace(hour=9), limit=100)
        assert sorted(names[team] for _ws, team in due) == ["C-ccu", "C-sto"]
        # Claimed: a second replica asking at the same moment gets none of them.
        assert store.claim_due_teams(now=MONDAY, until=MONDAY, limit=100) == []

        clock.set(MONDAY)
        store.settle_team(workspace_id=ws, team_id=teams["C-sto"].id,
                          claimed_until=MONDAY.replace(hour=9), next_check=SUNDAY)
        sent = RecordingNotifier()
        tick(services, sent)
        assert [p.channel for _w, p in sent.sent] == ["C-sto"]  # C-ccu is still claimed
        assert store.claim_due_teams(now=MONDAY, until=MONDAY, limit=100) == []

        # Editing a team's schedule makes it due for a look at once.
        with store.transaction(ws) as repo:
            repo.save_team(replace(teams["C-nyc"], prompt_at="mon 02:00"))
        due = store.claim_due_teams(now=MONDAY, until=MONDAY, limit=100)
        assert [names[team] for _ws, team in due] == ["C-nyc"]
    finally:
        store.close()
