"""A process that dies in the middle of sending a weekly post: the post is neither sent twice
nor silently dropped. Its successor waits while the sender may be alive, then looks in the
channel where the platform allows, and otherwise asks a person (status and log)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain import PostRecord, Workspace
from bot.markup import italic
from bot.services import Services
from bot.services.cycle import UNKNOWN
from bot.views import Post
from handlers.scheduled import SoleLeader, tick
from handlers.status import status_lines
from tests.conftest import STAFF, World, make_world
from tests.fakes import FakeFiler, RecordingNotifier

MONDAY_0800 = datetime(2026, 11, 16, 8, 0, tzinfo=UTC)  # Stockholm's 09:00 prompt is due


class Killed(BaseException):
    """The process is gone: nothing after this line runs, no handler sees it."""


class DyingNotifier(RecordingNotifier):
    def __init__(self, *, after_posting: bool) -> None:
        super().__init__()
        self.after_posting = after_posting

    def send(self, workspace: Workspace, post: Post) -> None:
        if self.after_posting:
            super().send(workspace, post)
        raise Killed


class LookingNotifier(RecordingNotifier):
    """A platform whose channel can be read back (as Slack's can, by the post's metadata)."""

    def __init__(self, channel: list[tuple[Workspace, Post]] | None) -> None:
        super().__init__()
        self.channel = channel  # None: the channel can't be read
        self.looked = 0

    def was_sent(self, workspace: Workspace, post: Post, since: datetime) -> bool | None:
        self.looked += 1
        if self.channel is None:
            return None
        return any((p.channel, p.kind, p.week) == (post.channel, post.kind, post.week)
                   for _w, p in self.channel)


def crashed_while_sending(after_posting: bool) -> tuple[World, DyingNotifier]:
    world = make_world()
    world.router.handle(world.ctx(STAFF), "/ow", "#boarding gate chaos")
    world.clock.set(MONDAY_0800)
    dying = DyingNotifier(after_posting=after_posting)
    with pytest.raises(Killed):
        tick(world.services, dying, SoleLeader())
    return world, dying


def successor_ticks(world: World, notifier: RecordingNotifier, *, minutes: int) -> Services:
    """A fresh process on the same database, some minutes after the crash."""
    world.clock.set(MONDAY_0800 + timedelta(minutes=minutes))
    services = Services(store=world.store, clock=world.clock, make_filer=FakeFiler)
    tick(services, notifier, SoleLeader())
    return services


def prompt_record(world: World) -> PostRecord:
    with world.store.transaction(world.ws) as repo:
        record = repo.post_record(world.team.id, "prompt", "2026-W47")
    assert record is not None
    return record


def test_a_post_that_went_out_before_the_crash_is_found_and_not_sent_again() -> None:
    world, dying = crashed_while_sending(after_posting=True)
    successor = LookingNotifier(dying.sent)
    successor_ticks(world, successor, minutes=5)
    assert successor.looked == 0  # the sender may still be alive: hands off
    successor_ticks(world, successor, minutes=15)
    assert successor.looked == 1 and successor.sent == []
    record = prompt_record(world)
    assert record.sent_at == MONDAY_0800 and record.sending_at is None and record.last_error == ""
    successor_ticks(world, successor, minutes=120)
    assert successor.looked == 1 and successor.sent == []


def test_a_post_that_never_went_out_is_sent_once_by_the_successor() -> None:
    world, dying = crashed_while_sending(after_posting=False)
    assert dying.sent == []
    successor = LookingNotifier(dying.sent)
    successor_ticks(world, successor, minutes=20)
    [(_, post)] = successor.sent
    assert post.kind == "prompt" and post.reply.text.startswith(italic("This prompt is late")[:-1])
    record = prompt_record(world)
    assert record.sent_at is not None and record.attempts == 2 and record.sending_at is None
    successor_ticks(world, successor, minutes=60)
    assert len(successor.sent) == 1


def test_when_nobody_can_tell_it_is_not_doubled_and_a_person_is_told() -> None:
    world, dying = crashed_while_sending(after_posting=True)
    successor = LookingNotifier(None)  # e.g. Teams: the bot can't read the channel back
    for minutes in (15, 45, 240, 60 * 20):
        services = successor_ticks(world, successor, minutes=minutes)
    assert successor.sent == [] and len(dying.sent) == 1
    record = prompt_record(world)
    assert record.sent_at is None and record.sending_at == MONDAY_0800 and record.last_error == UNKNOWN
    report = "\n".join(status_lines(services, world.clock.now()))
    assert "1 post(s) NOT SENT" in report
    assert "prompt        UNKNOWN: the bot stopped while sending it Mon 16 Nov 09:00" in report


def test_a_notifier_that_cannot_look_leaves_it_to_a_person_too() -> None:
    world, _dying = crashed_while_sending(after_posting=False)
    plain = RecordingNotifier()
    successor_ticks(world, plain, minutes=30)
    assert plain.sent == [] and prompt_record(world).last_error == UNKNOWN
