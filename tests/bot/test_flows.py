"""The flows both doors share, in the core: a message logged as a moment, "me too" on the bot's
confirmation, the team of a person outside a team channel, the WOW:/OW: reading, and one
person known under several keys."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot import parsing
from bot.domain import Member, MomentKind, Source
from bot.errors import UserError
from bot.services import Actor
from tests.conftest import ADMIN, LEAD, OTHER, STAFF, World

REF = "C-gate/1700000000.000100"


def log(world: World, actor: Actor = STAFF, *, kind: MomentKind = MomentKind.WOW,
        author: Actor | None = OTHER, channel: str | None = None, **kw: object):  # noqa: ANN201
    return world.services.capture.log_message(
        workspace_id=world.ws, channel=world.team.channel if channel is None else channel,
        actor=actor, kind=kind, text="Omar found a wheelchair for a passenger at the gate",
        message_ref=REF, author=author, **kw)  # type: ignore[arg-type]


# a colleague's message logged as a moment (Slack's message shortcut, Teams' message action)

def test_a_logged_wow_credits_the_author_of_the_message_and_remembers_their_name(world: World) -> None:
    filed = log(world, author=Actor("omar", "Omar Haddad"))
    assert filed.moment.credited == ("omar",) and filed.moment.message_ref == REF
    assert world.services.capture.names(workspace_id=world.ws, user_ids=["omar"]) == {
        "omar": "Omar Haddad"}


def test_logging_your_own_message_or_an_ow_credits_no_one(world: World) -> None:
    assert log(world, author=STAFF).moment.credited == ()
    assert log(world, kind=MomentKind.OW, author=OTHER, request_key="b").moment.credited == ()
    assert log(world, author=None, request_key="c").moment.credited == ()


def test_the_touchpoint_chosen_in_the_form_is_where_it_is_filed(world: World) -> None:
    filed = log(world, touchpoint="boarding")
    assert filed.touchpoint is not None and filed.touchpoint.slug == "boarding"
    assert "#boarding" not in filed.moment.text


def test_the_same_form_submitted_twice_is_one_moment(world: World) -> None:
    first = log(world, request_key="teams-log:C-gate/1:sam")
    again = log(world, request_key="teams-log:C-gate/1:sam")
    assert again.already and again.moment.id == first.moment.id
    with world.store.transaction(world.ws) as repo:
        assert len(repo.moments(world.team.id)) == 1


def test_a_message_logged_outside_any_team_says_how_to_set_one_up(world: World) -> None:
    with pytest.raises(UserError, match="setup"):
        log(world, channel="C-nowhere")


# "me too" on the bot's own confirmation of a moment

def confirmed(world: World) -> int:
    moment = world.services.moments.report(
        workspace_id=world.ws, team_id=world.team.id, actor=STAFF, kind=MomentKind.WOW,
        text="@omar found a wheelchair for a passenger", source=Source.COMMAND).moment
    assert moment.credited == ("omar",)
    assert world.services.capture.link_message(workspace_id=world.ws, moment_id=moment.id,
                                               message_ref="C-gate/bot-post-1")
    return moment.id


def test_a_like_on_the_confirmation_is_a_me_too_and_taking_it_back_withdraws_it(world: World) -> None:
    moment_id = confirmed(world)
    cap = world.services.capture
    liked = cap.me_too_on_post(workspace_id=world.ws, message_ref="C-gate/bot-post-1", actor=LEAD)
    assert liked is not None and liked.id == moment_id and liked.also_reported_by == ("lena",)
    back = cap.withdraw_on_post(workspace_id=world.ws, message_ref="C-gate/bot-post-1", actor=LEAD)
    assert back is not None and back.also_reported_by == ()


def test_the_reporter_and_the_credited_colleague_are_no_second_witness(world: World) -> None:
    confirmed(world)
    cap = world.services.capture
    for who in (STAFF, OTHER):  # the reporter; the colleague the WOW thanks
        assert cap.me_too_on_post(workspace_id=world.ws, message_ref="C-gate/bot-post-1",
                                  actor=who) is None


def test_a_like_on_any_other_post_of_the_bot_logs_nothing(world: World) -> None:
    assert world.services.capture.me_too_on_post(
        workspace_id=world.ws, message_ref="C-gate/weekly-prompt", actor=LEAD) is None


# the team of a person outside a team channel

def test_in_a_private_conversation_the_persons_team_stands_in(world: World) -> None:
    journey = world.services.journey
    assert journey.channel_here(workspace_id=world.ws, channel="D-sam", user_id="sam",
                                private=True) == "C-gate"
    assert journey.channel_here(workspace_id=world.ws, channel="", user_id="sam",
                                private=False) == "C-gate"
    team = journey.team_here(workspace_id=world.ws, channel="C-gate", user_id="sam", private=True)
    assert team is not None and team.id == world.team.id


def test_a_channel_of_no_team_stays_itself_unless_private(world: World) -> None:
    journey = world.services.journey
    assert journey.channel_here(workspace_id=world.ws, channel="C-random", user_id="sam",
                                private=False) == "C-random"
    assert journey.team_here(workspace_id=world.ws, channel="C-random", user_id="sam",
                             private=False) is None


# WOW: / OW: and commands said to the bot

@pytest.mark.parametrize(("text", "expected"), [
    ("WOW: Omar found a wheelchair", (MomentKind.WOW, "Omar found a wheelchair")),
    ("  ow : the gate changed twice", (MomentKind.OW, "the gate changed twice")),
    ("Wow:line one\nline two", (MomentKind.WOW, "line one\nline two")),
    ("wow, what a day", None),  # chatter: no colon
    ("wowza: nice", None),
    ("OW:", None),  # nothing happened
])
def test_a_channel_message_is_a_moment_only_with_its_prefix(
        text: str, expected: tuple[MomentKind, str] | None) -> None:
    assert parsing.moment_prefix(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("wow Omar found a wheelchair", ("/wow", "Omar found a wheelchair")),
    ("OW: late again", ("/ow", "late again")),
    ("/moments stats", ("/moments", "stats")),
    ("moments", ("/moments", "")),
    ("?", ("/moments", "help")),
    ("hello there", None),
    ("wow-ish", None),
])
def test_what_is_said_to_the_bot_needs_no_colon(text: str, expected: tuple[str, str] | None) -> None:
    assert parsing.addressed_command(text) == expected


# one person under several keys

def ana(world: World) -> Actor:
    """Credited once by her account id (before it was resolved), then by her AAD id."""
    world.services.capture.log_message(
        workspace_id=world.ws, channel="C-gate", actor=STAFF, kind=MomentKind.WOW,
        text="she found the lost stroller", author=Actor("29.ana"), request_key="1")
    world.services.capture.log_message(
        workspace_id=world.ws, channel="C-gate", actor=STAFF, kind=MomentKind.WOW,
        text="she rebooked a stranded family", author=Actor("aad-ana"), request_key="2")
    world.say(Actor("aad-ana", "Ana"), "/ow", "the display showed the wrong flight")
    with world.store.transaction(world.ws) as repo:
        repo.save_member(Member(ADMIN.user_id, "Ada", is_admin=True))
    return Actor("aad-ana", "Ana", aliases=("29.ana",))


def credits(world: World) -> list[tuple[str, ...]]:
    with world.store.transaction(world.ws) as repo:
        return sorted(m.credited for m in repo.moments(world.team.id) if m.kind is MomentKind.WOW)


def test_forget_me_reaches_every_key_of_the_person(world: World) -> None:
    person = ana(world)
    world.services.privacy.forget_me(workspace_id=world.ws, actor=person)
    assert credits(world) == [(), ()]


def test_an_admins_privacy_delete_of_a_named_person_reaches_their_aliases(world: World) -> None:
    person = ana(world)
    ctx = replace(world.ctx(ADMIN), people=(person,))
    reply = world.router.handle(ctx, "/moments", "privacy delete @aad-ana")
    assert "data is erased" in reply.text and not reply.error
    assert credits(world) == [(), ()]


def test_export_of_a_person_merges_what_each_key_holds(world: World) -> None:
    person = ana(world)
    ctx = replace(world.ctx(ADMIN), people=(person,))
    shown = world.router.handle(ctx, "/moments", "privacy export @aad-ana").text
    assert "stroller" in shown and "stranded family" in shown and "wrong flight" in shown
    assert '"also_stored_as": [\n    "29.ana"' in shown


def test_without_aliases_a_delete_reaches_only_that_key(world: World) -> None:
    ana(world)
    world.router.handle(world.ctx(ADMIN), "/moments", "privacy delete @aad-ana")
    assert credits(world) == [(), ("29.ana",)]
