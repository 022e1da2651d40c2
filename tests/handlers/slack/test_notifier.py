"""Weekly posts to Slack: the digest with its chart; rate limits and lost channels."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from bot.config import Settings
from bot.domain import Platform, Workspace
from bot.ports import DeliveryError
from bot.text import digest as render_digest
from bot.views import DigestView, Post, TouchpointRef, TouchpointWeek
from handlers.notify import SlackNotifier
from tests.handlers.slack.recorder import Call, SlackStandIn, start

WS = Workspace(1, Platform.SLACK, "T1")


def digest_post(channel: str = "C1") -> Post:
    rows = (TouchpointWeek(TouchpointRef("check-in", "Check-in"), 2, 7, 1, 3),
            TouchpointWeek(TouchpointRef("flight", "In-flight"), 5, 0, 1, 1))
    view = DigestView("Gate crew", "2026-W47", (), rows, (), (), 7, 7)
    return Post(1, channel, "digest", render_digest(view), "2026-W47")


def notifier_for(api: SlackStandIn) -> SlackNotifier:
    return SlackNotifier(replace(Settings(), slack_bot_token="xoxb-t", slack_api_url=api.url),
                         spacing=0)


def images(call: Call) -> list[dict[str, Any]]:
    return [b for b in call.args["blocks"] if b["type"] == "image"]


def test_digest_is_posted_with_its_chart_in_it() -> None:
    api, server = start()
    try:
        notifier_for(api).send(WS, digest_post())
        [upload] = api.named("upload")
        assert upload.args["bytes"].startswith(b"\x89PNG")
        [done] = api.named("files.completeUploadExternal")
        assert "channel_id" not in done.args  # unshared: it shows only where the digest shows it
        [posted] = api.named("chat.postMessage")
        assert posted.args["channel"] == "C1" and "weekly digest, 2026-W47" in str(posted.args["blocks"])
        [image] = images(posted)
        assert image["slack_file"] == {"id": json.loads(done.args["files"])[0]["id"]}
        assert image["alt_text"] == "Bar chart: WOW and OW per touchpoint, 2026-W47"
        assert posted.args["blocks"].index(image) == 2  # under the digest's header and counts
        assert api.calls.index(done) < api.calls.index(posted)
    finally:
        server.shutdown()


def test_a_chart_slack_is_still_taking_in_goes_out_with_the_digest_a_moment_later(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("handlers.notify.CHART_WAITS", (0.01, 0.01, 0.01))
    api, server = start()
    api.not_ready = 2
    try:
        notifier_for(api).send(WS, digest_post())
        tries = api.named("chat.postMessage")
        assert len(tries) == 3 and len(api.named("files.completeUploadExternal")) == 1
        assert images(tries[-1])[0]["slack_file"] == images(tries[0])[0]["slack_file"]
    finally:
        server.shutdown()


def test_a_chart_slack_never_takes_leaves_the_digest_posted_without_it(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("handlers.notify.CHART_WAITS", (0.01,))
    api, server = start()
    api.not_ready = 99
    try:
        notifier_for(api).send(WS, digest_post())
        *refused, posted = api.named("chat.postMessage")
        assert len(refused) == 2 and images(posted) == []
        assert "weekly digest, 2026-W47" in str(posted.args["blocks"])
    finally:
        server.shutdown()


def test_a_chart_slack_refuses_to_upload_leaves_the_digest_posted() -> None:
    api, server = start()
    try:
        original = api.answer
        refused = {"ok": False, "error": "file_upload_disabled"}
        api.answer = lambda method, args: (  # type: ignore[method-assign]
            refused if method == "files.completeUploadExternal" else original(method, args))
        notifier_for(api).send(WS, digest_post())
        [posted] = api.named("chat.postMessage")
        assert images(posted) == [] and api.named("files.completeUploadExternal")
    finally:
        server.shutdown()


def test_a_prompt_carries_no_chart() -> None:
    api, server = start()
    try:
        post = digest_post()
        notifier_for(api).send(WS, replace(post, kind="prompt"))
        [posted] = api.named("chat.postMessage")
        assert images(posted) == [] and not api.named("files.getUploadURLExternal")
    finally:
        server.shutdown()


@pytest.mark.parametrize(("status", "error", "permanent", "retry_after"), [
    (200, "channel_not_found", True, None), (429, "ratelimited", False, 1.0)])
def test_failures_become_delivery_errors(status: int, error: str, permanent: bool,
                                         retry_after: float | None) -> None:
    api, server = start()
    try:
        notifier = notifier_for(api)
        answer = {"ok": False, "error": error}
        original = api.answer
        api.answer = lambda method, args: answer if method == "chat.postMessage" else original(method, args)  # type: ignore[method-assign]
        if status == 429:
            api.fail_next += [(429, {"Retry-After": "1"})] * 5
        with pytest.raises(DeliveryError) as caught:
            notifier.send(WS, replace(digest_post(), kind="prompt"))  # no chart: one call
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
        notifier = notifier_for(api)
        tick(world.services, notifier, SoleLeader(), workers=1)  # the in-memory store: one worker
        [posted] = api.named("chat.postMessage")
        assert posted.args["channel"] == "C-gate"
        [image] = images(posted)
        assert api.files[image["slack_file"]["id"]] is None  # uploaded unshared, shown by the post
    finally:
        server.shutdown()
