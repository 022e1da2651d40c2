"""A workspace's own redaction patterns run with a time limit: a pattern that backtracks badly
cannot freeze the bot, and text that could not be checked is never stored."""

from __future__ import annotations

import re
import time
from dataclasses import replace

import pytest

from bot.domain import MomentKind, RedactionPattern
from bot.redact import SANDBOX, PatternTimeout, check_pattern, redact
from bot.services.capture import UNCHECKED
from tests.conftest import ADMIN, OTHER, STAFF, World

SLOW = r"(a|aa)+b"  # exponential on a long run of a's with no b


@pytest.fixture
def quick(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(SANDBOX, "seconds", 0.5)


@pytest.mark.parametrize("raw", [SLOW, r"\d+\d+\d+Z", r"(?:\d{1,9}){1,9}Z", r"(\w+\s?){1,60}Q"])
def test_a_pattern_that_backtracks_badly_is_refused_in_time(raw: str, quick: None) -> None:
    started = time.monotonic()
    with pytest.raises(ValueError, match="takes too long|repeats something that itself repeats"):
        check_pattern(raw)
    assert time.monotonic() - started < 5


def test_a_slow_pattern_already_stored_stops_in_time_and_the_next_text_is_checked(quick: None) -> None:
    started = time.monotonic()
    with pytest.raises(PatternTimeout, match="nothing was saved"):
        redact("a" * 60, [re.compile(SLOW)])
    assert time.monotonic() - started < 5
    # the stuck worker was replaced: a good pattern works at once
    assert redact("badge EMP-12345 lost", [re.compile(r"EMP-\d{5}")]).text == "badge [redacted] lost"


def stored_slow_pattern(world: World) -> None:
    """As if added before patterns were checked this way (straight into storage)."""
    with world.store.transaction(world.ws) as repo:
        repo.add_redaction_pattern(RedactionPattern(0, SLOW, ADMIN.user_id, world.clock.now()))


def test_a_moment_that_cannot_be_checked_is_not_stored_and_the_reporter_is_told(
    world: World, quick: None
) -> None:
    stored_slow_pattern(world)
    reply = world.router.handle(world.ctx(STAFF), "/ow", "#boarding " + "a" * 60)
    assert reply.error and "nothing was saved" in reply.text
    with world.store.transaction(world.ws) as repo:
        assert repo.moments(world.team.id) == []
    ok = world.router.handle(world.ctx(STAFF), "/ow", "#boarding the gate moved twice")
    assert not ok.error  # ordinary text still goes through the same patterns


def test_a_reacted_message_that_cannot_be_checked_keeps_no_text(world: World, quick: None) -> None:
    stored_slow_pattern(world)
    w = world
    assert w.services.capture.keepable(workspace_id=w.ws, text="a" * 60) is None  # no copy kept
    reacted = w.services.capture.react(workspace_id=w.ws, team_id=w.team.id, actor=OTHER,
                                       kind=MomentKind.OW, message_ref="C-gate/9.9", author_id="sam",
                                       text=None)
    w.services.capture.fill_text(workspace_id=w.ws, moment_id=reacted.moment.id, text="a" * 60)
    with w.store.transaction(w.ws) as repo:
        moment = repo.moment(reacted.moment.id)
    assert moment is not None and replace(moment).text == UNCHECKED
