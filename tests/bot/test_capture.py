"""Moments from reactions: me too, withdrawing, and text that arrives later."""

from __future__ import annotations

from bot.domain import Filing, MomentKind
from tests.conftest import LEAD, OTHER, STAFF, World

REF = "C-gate/1700000000.000100"


def react(world: World, actor, kind=MomentKind.WOW, text: str | None = "lovely boarding help"):  # noqa: ANN001, ANN201
    return world.services.capture.react(
        workspace_id=world.ws, team_id=world.team.id, actor=actor, kind=kind, message_ref=REF,
        author_id="omar", text=text,
    )


def test_second_reaction_is_a_me_too_not_a_new_moment(world: World) -> None:
    first = react(world, STAFF)
    assert first.created and first.moment.credited == ("omar",)
    again = react(world, LEAD)
    assert not again.created and again.moment.id == first.moment.id
    assert again.moment.also_reported_by == ("lena",)
    assert react(world, LEAD).moment.also_reported_by == ("lena",)  # same person twice: once
    ow = react(world, STAFF, MomentKind.OW, "gate chaos at boarding")
    assert ow.created and ow.moment.credited == ()  # an OW on a message blames nobody


def test_removing_a_reaction_withdraws_only_that_report(world: World) -> None:
    first = react(world, STAFF)
    react(world, LEAD)
    cap = world.services.capture
    kept = cap.unreact(workspace_id=world.ws, actor=STAFF, kind=MomentKind.WOW, message_ref=REF)
    assert kept is not None and kept.reporter_id == "lena" and not kept.retracted
    assert cap.unreact(workspace_id=world.ws, actor=OTHER, kind=MomentKind.WOW,
                       message_ref=REF) is None
    gone = cap.unreact(workspace_id=world.ws, actor=LEAD, kind=MomentKind.WOW, message_ref=REF)
    assert gone is not None and gone.retracted and gone.id == first.moment.id
    assert react(world, OTHER).created  # a fresh reaction after that starts a new moment


def test_moment_waits_for_its_text_then_is_filed(world: World) -> None:
    pending = react(world, STAFF, MomentKind.OW, text=None)
    assert pending.filed is None and pending.moment.text == ""
    waiting = world.services.capture.awaiting_text(workspace_id=world.ws)
    assert [m.id for m in waiting] == [pending.moment.id]
    filed = world.services.capture.fill_text(workspace_id=world.ws, moment_id=pending.moment.id,
                                             text="the baggage belt broke down")
    assert filed is not None and filed.touchpoint is not None
    assert filed.touchpoint.slug == "baggage" and filed.moment.filing is Filing.AUTO
    assert world.services.capture.awaiting_text(workspace_id=world.ws) == []


def test_reaction_in_a_channel_uses_the_doors_copy_and_credits_only_a_known_author(world: World) -> None:
    cap = world.services.capture
    channel = world.team.channel
    unknown = cap.react_in_channel(workspace_id=world.ws, team_id=world.team.id, channel=channel,
                                   ts="1.1", actor=STAFF, kind=MomentKind.WOW)
    # no text and no author yet: stored, waiting for its text, crediting nobody (not "@")
    assert unknown.created and unknown.filed is None and unknown.moment.credited == ()
    cached = cap.react_in_channel(workspace_id=world.ws, team_id=world.team.id, channel=channel,
                                  ts="2.2", actor=STAFF, kind=MomentKind.WOW, author_id="omar",
                                  text="omar carried the stroller down the jet bridge")
    assert cached.created and cached.filed is not None
    assert cached.moment.text.startswith("omar carried") and cached.moment.credited == ("omar",)
    assert cached.filed.journey and all(t.team_id == world.team.id for t in cached.filed.journey)
    again = cap.react_in_channel(workspace_id=world.ws, team_id=world.team.id, channel=channel,
                                 ts="2.2", actor=LEAD, kind=MomentKind.WOW)
    assert not again.created and again.moment.id == cached.moment.id
