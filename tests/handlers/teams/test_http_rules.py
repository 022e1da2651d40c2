"""The Teams door's rules over HTTP (/api/messages through MomentsCloudAdapter): mentions as
Microsoft documents them, one workspace per tenant whatever the case or spelling, reactions on
the bot's own posts, and where proactive posts may go."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.config import Settings
from bot.domain import Platform
from bot.ports import DeliveryError
from handlers.teams.notifier import TeamsNotifier
from handlers.teams.web import add_teams_routes, make_adapter
from tests.handlers.teams import activities as teams
from tests.handlers.teams.conftest import CHANNEL, TENANT, World
from tests.handlers.teams.connector import connector_stand_in
from tests.handlers.teams.test_http_door import EMULATOR, moments, post_all

# 3. mentions: <at>Name</at> in the text; the entity's text with or without the wrapping

@pytest.mark.parametrize("shown", ["<at>Omar</at>", "Omar", "@Omar", "<at>@Omar</at>"])
@pytest.mark.parametrize("where", ["channel", "group", "personal"])
def test_a_colleagues_mention_is_credited_and_the_bots_is_dropped(world: World, shown: str,
                                                                   where: str) -> None:
    with connector_stand_in() as connector:
        body = teams.message(connector.url, where, "wow <at>Omar</at> found a wheelchair in minutes",
                             mentioned=((teams.OMAR, shown),))
        if where != "personal":  # the bot's own mention, with the same variety of entity text
            body["entities"][0]["text"] = shown.replace("Omar", "Moments")
        [(status, _)] = asyncio.run(post_all(world, [body]))
        said = connector.texts()
    assert status in (200, 201)
    if where == "group":  # no Moments team in this chat: nothing stored, and said so
        assert moments(world) == [] and "team" in said.lower()
        return
    [m] = moments(world)
    # the entity carries Omar's account id only (as Teams sends it) and Teams' roster here does
    # not know him: credited under the account id, shown by name
    assert m.credited == ("29.omar",) and m.text == "@29.omar found a wheelchair in minutes"
    assert "Moments" not in m.text and "<at>" not in m.text
    assert "Omar" in said and "29.omar" not in said


# 5. the tenant: conversation.tenantId (Teams), tenantID (botbuilder), channelData.tenant.id

def test_tenant_ids_differing_only_in_case_are_one_workspace(world: World) -> None:
    with connector_stand_in() as connector:
        body = teams.message(connector.url, "channel", "wow Omar carried the pram up the stairs")
        body["conversation"]["tenantId"] = TENANT.upper()
        body["channelData"]["tenant"]["id"] = TENANT.upper()
        [(status, _)] = asyncio.run(post_all(world, [body]))
    assert status in (200, 201)
    [m] = moments(world)  # in the team of tenant-1's workspace, not a new TENANT-1 one
    assert m.text.startswith("Omar carried the pram")
    assert [w.external_id for w in world.store.workspaces() if w.platform is Platform.TEAMS] == [TENANT]


@pytest.mark.parametrize("spelling", ["tenantId", "tenantID"])
def test_an_activity_whose_tenants_disagree_is_refused_and_logged(world: World, spelling: str,
                                                                 caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING), connector_stand_in() as connector:
        message = teams.message(connector.url, "channel", "wow Omar found a seat", n=1)
        submit = teams.submit_action(connector.url, "channel", {"log_text": "x", "log_kind": "wow"}, n=2)
        for body in (message, submit):
            del body["conversation"]["tenantId"]
            body["conversation"][spelling] = "tenant-2"
        [(said, _), (answered, dialog)] = asyncio.run(post_all(world, [message, submit]))
        replies = connector.texts()
    assert moments(world) == []
    assert said in (200, 201) and "which organisation" in replies  # a friendly refusal in chat
    assert answered == 200 and "which organisation" in dialog["task"]["value"]
    assert caplog.text.count("names no tenant, or two different ones") == 2


# 6. reactions: Teams delivers them for the bot's own messages only

def test_only_a_like_on_a_moments_confirmation_counts(world: World) -> None:
    async def run(url: str) -> list[tuple[int, Any]]:
        app = web.Application()
        door = add_teams_routes(app, EMULATOR, world.services, conversations=world.conversations)
        out = []
        async with TestClient(TestServer(app)) as client:
            async def send(body: dict[str, Any]) -> None:
                resp = await client.post("/api/messages", json=body)
                out.append((resp.status, await resp.text()))

            await send(teams.message(url, "channel", "ow the queue at check-in took an hour", n=1))
            await send(teams.message(url, "channel", "help", n=2))  # the bot's help: "sent-2"
            workspace = world.store.workspace(platform=Platform.TEAMS, external_id=TENANT)
            [prompt] = world.services.cycle.post_prompt(workspace_id=world.ws, team_id=world.team.id)
            [digest] = world.services.cycle.post_digest(workspace_id=world.ws, team_id=world.team.id)
            for post in (prompt, digest):  # "sent-3", "sent-4"
                await asyncio.to_thread(door.notifier.send, workspace, post)
            for n, target in enumerate(["sent-2", "sent-3", "sent-4", "sent-1"], start=10):
                await send(teams.reaction(url, "channel", target, added="like", n=n))
            await send(teams.reaction(url, "channel", "sent-3", removed="like", n=20))
        return out

    with connector_stand_in() as connector:
        answers = asyncio.run(run(connector.url))
        posts = list(connector.posts)
    assert all(status == 201 for status, _ in answers)
    assert len(posts) == 4  # confirmation, help, prompt, digest: no answer to any reaction
    [m] = moments(world)
    assert m.text == "the queue at check-in took an hour"
    assert m.also_reported_by == ("aad-omar",) and m.credited == ()


def test_in_a_personal_chat_a_like_on_the_greeting_logs_nothing_and_says_nothing(world: World) -> None:
    with connector_stand_in() as connector:
        answers = asyncio.run(post_all(world, [
            teams.message(connector.url, "personal", "hello there", n=1),  # the greeting: "sent-1"
            teams.reaction(connector.url, "personal", "sent-1", added="heart", who=teams.SAM, n=2)]))
        posts = list(connector.posts)
    assert [s for s, _ in answers] == [201, 201]
    assert len(posts) == 1 and moments(world) == []


# 4. proactive posts go only to trusted service URLs

def stored(world: World, service_url: str, **extra: Any) -> None:
    reference = {"bot": {"id": "28:moments-bot", "name": "Moments"}, "channelId": "msteams",
                 "conversation": {"id": CHANNEL, "conversationType": "channel", "tenantId": TENANT},
                 "serviceUrl": service_url, **extra}
    world.conversations.save_conversation(world.ws, f"teams:{CHANNEL}", json.dumps(reference),
                                          world.clock.now())


@pytest.mark.parametrize("app_id", ["", "11111111-2222-3333-4444-555555555555"])
def test_a_stored_reference_to_a_foreign_service_url_is_never_posted_to(
        world: World, app_id: str,
        caplog: pytest.LogCaptureFixture) -> None:
    settings = Settings(microsoft_app_id=app_id, microsoft_app_password="secret" if app_id else "")
    workspace = world.store.workspace(platform=Platform.TEAMS, external_id=TENANT)
    with connector_stand_in() as connector, caplog.at_level(logging.WARNING):
        foreign = connector.url.replace("127.0.0.1", "localhost.attacker.example")
        stored(world, foreign)
        [post] = world.services.cycle.post_digest(workspace_id=world.ws, team_id=world.team.id)
        with pytest.raises(DeliveryError):
            TeamsNotifier(make_adapter(settings), world.store, conversations=world.conversations,
                          app_id=app_id).send(workspace, post)
    assert connector.posts == [] and "refused" in caplog.text


def test_with_an_app_id_a_loopback_reference_no_token_brought_is_refused(world: World,
        caplog: pytest.LogCaptureFixture) -> None:
    """A reference the emulator mode stored is not trusted once real tokens are in force."""
    settings = Settings(microsoft_app_id="11111111-2222-3333-4444-555555555555",
                        microsoft_app_password="secret")
    workspace = world.store.workspace(platform=Platform.TEAMS, external_id=TENANT)
    with connector_stand_in() as connector:
        stored(world, connector.url)
        [post] = world.services.cycle.post_digest(workspace_id=world.ws, team_id=world.team.id)
        with pytest.raises(DeliveryError), caplog.at_level(logging.WARNING):
            TeamsNotifier(make_adapter(settings), world.store, conversations=world.conversations,
                          app_id=settings.microsoft_app_id).send(workspace, post)
    assert connector.posts == [] and "not brought by an authenticated activity" in caplog.text
