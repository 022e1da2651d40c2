"""Over real HTTP: the aiohttp server `moments serve` runs, with the Bolt app behind it."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import replace
from urllib.parse import urlencode

import pytest
from aiohttp import web

from bot.config import Settings
from handlers.server import build_web_app
from tests.slackapp.conftest import Slack, wait_for


@pytest.fixture
def server(slack: Slack) -> Iterator[str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = build_web_app(replace(Settings()), slack.services, slack.app)
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(app)
    loop.run_until_complete(runner.setup())
    loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", port).start())
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(10)
    loop.call_soon_threadsafe(loop.stop)


def post(url: str, body: str, headers: dict[str, str]) -> tuple[int, str]:
    req = urllib.request.Request(url, data=body.encode(), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()


def test_slash_command_over_http(slack: Slack, server: str) -> None:
    body = urlencode({"command": "/wow", "text": "#boarding lovely welcome from <@U02ANA7>",
                      "team_id": "T1", "user_id": "U1", "channel_id": "C1",
                      "response_url": slack.api.url + "response", "trigger_id": "1"})
    status, _ = post(f"{server}/slack/events", body,
                     {"Content-Type": "application/x-www-form-urlencoded", **slack.sign(body)})
    assert status == 200
    wait_for(slack.moments)
    assert slack.moments()[0].credited == ("U02ANA7",)
    forged = {"Content-Type": "application/x-www-form-urlencoded",
              **slack.sign(body.replace("lovely", "awful"))}
    assert post(f"{server}/slack/events", body.replace("U1", "U9"), forged)[0] == 401
    assert len(slack.moments()) == 1


def test_health_readiness_and_metrics(slack: Slack, server: str) -> None:
    with urllib.request.urlopen(f"{server}/healthz") as resp:
        assert json.loads(resp.read()) == {"ok": True}
    with urllib.request.urlopen(f"{server}/readyz") as resp:
        assert json.loads(resp.read())["database"] == "ok"
    with urllib.request.urlopen(f"{server}/metrics") as resp:
        text = resp.read().decode()
    assert "# TYPE moments_logged_total counter" in text or "http_requests_total" in text
