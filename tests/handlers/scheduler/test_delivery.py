"""The weekly cycle on a frozen clock: each post once per team and week, through restarts."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.commands import CommandRouter
from bot.domain import Platform
from bot.markup import italic
from bot.ports import DeliveryError
from bot.services import Actor, Services
from handlers.scheduled import SoleLeader, tick
from tests.conftest import LEAD, OTHER, STAFF, World, make_world
from tests.fakes import FakeFiler, RecordingNotifier


def run_clock(world: World, notifier: RecordingNotifier, until: datetime,
              step: timedelta = timedelta(minutes=30), services: Services | None = None) -> None:
    while world.clock.now() < until:
        world.clock.advance(step)
        tick(services or world.services, notifier, SoleLeader())


def kinds(notifier: RecordingNotifier) -> list[tuple[str, str, str]]:
    return [(post.channel, post.kind, post.week) for _ws, post in notifier.sent]


def test_a_whole_week_for_two_teams_in_different_timezones() -> None:
    world = make_world(timezone="Europe/Stockholm")
    world.clock.set(datetime(2026, 11, 15, 12, 0, tzinfo=UTC))  # Sunday before week 47
    ny = world.services.journey.setup_team(workspace_id=world.ws, actor=LEAD, channel="C-ny",
                                           name="JFK crew", template="airline",
                                           timezone="America/New_York")
    for channel in ("C-gate", "C-ny"):
        ctx = replace(world.ctx(STAFF), channel=channel)
        world.router.handle(ctx, "/ow", "#check-in queue out the door")
    notifier = RecordingNotifier()
    run_clock(world, notifier, datetime(2026, 11, 16, 12, 0, tzinfo=UTC))
    # Monday 09:00 Stockholm is 08:00 UTC; New York's 09:00 is 14:00 UTC, not yet
    assert kinds(notifier) == [("C-gate", "prompt", "2026-W47")]
    run_clock(world, notifier, datetime(2026, 11, 16, 18, 0, tzinfo=UTC))
    assert kinds(notifier)[-1] == ("C-ny", "prompt", "2026-W47")
    # proposals and votes during the week
    prompt = world.services.weekly.current_prompt(workspace_id=world.ws, team_id=world.team.id)
    assert prompt is not None
    proposal = world.services.weekly.propose(workspace_id=world.ws, prompt_id=prompt.id, actor=STAFF,
                                             text="Open the spare desk at ten people")
    world.services.weekly.vote(workspace_id=world.ws, proposal_id=proposal.id, actor=OTHER)
    run_clock(world, notifier, datetime(2026, 11, 21, 12, 0, tzinfo=UTC))
    assert kinds(notifier) == [
        ("C-gate", "prompt", "2026-W47"), ("C-ny", "prompt", "2026-W47"),
        ("C-gate", "votes_closed", "2026-W47"), ("C-ny", "votes_closed", "2026-W47"),
        ("C-gate", "digest", "2026-W47"), ("C-ny", "digest", "2026-W47"),
    ]
    closed = [p for _w, p in notifier.sent if p.kind == "votes_closed" and p.channel == "C-gate"][0]
    assert "Open the spare desk at ten people — 1 vote" in closed.reply.text
    assert any(c.label.startswith("Adopt") for c in closed.reply.choices)
    world.services.weekly.adopt(workspace_id=world.ws, proposal_id=proposal.id, actor=LEAD)
    # nothing is posted twice, however often the scheduler ticks
    run_clock(world, notifier, datetime(2026, 11, 22, 23, 0, tzinfo=UTC), step=timedelta(minutes=7))
    assert len(notifier.sent) == 6
    assert ny.channel == "C-ny"


def test_a_post_due_during_a_restart_goes_out_late_and_says_so() -> None:
    world = make_world()
    world.router.handle(world.ctx(STAFF), "/ow", "#boarding gate chaos")
    world.clock.set(datetime(2026, 11, 16, 7, 0, tzinfo=UTC))  # an hour before the prompt
    notifier = RecordingNotifier()
    tick(world.services, notifier, SoleLeader())
    assert notifier.sent == []
    # the bot is down from 07:00 to 11:00 UTC; a fresh process starts on the same database
    world.clock.set(datetime(2026, 11, 16, 11, 0, tzinfo=UTC))
    restarted = Services(store=world.store, clock=world.clock, make_filer=FakeFiler)
    tick(restarted, notifier, SoleLeader())
    [(_, post)] = notifier.sent
    assert post.kind == "prompt" and post.reply.text.startswith(
        italic("This prompt is late: the bot was offline on Monday at 09:00, when it was due."))
    tick(restarted, notifier, SoleLeader())
    assert len(notifier.sent) == 1


def test_rate_limited_then_delivered_once_with_two_attempts() -> None:
    world = make_world()
    world.router.handle(world.ctx(STAFF), "/ow", "#boarding gate chaos")
    world.clock.set(datetime(2026, 11, 16, 8, 0, tzinfo=UTC))
    notifier = RecordingNotifier()
    notifier.failures.append(DeliveryError("Slack said ratelimited", retry_after=30))
    tick(world.services, notifier, SoleLeader())
    with world.store.transaction(world.ws) as repo:
        record = repo.post_record(world.team.id, "prompt", "2026-W47")
    assert record is not None and record.sent_at is None and record.attempts == 1
    assert "ratelimited" in record.last_error
    world.clock.advance(timedelta(minutes=2))
    tick(world.services, notifier, SoleLeader())
    with world.store.transaction(world.ws) as repo:
        record = repo.post_record(world.team.id, "prompt", "2026-W47")
    assert record is not None and record.sent_at is not None and record.attempts == 2
    assert len(notifier.sent) == 1


def test_one_teams_failure_does_not_stop_the_others() -> None:
    world = make_world()
    other_ws = world.store.workspace(platform=Platform.SLACK, external_id="T2").id
    other = world.services.journey.setup_team(workspace_id=other_ws, actor=LEAD, channel="C-2",
                                              name="Hotel desk", template="hotel",
                                              timezone="Europe/Stockholm")
    world.router.handle(world.ctx(STAFF), "/ow", "#boarding gate chaos")
    router2 = CommandRouter(world.services)
    from bot.commands import ChatContext

    router2.handle(ChatContext(other_ws, "C-2", Actor("u")), "/ow", "#room shower was cold")
    world.clock.set(datetime(2026, 11, 16, 8, 0, tzinfo=UTC))
    notifier = RecordingNotifier()
    notifier.failures.append(DeliveryError("Slack said channel_not_found", permanent=True))
    tick(world.services, notifier, SoleLeader(), workers=1)  # in order: the first team fails
    assert [p.channel for _w, p in notifier.sent] == ["C-2"]
    paused = world.services.journey.team_for_channel(workspace_id=world.ws, channel="C-gate")
    assert paused is not None and paused.paused  # the first team's channel is gone: paused, visible
    assert other.channel == "C-2"


def test_two_schedulers_on_one_store_post_once() -> None:
    world = make_world()
    world.router.handle(world.ctx(STAFF), "/ow", "#boarding gate chaos")
    second = Services(store=world.store, clock=world.clock, make_filer=FakeFiler)
    notifier = RecordingNotifier()
    world.clock.set(datetime(2026, 11, 16, 8, 1, tzinfo=UTC))
    for services in (world.services, second, world.services, second):
        tick(services, notifier, SoleLeader())
    assert kinds(notifier) == [("C-gate", "prompt", "2026-W47")]


def test_changing_the_schedule_takes_effect_at_once() -> None:
    world = make_world()
    world.router.handle(world.ctx(STAFF), "/ow", "#boarding gate chaos")
    reply = world.router.handle(world.ctx(LEAD), "/moments",
                                'setup prompt="tue 07:30" digest=thu-15:00 quiet=sat,sun')
    assert "prompt tue 07:30" in reply.text and "digest thu 15:00" in reply.text, reply.text
    bad = world.router.handle(world.ctx(LEAD), "/moments", "setup prompt=someday")
    assert bad.error and "not a weekly time" in bad.text
    notifier = RecordingNotifier()
    world.clock.set(datetime(2026, 11, 16, 8, 30, tzinfo=UTC))  # Monday: no longer prompt day
    tick(world.services, notifier, SoleLeader())
    assert notifier.sent == []
    world.clock.set(datetime(2026, 11, 17, 6, 31, tzinfo=UTC))  # Tuesday 07:31 Stockholm
    tick(world.services, notifier, SoleLeader())
    assert kinds(notifier) == [("C-gate", "prompt", "2026-W47")]

