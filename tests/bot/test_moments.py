"""Reporting, filing, retracting and editing moments; bad input stores nothing."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from bot.domain import Filing, MomentKind
from bot.markup import code
from tests.conftest import OTHER, STAFF, World


def live_moments(world: World) -> list:  # noqa: ANN001
    with world.store.transaction(world.ws) as repo:
        return repo.moments(world.team.id, include_retracted=True)


def test_explicit_tag_wins_over_the_filer(world: World) -> None:
    reply = world.router.handle(world.ctx(), "/ow", "#baggage the boarding gate had no bags")
    assert "Baggage (you named it)" in reply.text
    [m] = live_moments(world)
    assert m.filing is Filing.EXPLICIT and m.confidence == 1.0
    assert m.text == "the boarding gate had no bags"  # the tag is not part of the story


def test_tag_by_touchpoint_name_is_explicit_too(world: World) -> None:
    world.router.handle(world.ctx(), "/wow", "#Check-In agent rebooked us in two minutes")
    [m] = live_moments(world)
    assert m.filing is Filing.EXPLICIT


def test_confident_filer_files_without_asking(world: World) -> None:
    reply = world.router.handle(world.ctx(), "/ow", "the baggage belt stopped for an hour")
    assert not reply.choices and "90% sure" in reply.text
    [m] = live_moments(world)
    assert m.filing is Filing.AUTO and m.confidence == pytest.approx(0.9)


def test_unsure_filer_asks_with_three_choices_and_none(world: World) -> None:
    reply = world.router.handle(world.ctx(), "/ow", "nothing in this text matches anything")
    assert len(reply.choices) == 4 and reply.choices[-1].label == "None of these"
    [m] = live_moments(world)
    assert m.filing is Filing.ASKED and m.touchpoint_id is None
    none = world.router.act(world.ctx(), reply.choices[-1].action)
    assert "stays unfiled" in none.text


def test_wow_credits_colleagues_and_ow_is_blameless(world: World) -> None:
    world.router.handle(world.ctx(), "/wow", "@omar and @lena carried a pram up the stairs #boarding")
    reply = world.router.handle(world.ctx(), "/ow", "@omar was rude at #check-in")
    assert "blameless" in reply.text
    ow, wow = live_moments(world)
    assert wow.credited == ("omar", "lena")
    assert ow.credited == () and "omar" not in ow.text and ow.text == "a colleague was rude at"


def test_correction_is_stored_as_corrected_feedback(world: World) -> None:
    world.router.handle(world.ctx(), "/ow", "the baggage belt stopped")
    [m] = live_moments(world)
    reply = world.router.handle(world.ctx(), "/moments", f"file {m.id} flight")
    assert "In-flight" in reply.text
    [m2] = live_moments(world)
    assert m2.filing is Filing.CORRECTED
    with world.store.transaction(world.ws) as repo:
        [fb] = repo.filing_feedback()
    assert (fb.guessed_slug, fb.touchpoint_slug) == ("baggage", "flight")


def test_retract_and_edit_only_by_the_reporter(world: World) -> None:
    world.router.handle(world.ctx(), "/ow", "#boarding gate closed early")
    [m] = live_moments(world)
    denied = world.router.handle(world.ctx(OTHER), "/moments", f"edit {m.id} something else")
    assert denied.error and "Only the person who reported" in denied.text
    edited = world.router.handle(world.ctx(), "/moments", f"edit {m.id} the baggage belt jammed")
    assert not edited.error
    [m2] = live_moments(world)
    assert m2.text == "the baggage belt jammed"
    assert m2.filing is Filing.AUTO  # an automatic or tagged filing is redone on edit
    world.clock.advance(timedelta(minutes=5))
    gone = world.router.handle(world.ctx(), "/moments", "undo")
    assert f"Moment #{m.id} retracted" in gone.text
    assert live_moments(world)[0].retracted
    digest = world.services.reports.digest(workspace_id=world.ws, team_id=world.team.id)
    assert digest.ows == 0  # a retracted moment no longer counts
    again = world.router.handle(world.ctx(), "/moments", f"retract {m.id}")
    assert again.error and "can't find moment" in again.text


def test_edit_keeps_a_touchpoint_the_reporter_chose(world: World) -> None:
    world.router.handle(world.ctx(), "/ow", "the baggage belt stopped")
    [m] = live_moments(world)
    world.router.handle(world.ctx(), "/moments", f"file {m.id} flight")
    world.router.handle(world.ctx(), "/moments", f"edit {m.id} the belt stopped at boarding")
    [m2] = live_moments(world)
    assert m2.filing is Filing.CORRECTED and m2.text == "the belt stopped at boarding"


@pytest.mark.parametrize(
    ("command", "text", "expected"),
    [
        ("/wow", "", "Tell me what happened"),
        ("/ow", "   \n\t ", "Tell me what happened"),
        ("/ow", "x" * 40_000, "40,000 characters long; the limit is 3,000"),
        ("/ow", "#lounge no seats left", "I don't know the touchpoint “lounge”"),
        ("/ow", "#check-in", "Tell me what happened as well as where"),
        ("/moments", "frobnicate", "I don't know " + code("/moments frobnicate")),
        ("/kudos", "well done", "I don't know the command /kudos"),
        ("/moments", "edit twelve new text", "Which moment? Give its number"),
        ("/moments", "vote 999", "There is no proposal 999"),
        ("/moments", "digest 2026-W99", "is not a week"),
    ],
)
def test_bad_input_gets_a_clear_message_and_stores_nothing(
    world: World, command: str, text: str, expected: str
) -> None:
    reply = world.router.handle(world.ctx(), command, text)
    assert reply.error
    assert expected in reply.text
    assert "Traceback" not in reply.text
    assert live_moments(world) == []


def test_unexpected_failure_is_a_friendly_error_and_rolls_back(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(world.services.deps, "filer", broken)
    reply = world.router.handle(world.ctx(), "/ow", "#boarding gate closed early")
    assert reply.error and "nothing was saved" in reply.text and "disk on fire" not in reply.text
    assert live_moments(world) == []


def test_control_characters_are_dropped(world: World) -> None:
    world.router.handle(world.ctx(), "/wow", "great\x00 help\x1b at #boarding")
    [m] = live_moments(world)
    assert m.text == "great help at"


def test_mine_lists_only_my_moments(world: World) -> None:
    world.router.handle(world.ctx(STAFF), "/wow", "#boarding lovely welcome")
    world.router.handle(world.ctx(OTHER), "/ow", "#boarding gate chaos")
    mine = world.say(STAFF, "/moments", "mine")
    assert "lovely welcome" in mine and "gate chaos" not in mine


def test_plain_message_without_kind_is_inferred(world: World) -> None:
    filed = world.services.moments.report(
        workspace_id=world.ws, team_id=world.team.id, actor=STAFF, kind=None,
        text="thank you for the upgrade at boarding", source=world.ctx().source,
    )
    assert filed.moment.kind is MomentKind.WOW


def test_bad_setup_is_refused_and_changes_nothing(world: World) -> None:
    from tests.conftest import LEAD

    for text, expected in (("tz=Mars/Olympus", "I don't know the timezone"),
                           ("basic-after=0", "between 1 and 520"),
                           ("colour=blue", "Unknown setup option colour"),
                           ("template=spaceport", "keeps its journey")):
        reply = world.router.handle(world.ctx(LEAD), "/moments", f"setup {text}")
        assert reply.error and expected in reply.text, text
    team = world.services.journey.team_for_channel(workspace_id=world.ws, channel="C-gate")
    assert team == world.team
    ok = world.router.handle(world.ctx(LEAD), "/moments", "setup tz=America/New_York basic-after=8")
    assert "timezone America/New_York" in ok.text and "after 8 weeks" in ok.text


def test_the_same_request_handled_twice_makes_one_moment_and_the_same_answer(world: World) -> None:
    """A replay after a crash (the platform's request id seen again) finds the moment it made."""
    ctx = replace(world.ctx(), request_key="command:1000.2.abc")
    first = world.router.handle(ctx, "/ow", "nothing in this text matches anything")
    world.clock.advance(timedelta(minutes=1))
    again = world.router.handle(ctx, "/ow", "nothing in this text matches anything")
    [m] = live_moments(world)
    # one confirmation: the replay says it is logged already, and still asks where it goes
    assert again.text == first.text.replace(" logged:", " is already logged:", 1)
    assert again.choices == first.choices
    filed = world.router.handle(replace(ctx, request_key="command:1000.2.abd"), "/ow",
                                "#baggage the belt stopped")
    assert "Baggage" in filed.text and len(live_moments(world)) == 2  # another request: another moment
    world.router.handle(replace(ctx, request_key="command:1000.2.abd"), "/ow", "#baggage the belt stopped")
    assert len(live_moments(world)) == 2 and m.request_key == "command:1000.2.abc"


def test_a_report_in_a_channel_without_a_team_says_so_first(world: World) -> None:
    from dataclasses import replace as changed

    from bot.commands import NO_TEAM

    elsewhere = changed(world.ctx(STAFF), channel="C-no-team")
    reply = world.router.handle(elsewhere, "/ow", "")  # empty text: the team is the news
    assert reply.error and reply.text == NO_TEAM
    # with something to keep, it is kept for the team to come (test_first_five_minutes.py)
    reply = world.router.handle(elsewhere, "/ow", "the queue at check-in took an hour")
    assert not reply.error and "Saved" in reply.text
    assert "Tell me what happened" in world.router.handle(world.ctx(STAFF), "/ow", "").text
    assert live_moments(world) == []
