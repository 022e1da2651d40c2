"""The whole organisation through the Teams door: activities POSTed to /api/messages through the
production adapter. An admin sets up the organisation channel in the channel itself, or names it
with a channel mention from another channel of the Teams team; a sibling
team's standard appears in the prompt card and is adopted with its Adopt button, keeping its
origin; the organisation digest reaches the channel once a week as a card with its chart."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.config import Settings
from bot.domain import Member, MomentKind, Source
from bot.services import Actor
from handlers.scheduled import tick
from handlers.teams import ids
from handlers.teams.notifier import TeamsNotifier
from handlers.teams.web import make_adapter
from tests.handlers.schemas.platform import CARD_LIMIT, card_schema, card_size, schema_errors
from tests.handlers.teams import activities as teams
from tests.handlers.teams.conftest import CHANNEL, World
from tests.handlers.teams.connector import connector_stand_in
from tests.handlers.teams.test_http_door import post_all

ORG = "19:all-sites@thread.tacv2"
ARLANDA = "19:arlanda@thread.tacv2"
ADA = {"id": "29:ada", "name": "Ada", "aadObjectId": "aad-ada"}  # a tenant admin
ALL_SITES = {"id": ORG, "name": "All sites"}  # a channel mention's entity names the channel
LENA = {"id": "29:lena", "name": "Lena", "aadObjectId": "aad-lena"}  # Gate crew's lead
SECRET = "zebra-secret the queue at check-in took forty minutes"
FRIDAY_EVENING = datetime(2026, 11, 27, 16, 5, tzinfo=UTC)  # 17:05 in Stockholm, week 48


def in_channel(body: dict[str, Any], channel: str) -> dict[str, Any]:
    """A channel activity as Teams sends it from another channel of the tenant."""
    text = json.dumps(body).replace(CHANNEL, channel)
    moved: dict[str, Any] = json.loads(text)
    return moved


def said(posts: list[tuple[str, dict[str, Any]]]) -> str:
    return "\n".join(json.dumps(body, ensure_ascii=False) for _, body in posts)


def adopt_at_arlanda(world: World) -> int:
    """Arlanda's week, through the services: an OW, a proposal, a vote, the standard."""
    services, ws = world.services, world.ws
    arn = services.journey.setup_team(workspace_id=ws, actor=Actor("aad-alex", "Alex"),
                                      channel=ARLANDA, name="Arlanda gate crew", template="airline",
                                      timezone="Europe/Stockholm")
    services.moments.report(workspace_id=ws, channel=ARLANDA, actor=Actor("aad-rita"),
                            kind=MomentKind.OW,
                            text=f"#check-in {SECRET}", source=Source.TEAMS)
    prompt, _ = services.weekly.open_prompt(workspace_id=ws, team_id=arn.id)
    proposal = services.weekly.propose(workspace_id=ws, prompt_id=prompt.id, actor=Actor("aad-rita"),
                                       text="Open the spare desk at ten people", touchpoint="check-in")
    return services.weekly.adopt(workspace_id=ws, proposal_id=proposal.id,
                                 actor=Actor("aad-alex")).id


def test_an_admin_sets_up_the_organisation_channel_in_the_channel_itself(world: World) -> None:
    with world.store.transaction(world.ws) as repo:
        repo.save_member(Member("aad-ada", "Ada", is_admin=True))
    with connector_stand_in() as connector:
        url = connector.url
        answers = asyncio.run(post_all(world, [
            in_channel(teams.message(url, "channel", "moments org setup", n=1), ORG),
            in_channel(teams.message(url, "channel", "moments org setup", who=ADA, n=2), ORG),
            teams.message(url, "channel", "moments org setup", who=ADA, n=3),
        ]))
    assert all(status in (200, 201) for status, _ in answers)
    replies = [said([p]) for p in connector.posts]
    assert "Only workspace admins" in replies[0]
    assert "The organisation digest goes to #19:all-sites@thread.tacv2" in replies[1]
    assert "is the channel of the team Gate crew" in replies[2]
    org = world.services.org.org(workspace_id=world.ws)
    assert org is not None and org.channel == ORG and org.timezone == "Europe/Stockholm"
    assert world.reference(ORG) is not None  # so the weekly digest can be posted there


def test_a_siblings_standard_is_in_the_prompt_card_and_adopted_with_its_button(world: World) -> None:
    origin = adopt_at_arlanda(world)
    world.clock.advance(timedelta(weeks=1))
    with connector_stand_in() as connector:
        url = connector.url
        asyncio.run(post_all(world, [
            teams.message(url, "channel", "ow #check-in an hour in the queue", n=1),
            teams.message(url, "channel", "moments prompt", who=LENA, n=2)]))
        card = connector.posts[-1][1]["attachments"][0]["content"]
        shown = json.dumps(card, ensure_ascii=False)
        assert "Arlanda gate crew adopted this" in shown and "Open the spare desk" in shown
        assert "zebra-secret" not in shown and "aad-rita" not in shown
        assert schema_errors(card, card_schema(card)) == []
        [adopt] = [a for a in _submits(card) if a["data"].get(ids.ACTION) == "adopt"]
        asyncio.run(post_all(world, [
            teams.activity(url, "channel", "message", who=LENA, n=3, replyToId="1700000000002",
                           value=adopt["data"])]))
        assert "First adopted by Arlanda gate crew." in said(connector.posts[-1:])
    [standard] = world.services.weekly.standards(workspace_id=world.ws, team_id=world.team.id)
    assert standard.origin_id == origin


def test_the_organisation_digest_reaches_the_channel_once_as_a_card_with_its_chart(
        world: World) -> None:
    with world.store.transaction(world.ws) as repo:
        repo.save_member(Member("aad-ada", "Ada", is_admin=True))
    adopt_at_arlanda(world)
    world.clock.advance(timedelta(weeks=1))
    with connector_stand_in() as connector:
        url = connector.url
        asyncio.run(post_all(world, [
            teams.message(url, "channel", "ow #boarding zebra-secret the gate changed twice", n=1),
            teams.message(url, "channel", 'moments org setup <at>All sites</at> at="fri 17:00"',
                          who=ADA, mentioned=((ALL_SITES, "<at>All sites</at>"),), n=2)]))
        assert "The organisation digest goes to #All sites" in said(connector.posts[-1:])
        org = world.services.org.org(workspace_id=world.ws)
        assert org is not None and (org.channel, org.name) == (ORG, "All sites")
        with world.store.transaction(world.ws) as repo:  # a channel is nobody's name
            assert repo.member("19.all-sites.thread.tacv2") is None
        shared = json.loads(world.reference(ORG) or "{}")  # made from the Gate crew channel's
        assert shared["conversation"]["id"] == ORG and shared["serviceUrl"] == url
        world.clock.set(FRIDAY_EVENING)
        notifier = TeamsNotifier(make_adapter(Settings()), world.store,
                                 conversations=world.conversations)
        before = len(connector.posts)
        for _ in range(3):
            tick(world.services, notifier, workers=1)
        digests = [(path, body) for path, body in connector.posts[before:]
                   if path == f"/v3/conversations/{ORG}/activities"]
    [(_, activity)] = digests
    card = activity["attachments"][0]["content"]
    shown = json.dumps(card, ensure_ascii=False)
    assert "organisation digest, 2026-W48" in shown and "Arlanda gate crew" in shown
    assert any(e.get("type") == "Image" and e["url"].startswith("data:image/png;base64,")
               for e in card["body"])
    assert schema_errors(card, card_schema(card)) == [] and card_size(card) <= CARD_LIMIT
    for secret in ("zebra-secret", "aad-rita", "aad-sam", "Alex"):
        assert secret not in shown


def _submits(card: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "Action.Submit":
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card)
    return found


def test_an_admin_named_by_the_operator_sets_up_the_organisation_channel(world: World) -> None:
    """Teams tells a bot nobody's role: MOMENTS_TEAMS_ADMINS names the tenant's admins."""
    settings = Settings.from_env({"MOMENTS_TEAMS_EMULATOR": "1", "MOMENTS_TEAMS_ADMINS": " AAD-Ada , x"})
    assert settings.teams_admins == frozenset({"aad-ada", "x"})
    with connector_stand_in() as connector:
        url = connector.url
        answers = asyncio.run(post_all(world, [
            in_channel(teams.message(url, "channel", "moments org setup", who=LENA, n=1), ORG),
            in_channel(teams.message(url, "channel", "moments org setup", who=ADA, n=2), ORG),
        ], settings=settings))
    assert all(status in (200, 201) for status, _ in answers)
    replies = [said([p]) for p in connector.posts]
    assert "Only workspace admins" in replies[0]
    assert "The organisation digest goes to" in replies[1]
    org = world.services.org.org(workspace_id=world.ws)
    assert org is not None and org.channel == ORG
