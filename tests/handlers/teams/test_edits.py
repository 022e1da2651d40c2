"""Edited and deleted Teams messages, POSTed to /api/messages through the production adapter: a
moment the "Log as a moment" message action made from a message follows it. Activities as
Microsoft documents them: ``messageUpdate`` with channelData.eventType ``editMessage`` (the new
body as text and as a text/html attachment), ``messageDelete`` with ``softDeleteMessage``; the
activity's id is the message's."""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.config import Settings
from bot.domain import Moment, MomentKind, Source
from bot.services.capture import DELETED
from handlers.teams import ids
from handlers.teams.web import add_teams_routes
from tests.handlers.teams.conftest import CHANNEL, TENANT, World
from tests.handlers.teams.connector import connector_stand_in

MESSAGE_ID = "1700000000555"
OMAR = {"id": "29:omar", "name": "Omar", "aadObjectId": "aad-omar"}
SAM = {"id": "29:sam", "name": "Sam", "aadObjectId": "aad-sam"}


def base(service_url: str, kind: str, who: dict[str, str], **extra: Any) -> dict[str, Any]:
    return {
        "type": kind, "timestamp": "2026-11-16T09:05:00.000Z", "serviceUrl": service_url,
        "channelId": "msteams", "from": who, "locale": "en-GB",
        "conversation": {"isGroup": True, "conversationType": "channel", "tenantId": TENANT,
                         "id": f"{CHANNEL};messageid={MESSAGE_ID}"},
        "recipient": {"id": "28:moments-bot", "name": "Moments"},
        "channelData": {"tenant": {"id": TENANT}, "channel": {"id": CHANNEL}, "team": {"id": CHANNEL},
                        **extra.pop("channel_data", {})},
        **extra,
    }


def log_as_a_moment(service_url: str, html: str) -> dict[str, Any]:
    """Sam's submit of the message action's dialog on Omar's message."""
    payload = {"id": MESSAGE_ID, "messageType": "message", "body": {"contentType": "html", "content": html},
               "from": {"user": {"id": "aad-omar", "displayName": "Omar", "userIdentityType": "aadUser"}}}
    data = {ids.LOG_REF: MESSAGE_ID, ids.LOG_AUTHOR: "aad-omar", ids.LOG_AUTHOR_NAME: "Omar",
            ids.LOG_KIND: "wow", ids.LOG_TEXT: "Omar rebooked the Jensen family at boarding"}
    return base(service_url, "invoke", SAM, id="f:invoke-1", name="composeExtension/submitAction",
                value={"commandId": ids.LOG_COMMAND, "commandContext": "message", "data": data,
                       "messagePayload": payload})


def edit(service_url: str, html: str, text: str) -> dict[str, Any]:
    return base(service_url, "messageUpdate", OMAR, id=MESSAGE_ID, text=text, textFormat="plain",
                attachments=[{"contentType": "text/html", "content": html}],
                channel_data={"eventType": "editMessage"})


def soft_delete(service_url: str) -> dict[str, Any]:
    return base(service_url, "messageDelete", OMAR, id=MESSAGE_ID,
                channel_data={"eventType": "softDeleteMessage"})


async def post_all(world: World, bodies: list[dict[str, Any]]) -> list[int]:
    app = web.Application()
    add_teams_routes(app, Settings(teams_emulator=True), world.services, conversations=world.conversations)
    async with TestClient(TestServer(app)) as client:
        statuses = []
        for body in bodies:
            resp = await client.post("/api/messages", json=body)
            statuses.append(resp.status)
        return statuses


def moments(world: World) -> list[Moment]:
    with world.store.transaction(world.ws) as repo:
        return repo.moments(world.team.id, include_retracted=True)


def logged(world: World, service_url: str) -> Moment:
    """The moment Sam logs from Omar's message with the message action, over HTTP."""
    [status] = asyncio.run(post_all(world, [log_as_a_moment(
        service_url, "<p>Omar rebooked the Jensen family at boarding</p>")]))
    assert status == 200
    [moment] = moments(world)
    assert moment.source is Source.SHORTCUT and moment.message_ref == f"{CHANNEL}/{MESSAGE_ID}"
    return moment


def test_a_message_action_moment_follows_an_edit_of_its_message(world: World) -> None:
    with connector_stand_in() as connector:
        before = logged(world, connector.url)
        said = len(connector.posts)
        statuses = asyncio.run(post_all(world, [edit(
            connector.url, "<p>Omar rebooked the Jensens &amp; their dog at boarding, call 07700 900123</p>",
            "Omar rebooked the Jensens & their dog at boarding, call 07700 900123")]))
    assert statuses[0] in (200, 201)
    [after] = moments(world)
    assert "their dog" in after.text and "07700" not in after.text  # redacted again
    assert (after.id, after.kind, after.touchpoint_id, after.credited, after.reporter_id) == (
        before.id, MomentKind.WOW, before.touchpoint_id, ("aad-omar",), "aad-sam")
    assert len(connector.posts) == said  # nothing said in the channel


def test_a_soft_deleted_message_erases_the_moment_text_and_keeps_the_moment(world: World) -> None:
    with connector_stand_in() as connector:
        before = logged(world, connector.url)
        said = len(connector.posts)
        statuses = asyncio.run(post_all(world, [soft_delete(connector.url)]))
    assert statuses[0] in (200, 201)
    [after] = moments(world)
    assert after.text == DELETED and "Jensen" not in after.text
    assert (after.id, after.kind, after.touchpoint_id, after.credited, after.retracted) == (
        before.id, before.kind, before.touchpoint_id, before.credited, False)
    assert len(connector.posts) == said


def test_an_edit_of_another_message_changes_nothing(world: World) -> None:
    with connector_stand_in() as connector:
        before = logged(world, connector.url)
        other = edit(connector.url, "<p>lunch?</p>", "lunch?")
        other["id"] = "1700000000999"
        asyncio.run(post_all(world, [other, {**soft_delete(connector.url), "id": "1700000000999"}]))
    assert moments(world) == [before]
