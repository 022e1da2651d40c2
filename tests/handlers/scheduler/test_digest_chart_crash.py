"""A replica that dies while sending a digest, with the real Slack notifier and a stand-in for
Slack's Web API: the chart is part of the digest's post, so the digest the successor sends
carries its chart, and what the dead one left behind is an unshared file nobody sees."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.config import Settings
from bot.services import Services
from bot.views import Post
from handlers.notify import SlackNotifier
from handlers.scheduled import SoleLeader, tick
from tests.conftest import STAFF, make_world
from tests.fakes import FakeFiler
from tests.handlers.slack.recorder import SlackStandIn, start

FRIDAY_1605 = datetime(2026, 11, 20, 15, 5, tzinfo=UTC)  # Stockholm's 16:00 digest is due


class Killed(BaseException):
    """The process is gone: nothing after this line runs, no handler sees it."""


class DiesBeforePosting(SlackNotifier):
    """Uploads the chart as every notifier does, then dies before chat.postMessage."""

    def _post(self, client: Any, post: Post, images: list[dict[str, Any]],
              upload_instead: Any = None) -> None:
        raise Killed


def notifier(api: SlackStandIn, kind: type[SlackNotifier] = SlackNotifier) -> SlackNotifier:
    return kind(replace(Settings(), slack_bot_token="xoxb-t", slack_api_url=api.url), spacing=0)


def test_a_digest_sent_again_after_a_crash_carries_its_chart() -> None:
    world = make_world()
    world.router.handle(world.ctx(STAFF), "/ow", "#boarding gate chaos")
    world.router.handle(world.ctx(STAFF), "/wow", "#check-in rebooked a family in two minutes")
    world.clock.set(FRIDAY_1605)
    api, server = start()
    try:
        with pytest.raises(Killed):
            tick(world.services, notifier(api, DiesBeforePosting), SoleLeader(), workers=1)
        assert api.named("chat.postMessage") == []
        [orphan] = api.files  # uploaded, never shown: unshared, in no post
        assert api.files[orphan] is None

        world.clock.set(FRIDAY_1605 + timedelta(minutes=20))  # past the in-flight mark
        successor = Services(store=world.store, clock=world.clock, make_filer=FakeFiler)
        tick(successor, notifier(api), SoleLeader(), workers=1)
        [posted] = api.named("chat.postMessage")
        assert posted.args["channel"] == "C-gate"
        assert "weekly digest, 2026-W47" in str(posted.args["blocks"])
        [image] = [b for b in posted.args["blocks"] if b["type"] == "image"]
        shown = image["slack_file"]["id"]
        assert shown in api.files and shown != orphan and api.files[shown] is None
        [png] = [c.args["bytes"] for c in api.named("upload")][1:]
        assert png.startswith(b"\x89PNG")

        world.clock.set(FRIDAY_1605 + timedelta(hours=2))
        tick(successor, notifier(api), SoleLeader(), workers=1)
        assert len(api.named("chat.postMessage")) == 1  # exactly once, chart and all
    finally:
        server.shutdown()
