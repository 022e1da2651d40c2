"""Colleagues credited in Teams appear by name, not by their Azure AD id, on every later card."""

from __future__ import annotations

import json

from bot.config import Settings
from bot.domain import Moment, Platform
from bot.views import Post, Reply
from handlers.teams import ids
from handlers.teams.notifier import TeamsNotifier
from handlers.teams.web import make_adapter
from tests.handlers.teams.conftest import (
    CHANNEL,
    LENA,
    OMAR,
    SAM,
    TENANT,
    World,
    buttons,
    card_of,
    channel_conversation,
    key,
    message,
    texts,
)
from tests.handlers.teams.connector import connector_stand_in


def moments(world: World) -> list[Moment]:
    with world.store.transaction(world.ws) as repo:
        return repo.moments(world.team.id, include_retracted=True)


def shown(world: World, text: str, who: object = SAM) -> str:
    """What a person sees in answer to ``text``: the card's text, or the plain message."""
    [reply] = world.turn(message(text, who))  # type: ignore[arg-type]
    return texts(card_of(reply)) if reply.attachments else str(reply.text)


def test_the_digest_names_the_colleague_a_wow_credited(world: World) -> None:
    world.turn(message("wow <at>Omar</at> found seats together at boarding for a family",
                       mentions=(OMAR,)))
    [m] = moments(world)
    assert m.credited == (key(OMAR),)  # stored by id: names change, ids do not
    digest = shown(world, "moments digest", LENA)
    assert "Shout-outs" in digest and "**Omar**" in digest and key(OMAR) not in digest
    assert "reported by Sam" in digest


def test_a_later_reply_shows_the_name_the_mention_taught(world: World) -> None:
    world.turn(message("wow <at>Omar</at> walked a lost child to the info desk", mentions=(OMAR,)))
    mine = shown(world, "moments mine")
    assert "Omar walked a lost child" in mine and key(OMAR) not in mine


def test_the_message_action_remembers_the_authors_name(world: World) -> None:
    payload = {"id": "1700000001", "body": {"contentType": "html", "content": "<p>Found the bag!</p>"},
               "from": {"user": {"id": "aad-omar", "displayName": "Omar"}}}
    submit_action = message("", conversation=channel_conversation())
    data = {ids.LOG_TEXT: "Omar found the lost bag at the belt", ids.LOG_KIND: "wow",
            ids.LOG_REF: "1700000001", ids.LOG_AUTHOR: "aad-omar", ids.LOG_AUTHOR_NAME: "Omar"}
    submit_action.type, submit_action.name, submit_action.value = "invoke", "composeExtension/submitAction", {
        "commandId": ids.LOG_COMMAND, "commandContext": "message", "data": data, "messagePayload": payload}
    world.turn(submit_action)
    digest = shown(world, "moments digest", LENA)
    assert "**Omar**" in digest and "aad-omar" not in digest


def test_the_lead_list_shows_names(world: World) -> None:
    world.turn(message("moments leads add <at>Sam</at>", LENA, mentions=(SAM,)))
    leads = shown(world, "moments leads", OMAR)
    assert "Lena" in leads and "Sam" in leads and key(SAM) not in leads and key(LENA) not in leads


def test_the_which_touchpoint_question_names_the_credited_colleague(world: World) -> None:
    [ask] = world.turn(message("wow <at>Omar</at> made the check-in and boarding queue fun",
                               mentions=(OMAR,)))
    assert "Omar" in texts(card_of(ask)) and key(OMAR) not in texts(card_of(ask))
    assert buttons(card_of(ask))  # the filer was unsure: it asks which touchpoint


def test_the_scheduled_digest_posted_to_the_channel_names_the_colleague(world: World) -> None:
    world.turn(message("wow <at>Omar</at> found seats together at boarding for a family",
                       mentions=(OMAR,)))
    workspace = world.store.workspace(platform=Platform.TEAMS, external_id=TENANT)
    digest = world.services.reports.digest(workspace_id=world.ws, team_id=world.team.id, week=None)
    with connector_stand_in() as connector:
        reference = {"bot": {"id": "28:moments-bot"}, "channelId": "msteams",
                     "conversation": {"id": CHANNEL, "conversationType": "channel", "tenantId": TENANT},
                     "serviceUrl": connector.url}
        world.conversations.save_conversation(world.ws, f"teams:{CHANNEL}", json.dumps(reference),
                                              world.clock.now())
        TeamsNotifier(make_adapter(Settings()), world.store, conversations=world.conversations).send(
            workspace, Post(world.team.id, CHANNEL, "digest", Reply("Digest", view=digest, public=True)))
    [(_path, posted)] = connector.posts
    card = texts(posted["attachments"][0]["content"])
    assert "**Omar**" in card and key(OMAR) not in card
