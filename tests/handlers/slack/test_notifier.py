"""Weekly posts to Slack: the digest with its chart; rate limits and lost channels."""

from __future__ import annotations

import threading
from dataclasses import replace

import pytest

from bot.config import Settings
from bot.domain import Platform, Workspace
from bot.ports import DeliveryError
from bot.text import digest as render_digest
from bot.views import DigestView, Post, TouchpointRef, TouchpointWeek
from handlers.notify import SlackNotifier
from tests.handlers.slack.recorder import start

WS = Workspace(1, Platform.SLACK, "T1")


def digest_post(channel: str = "C1") -> Post:
    rows = (TouchpointWeek(TouchpointRef("check-in", "Check-in"), 2, 7, 1, 3),
            TouchpointWeek(TouchpointRef("flight", "In-flight"), 5, 0, 1, 1))
    view = DigestView("Gate crew", "2026-W47", (), rows, (), (), 7, 7)
    return Post(1, channel, "digest", render_digest(view), "2026-W47")


def test_digest_is_posted_with_its_chart() -> None:
    api, server = start()
    try:
        notifier = SlackNotifier(replace(Settings(), slack_bot_token="xoxb-t", slack_api_url=api.url),
                                 spacing=0)
        notifier.send(WS, digest_post())
        [posted] = api.named("chat.postMessage")
        assert posted.args["channel"] == "C1" and "weekly digest, 2026-W47" in str(posted.args["blocks"])
        assert notifier.drain(timeout=30)  # the chart follows, uploaded off the sending thread
        [upload] = api.named("upload")
        assert upload.args["bytes"].startswith(b"\x89PNG")
        [done] = api.named("files.completeUploadExternal")
        assert done.args["channel_id"] == "C1"
    finally:
        server.shutdown()


def test_a_slow_chart_upload_does_not_hold_back_the_next_digest() -> None:
    api, server = start()
    api.hold_uploads = threading.Event()
    try:
        notifier = SlackNotifier(replace(Settings(), slack_bot_token="xoxb-t", slack_api_url=api.url),
                                 spacing=0)
        for channel in ("C1", "C2", "C3"):
            notifier.send(WS, digest_post(channel))  # returns once the digest is in the channel
        assert [c.args["channel"] for c in api.named("chat.postMessage")] == ["C1", "C2", "C3"]
        assert not api.named("files.completeUploadExternal")  # every chart still on its way
        assert not notifier.drain(timeout=0.2)
        api.hold_uploads.set()
        assert notifier.drain(timeout=30)
        assert sorted(c.args["channel_id"] for c in api.named("files.completeUploadExternal")) == [
            "C1", "C2", "C3"]
    finally:
        api.hold_uploads.set()
        server.shutdown()


def test_a_chart_slack_refuses_leaves_the_digest_posted() -> None:
    api, server = start()
    try:
        notifier = SlackNotifier(replace(Settings(), slack_bot_token="xoxb-t", slack_api_url=api.url),
                                 spacing=0)
        original = api.answer
        refused = {"ok": False, "error": "file_upload_disabled"}
        api.answer = lambda method, args: (  # type: ignore[method-assign]
            refused if method == "files.completeUploadExternal" else original(method, args))
        notifier.send(WS, digest_post())
        assert notifier.drain(timeout=30)
        assert len(api.named("chat.postMessage")) == 1 and api.named("files.completeUploadExternal")
    finally:
        server.shutdown()


@pytest.mark.parametrize(("status", "error", "permanent", "retry_after"), [
    (200, "channel_not_found", True, None), (429, "ratelimited", False, 1.0)])
def test_failures_become_delivery_errors(status: int, error: str, permanent: bool,
                                         retry_after: float | None) -> None:
    api, server = start()
    try:
        settings = replace(Settings(), slack_bot_token="xoxb-t", slack_api_url=api.url)
        notifier = SlackNotifier(settings, spacing=0)
        answer = {"ok": False, "error": error}
        original = api.answer
        api.answer = lambda method, args: answer if method == "chat.postMessage" else original(method, args)  # type: ignore[method-assign]
        if status == 429:
            api.fail_next += [(429, {"Retry-After": "1"})] * 5
        with pytest.raises(DeliveryError) as caught:
            notifier.send(WS, digest_post())
        assert caught.value.permanent is permanent and caught.value.retry_after == retry_after
    finally:
        server.shutdown()


def test_when_the_weekly_tick_returns_the_digest_and_its_chart_are_in_the_channel() -> None:
    from datetime import UTC, datetime

    from handlers.scheduled import SoleLeader, tick
    from tests.conftest import STAFF, make_world

    world = make_world()
    world.router.handle(world.ctx(STAFF), "/ow", "#boarding gate chaos")
    world.clock.set(datetime(2026, 11, 20, 15, 5, tzinfo=UTC))  # Friday 16:05 in Stockholm
    api, server = start()
    try:
        notifier = SlackNotifier(replace(Settings(), slack_bot_token="xoxb-t", slack_api_url=api.url),
                                 spacing=0)
        tick(world.services, notifier, SoleLeader(), workers=1)  # the in-memory store: one worker
        assert [c.args["channel"] for c in api.named("chat.postMessage")] == ["C-gate"]
        [chart] = api.named("files.completeUploadExternal")
        assert chart.args["channel_id"] == "C-gate"
    finally:
        server.shutdown()
