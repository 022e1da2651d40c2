"""The real Bolt app, signed requests, the in-memory store and a stand-in Slack Web API."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar
from urllib.parse import urlencode

import pytest
from multidict import CIMultiDict
from slack_bolt import App, BoltRequest, BoltResponse

from bot.domain import Moment, Platform
from bot.services import Actor, Services
from handlers.slack.app import SlackDoorApp, build_slack_door
from handlers.slack.settings import SlackSettings
from tests.fakes import FakeFiler, FixedClock, InMemoryStore
from tests.handlers.slack.fakes import InMemoryMessageCache, InMemoryRequestInbox
from tests.handlers.slack.stand_in import SlackApi, running

SECRET = "test-signing-secret"
MONDAY = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
_TRIGGERS = itertools.count(1000)
T = TypeVar("T")


@dataclass
class Slack:
    built: SlackDoorApp
    api: SlackApi
    services: Services
    store: InMemoryStore
    clock: FixedClock
    ws: int
    team_id: int

    @property
    def app(self) -> App:
        return self.built.app

    @property
    def requests(self) -> InMemoryRequestInbox:
        """The door's request inbox (claims, beats), shared by every replica built on ``services``."""
        inbox = self.built.inbox.requests
        assert isinstance(inbox, InMemoryRequestInbox)
        return inbox

    @property
    def messages(self) -> InMemoryMessageCache:
        """The door's cache of recent channel messages."""
        cache = self.built.door.recent.cache
        assert isinstance(cache, InMemoryMessageCache)
        return cache

    def sign(self, body: str, at: float | None = None) -> dict[str, str]:
        stamp = str(int(at if at is not None else time.time()))
        mac = hmac.new(SECRET.encode(), f"v0:{stamp}:{body}".encode(), hashlib.sha256).hexdigest()
        return {"x-slack-request-timestamp": stamp, "x-slack-signature": f"v0={mac}"}

    def post(self, body: str, content_type: str, headers: dict[str, str] | None = None) -> BoltResponse:
        """As the HTTP server hands a request over: the door's short way in for an event or a
        command, Bolt for the rest."""
        sent = {"content-type": content_type, **self.sign(body), **(headers or {})}
        taken = asyncio.run(self.built.acknowledge(body, CIMultiDict(sent)))
        return taken if taken is not None else self.app.dispatch(BoltRequest(body=body, headers=sent))

    def command(self, command: str, text: str, user: str = "U1", channel: str = "C1") -> BoltResponse:
        return self.post(command_body(self.api, command, text, user, channel),
                         "application/x-www-form-urlencoded")

    def event(self, event: dict[str, Any], event_id: str,
              headers: dict[str, str] | None = None) -> BoltResponse:
        return self.post(event_body(event, event_id), "application/json", headers)

    def interact(self, payload: dict[str, Any]) -> BoltResponse:
        body = urlencode({"payload": json.dumps({"team": {"id": "T1"}, "api_app_id": "A1", **payload})})
        return self.post(body, "application/x-www-form-urlencoded")

    def moments(self) -> list[Moment]:
        with self.store.transaction(self.ws) as repo:
            return repo.moments(self.team_id, include_retracted=True)

    def responses(self) -> list[dict[str, Any]]:
        return [c.args for c in self.api.named("response")]


def trigger_id() -> str:
    """Slack gives every command its own trigger id (the bot keys its claim of it on that)."""
    return f"{next(_TRIGGERS)}.2.{uuid.uuid4().hex[:10]}"


def command_body(api: SlackApi, command: str, text: str, user: str = "U1", channel: str = "C1") -> str:
    return urlencode({"command": command, "text": text, "team_id": "T1", "user_id": user,
                      "user_name": user.lower(), "channel_id": channel, "channel_name": "gate",
                      "trigger_id": trigger_id(), "response_url": api.response_url, "api_app_id": "A1"})


def event_body(event: dict[str, Any], event_id: str) -> str:
    return json.dumps({"token": "t", "team_id": "T1", "api_app_id": "A1", "event": event,
                       "type": "event_callback", "event_id": event_id, "event_time": 1})


def wait_for(check: Callable[[], T], timeout: float = 5.0) -> T:
    """Lazy listeners run after the ack, on the listener pool: wait for their effect."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the lazy listener")
        time.sleep(0.02)


def settle(slack: Slack, seconds: float = 0.3) -> None:
    """Give lazy listeners that should do nothing the time to do something wrong."""
    time.sleep(seconds)


@pytest.fixture
def api() -> Iterator[SlackApi]:
    with running() as stand_in:
        yield stand_in


@pytest.fixture
def slack(api: SlackApi) -> Iterator[Slack]:
    store = InMemoryStore()
    clock = FixedClock(MONDAY)
    services = Services(store=store, clock=clock, make_filer=FakeFiler)
    ws = store.workspace(platform=Platform.SLACK, external_id="T1").id
    team = services.journey.setup_team(workspace_id=ws, actor=Actor("ULEAD", "Lena"), channel="C1",
                                       name="Gate crew", template="airline")
    settings = SlackSettings(bot_token="xoxb-test", signing_secret=SECRET, api_url=api.url,
                             history_interval_seconds=0.0)
    built = build_slack_door(settings, services, requests=InMemoryRequestInbox(),
                             messages=InMemoryMessageCache())
    yield Slack(built, api, services, store, clock, ws, team.id)
    built.door.history.stop()
    built.door.sender.close()
