"""Reactions on thread replies: conversations.history never returns them, so the text is asked of
conversations.replies, on the workspace's next turn of the rate-limited queue."""

from __future__ import annotations

import time
from typing import Any

from bot.domain import MomentKind
from handlers.slack.door import UNREADABLE
from tests.handlers.slack.conftest import Slack, wait_for

PARENT, REPLY, LATER = "1700000000.000700", "1700000000.000800", "1700000000.000900"


def reaction(user: str, name: str, ts: str) -> dict[str, Any]:
    return {"type": "reaction_added", "user": user, "reaction": name, "item_user": "U2",
            "item": {"type": "message", "channel": "C1", "ts": ts}, "event_ts": "1.1"}


def test_a_reaction_on_a_thread_reply_gets_the_replys_text_within_the_rate_limit(slack: Slack) -> None:
    slack.built.door.history.interval = 0.5
    slack.api.replies[REPLY] = [
        {"ts": PARENT, "user": "U3", "text": "how was the gate today?", "thread_ts": PARENT},
        {"ts": REPLY, "user": "U2", "text": "the baggage carousel broke <!here>", "thread_ts": PARENT},
        {"ts": LATER, "user": "U4", "text": "boarding was lovely though", "thread_ts": PARENT},
    ]
    slack.event(reaction("U1", "disappointed", REPLY), "EvT1")
    [asked_history] = wait_for(lambda: slack.api.named("conversations.history"))
    first = time.monotonic()
    assert asked_history.args["latest"] == REPLY  # answered with no message: not in history
    [asked_thread] = wait_for(lambda: slack.api.named("conversations.replies"))
    assert time.monotonic() - first > 0.35  # the second call waited for the workspace's next turn
    args = asked_thread.args
    assert (args["channel"], args["ts"], args["oldest"], args["latest"]) == ("C1", REPLY, REPLY, REPLY)
    assert str(args["inclusive"]).lower() in ("1", "true") and int(args["limit"]) <= 15
    wait_for(lambda: slack.moments() and slack.moments()[0].text)
    [moment] = slack.moments()
    assert moment.text == "the baggage carousel broke [here]"  # the reply, not its parent
    assert moment.kind is MomentKind.OW and moment.message_ref == f"C1/{REPLY}"
    [told] = wait_for(lambda: slack.api.named("chat.postEphemeral"))
    assert told.args["user"] == "U1" and "Baggage" in str(told.args["blocks"])
    assert len(slack.api.named("conversations.history")) == 1
    assert len(slack.api.named("conversations.replies")) == 1


def test_a_message_found_in_history_is_not_asked_of_replies(slack: Slack) -> None:
    slack.api.history[PARENT] = {"ts": PARENT, "user": "U2", "text": "boarding went smoothly"}
    slack.event(reaction("U1", "tada", PARENT), "EvT2")
    wait_for(lambda: slack.moments() and slack.moments()[0].text)
    assert slack.moments()[0].text == "boarding went smoothly"
    assert slack.api.named("conversations.replies") == []


def test_a_reply_deleted_before_it_was_read_is_kept_as_unreadable(slack: Slack) -> None:
    slack.event(reaction("U1", "tada", LATER), "EvT3")  # neither history nor replies know it
    wait_for(lambda: slack.moments() and slack.moments()[0].text)
    assert slack.moments()[0].text == UNREADABLE
    assert len(slack.api.named("conversations.replies")) == 1


def test_a_passing_slack_error_on_replies_leaves_the_moment_waiting_for_its_text(slack: Slack) -> None:
    original = slack.api.answer

    def answer(method: str, args: dict[str, Any]) -> dict[str, Any]:
        if method == "conversations.replies":
            return {"ok": False, "error": "internal_error"}
        return original(method, args)

    slack.api.answer = answer  # type: ignore[method-assign]
    slack.event(reaction("U1", "tada", LATER), "EvT4")
    wait_for(lambda: slack.api.named("conversations.replies"))
    time.sleep(0.3)
    [moment] = slack.moments()
    assert moment.text == ""  # not "unreadable": housekeeping asks again later
    awaiting = slack.services.capture.awaiting_text(workspace_id=slack.ws)
    assert [m.id for m in awaiting] == [moment.id]
