"""Over real HTTP into the aiohttp server that `moments serve` runs, with the Bolt app behind it."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest
from aiohttp import web
from slack_bolt import App

from bot.config import Settings
from bot.services import Services
from handlers.observability import _Context
from handlers.server import build_web_app
from handlers.slack.app import SlackDoorApp
from tests.handlers.slack.conftest import Slack, command_body, event_body, wait_for


def serve(services: Services, app: App | SlackDoorApp) -> Iterator[str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    runner = web.AppRunner(build_web_app(Settings(), services, app))
    loop = asyncio.new_event_loop()
    loop.run_until_complete(runner.setup())
    loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", port).start())
    threading.Thread(target=loop.run_forever, daemon=True).start()
    yield f"http://127.0.0.1:{port}"
    asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(10)
    loop.call_soon_threadsafe(loop.stop)


@pytest.fixture
def server(slack: Slack) -> Iterator[str]:
    yield from serve(slack.services, slack.built)  # as `moments serve` does


def request(url: str, body: str | None = None, headers: dict[str, str] | None = None) -> tuple[int, str]:
    req = urllib.request.Request(url, data=body.encode() if body is not None else None, headers=headers or {},
                                 method="POST" if body is not None else "GET")
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()


def test_a_slash_command_over_http_logs_a_wow(slack: Slack, server: str) -> None:
    body = command_body(slack.api, "/wow", "#boarding lovely welcome from <@U02ANA7>")
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    status, _ = request(f"{server}/slack/events", body, {**form, **slack.sign(body)})
    assert status == 200
    [moment] = wait_for(slack.moments)
    assert moment.credited == ("U02ANA7",)
    [reply] = wait_for(slack.responses)
    assert "Boarding" in reply["text"] + json.dumps(reply["blocks"], ensure_ascii=False)


def test_forged_and_stale_requests_over_http_get_401(slack: Slack, server: str) -> None:
    body = event_body({"type": "message", "channel": "C1", "user": "U1", "ts": "1.2",
                       "text": "WOW: forged #boarding"}, "EvF")
    json_type = {"Content-Type": "application/json"}
    forged = {**json_type, **slack.sign(body.replace("forged", "genuine"))}
    stale = {**json_type, **slack.sign(body, at=time.time() - 6 * 60)}
    assert request(f"{server}/slack/events", body, forged)[0] == 401
    assert request(f"{server}/slack/events", body, stale)[0] == 401
    time.sleep(0.3)
    assert slack.moments() == []
    # the event was not claimed either: the genuine delivery still counts
    assert request(f"{server}/slack/events", body, {**json_type, **slack.sign(body)})[0] == 200
    wait_for(slack.moments)


def test_a_signed_body_of_the_wrong_shape_gets_400_not_500(slack: Slack, server: str) -> None:
    for body, content_type in (("not json", "application/json"), ("[1, 2]", "application/json"),
                               ('{"type": "event_callback", "event_id": "Ev1", "event": null}',
                                "application/json"),
                               ("payload=%7B", "application/x-www-form-urlencoded")):
        headers = {"Content-Type": content_type, **slack.sign(body)}
        status, _ = request(f"{server}/slack/events", body, headers)
        assert status == 400, (body, status)


def test_url_verification_and_health(slack: Slack, server: str) -> None:
    body = json.dumps({"type": "url_verification", "challenge": "c-123", "token": "t"})
    status, text = request(f"{server}/slack/events", body, {"Content-Type": "application/json",
                                                            **slack.sign(body)})
    assert status == 200 and "c-123" in text
    assert request(f"{server}/healthz") == (200, json.dumps({"ok": True}))


def test_the_work_after_the_ack_logs_under_the_requests_id(
    slack: Slack, server: str, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object) -> None:
        raise RuntimeError("the filer fell over")

    monkeypatch.setattr(slack.built.door.router, "handle", broken)
    caplog.handler.addFilter(_Context())
    body = command_body(slack.api, "/ow", "the belt stopped")
    headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Request-Id": "req-77",
               **slack.sign(body)}
    with caplog.at_level(logging.ERROR, logger="handlers.slack.door"):
        assert request(f"{server}/slack/events", body, headers)[0] == 200
        [failed] = wait_for(lambda: [r for r in caplog.records if r.getMessage() == "Slack listener failed"])
    assert getattr(failed, "request_id", None) == "req-77"
    assert "went wrong" in str(wait_for(slack.responses))  # and the person was told, in words
