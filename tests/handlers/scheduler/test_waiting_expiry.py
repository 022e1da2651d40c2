"""The server's housekeeping round deletes moments that waited for a team longer than the set
time (MOMENTS_WAITING_DAYS), and no others."""

from __future__ import annotations

import threading
from datetime import timedelta

from bot.config import Settings
from bot.domain import MomentKind, Source
from bot.services import Actor
from handlers.server import housekeeping
from tests.conftest import World
from tests.handlers.slack.fakes import InMemoryMessageCache, InMemoryRequestInbox


class OneRound(threading.Event):
    """A stop signal that lets housekeeping run exactly one round."""

    def __init__(self) -> None:
        super().__init__()
        self.rounds = 0

    def wait(self, timeout: float | None = None) -> bool:
        self.rounds += 1
        return self.rounds > 1


def keep(world: World, text: str) -> None:
    world.services.onboarding.keep(workspace_id=world.ws, channel="C-lounge", actor=Actor("sam"),
                                   kind=MomentKind.WOW, text=text, source=Source.COMMAND)


def test_housekeeping_deletes_the_waiting_moments_that_expired(world: World) -> None:
    keep(world, "a kind word at the door")
    world.clock.advance(timedelta(days=10))
    keep(world, "a blanket for a cold passenger")
    world.clock.advance(timedelta(days=4))  # the first has waited 14 days, the second 4
    housekeeping(Settings(), world.services, InMemoryRequestInbox(), InMemoryMessageCache(), None,
                 OneRound())
    with world.store.transaction(world.ws) as repo:
        assert [w.text for w in repo.waiting_in("C-lounge")] == ["a blanket for a cold passenger"]


def test_the_waiting_time_is_a_setting() -> None:
    assert Settings.from_env({}).waiting_days == 14
    assert Settings.from_env({"MOMENTS_WAITING_DAYS": "3"}).waiting_days == 3
