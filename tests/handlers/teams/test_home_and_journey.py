"""The Teams door's own forms through /api/messages and the production adapter: the personal
home card (``home``) and the leads' journey editor card (``journey``), with their buttons pressed
as Teams sends an Action.Submit: a message whose ``value`` is the button's data with every input
of the card merged in, replying to the card. Cards redrawn in place arrive at the connector as
updateActivity (PUT); what changed is said as a message."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp.test_utils import TestClient

from bot.domain import Touchpoint
from bot.services import Actor
from handlers.teams import ids
from tests.handlers.teams import activities as teams
from tests.handlers.teams.conftest import LENA as LENA_ACCOUNT
from tests.handlers.teams.conftest import World, key
from tests.handlers.teams.connector import Connector, connector_stand_in
from tests.handlers.teams.test_http_door import door

LENA = {"id": "29:lena", "name": "Lena", "aadObjectId": "aad-lena"}  # the team's lead (conftest)
Step = Callable[[dict[str, Any]], Awaitable[int]]


def drive(world: World, script: Callable[[Step, Connector], Awaitable[None]]) -> Connector:
    """Run ``script`` against one running door; each step POSTs one activity, returns the status."""
    with connector_stand_in() as connector:
        async def run() -> None:
            async with door(world) as client:
                await script(_poster(client), connector)
        asyncio.run(run())
    return connector


def _poster(client: TestClient) -> Step:
    async def post(body: dict[str, Any]) -> int:
        resp = await client.post("/api/messages", json=body)
        await resp.read()
        return resp.status
    return post


def card_in(body: dict[str, Any]) -> dict[str, Any]:
    [attachment] = body["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    content: dict[str, Any] = attachment["content"]
    return content


def walk(node: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        found.append(node)
        for value in node.values():
            found += walk(value)
    elif isinstance(node, list):
        for item in node:
            found += walk(item)
    return found


def pressed(card: dict[str, Any], action: str, *, slug: str = "", title: str = "",
            **typed: str) -> dict[str, Any]:
    """What Teams sends for the button: its data, and (for ``associatedInputs: auto``) every
    input's value as the person left it."""
    [button] = [n for n in walk(card) if n.get("type") == "Action.Submit"
                and n["data"][ids.ACTION] == action and n["data"].get(ids.JOURNEY_SLUG, "") == slug
                and n["title"].startswith(title)]
    value = dict(button["data"])
    if button.get("associatedInputs") == "auto":
        for n in walk(card):
            if str(n.get("type", "")).startswith("Input."):
                value[n["id"]] = typed.get(n["id"], n.get("value", ""))
    return value


def submit(url: str, where: str, value: dict[str, Any], reply_to: str, who: dict[str, str],
           n: int) -> dict[str, Any]:
    return teams.activity(url, where, "message", who=who, n=n, replyToId=reply_to, value=value)


def journey(world: World) -> list[Touchpoint]:
    return world.services.journey.touchpoints(workspace_id=world.ws, team_id=world.team.id)


def said(connector: Connector, since: int = 0) -> str:
    return "\n".join(str(body.get("text") or "") for _, body in connector.posts[since:])


def test_a_lead_adds_renames_and_moves_touchpoints_from_the_journey_card(world: World) -> None:
    before = [t.slug for t in journey(world)]
    seen: dict[str, Any] = {}

    async def script(post: Step, connector: Connector) -> None:
        url = connector.url
        assert await post(teams.message(url, "channel", "journey", who=LENA, n=1)) in (200, 201)
        [(_, sent)] = connector.posts
        card = card_in(sent)
        seen["opened"] = card
        add = pressed(card, ids.JOURNEY_SAVE, **{ids.TP_ADD_SLUG: "bag-drop", ids.TP_ADD_NAME: "Bag drop"})
        await post(submit(url, "channel", add, "sent-1", LENA, 2))
        seen["after add"] = said(connector, 1)
        [(path, redrawn)] = connector.updates
        assert path.endswith("/activities/sent-1")
        card = card_in(redrawn)
        rename = pressed(card, ids.JOURNEY_SAVE, **{ids.TP_NAME + "bag-drop": "Bag drop & oversize"})
        await post(submit(url, "channel", rename, "sent-1", LENA, 3))
        seen["after rename"] = said(connector, 2)
        card = card_in(connector.updates[-1][1])
        up = pressed(card, ids.JOURNEY_MOVE, slug="bag-drop", **{ids.TP_NAME + "boarding": "Gate"})
        posts = len(connector.posts)
        await post(submit(url, "channel", up, "sent-1", LENA, 4))
        seen["moved card"] = card_in(connector.updates[-1][1])
        seen["said on move"] = said(connector, posts)

    connector = drive(world, script)
    assert [n.get("label", "").split("#")[-1] for n in walk(seen["opened"]) if n.get("type") == "Input.Text"
            and n["id"].startswith(ids.TP_NAME)] == before
    assert "Added touchpoint" in seen["after add"] and "bag-drop" in seen["after add"]
    assert "is now called" in seen["after rename"] and "Bag drop & oversize" in seen["after rename"]
    now = journey(world)
    assert [t.slug for t in now] == [*before[:-1], "bag-drop", before[-1]]  # moved up one place
    assert next(t for t in now if t.slug == "bag-drop").name == "Bag drop & oversize"
    assert next(t for t in now if t.slug == "boarding").name == "Boarding"  # typed, not saved
    inputs = {n["id"]: n.get("value") for n in walk(seen["moved card"]) if "id" in n}
    assert inputs[ids.TP_NAME + "boarding"] == "Gate"  # the redrawn card keeps what was typed
    assert seen["said on move"] == ""  # a move redraws the card and says nothing
    assert len(connector.updates) == 3 and "Traceback" not in connector.texts()


def test_a_lead_retires_a_touchpoint_and_a_bad_id_is_explained_without_losing_the_rest(world: World) -> None:
    async def script(post: Step, connector: Connector) -> None:
        url = connector.url
        await post(teams.message(url, "personal", "moments journey", who=LENA, n=1))
        card = card_in(connector.posts[0][1])
        value = pressed(card, ids.JOURNEY_SAVE, **{ids.TP_RETIRE + "flight": "true",
                                                    ids.TP_ADD_SLUG: "Bag Drop!"})
        await post(submit(url, "personal", value, "sent-1", LENA, 2))

    connector = drive(world, script)
    assert "can't be a touchpoint id" in said(connector, 1)
    assert "flight" in [t.slug for t in journey(world)]  # nothing after the refusal was done
    inputs = {n["id"]: n.get("value") for n in walk(card_in(connector.updates[-1][1])) if "id" in n}
    assert inputs[ids.TP_RETIRE + "flight"] == "true" and inputs[ids.TP_ADD_SLUG] == "Bag Drop!"


def test_a_colleague_who_is_no_lead_is_refused_kindly_and_nothing_changes(world: World) -> None:
    before = [(t.slug, t.name) for t in journey(world)]

    async def script(post: Step, connector: Connector) -> None:
        url = connector.url
        await post(teams.message(url, "channel", "journey", n=1))  # Sam
        await post(teams.message(url, "channel", "journey", who=LENA, n=2))
        card = card_in(connector.posts[1][1])
        value = pressed(card, ids.JOURNEY_SAVE, **{ids.TP_NAME + "boarding": "Sam's gate"})
        await post(submit(url, "channel", value, "sent-2", teams.SAM, 3))
        await post(submit(url, "channel", pressed(card, ids.JOURNEY_MOVE, slug="boarding", title="↑"),
                          "sent-2",
                          teams.SAM, 4))

    connector = drive(world, script)
    refusals = [str(body.get("text")) for _, body in connector.posts if not body.get("attachments")]
    assert len(refusals) == 3
    assert all("Only the team's leads" in r and "moments leads add" in r for r in refusals)
    assert [(t.slug, t.name) for t in journey(world)] == before
    assert connector.updates == []  # the lead's card stays as the lead left it


def test_a_leads_touchpoint_list_has_the_button_that_opens_the_editor(world: World) -> None:
    async def script(post: Step, connector: Connector) -> None:
        url = connector.url
        await post(teams.message(url, "channel", "moments touchpoints", n=1))  # Sam: no lead
        await post(teams.message(url, "channel", "moments touchpoints", who=LENA, n=2))
        listed = card_in(connector.posts[1][1])
        await post(submit(url, "channel", pressed(listed, ids.JOURNEY_OPEN), "sent-2", LENA, 3))

    connector = drive(world, script)
    member, lead, editor = (body for _, body in connector.posts)
    assert "customer journey" in member["text"] and not member.get("attachments")
    assert "customer journey" in json.dumps(card_in(lead), ensure_ascii=False)
    inputs = [n["id"] for n in walk(card_in(editor)) if str(n.get("id", "")).startswith(ids.TP_NAME)]
    assert inputs == [ids.TP_NAME + t.slug for t in journey(world)]
    assert connector.updates == []  # the list stays; the editor comes below it


def test_a_long_journey_is_edited_a_page_at_a_time(world: World) -> None:
    for n in range(30):
        world.services.journey.add_touchpoint(workspace_id=world.ws, team_id=world.team.id,
                                              actor=Actor(key(LENA_ACCOUNT), "Lena"), slug=f"extra-{n:02d}",
                                              name=f"Extra {n}")
    slugs: list[str] = []

    async def script(post: Step, connector: Connector) -> None:
        url = connector.url
        await post(teams.message(url, "channel", "journey", who=LENA, n=1))
        card = card_in(connector.posts[0][1])
        for n in range(2, 12):
            slugs.extend(i["id"].removeprefix(ids.TP_NAME) for i in walk(card)
                         if str(i.get("id", "")).startswith(ids.TP_NAME))
            turns = [a for a in walk(card) if a.get("type") == "Action.Submit"
                     and a["data"][ids.ACTION] == ids.JOURNEY_PAGE and a["title"].startswith("Next")]
            if not turns:
                break
            await post(submit(url, "channel", dict(turns[0]["data"]), "sent-1", LENA, n))
            card = card_in(connector.updates[-1][1])

    drive(world, script)
    assert slugs == [t.slug for t in journey(world)] and len(slugs) == 38


# the personal home


def test_home_in_a_personal_chat_shows_my_moments_and_the_thanks_of_colleagues(world: World) -> None:
    async def script(post: Step, connector: Connector) -> None:
        url = connector.url
        await post(teams.message(url, "channel", "ow the check-in queue took an hour", who=teams.OMAR,
                                 n=1))  # Omar has talked to the bot: his mention is known as him
        await post(teams.message(url, "channel", "wow <at>Omar</at> found a wheelchair for the late "
                                 "passenger", mentioned=((teams.OMAR, "<at>Omar</at>"),), n=2))
        await post(teams.message(url, "channel", "home", who=teams.OMAR, n=3))
        await post(teams.message(url, "personal", "home", who=teams.OMAR, n=4))

    connector = drive(world, script)
    in_channel, home = connector.posts[2][1], connector.posts[3][1]
    assert "personal chat" in in_channel["text"] and not in_channel.get("attachments")
    assert home["conversation"]["id"] == teams.conversation("personal", teams.OMAR)["id"]
    shown = "\n".join(n["text"] for n in walk(card_in(home)) if n.get("type") == "TextBlock")
    assert "Gate crew: your Moments" in shown
    mine, thanked = shown.split("Your recent moments")[1].split("Colleagues thanked you")
    assert "the check-in queue took an hour" in mine and "wheelchair" not in mine
    assert "“Omar found a wheelchair for the late passenger” — Sam" in thanked  # named, not @key
    assert "The team's week" in shown


def test_the_home_opens_the_weeks_prompt_to_vote_on_and_refreshes_in_place(world: World) -> None:
    async def script(post: Step, connector: Connector) -> None:
        url = connector.url
        for n, text in enumerate(("ow the boarding queue was chaotic", "ow boarding gate changed"), 1):
            await post(teams.message(url, "channel", text, who=teams.OMAR, n=n))
        await post(teams.message(url, "channel", "moments prompt", who=LENA, n=3))
        await post(teams.message(url, "personal", "home", n=4))
        home = card_in(connector.posts[-1][1])
        await post(submit(url, "personal", pressed(home, ids.HOME_PROMPT), "sent-4", teams.SAM, 5))
        await post(submit(url, "personal", pressed(home, ids.HOME_REFRESH), "sent-4", teams.SAM, 6))

    connector = drive(world, script)
    home = json.dumps(card_in(connector.posts[3][1]), ensure_ascii=False)
    assert "This week's question" in home and "Boarding" in home
    prompt = json.dumps(card_in(connector.posts[4][1]), ensure_ascii=False)
    assert "Your proposal" in prompt and '"moments_action": "propose"' in prompt
    [(path, _)] = connector.updates
    assert path.endswith("/activities/sent-4")
