"""One key per person: a colleague credited through an ``<at>`` mention (whose entity carries only
the Teams account id) is keyed by the same AAD object id as when they report, vote or lead."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from botbuilder.schema import ChannelAccount, MessageReaction  # type: ignore[import-untyped]

from bot.config import Settings
from bot.domain import Moment, MomentKind
from bot.views import ADOPT, FORGET_ME
from handlers.teams import ids
from handlers.teams.web import add_teams_routes
from tests.handlers.teams.conftest import (
    CHANNEL,
    LENA,
    SAM,
    TENANT,
    World,
    buttons,
    card_of,
    key,
    message,
    submit,
    texts,
)
from tests.handlers.teams.connector import connector_stand_in, mentioning

ANA = ChannelAccount(id="29:ana", name="Ana", aad_object_id="aad-ana")  # as she sends messages
BO = ChannelAccount(id="29:bo", name="Bo", aad_object_id="aad-bo")
ANA_MENTIONED = ChannelAccount(id="29:ana", name="Ana")  # as a mention entity shows her


def moments(world: World) -> list[Moment]:
    with world.store.transaction(world.ws) as repo:
        return repo.moments(world.team.id, include_retracted=True)


def credit_ana(world: World) -> Moment:
    world.turn(message("wow <at>Ana</at> rebooked a stranded family before they asked", BO,
                       mentions=(ANA_MENTIONED,)))
    [wow] = [m for m in moments(world) if m.reporter_id == key(BO)]
    return wow


def test_a_colleague_the_bot_has_seen_is_credited_by_her_aad_id(world: World) -> None:
    world.turn(message("ow the gate display showed the wrong flight", ANA))
    wow = credit_ana(world)
    assert wow.credited == (key(ANA),) == ("aad-ana",)
    assert wow.text == "@aad-ana rebooked a stranded family before they asked"
    [ana_report] = [m for m in moments(world) if m.kind is MomentKind.OW]
    assert ana_report.reporter_id == key(ANA)  # the same key either way


def test_her_mine_and_the_digest_know_her_and_forget_me_erases_the_credit(world: World) -> None:
    world.turn(message("wow kept the queue calm during the delay", ANA))
    credit_ana(world)
    [mine] = world.turn(message("moments mine", ANA))
    assert "kept the queue calm" in (texts(card_of(mine)) if mine.attachments else str(mine.text))
    [digest] = world.turn(message("moments digest", LENA))
    assert "**Ana**" in texts(card_of(digest))
    [ask] = world.turn(message("moments forget-me", ANA))
    [forget] = [b["data"] for b in buttons(card_of(ask)) if b["data"][ids.ACTION] == FORGET_ME]
    [done] = world.turn(submit(forget, ANA))
    assert "I have forgotten you" in str(done.text) and "1 credits" in str(done.text)
    [wow] = moments(world)  # her own report is gone, Bo's WOW stays without her name
    assert wow.reporter_id == key(BO) and wow.credited == ()
    with world.store.transaction(world.ws) as repo:
        assert repo.member("aad-ana") is None and repo.member("teams-account:29:ana") is None


def test_forget_me_typed_also_erases_credits_stored_under_her_account_id(world: World) -> None:
    world.turn(message("wow <at>Ana</at> found the lost stroller", BO, mentions=(ANA_MENTIONED,)))
    [legacy] = moments(world)
    assert legacy.credited == ("29.ana",)  # nobody knew who 29:ana was: the account id
    [done] = world.turn(message("moments forget-me confirm", ANA))
    assert "I have forgotten you" in str(done.text)
    [wow] = moments(world)
    assert wow.credited == ()


def test_her_like_on_her_own_shout_out_is_a_thank_you_not_a_me_too(world: World) -> None:
    world.turn(message("moments help", ANA))
    [confirmation] = world.turn(message("wow <at>Ana</at> carried a pram up the stairs", BO,
                                        mentions=(ANA_MENTIONED,)))
    like = message("", ANA, reply_to_id=confirmation.id)
    like.type, like.reactions_added = "messageReaction", [MessageReaction(type="like")]
    world.turn(like)
    [wow] = moments(world)
    assert wow.credited == ("aad-ana",) and wow.also_reported_by == ()


def test_a_lead_added_by_mention_is_the_lead_who_adopts(world: World) -> None:
    world.turn(message("moments help", ANA))
    world.turn(message("moments leads add <at>Ana</at>", LENA, mentions=(ANA_MENTIONED,)))
    team = world.services.journey.team_for_channel(workspace_id=world.ws, channel=CHANNEL)
    assert team is not None and key(ANA) in team.leads
    for text in ("ow the boarding queue was chaotic", "ow boarding gate changed without a word"):
        world.turn(message(text, BO))
    [card] = world.turn(message("moments prompt", LENA))
    propose = next(b["data"] for b in buttons(card_of(card)) if b["data"][ids.ACTION] == "propose")
    world.turn(submit(dict(propose, **{ids.PROPOSAL_TEXT: "Call boarding by rows"}), SAM))
    [results] = world.turn(message("moments results", ANA))
    adopt = next(b["data"] for b in buttons(card_of(results)) if b["data"][ids.ACTION] == ADOPT)
    [adopted] = world.turn(submit(adopt, ANA))
    assert "New service standard" in texts(card_of(adopted))


def test_a_sender_without_an_aad_id_is_known_from_an_earlier_turn(world: World) -> None:
    world.turn(message("moments help", ANA))
    world.turn(message("wow walked a lost child to the info desk", ChannelAccount(id="29:ana", name="Ana")))
    [m] = moments(world)
    assert m.reporter_id == key(ANA)


# over HTTP: Teams is asked who a mentioned stranger is (TeamsInfo.get_member)

def activity_json(service_url: str, text: str, mentioned: dict[str, str]) -> dict[str, Any]:
    return mentioning(service_url, text, [mentioned])


async def post_all(world: World, bodies: list[dict[str, Any]]) -> list[int]:
    app = web.Application()
    add_teams_routes(app, Settings(teams_emulator=True), world.services, conversations=world.conversations)
    statuses = []
    async with TestClient(TestServer(app)) as client:
        for body in bodies:
            resp = await client.post("/api/messages", json=body)
            statuses.append(resp.status)
    return statuses


ZOE = {"id": "29:zoe", "name": "Zoe"}


def test_a_stranger_mentioned_is_looked_up_once_and_credited_by_aad_id(world: World) -> None:
    with connector_stand_in() as connector:
        connector.members["29:zoe"] = {"id": "29:zoe", "name": "Zoe Berg", "aadObjectId": "aad-zoe",
                                       "tenantId": TENANT, "userPrincipalName": "zoe@example.test"}
        bodies = [activity_json(connector.url, f"wow <at>Zoe</at> {what}", ZOE)
                  for what in ("fixed the jet bridge", "found a wheelchair in minutes")]
        statuses = asyncio.run(post_all(world, bodies))
    assert all(status in (200, 201) for status in statuses)
    assert connector.member_lookups == ["29:zoe"]  # the second mention was remembered
    assert [m.credited for m in moments(world)] == [("aad-zoe",), ("aad-zoe",)]
    assert "Zoe" in connector.texts() and "aad-zoe" not in connector.texts()


def test_when_teams_will_not_say_who_it_is_the_moment_is_saved_by_account_id(
        world: World, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG, logger="handlers.teams.roster"), connector_stand_in() as connector:
        asyncio.run(post_all(world, [activity_json(connector.url, "wow <at>Zoe</at> fixed the bridge",
                                                   ZOE)]))
    assert connector.member_lookups == ["29:zoe"]
    [m] = moments(world)
    assert m.credited == ("29.zoe",) and m.text == "@29.zoe fixed the bridge"
    assert "keyed by the account id" in caplog.text
    [(_path, reply)] = connector.posts
    assert "WOW" in json.dumps(reply, ensure_ascii=False)


def test_a_mentioned_channel_is_not_looked_up_as_a_person(world: World) -> None:
    general = {"id": "19:general@thread.tacv2", "name": "General"}
    with connector_stand_in() as connector:
        asyncio.run(post_all(world, [activity_json(connector.url, "wow <at>General</at> was great",
                                                   general)]))
    assert connector.member_lookups == [] and len(moments(world)) == 1


def test_an_admins_privacy_delete_erases_every_key_the_person_has(world: World) -> None:
    from bot.domain import Member

    with world.store.transaction(world.ws) as repo:
        repo.save_member(Member(key(LENA), "Lena", is_admin=True))
    world.turn(message("wow <at>Ana</at> found the lost stroller", BO, mentions=(ANA_MENTIONED,)))
    world.turn(message("ow the gate display showed the wrong flight", ANA))  # now she is known
    world.turn(message("wow <at>Ana</at> rebooked a stranded family", BO, mentions=(ANA_MENTIONED,)))
    assert sorted(m.credited for m in moments(world) if m.kind is MomentKind.WOW) == [
        ("29.ana",), ("aad-ana",)]
    [export] = world.turn(message("moments privacy export <at>Ana</at>", LENA, mentions=(ANA_MENTIONED,)))
    shown = str(export.text)
    assert "rebooked a stranded family" in shown and "found the lost stroller" in shown  # both keys
    assert "gate display showed the wrong flight" in shown and "29.ana" in shown
    [done] = world.turn(message("moments privacy delete <at>Ana</at>", LENA, mentions=(ANA_MENTIONED,)))
    assert "data is erased" in str(done.text)
    assert [m.credited for m in moments(world)] == [(), ()]  # both credits; her OW is gone
    with world.store.transaction(world.ws) as repo:
        assert repo.member("teams-account:29:ana") is None  # the account -> AAD link too
