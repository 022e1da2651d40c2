"""Likes on the bot's own confirmations: Teams delivers those, and they mean "me too"."""

from __future__ import annotations

import asyncio
from typing import Any

from botbuilder.schema import Activity, MessageReaction  # type: ignore[import-untyped]

from bot.config import Settings
from bot.domain import Moment, MomentKind
from tests.handlers.teams.conftest import (
    OMAR,
    SAM,
    World,
    channel_conversation,
    key,
    message,
    personal_conversation,
)
from tests.handlers.teams.connector import connector_stand_in
from tests.handlers.teams.test_http import activity_json, post


def moments(world: World) -> list[Moment]:
    with world.store.transaction(world.ws) as repo:
        return repo.moments(world.team.id, include_retracted=True)


def sent_ids(world: World) -> list[tuple[Activity, str]]:
    """Every activity the bot sends from now on, with the id the connector gave it."""
    sent: list[tuple[Activity, str]] = []
    original = world.adapter.send_activities

    async def send(context: Any, activities: list[Activity]) -> Any:
        responses = await original(context, activities)
        sent.extend(zip(activities, (r.id for r in responses), strict=True))
        return responses

    world.adapter.send_activities = send
    return sent


def reaction(who: Any, reply_to_id: str, *, added: str = "", removed: str = "",
             thread: str = "") -> Activity:
    activity = message("", who, conversation=channel_conversation(thread=thread))
    activity.type, activity.reply_to_id = "messageReaction", reply_to_id
    activity.reactions_added = [MessageReaction(type=added)] if added else None
    activity.reactions_removed = [MessageReaction(type=removed)] if removed else None
    return activity


def test_a_like_on_the_bots_confirmation_is_a_me_too_and_unliking_takes_it_back(world: World) -> None:
    sent = sent_ids(world)
    world.turn(message("ow long queue at check-in", SAM, conversation=channel_conversation(thread="900")))
    [(_confirmation, confirmation_id)] = sent
    [m] = moments(world)

    replies = world.turn(reaction(OMAR, confirmation_id, added="like", thread="900"))
    [after] = moments(world)  # still one moment: no new one made of the card's text
    assert after.id == m.id and after.kind is MomentKind.OW
    assert after.text == "long queue at check-in"
    assert after.also_reported_by == (key(OMAR),)
    assert replies == []  # in a channel the like itself is the answer; no chatter

    world.turn(reaction(OMAR, confirmation_id, removed="like", thread="900"))
    [withdrawn] = moments(world)
    assert withdrawn.also_reported_by == () and not withdrawn.retracted


def test_a_heart_counts_once_and_the_reporters_own_like_changes_nothing(world: World) -> None:
    sent = sent_ids(world)
    world.turn(message("wow the crew found a wheelchair at boarding in minutes", SAM))
    [(_card, card_id)] = sent
    world.turn(reaction(OMAR, card_id, added="heart"))
    world.turn(reaction(OMAR, card_id, added="like"))  # a second reaction is not a second report
    world.turn(reaction(SAM, card_id, added="like"))
    world.turn(reaction(SAM, card_id, removed="like"))  # unliking your own card retracts nothing
    [m] = moments(world)
    assert m.reporter_id == key(SAM) and m.also_reported_by == (key(OMAR),) and not m.retracted


def test_other_reactions_and_the_credited_colleagues_thanks_are_not_me_too(world: World) -> None:
    sent = sent_ids(world)
    world.turn(message("wow <at>Omar</at> carried the pram up the stairs", SAM, mentions=(OMAR,)))
    [(_card, card_id)] = sent
    world.turn(reaction(OMAR, card_id, added="like"))  # Omar liking his own thank-you
    world.turn(reaction(SAM, card_id, added="laugh"))
    [m] = moments(world)
    assert m.credited == (key(OMAR),) and m.also_reported_by == ()


def test_a_like_in_a_personal_chat_is_confirmed_there(world: World) -> None:
    sent = sent_ids(world)
    personal = personal_conversation(OMAR)
    world.turn(message("wow the gate agent rebooked us before we asked", OMAR, conversation=personal))
    [(_card, card_id)] = sent
    [m] = moments(world)
    # Someone else's like can't happen in Omar's 1:1 chat, but a forwarded card can be liked
    # by whoever sees it there; the answer goes back to that chat.
    like = reaction(SAM, card_id, added="like")
    like.conversation = personal
    [answer] = world.turn(like)
    assert f"#{m.id}" in answer.text and "me too" in answer.text
    assert moments(world)[0].also_reported_by == (key(SAM),)


def test_a_like_on_the_confirmation_of_a_retracted_moment_logs_nothing(world: World) -> None:
    sent = sent_ids(world)
    world.turn(message("ow the lounge ran out of water", SAM))
    [(_card, card_id)] = sent
    world.turn(message("moments retract", SAM))
    world.turn(reaction(OMAR, card_id, added="like"))
    [m] = moments(world)
    assert m.retracted and m.also_reported_by == ()  # and no new moment made of the card


def test_over_http_a_like_on_the_reply_the_connector_acknowledged_is_a_me_too(world: World) -> None:
    with connector_stand_in() as connector:
        asyncio.run(post(Settings(teams_emulator=True), world, activity_json(
            connector.url, "<at>Moments</at> ow the queue at check-in was an hour long")))
        [(_path, _reply)] = connector.posts
        like = activity_json(connector.url, "")
        like.update(type="messageReaction", id="1700000000002", replyToId="sent-1",
                    reactionsAdded=[{"type": "like"}],
                    **{"from": {"id": "29:omar", "name": "Omar", "aadObjectId": "aad-omar"}})
        status, _ = asyncio.run(post(Settings(teams_emulator=True), world, like))
    assert status in (200, 201)
    [m] = moments(world)
    assert m.kind is MomentKind.OW and m.also_reported_by == (key(OMAR),)
