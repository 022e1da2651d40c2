"""After a crash mid-send, the Slack notifier finds out whether a weekly post reached the channel:
each post carries message metadata naming it, and conversations.history reads it back."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from bot.config import Settings
from bot.domain import Platform, Workspace
from bot.views import Post, Reply
from handlers.notify import SlackNotifier
from tests.handlers.slack.conftest import wait_for
from tests.handlers.slack.recorder import SlackStandIn, start

WS = Workspace(1, Platform.SLACK, "T1")
SINCE = datetime(2026, 11, 16, 8, 0, tzinfo=UTC)


def prompt(team_id: int = 7, week: str = "2026-W47") -> Post:
    return Post(team_id, "C1", "prompt", Reply("How could we turn these OWs into WOWs?"), week)


def channel_reads_back(api: SlackStandIn, extra: list[dict[str, Any]] | None = None,
                       with_metadata: bool = True) -> None:
    """conversations.history answers with what chat.postMessage received, as Slack keeps it."""
    original = api.answer

    def answer(method: str, args: dict[str, Any]) -> dict[str, Any]:
        if method != "conversations.history":
            return original(method, args)
        messages = list(extra or [])
        for n, call in enumerate(api.named("chat.postMessage")):
            meta = call.args.get("metadata")
            message = {"ts": f"1700000{n}.000100", "bot_id": "BBOT", "text": call.args.get("text")}
            if with_metadata and meta:
                message["metadata"] = json.loads(meta) if isinstance(meta, str) else meta
            messages.append(message)
        return {"ok": True, "messages": messages, "has_more": False}

    api.answer = answer  # type: ignore[method-assign]


def notifier(api: SlackStandIn) -> SlackNotifier:
    return SlackNotifier(replace(Settings(), slack_bot_token="xoxb-t", slack_api_url=api.url), spacing=0)


def test_a_sent_post_is_found_by_its_metadata_and_another_is_not() -> None:
    api, server = start()
    try:
        channel_reads_back(api, extra=[{"ts": "1.0", "user": "U9", "text": "lunch?"}])
        slack = notifier(api)
        slack.send(WS, prompt())
        [posted] = api.named("chat.postMessage")
        assert "moments_weekly_post" in json.dumps(posted.args["metadata"])
        assert slack.was_sent(WS, prompt(), SINCE) is True
        assert slack.was_sent(WS, prompt(week="2026-W48"), SINCE) is False  # not that week's
        assert slack.was_sent(WS, prompt(team_id=8), SINCE) is False  # nor another team's
        [read, *_] = api.named("conversations.history")
        assert read.args["channel"] == "C1" and float(read.args["oldest"]) < SINCE.timestamp()
    finally:
        server.shutdown()


def test_a_bot_message_without_metadata_means_nobody_can_tell() -> None:
    api, server = start()
    try:
        channel_reads_back(api, with_metadata=False)
        slack = notifier(api)
        slack.send(WS, prompt())
        assert slack.was_sent(WS, prompt(), SINCE) is None  # never guess "not sent" and double it
    finally:
        server.shutdown()


def test_an_unreadable_channel_means_nobody_can_tell() -> None:
    api, server = start()
    try:
        original = api.answer
        api.answer = lambda method, args: ({"ok": False, "error": "not_in_channel"}  # type: ignore[method-assign]
                                           if method == "conversations.history" else original(method, args))
        assert notifier(api).was_sent(WS, prompt(), SINCE) is None
    finally:
        server.shutdown()


def test_a_history_read_slack_refuses_429_holds_that_workspaces_reads_and_still_finds_the_post() -> None:
    """Slack answers a look back 429, Retry-After 1: the notifier waits the second out and asks
    again, rather than leave the post for a person to check; and another look back in that
    workspace, begun meanwhile, waits the second out too instead of being refused in turn."""
    api, server = start()
    try:
        channel_reads_back(api)
        answered: list[float] = []  # when each read Slack did not refuse was answered
        original = api.answer

        def timed(method: str, args: dict[str, Any]) -> dict[str, Any]:
            if method == "conversations.history":
                answered.append(time.monotonic())
            return original(method, args)

        api.answer = timed  # type: ignore[method-assign]
        slack = notifier(api)
        slack.send(WS, prompt())
        slack.send(WS, prompt(team_id=8))
        api.fail_next += [(429, {"Retry-After": "1"})]
        found: list[bool | None] = []
        first = threading.Thread(target=lambda: found.append(slack.was_sent(WS, prompt(), SINCE)))
        first.start()
        wait_for(lambda: len(api.named("conversations.history")) == 1)  # refused
        refused = time.monotonic()
        second = threading.Thread(target=lambda: found.append(slack.was_sent(WS, prompt(team_id=8), SINCE)))
        second.start()
        first.join(timeout=10)
        second.join(timeout=10)
        assert found == [True, True]
        assert len(answered) == 2 and min(answered) - refused >= 0.85
    finally:
        server.shutdown()
