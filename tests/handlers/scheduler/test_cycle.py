"""The weekly cycle driven tick by tick on a frozen clock: DST, retries, restarts, posts by hand."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.commands import ChatContext
from bot.domain import PostRecord, Workspace
from bot.markup import italic
from bot.ports import DeliveryError
from bot.services import Services
from bot.views import Post, PromptView
from handlers.scheduled import SoleLeader, start_scheduler, tick
from handlers.status import status_lines
from tests.conftest import LEAD, OTHER, STAFF, World, make_world
from tests.fakes import FakeFiler, FixedClock, RecordingNotifier


class TimedNotifier(RecordingNotifier):
    """Also notes the (frozen) time of each send."""

    def __init__(self, clock: FixedClock) -> None:
        super().__init__()
        self.clock = clock
        self.at: list[tuple[str, str, str, datetime]] = []

    def send(self, workspace: Workspace, post: Post) -> None:
        super().send(workspace, post)
        self.at.append((post.channel, post.kind, post.week, self.clock.now()))


def run_clock(world: World, notifier: RecordingNotifier, until: datetime,
              step: timedelta = timedelta(minutes=15)) -> None:
    while world.clock.now() < until:
        world.clock.advance(step)
        tick(world.services, notifier, SoleLeader())


def record(world: World, kind: str, week: str, team_id: int | None = None) -> PostRecord:
    with world.store.transaction(world.ws) as repo:
        found = repo.post_record(team_id or world.team.id, kind, week)
    assert found is not None
    return found


def add_team(world: World, channel: str, timezone: str, **schedule: str) -> int:
    team = world.services.journey.setup_team(workspace_id=world.ws, actor=LEAD, channel=channel,
                                             name=f"Crew {channel}", template="airline",
                                             timezone=timezone)
    if schedule:
        world.services.journey.configure(workspace_id=world.ws, team_id=team.id, actor=LEAD,
                                           **schedule)  # type: ignore[arg-type]
    world.router.handle(ChatContext(world.ws, channel, STAFF), "/ow", "#check-in queue out the door")
    return team.id


def hurting_world(at: datetime) -> World:
    world = make_world()
    world.clock.set(at)
    world.router.handle(world.ctx(STAFF), "/ow", "#boarding gate chaos")
    return world


def test_a_whole_week_across_the_autumn_dst_change_in_three_timezones() -> None:
    # Europe leaves summer time on Sunday 25 October 2026, the US on Sunday 1 November, Tokyo never.
    world = make_world()
    world.clock.set(datetime(2026, 10, 23, 6, 0, tzinfo=UTC))  # Friday of 2026-W43
    world.router.handle(world.ctx(STAFF), "/ow", "#check-in queue out the door")
    add_team(world, "C-ny", "America/New_York")
    add_team(world, "C-tyo", "Asia/Tokyo")
    notifier = TimedNotifier(world.clock)
    hourly = timedelta(hours=1)  # every post in this test falls due on the hour
    run_clock(world, notifier, datetime(2026, 10, 26, 15, 0, tzinfo=UTC), hourly)  # Monday of W44
    hours = {(c, k, w): (at.hour, at.minute) for c, k, w, at in notifier.at}
    # Friday 16:00 local while Stockholm and New York are still on summer time
    assert hours[("C-gate", "digest", "2026-W43")] == (14, 0)
    assert hours[("C-ny", "digest", "2026-W43")] == (20, 0)
    assert hours[("C-tyo", "digest", "2026-W43")] == (7, 0)
    # Monday 09:00 local: Stockholm moved an hour in UTC, New York not yet, Tokyo never
    assert hours[("C-gate", "prompt", "2026-W44")] == (8, 0)
    assert hours[("C-ny", "prompt", "2026-W44")] == (13, 0)
    assert hours[("C-tyo", "prompt", "2026-W44")] == (0, 0)

    # the week: proposals and votes, then the vote closes Thursday 17:00 local
    prompt = world.services.weekly.current_prompt(workspace_id=world.ws, team_id=world.team.id)
    assert prompt is not None and prompt.week == "2026-W44"
    assert prompt.closes_at == datetime(2026, 10, 29, 16, 0, tzinfo=UTC)
    proposal = world.services.weekly.propose(workspace_id=world.ws, prompt_id=prompt.id, actor=STAFF,
                                             text="Open the spare desk at ten people")
    world.services.weekly.vote(workspace_id=world.ws, proposal_id=proposal.id, actor=OTHER)
    run_clock(world, notifier, datetime(2026, 10, 29, 18, 0, tzinfo=UTC), hourly)
    [closed] = [p for _w, p in notifier.sent if p.kind == "votes_closed" and p.channel == "C-gate"]
    assert "Open the spare desk at ten people — 1 vote" in closed.reply.text
    world.services.weekly.adopt(workspace_id=world.ws, proposal_id=proposal.id, actor=LEAD)

    # Friday's digest shows the new standard; then New York crosses its own change
    run_clock(world, notifier, datetime(2026, 11, 2, 15, 0, tzinfo=UTC), hourly)
    [digest] = [p for _w, p in notifier.sent
                if (p.channel, p.kind, p.week) == ("C-gate", "digest", "2026-W44")]
    assert "New service standards" in digest.reply.text and "Open the spare desk" in digest.reply.text
    hours = {(c, k, w): (at.hour, at.minute) for c, k, w, at in notifier.at}
    assert hours[("C-ny", "digest", "2026-W44")] == (20, 0)  # still EDT on Friday 30 October
    assert hours[("C-ny", "prompt", "2026-W45")] == (14, 0)  # EST from 1 November
    sent = [(c, k, w) for c, k, w, _at in notifier.at]
    assert len(sent) == len(set(sent)) == 3 * 5  # W43 digest, W44 x3, W45 prompt: nothing twice
    assert ("C-gate", "prompt", "2026-W45") in sent and all("is late" not in p.reply.text
                                                            for _w, p in notifier.sent)


def test_a_slot_in_the_hour_that_happens_twice_posts_once() -> None:
    world = make_world()
    world.clock.set(datetime(2026, 10, 24, 12, 0, tzinfo=UTC))
    add_team(world, "C-night", "Europe/Stockholm", digest_at="sun 02:30")
    notifier = TimedNotifier(world.clock)
    run_clock(world, notifier, datetime(2026, 10, 25, 6, 0, tzinfo=UTC), step=timedelta(minutes=5))
    [(channel, kind, week, at)] = [s for s in notifier.at if s[0] == "C-night"]
    assert (channel, kind, week) == ("C-night", "digest", "2026-W43")
    assert at == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # the first 02:30, still summer time


def test_the_real_scheduler_ticks_at_once_on_start_and_the_late_post_says_so() -> None:
    clock = FixedClock(datetime(2026, 11, 16, 7, 0, tzinfo=UTC))
    world = make_world()
    world.router.handle(world.ctx(STAFF), "/ow", "#boarding gate chaos")
    world.clock.set(datetime(2026, 11, 16, 13, 0, tzinfo=UTC))  # down since before 09:00 Stockholm
    clock.set(world.clock.now())
    restarted = Services(store=world.store, clock=clock, make_filer=FakeFiler)
    notifier = RecordingNotifier()
    scheduler = start_scheduler(restarted, notifier, SoleLeader())
    try:
        deadline = time.monotonic() + 10
        while not notifier.sent and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        scheduler.shutdown(wait=True)
    [(_ws, post)] = notifier.sent
    assert post.kind == "prompt"
    assert post.reply.text.startswith(
        italic("This prompt is late: the bot was offline on Monday at 09:00, when it was due.") + "\n")


def test_retry_after_is_honoured_and_retries_go_on_until_the_grace_ends() -> None:
    world = hurting_world(datetime(2026, 11, 16, 8, 0, tzinfo=UTC))
    notifier = RecordingNotifier()
    notifier.failures.append(DeliveryError("Slack said ratelimited", retry_after=600))
    tick(world.services, notifier, SoleLeader())
    world.clock.advance(timedelta(minutes=5))  # backoff allows a retry, Retry-After does not
    tick(world.services, notifier, SoleLeader())
    assert notifier.sent == [] and record(world, "prompt", "2026-W47").attempts == 1
    world.clock.advance(timedelta(minutes=5))
    tick(world.services, notifier, SoleLeader())
    done = record(world, "prompt", "2026-W47")
    assert len(notifier.sent) == 1 and done.attempts == 2 and done.sent_at == world.clock.now()

    # a Slack outage of hours: retried every half hour at most, never claimed again
    world.clock.set(datetime(2026, 11, 20, 15, 0, tzinfo=UTC))
    notifier.failures += [DeliveryError("Slack said internal_error")] * 100
    run_clock(world, notifier, datetime(2026, 11, 20, 20, 0, tzinfo=UTC), step=timedelta(minutes=1))
    failing = record(world, "digest", "2026-W47")
    assert failing.sent_at is None and 10 <= failing.attempts <= 16
    assert any("NOT SENT after" in line and "next try" in line
               for line in status_lines(world.services, world.clock.now()))
    run_clock(world, notifier, datetime(2026, 11, 21, 6, 0, tzinfo=UTC), step=timedelta(minutes=10))
    gave_up = record(world, "digest", "2026-W47")
    assert gave_up.sent_at is None and "internal_error" in gave_up.last_error
    assert any("gave up" in line for line in status_lines(world.services, world.clock.now()))


def test_a_vote_closed_by_a_failed_attempt_still_posts_its_result() -> None:
    world = hurting_world(datetime(2026, 11, 16, 8, 0, tzinfo=UTC))
    notifier = RecordingNotifier()
    tick(world.services, notifier, SoleLeader())
    world.clock.set(datetime(2026, 11, 19, 16, 0, tzinfo=UTC))  # Thursday 17:00 Stockholm
    notifier.failures.append(DeliveryError("Slack said internal_error"))
    tick(world.services, notifier, SoleLeader())
    prompt = world.services.weekly.current_prompt(workspace_id=world.ws, team_id=world.team.id)
    assert prompt is not None and prompt.is_closed
    world.clock.advance(timedelta(minutes=1))
    tick(world.services, notifier, SoleLeader())
    assert [p.kind for _w, p in notifier.sent] == ["prompt", "votes_closed"]


def test_a_vote_a_lead_closed_by_hand_is_not_announced_again() -> None:
    world = hurting_world(datetime(2026, 11, 16, 8, 0, tzinfo=UTC))
    notifier = RecordingNotifier()
    tick(world.services, notifier, SoleLeader())
    prompt = world.services.weekly.current_prompt(workspace_id=world.ws, team_id=world.team.id)
    assert prompt is not None
    world.services.weekly.close_votes(workspace_id=world.ws, prompt_id=prompt.id, actor=LEAD)
    world.clock.set(datetime(2026, 11, 19, 16, 0, tzinfo=UTC))
    tick(world.services, notifier, SoleLeader())
    assert [p.kind for _w, p in notifier.sent] == ["prompt"]
    assert record(world, "votes_closed", "2026-W47").last_error == "nothing to post"


def test_a_claim_in_flight_elsewhere_is_left_alone_then_taken_over() -> None:
    world = hurting_world(datetime(2026, 11, 16, 8, 0, tzinfo=UTC))
    with world.store.transaction(world.ws) as repo:  # another replica claimed it and is sending
        assert repo.claim_post(world.team.id, "prompt", "2026-W47", world.clock.now())
    notifier = RecordingNotifier()
    world.clock.advance(timedelta(minutes=5))
    tick(world.services, notifier, SoleLeader())
    assert notifier.sent == []
    world.clock.advance(timedelta(minutes=6))  # it died before recording anything
    tick(world.services, notifier, SoleLeader())
    assert [p.kind for _w, p in notifier.sent] == ["prompt"]
    assert record(world, "prompt", "2026-W47").attempts == 1


def test_a_crash_building_one_teams_post_is_recorded_and_the_other_team_posts() -> None:
    world = hurting_world(datetime(2026, 11, 16, 8, 0, tzinfo=UTC))
    other = add_team(world, "C-2", "Europe/Stockholm")
    broken = world.services.reports.prompt

    def prompt_view(*, workspace_id: int, prompt_id: int) -> PromptView:
        view = broken(workspace_id=workspace_id, prompt_id=prompt_id)
        if view.team == "Gate crew":
            raise RuntimeError("template bug")
        return view

    world.services.delivery._reports.prompt = prompt_view  # type: ignore[method-assign]
    notifier = RecordingNotifier()
    tick(world.services, notifier, SoleLeader(), workers=1)  # the fake store is not thread-safe
    assert [p.channel for _w, p in notifier.sent] == ["C-2"]
    assert record(world, "prompt", "2026-W47").last_error == "RuntimeError: template bug"
    assert record(world, "prompt", "2026-W47", other).sent_at is not None


def test_a_prompt_caught_up_after_its_week_ended_is_not_posted() -> None:
    world = hurting_world(datetime(2026, 11, 15, 12, 0, tzinfo=UTC))
    world.services.journey.configure(workspace_id=world.ws, team_id=world.team.id, actor=LEAD,
                                       prompt_at="sun 20:00")
    world.clock.set(datetime(2026, 11, 16, 5, 0, tzinfo=UTC))  # down from Sunday 18:00 to Monday 06:00
    notifier = RecordingNotifier()
    tick(world.services, notifier, SoleLeader())
    assert notifier.sent == []
    assert record(world, "prompt", "2026-W46").last_error == "nothing to post"


def test_posts_made_by_hand_with_moments_week_are_not_posted_again() -> None:
    world = hurting_world(datetime(2026, 11, 16, 7, 0, tzinfo=UTC))  # Monday, before 09:00
    by_hand = world.router.handle(world.ctx(LEAD), "/moments", "week")
    assert isinstance(by_hand.view, tuple)
    assert [p.kind for p in by_hand.view] == ["digest", "prompt"]
    notifier = RecordingNotifier()
    run_clock(world, notifier, datetime(2026, 11, 20, 16, 0, tzinfo=UTC))
    # the prompt was posted by hand; Monday's digest was a preview, so Friday's goes out
    assert [(p.kind, p.week) for _w, p in notifier.sent] == [("votes_closed", "2026-W47"),
                                                            ("digest", "2026-W47")]
    again = world.router.handle(world.ctx(LEAD), "/moments", "week")
    assert again.error and "already out" in again.text


def test_status_lists_teams_next_runs_and_last_posts() -> None:
    world = hurting_world(datetime(2026, 11, 16, 8, 0, tzinfo=UTC))
    world.services.journey.configure(workspace_id=world.ws, team_id=world.team.id, actor=LEAD,
                                       quiet_days=("sat", "sun"))
    notifier = RecordingNotifier()
    tick(world.services, notifier, SoleLeader())
    lines = status_lines(world.services, world.clock.now())
    assert lines[0] == "1 team(s); every recent post was sent"
    assert lines[1] == "slack:T1 · Gate crew (C-gate, Europe/Stockholm) — active"
    assert "prompt mon 09:00, votes close thu 17:00, digest fri 16:00, quiet on sat sun" in lines[2]
    assert "    next prompt        Mon 23 Nov 09:00" in lines
    assert "    2026-W47 prompt        sent Mon 16 Nov 09:00" in lines
    with world.store.transaction(world.ws) as repo:
        repo.save_team(replace(world.team, paused=True))
    paused = status_lines(world.services, world.clock.now())
    assert "PAUSED" in paused[1] and not any("next prompt" in line for line in paused)


def test_status_without_teams() -> None:
    services = Services(store=make_world().store.__class__(), clock=FixedClock(), make_filer=FakeFiler)
    assert status_lines(services, datetime(2026, 11, 16, tzinfo=UTC)) == [
        "No teams yet: run `/moments setup` in a channel."]
