"""Two organisations on one Moments: each Teams tenant is its own workspace. Same channel ids, same
person ids, and still neither sees the other's moments, stats, prompts or standards, and a card
button carrying the other tenant's ids is refused kindly and changes nothing."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from botbuilder.schema import (  # type: ignore[import-untyped]
    Activity,
    ConversationAccount,
    MessageReaction,
)

from bot.commands import OOPS
from bot.config import Settings
from bot.domain import Platform, Team
from bot.ports import DeliveryError
from bot.services import Actor
from bot.views import ADOPT, FILE_MOMENT, PROPOSE, RETRACT, VOTE
from handlers.teams import ids
from handlers.teams.bot import NO_TENANT
from handlers.teams.notifier import TeamsNotifier
from handlers.teams.web import add_teams_routes, make_adapter, tenant_fallback
from tests.handlers.teams.conftest import (
    CHANNEL,
    LENA,
    OMAR,
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
from tests.handlers.teams.connector import connector_stand_in

OTHER = "tenant-2"


@pytest.fixture
def other(world: World) -> Team:
    """Tenant B: the same channel id, the same lead and colleagues' ids, its own team."""
    ws = world.store.workspace(platform=Platform.TEAMS, external_id=OTHER).id
    return world.services.journey.setup_team(workspace_id=ws, actor=Actor(key(LENA), "Lena"),
                                             channel=CHANNEL, name="Ramp crew", template="airline",
                                             timezone="Europe/Stockholm")


def in_b(activity: Activity) -> Activity:
    """The activity as tenant B's Teams sends it."""
    activity.conversation = ConversationAccount(id=activity.conversation.id, tenant_id=OTHER,
                                                conversation_type=activity.conversation.conversation_type)
    activity.channel_data = {"tenant": {"id": OTHER}}
    return activity


def shown(activities: list[Activity]) -> str:
    return "\n".join(texts(card_of(a)) if a.attachments else str(a.text) for a in activities)


def seed_a(world: World) -> dict[str, Any]:
    """Tenant A: a credited WOW, two OWs, an open prompt with one proposal, one adopted standard."""
    world.turn(message("wow <at>Omar</at> found seats together at boarding for a family",
                       mentions=(OMAR,)))
    for text in ("ow the boarding queue was chaotic", "ow boarding gate changed without a word"):
        world.turn(message(text, OMAR))
    [prompt] = world.turn(message("moments prompt", LENA))
    propose = next(b["data"] for b in buttons(card_of(prompt)) if b["data"][ids.ACTION] == PROPOSE)
    world.turn(submit(dict(propose, **{ids.PROPOSAL_TEXT: "Alpha gate announcements"}), SAM))
    [results] = world.turn(message("moments results", LENA))
    card = card_of(results)
    vote = next(b["data"] for b in buttons(card) if b["data"][ids.ACTION] == VOTE)
    adopt = next(b["data"] for b in buttons(card) if b["data"][ids.ACTION] == ADOPT)
    world.turn(submit(adopt, LENA))
    [wow] = [m for m in a_moments(world) if m.credited]
    return {"propose": propose, "vote": vote, "adopt": adopt, "wow": wow.id}


def a_moments(world: World) -> list[Any]:
    with world.store.transaction(world.ws) as repo:
        return repo.moments(world.team.id, include_retracted=True)


def snapshot(world: World) -> str:
    """Everything tenant A has, to compare before and after tenant B's clicks."""
    with world.store.transaction(world.ws) as repo:
        prompts = repo.prompts(world.team.id)
        return repr((repo.moments(world.team.id, include_retracted=True), prompts,
                     [repo.proposals(p.id) for p in prompts], repo.standards(world.team.id),
                     [(repo.vote_counts(p.id), [repo.voters(x.id) for x in repo.proposals(p.id)])
                      for p in prompts]))


def test_same_channel_and_people_in_two_tenants_never_meet(world: World, other: Team) -> None:
    seed_a(world)
    b_ws = world.store.workspace(platform=Platform.TEAMS, external_id=OTHER).id
    assert b_ws != world.ws
    world.turn(in_b(message("wow the ramp crew loaded the pram first", SAM)))
    with world.store.transaction(b_ws) as repo:
        [b_moment] = repo.moments(other.id)
    assert b_moment.text == "the ramp crew loaded the pram first" and b_moment.reporter_id == key(SAM)
    assert len(a_moments(world)) == 3  # A's three, untouched

    b_sees = shown(world.turn(in_b(message("moments mine", SAM)))
                   + world.turn(in_b(message("moments stats", LENA)))
                   + world.turn(in_b(message("moments digest", LENA)))
                   + world.turn(in_b(message("moments standards", SAM)))
                   + world.turn(in_b(message("moments results", LENA))))
    assert "ramp crew loaded the pram" in b_sees and "Ramp crew" in b_sees
    for secret in ("found seats together", "boarding queue", "Alpha gate announcements", "Gate crew"):
        assert secret not in b_sees
    a_sees = shown(world.turn(message("moments mine", SAM)) + world.turn(message("moments digest", LENA))
                   + world.turn(message("moments standards", SAM)))
    assert "found seats together" in a_sees and "Alpha gate announcements" in a_sees
    assert "ramp crew" not in a_sees
    assert world.services.weekly.current_prompt(workspace_id=b_ws, team_id=other.id) is None


@pytest.mark.parametrize("button", ["vote", "adopt", "propose", "refile", "retract"])
def test_a_card_button_from_tenant_b_for_tenant_as_object_is_refused(world: World, other: Team,
                                                                     button: str) -> None:
    seeded = seed_a(world)
    data = {"vote": seeded["vote"], "adopt": seeded["adopt"],
            "propose": dict(seeded["propose"], **{ids.PROPOSAL_TEXT: "Sneak this into A"}),
            "refile": {ids.ACTION: FILE_MOMENT, "moment": seeded["wow"], ids.TOUCHPOINT: "check-in"},
            "retract": {ids.ACTION: RETRACT, "moment": seeded["wow"]}}[button]
    before = snapshot(world)
    world.adapter.updated_activities.clear()
    # Sam (and Lena, A's lead) by the same ids, but speaking from tenant B
    replies = world.turn(in_b(submit(data, LENA if button == "adopt" else SAM)))
    [refused] = replies
    said = shown(replies)
    expected = {"vote": "There is no proposal", "adopt": "There is no proposal",
                "propose": "There is no prompt", "refile": "I can't find moment",
                "retract": "I can't find moment"}[button]
    assert said.startswith(expected) and OOPS not in said and not refused.attachments
    assert snapshot(world) == before
    assert world.adapter.updated_activities == []  # A's card is not redrawn either


def test_a_like_in_tenant_b_on_a_message_id_of_tenant_a_is_no_me_too(world: World, other: Team) -> None:
    [confirmation] = world.turn(message("wow <at>Omar</at> calmed a nervous flyer", mentions=(OMAR,)))
    like = in_b(message("", LENA, reply_to_id=confirmation.id))
    like.type, like.reactions_added = "messageReaction", [MessageReaction(type="like")]
    world.turn(like)
    [wow] = a_moments(world)
    assert wow.also_reported_by == ()


def test_an_activity_whose_two_tenant_ids_disagree_is_refused(world: World, other: Team) -> None:
    mixed = message("wow sneaky", SAM)
    mixed.channel_data = {"tenant": {"id": OTHER}}  # conversation.tenantId says tenant A
    [reply] = world.turn(mixed)
    assert reply.text == NO_TENANT
    b_ws = world.store.workspace(platform=Platform.TEAMS, external_id=OTHER).id
    with world.store.transaction(b_ws) as repo:
        assert repo.moments(other.id) == []
    assert a_moments(world) == []


def test_only_the_emulator_and_a_single_tenant_app_guess_a_missing_tenant() -> None:
    assert tenant_fallback(Settings()) == "local"
    assert tenant_fallback(Settings(microsoft_app_id="app", microsoft_app_password="pw")) == ""
    assert tenant_fallback(Settings(microsoft_app_id="app", microsoft_app_password="pw",
                                    microsoft_app_type="SingleTenant",
                                    microsoft_app_tenant_id="home")) == "home"


def test_each_tenants_weekly_post_goes_to_its_own_conversation(world: World, other: Team) -> None:
    """Both tenants store a reference under the same channel id; each keeps its own serviceUrl."""
    seed_a(world)
    b_ws = world.store.workspace(platform=Platform.TEAMS, external_id=OTHER)
    with connector_stand_in() as a_connector, connector_stand_in() as b_connector:
        for url, activity in ((a_connector.url, message("moments help", SAM)),
                              (b_connector.url, in_b(message("moments help", SAM)))):
            activity.service_url = url
            body = activity.serialize()
            asyncio.run(_post(world, body))
        a_connector.posts.clear()
        b_connector.posts.clear()
        notifier = TeamsNotifier(make_adapter(Settings()), world.store, conversations=world.conversations)
        for ws, team in ((world.store.workspace(platform=Platform.TEAMS, external_id=TENANT), world.team),
                         (b_ws, other)):
            for post in world.services.cycle.post_digest(workspace_id=ws.id, team_id=team.id):
                notifier.send(ws, post)
    a_said, b_said = a_connector.texts(), b_connector.texts()
    assert "Gate crew" in a_said and "found seats together" in a_said and "Ramp crew" not in a_said
    assert "Ramp crew" in b_said and "Gate crew" not in b_said and "found seats" not in b_said
    assert all(json.loads(json.dumps(body))["conversation"]["id"] == CHANNEL
               for _path, body in a_connector.posts + b_connector.posts)


async def _post(world: World, body: dict[str, Any]) -> None:
    app = web.Application()
    add_teams_routes(app, Settings(teams_emulator=True), world.services, conversations=world.conversations)
    async with TestClient(TestServer(app)) as client:
        resp = await client.post("/api/messages", json=body)
        assert resp.status in (200, 201)



@pytest.mark.parametrize("spelling", ["tenantId", "tenantID"])  # Teams' and botbuilder's
def test_a_stored_reference_naming_another_tenant_is_never_posted_to(world: World, spelling: str) -> None:
    seed_a(world)
    workspace = world.store.workspace(platform=Platform.TEAMS, external_id=TENANT)
    with connector_stand_in() as connector:
        reference = {"bot": {"id": "28:moments-bot"}, "channelId": "msteams", "serviceUrl": connector.url,
                     "conversation": {"id": CHANNEL, "conversationType": "channel", spelling: OTHER}}
        world.conversations.save_conversation(world.ws, f"teams:{CHANNEL}", json.dumps(reference),
                                              world.clock.now())
        [post] = world.services.cycle.post_digest(workspace_id=world.ws, team_id=world.team.id)
        with pytest.raises(DeliveryError) as err:
            TeamsNotifier(make_adapter(Settings()), world.store,
                          conversations=world.conversations).send(workspace, post)
    assert err.value.permanent and connector.posts == []
