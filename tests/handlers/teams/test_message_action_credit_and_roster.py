"""Review fixes in the Teams door.

A: the "Log as a moment" submit cannot rename anyone or re-point a colleague's account id to
another person's AAD id: the author comes from Teams' messagePayload, the card's author is kept
only if it can be a person's key, and the card's author name is never stored.

B: roster look-ups for mentioned strangers run together under one budget, and an account Teams
would not tell about is not asked again on the next turns.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import unquote

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from botbuilder.schema import ChannelAccount  # type: ignore[import-untyped]

from bot.config import Settings
from bot.domain import Moment
from handlers.teams import ids
from handlers.teams import roster as teams_roster
from handlers.teams.reading import alias_key, is_person_key
from handlers.teams.web import add_teams_routes
from tests.handlers.teams.conftest import SAM, TENANT, World, channel_conversation, key, message
from tests.handlers.teams.connector import connector_stand_in, mentioning, serving

ANA = ChannelAccount(id="29:ana", name="Ana", aad_object_id="aad-ana")
BO = ChannelAccount(id="29:bo", name="Bo", aad_object_id="aad-bo")
ANA_MENTIONED = ChannelAccount(id="29:ana", name="Ana")  # as a mention entity shows her


def moments(world: World) -> list[Moment]:
    with world.store.transaction(world.ws) as repo:
        return repo.moments(world.team.id, include_retracted=True)


def names(world: World, *user_ids: str) -> dict[str, str]:
    return world.services.capture.names(workspace_id=world.ws, user_ids=list(user_ids))


def log_submit(data: dict[str, Any], who: ChannelAccount = SAM,
               payload: dict[str, Any] | None = None) -> Any:
    """The composeExtension/submitAction invoke of the "Log as a moment" dialog."""
    activity = message("", who, conversation=channel_conversation())
    value: dict[str, Any] = {"commandId": ids.LOG_COMMAND, "commandContext": "message", "data": data}
    if payload is not None:
        value["messagePayload"] = payload
    activity.type, activity.name, activity.value = "invoke", "composeExtension/submitAction", value
    return activity


FORGED = {ids.LOG_TEXT: "helped a passenger", ids.LOG_KIND: "wow", ids.LOG_REF: "1700000009",
          ids.LOG_AUTHOR: "teams-account:29:ana", ids.LOG_AUTHOR_NAME: "aad-sam"}
SAMS_OWN_MESSAGE = {"id": "1700000009", "body": {"contentType": "html", "content": "<p>Helped!</p>"},
                    "from": {"user": {"id": "aad-sam", "displayName": "Sam"}}}
OMARS_MESSAGE = {"id": "1700000009", "body": {"contentType": "html", "content": "<p>Helped!</p>"},
                 "from": {"user": {"id": "aad-omar", "displayName": "Omar"}}}


# A: a forged "Log as a moment" submit

@pytest.mark.parametrize("payload", [None, SAMS_OWN_MESSAGE, OMARS_MESSAGE],
                         ids=["no-payload", "payload-sam", "payload-omar"])
def test_a_forged_log_submit_cannot_re_point_anas_mentions_to_sam(
        world: World, payload: dict[str, Any] | None) -> None:
    world.turn(message("moments help", ANA))  # the bot has seen Ana: 29:ana is aad-ana
    assert names(world, alias_key("29:ana")) == {alias_key("29:ana"): "aad-ana"}

    world.turn(log_submit(FORGED, SAM, payload))  # Sam forges the card's author and name

    assert names(world, alias_key("29:ana")) == {alias_key("29:ana"): "aad-ana"}
    [logged] = moments(world)
    assert logged.reporter_id == key(SAM)
    assert logged.credited == (("aad-omar",) if payload is OMARS_MESSAGE else ())

    world.turn(message("wow <at>Ana</at> rebooked a stranded family", BO, mentions=(ANA_MENTIONED,)))
    [wow] = [m for m in moments(world) if m.reporter_id == key(BO)]
    assert wow.credited == ("aad-ana",)
    assert names(world, "aad-ana", "aad-sam") == {"aad-ana": "Ana", "aad-sam": "Sam"}


@pytest.mark.parametrize("author", ["teams-account:29:ana", "29:ana", "aad ana", "", "x" * 200,
                                    "-leading-dash", "a/b"])
def test_an_implausible_author_from_the_card_is_not_credited(world: World, author: str) -> None:
    world.turn(log_submit(dict(FORGED, **{ids.LOG_AUTHOR: author, ids.LOG_AUTHOR_NAME: "Mallory"})))
    [logged] = moments(world)
    assert logged.credited == ()
    assert names(world, author, "aad-sam") == {"aad-sam": "Sam"}


def test_without_a_payload_the_cards_author_is_credited_but_its_name_is_not_stored(
        world: World) -> None:
    world.turn(message("moments help", ANA))
    [reply] = world.turn(log_submit(dict(FORGED, **{ids.LOG_AUTHOR: "aad-ana",
                                                    ids.LOG_AUTHOR_NAME: "Sam the great"})))
    [logged] = moments(world)
    assert logged.credited == ("aad-ana",)
    assert names(world, "aad-ana") == {"aad-ana": "Ana"}
    assert "Sam the great" not in json.dumps(reply.value.body, ensure_ascii=False)


def test_the_payload_author_wins_over_the_cards(world: World) -> None:
    world.turn(log_submit(dict(FORGED, **{ids.LOG_AUTHOR: "aad-ana", ids.LOG_AUTHOR_NAME: "Ana"}),
                          SAM, OMARS_MESSAGE))
    [logged] = moments(world)
    assert logged.credited == ("aad-omar",)
    assert names(world, "aad-omar", "aad-ana") == {"aad-omar": "Omar"}


def test_is_person_key() -> None:
    assert is_person_key("aad-ana") and is_person_key("29.ana")
    assert is_person_key("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0")
    for bad in ("", "teams-account:29:ana", "29:ana", "a b", "x" * 129):
        assert not is_person_key(bad), bad


# B: look-ups for mentioned strangers, together, under one budget, failures remembered

@dataclass
class SlowRoster:
    url: str = ""
    delay: float = 0.0
    member_lookups: list[str] = field(default_factory=list)
    conversations: list[str] = field(default_factory=list)  # the conversation of each look-up
    posts: int = 0


@contextmanager
def slow_roster(delay: float) -> Iterator[SlowRoster]:
    """A connector stand-in whose members GET answers 404, the first time for a message and
    member only after ``delay`` seconds (urllib3's retries of a timed-out GET get it at once)."""
    state = SlowRoster(delay=delay)
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with lock:
                state.posts += 1
            self._answer(200, {"id": f"sent-{state.posts}"})

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            path = unquote(self.path.split("?", 1)[0])
            conversation, found, member_id = path.partition("/members/")
            if found:
                with lock:
                    first = (conversation, member_id) not in zip(state.conversations,
                                                                 state.member_lookups, strict=True)
                    state.member_lookups.append(member_id)
                    state.conversations.append(conversation)
                if first:
                    time.sleep(state.delay)
            self._answer(404, {"error": {"code": "MemberNotFoundInConversation", "message": "no"}})

        def _answer(self, status: int, body: dict[str, Any]) -> None:
            payload = json.dumps(body).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except OSError:  # the bot stopped waiting: fine
                pass

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet tests
            pass

    with serving(Handler) as state.url:
        yield state


STRANGERS = [{"id": f"29:stranger-{i}", "name": f"Stranger {i}"} for i in range(6)]


def activity_json(service_url: str, n: int, mentioned: list[dict[str, str]]) -> dict[str, Any]:
    tags = " ".join(f"<at>{m['name']}</at>" for m in mentioned)
    return mentioning(service_url, f"wow {tags} kept the gate calm ({n})", mentioned, n)


async def post_timed(world: World, bodies: list[dict[str, Any]],
                     between: Any = None) -> tuple[list[int], list[float], Any]:
    """Post each body through the real door; the statuses, the seconds each took, and the bot."""
    app = web.Application()
    door = add_teams_routes(app, Settings(teams_emulator=True), world.services,
                            conversations=world.conversations)
    statuses, took = [], []
    async with TestClient(TestServer(app)) as client:
        for i, body in enumerate(bodies):
            if between is not None and i:
                between(door.bot)
            start = time.monotonic()
            resp = await client.post("/api/messages", json=body)
            took.append(time.monotonic() - start)
            statuses.append(resp.status)
    return statuses, took, door.bot


def expected_credits() -> tuple[str, ...]:
    return tuple(m["id"].replace(":", ".") for m in STRANGERS)


def test_slow_look_ups_for_six_strangers_share_one_budget_and_are_not_repeated(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    budget = 0.3
    monkeypatch.setattr(teams_roster, "MEMBER_LOOKUP_SECONDS", budget)
    with slow_roster(delay=1.0) as roster:
        bodies = [activity_json(roster.url, n, STRANGERS) for n in (1, 2)]
        statuses, took, bot = asyncio.run(post_timed(world, bodies))
    assert all(status in (200, 201) for status in statuses)
    # one budget for all six (one after another it was 6 x the budget, and 6 x 5 s live)
    assert took[0] < budget + 0.8, took
    assert took[1] < 0.5, took
    assert set(roster.member_lookups) <= {m["id"] for m in STRANGERS}
    assert roster.conversations and not [c for c in roster.conversations
                                         if c.endswith("170000000002")]  # the second asked nobody
    assert {a for _ws, a in bot.door.roster._lookup_failed} == {m["id"] for m in STRANGERS}
    assert [m.credited for m in moments(world)] == [expected_credits()] * 2  # the account ids


def test_404s_are_remembered_and_asked_again_after_ten_minutes(world: World) -> None:
    def ten_minutes_later(bot: Any) -> None:
        for k in list(bot.door.roster._lookup_failed):
            bot.door.roster._lookup_failed[k] -= teams_roster.LOOKUP_FAILURE_SECONDS + 1

    with connector_stand_in() as connector:
        bodies = [activity_json(connector.url, n, STRANGERS) for n in (1, 2)]
        statuses, _took, _bot = asyncio.run(post_timed(world, bodies))
        assert sorted(connector.member_lookups) == sorted(m["id"] for m in STRANGERS)
        connector.member_lookups.clear()
        asyncio.run(post_timed(world, bodies, between=ten_minutes_later))
    assert all(status in (200, 201) for status in statuses)
    # a new door (a restart) asks once; ten minutes on, the same door asks again
    assert sorted(connector.member_lookups) == sorted([m["id"] for m in STRANGERS] * 2)
    assert all(m.credited == expected_credits() for m in moments(world))


def test_a_stranger_found_among_failures_is_still_credited_by_aad_id(world: World) -> None:
    with connector_stand_in() as connector:
        connector.members["29:stranger-2"] = {"id": "29:stranger-2", "name": "Zoe Berg",
                                              "aadObjectId": "aad-zoe", "tenantId": TENANT}
        statuses, _took, bot = asyncio.run(post_timed(world, [activity_json(connector.url, 1,
                                                                            STRANGERS)]))
    assert all(status in (200, 201) for status in statuses)
    [m] = moments(world)
    assert "aad-zoe" in m.credited and "29.stranger-0" in m.credited
    assert (world.ws, "29:stranger-2") not in bot.door.roster._lookup_failed
    assert (world.ws, "29:stranger-0") in bot.door.roster._lookup_failed
