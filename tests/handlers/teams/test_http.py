"""The door over HTTP: a real Bot Framework activity posted to /api/messages, the bot's reply
arriving at a local stand-in for the connector service; tokens; proactive posts."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import jwt
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.config import Settings
from bot.domain import Platform
from bot.ports import DeliveryError
from bot.views import Post, Reply
from handlers.teams.notifier import TeamsNotifier
from handlers.teams.web import EMULATOR_WARNING, add_teams_routes, make_adapter
from tests.handlers.teams.conftest import CHANNEL, TENANT, World
from tests.handlers.teams.connector import Connector, connector_stand_in

APP_ID = "11111111-2222-3333-4444-555555555555"


def activity_json(service_url: str,
                  text: str = "<at>Moments</at> wow Omar found a seat at boarding") -> dict[str, Any]:
    """What Teams posts for a channel message mentioning the bot (trimmed to what matters)."""
    return {
        "type": "message", "id": "1700000000001", "timestamp": "2026-11-16T09:00:00.000Z",
        "serviceUrl": service_url, "channelId": "msteams", "text": text, "textFormat": "plain",
        "from": {"id": "29:sam", "name": "Sam", "aadObjectId": "aad-sam"},
        "conversation": {"isGroup": True, "conversationType": "channel", "tenantId": TENANT,
                         "id": f"{CHANNEL};messageid=1700000000001"},
        "recipient": {"id": "28:moments-bot", "name": "Moments"},
        "entities": [{"type": "mention", "text": "<at>Moments</at>",
                      "mentioned": {"id": "28:moments-bot", "name": "Moments"}}],
        "channelData": {"tenant": {"id": TENANT}, "teamsChannelId": CHANNEL,
                        "channel": {"id": CHANNEL}, "team": {"id": CHANNEL}},
        "locale": "en-GB",
    }


async def post(settings: Settings, world: World, body: dict[str, Any],
               headers: dict[str, str] | None = None) -> tuple[int, str]:
    app = web.Application()
    add_teams_routes(app, settings, world.services, conversations=world.conversations)
    async with TestClient(TestServer(app)) as client:
        resp = await client.post("/api/messages", json=body, headers=headers or {})
        return resp.status, await resp.text()


def test_emulator_mode_replies_through_the_connector_and_warns(world: World,
                                                               caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING), connector_stand_in() as connector:
        status, _ = asyncio.run(post(Settings(teams_emulator=True), world, activity_json(connector.url)))
    assert status in (200, 201)
    assert EMULATOR_WARNING in caplog.text
    [(path, reply)] = connector.posts
    assert path == f"/v3/conversations/{CHANNEL};messageid=1700000000001/activities/1700000000001"
    assert reply["type"] == "message" and "WOW" in json.dumps(reply, ensure_ascii=False)
    assert world.reference() is not None


@pytest.mark.parametrize("authorization", [
    None,
    "Bearer not-a-jwt",
    "Bearer " + jwt.encode({"iss": "https://evil.example", "aud": APP_ID}, "k" * 32, algorithm="HS256"),
])
def test_with_an_app_id_a_missing_or_bad_token_is_rejected(world: World, authorization: str | None) -> None:
    settings = Settings(microsoft_app_id=APP_ID, microsoft_app_password="secret")
    with connector_stand_in() as connector:
        headers = {"Authorization": authorization} if authorization else {}
        status, _ = asyncio.run(post(settings, world, activity_json(connector.url), headers))
    assert status == 401
    assert connector.posts == [] and world.reference() is None
    with world.store.transaction(world.ws) as repo:
        assert repo.moments(world.team.id) == []


def send(world: World, connector: Connector) -> None:
    reference = {"bot": {"id": "28:moments-bot", "name": "Moments"}, "channelId": "msteams",
                 "conversation": {"id": CHANNEL, "conversationType": "channel", "tenantId": TENANT},
                 "serviceUrl": connector.url}
    world.conversations.save_conversation(world.ws, f"teams:{CHANNEL}", json.dumps(reference),
                                          world.clock.now())
    workspace = world.store.workspace(platform=Platform.TEAMS, external_id=TENANT)
    digest = world.services.reports.digest(workspace_id=world.ws, team_id=world.team.id, week=None)
    reply = Reply("Gate crew: weekly digest", view=digest, public=True)
    notifier = TeamsNotifier(make_adapter(Settings()), world.store, conversations=world.conversations)
    notifier.send(workspace, Post(world.team.id, CHANNEL, "digest", reply))


def test_a_proactive_post_reaches_the_stored_conversation(world: World) -> None:
    with connector_stand_in() as connector:
        send(world, connector)
    [(path, activity)] = connector.posts
    assert path == f"/v3/conversations/{CHANNEL}/activities"
    assert activity["attachments"][0]["content"]["body"][0]["text"].startswith("Gate crew: weekly digest")


def test_a_403_is_permanent_and_a_429_asks_to_retry_later(world: World) -> None:
    with connector_stand_in() as connector:
        connector.status = 403
        with pytest.raises(DeliveryError) as removed:
            send(world, connector)
        connector.status, connector.headers = 429, {"Retry-After": "7"}
        with pytest.raises(DeliveryError) as throttled:
            send(world, connector)
    assert removed.value.permanent and removed.value.retry_after is None
    assert not throttled.value.permanent and throttled.value.retry_after == 7.0


def test_without_a_stored_reference_the_post_fails_for_now(world: World) -> None:
    workspace = world.store.workspace(platform=Platform.TEAMS, external_id=TENANT)
    with pytest.raises(DeliveryError) as err:
        TeamsNotifier(make_adapter(Settings()), world.store, conversations=world.conversations).send(
            workspace, Post(world.team.id, CHANNEL, "prompt", Reply("hello", public=True)))
    assert not err.value.permanent
