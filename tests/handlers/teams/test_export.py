"""`/moments export` in Teams through /api/messages and the production adapter: a lead in a
personal chat gets a card whose signed link, served by `moments serve`, downloads the CSV."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.config import Settings
from bot.domain import MomentKind, Source
from bot.services import Actor
from handlers.export_links import add_export_route
from handlers.teams.web import add_teams_routes
from tests.handlers.teams import activities as teams
from tests.handlers.teams.conftest import CHANNEL, LENA, World
from tests.handlers.teams.connector import connector_stand_in

SETTINGS = Settings(teams_emulator=True, public_url="http://moments.test")
LEAD = {"id": LENA.id, "name": LENA.name, "aadObjectId": LENA.aad_object_id}


async def _ask(world: World, where: str, url: str) -> tuple[list[Any], TestClient]:
    app = web.Application()
    add_teams_routes(app, SETTINGS, world.services, conversations=world.conversations)
    add_export_route(app, SETTINGS, world.services)
    client = TestClient(TestServer(app))
    await client.start_server()
    resp = await client.post("/api/messages", json=teams.message(url, where, "moments export", who=LEAD))
    assert resp.status in (200, 201)
    return [], client


def test_a_lead_downloads_the_csv_from_the_card(world: World) -> None:
    world.services.moments.report(workspace_id=world.ws, channel=CHANNEL, actor=Actor("u-sam", "Sam"),
                                  kind=MomentKind.OW, source=Source.COMMAND, text="the queue took an hour")

    async def run(url: str, posts: list[tuple[str, Any]]) -> tuple[int, str, str]:
        _, client = await _ask(world, "personal", url)
        try:
            sent = json.dumps([body for _, body in posts])
            link = next(a["url"] for _, body in posts for att in body.get("attachments") or []
                        for a in att["content"].get("actions") or [] if a["type"] == "Action.OpenUrl")
            assert "Download the CSV" in sent
            path = link.removeprefix("http://moments.test")
            got = await client.get(path)
            forged = await client.get(path[:-1] + ("0" if path[-1] != "0" else "1"))
            return got.status, await got.text(), str(forged.status)
        finally:
            await client.close()

    with connector_stand_in() as connector:
        status, body, forged = asyncio.run(run(connector.url, connector.posts))
    assert status == 200 and body.splitlines()[0] == "id,date,kind,touchpoint,text,credited"
    assert "ow,,the queue took an hour," in body or ",ow," in body
    assert forged == "404"


def test_in_a_channel_the_link_is_not_shown(world: World) -> None:
    async def run(url: str) -> None:
        _, client = await _ask(world, "channel", url)
        await client.close()

    with connector_stand_in() as connector:
        asyncio.run(run(connector.url))
        sent = json.dumps([body for _, body in connector.posts])
    assert "personal chat only" in sent and "/export/" not in sent


def test_without_a_public_address_there_is_no_link(world: World) -> None:
    global SETTINGS
    saved, SETTINGS = SETTINGS, replace(SETTINGS, public_url="")
    try:
        async def run(url: str) -> None:
            _, client = await _ask(world, "personal", url)
            await client.close()

        with connector_stand_in() as connector:
            asyncio.run(run(connector.url))
            sent = json.dumps([body for _, body in connector.posts])
    finally:
        SETTINGS = saved
    assert "MOMENTS_PUBLIC_URL" in sent and "/export/" not in sent
