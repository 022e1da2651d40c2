"""The first five minutes in Teams, POSTed to /api/messages through the production adapter: the
bot added to a group chat posts one welcome with the setup form; ``wow ...`` there before setup
is kept; the form's submit makes the team and files the moment; a personal chat by someone in
two teams asks which (remembered)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from bot.services import Actor
from bot.views import CHOOSE_TEAM, SET_UP
from handlers.teams import ids
from tests.handlers.schemas.platform import card_schema, card_size, schema_errors
from tests.handlers.teams import activities as teams
from tests.handlers.teams.conftest import World
from tests.handlers.teams.connector import Connector, connector_stand_in
from tests.handlers.teams.test_http_door import post_all

GROUP = teams.GROUP_CHAT
SAM = "aad-sam"


def cards_posted(connector: Connector) -> list[dict[str, Any]]:
    return [a["content"] for _, body in connector.posts for a in body.get("attachments") or []
            if a.get("contentType") == "application/vnd.microsoft.card.adaptive"]


def inputs(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["id"]: e for e in card["body"] if str(e.get("type", "")).startswith("Input.")}


def submits(card: dict[str, Any]) -> list[dict[str, Any]]:
    return [a for a in card.get("actions") or [] if a["type"] == "Action.Submit"]


def waiting(world: World, channel: str = GROUP) -> list[Any]:
    with world.store.transaction(world.ws) as repo:
        return repo.waiting_in(channel)


def test_the_bot_added_to_a_group_chat_posts_one_welcome_with_the_setup_form(world: World) -> None:
    with connector_stand_in() as connector:
        added = teams.members_added(connector.url, "group", n=1)
        added["conversation"]["name"] = "Night shift"
        added["localTimezone"] = "Europe/Oslo"
        again = teams.members_added(connector.url, "group", n=2)  # removed and added back
        answers = asyncio.run(post_all(world, [added, again]))
    assert [status for status, _ in answers] == [201, 201]
    [card] = cards_posted(connector)
    assert schema_errors(card, card_schema(card)) == [] and card_size(card) < 28 * 1024
    form = inputs(card)
    assert form[ids.SETUP_NAME]["value"] == "Night shift"
    assert form[ids.SETUP_TIMEZONE]["value"] == "Europe/Oslo"
    assert form[ids.SETUP_TEMPLATE]["value"] == "airline"  # what the tenant's teams use
    [button] = submits(card)
    assert button["data"][ids.ACTION] == SET_UP and "Moments" in json.dumps(card)


def test_a_wow_before_setup_is_kept_and_the_forms_submit_files_it(world: World) -> None:
    with connector_stand_in() as connector:
        url = connector.url
        [(status, _)] = asyncio.run(post_all(world, [
            teams.message(url, "group", "wow Omar rebooked a family, call +46 70 123 45 67", n=1)]))
        assert status in (200, 201)
        [card] = cards_posted(connector)
        assert "Saved" in json.dumps(card) and "14 days" in json.dumps(card)
        [kept] = waiting(world)
        assert "123 45 67" not in kept.text
        [button] = submits(card)
        data = {**button["data"], ids.SETUP_NAME: "Night shift", ids.SETUP_TEMPLATE: "hotel",
                ids.SETUP_TIMEZONE: "Europe/Oslo"}  # what Teams sends: the data and the inputs
        [(status, _)] = asyncio.run(post_all(world, [
            teams.card_submit(url, "group", data, reply_to="sent-1", n=2)]))
        assert status in (200, 201)
    team = world.services.journey.team_for_channel(workspace_id=world.ws, channel=GROUP)
    assert team is not None and (team.name, team.template, team.timezone) == (
        "Night shift", "hotel", "Europe/Oslo")
    assert team.leads == (SAM,)
    with world.store.transaction(world.ws) as repo:
        [moment] = repo.moments(team.id)
    assert moment.reporter_id == SAM and "123 45 67" not in moment.text
    assert "Filed 1 moment" in connector.texts() and waiting(world) == []


def test_a_personal_chat_by_someone_in_two_teams_asks_which_and_remembers(world: World) -> None:
    onboarding = world.services.onboarding
    first = onboarding.set_up(workspace_id=world.ws, actor=Actor(SAM), channel=GROUP, name="Night shift")
    onboarding.set_up(workspace_id=world.ws, actor=Actor(SAM), channel="19:ramp@thread.tacv2",
                      name="Ramp")
    with connector_stand_in() as connector:
        url = connector.url
        asyncio.run(post_all(world, [teams.message(url, "personal", "wow the night shift found a pram",
                                                   n=1)]))
        [card] = cards_posted(connector)
        choices = {a["title"]: a["data"] for a in submits(card)}
        assert set(choices) == {"Night shift", "Ramp"}
        assert {d[ids.ACTION] for d in choices.values()} == {CHOOSE_TEAM}
        asyncio.run(post_all(world, [
            teams.card_submit(url, "personal", choices["Night shift"], reply_to="sent-1", n=2),
            teams.message(url, "personal", "wow and again the next night", n=3)]))
    assert "From now on" in connector.texts()
    with world.store.transaction(world.ws) as repo:
        filed = repo.moments(first.team.id)
        assert repo.chosen_team(SAM) == first.team.id
    assert sorted(m.text for m in filed) == ["and again the next night", "the night shift found a pram"]
