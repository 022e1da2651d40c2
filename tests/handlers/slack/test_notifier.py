"""Weekly posts to Slack: the digest with its chart; rate limits and lost channels."""

from __future__ import annotations

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


def digest_post() -> Post:
    rows = (TouchpointWeek(TouchpointRef("check-in", "Check-in"), 2, 7, 1, 3),
            TouchpointWeek(TouchpointRef("flight", "In-flight"), 5, 0, 1, 1))
    view = DigestView("Gate crew", "2026-W47", (), rows, (), (), 7, 7)
    return Post(1, "C1", "digest", render_digest(view), "2026-W47")


def test_digest_is_posted_with_its_chart() -> None:
    api, server = start()
    try:
        notifier = SlackNotifier(replace(Settings(), slack_bot_token="xoxb-t", slack_api_url=api.url),
                                 spacing=0)
        notifier.send(WS, digest_post())
        [posted] = api.named("chat.postMessage")
        assert posted.args["channel"] == "C1" and "weekly digest, 2026-W47" in str(posted.args["blocks"])
        [upload] = api.named("upload")
        assert upload.args["bytes"].startswith(b"\x89PNG")
        [done] = api.named("files.completeUploadExternal")
        assert done.args["channel_id"] == "C1"
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
