from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode

import pytest
from slack_bolt import App, BoltRequest, BoltResponse

from bot.config import Settings
from bot.domain import Platform
from bot.services import Actor, Services
from handlers.slackapp.app import build_slack_app
from tests.fakes import FakeFiler, FixedClock, InMemoryStore
from tests.slackapp.stand_in import SlackStandIn, start

SECRET = "test-signing-secret"


@dataclass
class Slack:
    app: App
    api: SlackStandIn
    services: Services
    store: InMemoryStore
    ws: int
    team_id: int

    def sign(self, body: str, ts: int | None = None) -> dict[str, str]:
        stamp = str(ts if ts is not None else int(time.time()))
        mac = hmac.new(SECRET.encode(), f"v0:{stamp}:{body}".encode(), hashlib.sha256).hexdigest()
        return {"x-slack-request-timestamp": stamp, "x-slack-signature": f"v0={mac}"}

    def post(self, body: str, content_type: str, headers: dict[str, str] | None = None) -> BoltResponse:
        all_headers = {"content-type": content_type, **self.sign(body), **(headers or {})}
        return self.app.dispatch(BoltRequest(body=body, headers=all_headers))

    def command(self, command: str, text: str, user: str = "U1", channel: str = "C1") -> BoltResponse:
        body = urlencode({"command": command, "text": text, "team_id": "T1", "user_id": user,
                          "user_name": user.lower(), "channel_id": channel, "channel_name": "gate",
                          "trigger_id": "1.2.3", "response_url": self.api.url + "response",
                          "api_app_id": "A1"})
        return self.post(body, "application/x-www-form-urlencoded")

    def event(self, event: dict[str, Any], event_id: str = "Ev1",
              headers: dict[str, str] | None = None) -> BoltResponse:
        body = json.dumps({"token": "t", "team_id": "T1", "api_app_id": "A1", "event": event,
                           "type": "event_callback", "event_id": event_id, "event_time": 1})
        return self.post(body, "application/json", headers)

    def interact(self, payload: dict[str, Any]) -> BoltResponse:
        payload = {"team": {"id": "T1"}, "api_app_id": "A1", **payload}
        body = urlencode({"payload": json.dumps(payload)})
        return self.post(body, "application/x-www-form-urlencoded")

    def moments(self) -> list[Any]:
        with self.store.transaction(self.ws) as repo:
            return repo.moments(self.team_id, include_retracted=True)


def wait_for(check: Callable[[], Any], timeout: float = 5.0) -> Any:
    """Lazy listeners run after the ack, in threads: wait for their effect."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.02)
    raise AssertionError("timed out waiting for the lazy listener")


@pytest.fixture
def slack() -> Iterator[Slack]:
    api, server = start()
    store = InMemoryStore()
    services = Services(store=store, clock=FixedClock(), make_filer=FakeFiler)
    ws = store.workspace(platform=Platform.SLACK, external_id="T1").id
    team = services.journey.setup_team(workspace_id=ws, actor=Actor("ULEAD", "Lena"), channel="C1",
                                       name="Gate crew", template="airline")
    settings = replace(Settings(), slack_signing_secret=SECRET, slack_bot_token="xoxb-test",
                       slack_api_url=api.url, slack_history_interval_seconds=0.0)
    app = build_slack_app(settings, services)
    yield Slack(app, api, services, store, ws, team.id)
    server.shutdown()
