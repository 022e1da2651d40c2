"""Edited and deleted Slack messages, over signed HTTP into the server `moments serve` runs: the
message cache and the moments quoting a message follow it (``message_changed``,
``message_deleted``, and the tombstone a thread's parent becomes). Payloads as Slack's message
event reference shows them: ``hidden: true`` at the event level, the message's own ``ts`` in
``message`` / ``deleted_ts``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from bot.domain import MomentKind, Source
from bot.services.capture import DELETED
from tests.handlers.slack.conftest import Slack, command_body, event_body, settle, wait_for
from tests.handlers.slack.test_http import request, serve

TS = "1700000000.000100"
EDIT_TS = "1700000300.000200"


@pytest.fixture
def server(slack: Slack) -> Iterator[str]:
    yield from serve(slack.services, slack.built)


def post_event(slack: Slack, server: str, event: dict[str, Any], event_id: str) -> None:
    body = event_body(event, event_id)
    status, _ = request(f"{server}/slack/events", body,
                        {"Content-Type": "application/json", **slack.sign(body)})
    assert status == 200


def message(text: str, ts: str = TS, user: str = "U2") -> dict[str, Any]:
    return {"type": "message", "channel": "C1", "user": user, "text": text, "ts": ts,
            "event_ts": ts, "channel_type": "channel", "client_msg_id": "7e2f-" + ts}


def changed(old: str, new: str, ts: str = TS, user: str = "U2") -> dict[str, Any]:
    return {"type": "message", "subtype": "message_changed", "hidden": True, "channel": "C1",
            "ts": EDIT_TS, "event_ts": EDIT_TS, "channel_type": "channel",
            "message": {"type": "message", "user": user, "text": new, "ts": ts,
                        "edited": {"user": user, "ts": "1700000300.000000"},
                        "client_msg_id": "7e2f-" + ts},
            "previous_message": {"type": "message", "user": user, "text": old, "ts": ts,
                                 "client_msg_id": "7e2f-" + ts}}


def deleted(old: str, ts: str = TS, user: str = "U2") -> dict[str, Any]:
    return {"type": "message", "subtype": "message_deleted", "hidden": True, "channel": "C1",
            "ts": EDIT_TS, "deleted_ts": ts, "event_ts": EDIT_TS, "channel_type": "channel",
            "previous_message": {"type": "message", "user": user, "text": old, "ts": ts}}


def tombstone(old: str, ts: str = TS) -> dict[str, Any]:
    """A thread's parent deleted while its replies stay: Slack changes it into a tombstone."""
    return {"type": "message", "subtype": "message_changed", "hidden": True, "channel": "C1",
            "ts": EDIT_TS, "event_ts": EDIT_TS, "channel_type": "channel",
            "message": {"type": "message", "subtype": "tombstone", "user": "USLACKBOT", "hidden": True,
                        "text": "This message was deleted.", "ts": ts, "thread_ts": ts,
                        "reply_count": 1, "replies": [{"user": "U3", "ts": "1700000001.000100"}]},
            "previous_message": {"type": "message", "user": "U2", "text": old, "ts": ts,
                                 "thread_ts": ts, "reply_count": 1}}


def reaction(user: str, ts: str = TS) -> dict[str, Any]:
    return {"type": "reaction_added", "user": user, "reaction": "tada", "item_user": "U2",
            "item": {"type": "message", "channel": "C1", "ts": ts}, "event_ts": "1.1"}


def cached_text(slack: Slack, ts: str = TS) -> str | None:
    found = slack.messages.cached_message(slack.ws, "C1", ts)
    return found.text if found else None


def mine(slack: Slack, server: str, user: str) -> str:
    """What ``/moments mine`` shows the person."""
    before = len(slack.responses())
    body = command_body(slack.api, "/moments", "mine", user)
    status, _ = request(f"{server}/slack/events", body,
                        {"Content-Type": "application/x-www-form-urlencoded", **slack.sign(body)})
    assert status == 200
    wait_for(lambda: len(slack.responses()) > before)
    reply = slack.responses()[-1]
    return str(reply.get("text", "")) + json.dumps(reply.get("blocks", []), ensure_ascii=False)


def test_an_edit_replaces_the_cached_text_redacted_and_a_reaction_quotes_the_new_words(
        slack: Slack, server: str) -> None:
    post_event(slack, server, message("Sam walked a family to the gate"), "Ev1")
    wait_for(lambda: cached_text(slack))
    post_event(slack, server, changed("Sam walked a family to the gate",
                                      "Sam walked the Jensens to gate 12, jo.jensen@example.com"), "Ev2")
    wait_for(lambda: "gate 12" in (cached_text(slack) or ""))
    assert cached_text(slack) == "Sam walked the Jensens to gate 12, [email]"
    post_event(slack, server, reaction("U1"), "Ev3")
    [moment] = wait_for(slack.moments)
    assert moment.text == "Sam walked the Jensens to gate 12, [email]"
    assert slack.api.named("conversations.history") == []  # the cache answered, with the edit


def test_a_deleted_message_leaves_the_cache_and_a_later_reaction_finds_none_of_its_text(
        slack: Slack, server: str) -> None:
    post_event(slack, server, message("Mrs Jensen in 14C was crying at the gate"), "Ev1")
    wait_for(lambda: cached_text(slack))
    post_event(slack, server, deleted("Mrs Jensen in 14C was crying at the gate"), "Ev2")
    wait_for(lambda: cached_text(slack) is None)
    post_event(slack, server, reaction("U1"), "Ev3")  # delivered late, or a stale client
    wait_for(lambda: slack.api.named("conversations.replies"))  # not in the cache: Slack is asked
    [moment] = wait_for(lambda: [m for m in slack.moments() if m.text])
    assert "Jensen" not in moment.text


def test_a_reaction_moment_follows_the_edit_and_keeps_its_credit_and_me_too(
        slack: Slack, server: str) -> None:
    post_event(slack, server, message("I found a seat for the family at boarding"), "Ev1")
    wait_for(lambda: cached_text(slack))
    post_event(slack, server, reaction("U1"), "Ev2")
    wait_for(slack.moments)
    post_event(slack, server, reaction("U3"), "Ev3")
    [before] = wait_for(lambda: [m for m in slack.moments() if m.also_reported_by])
    post_event(slack, server, changed("I found a seat for the family at boarding",
                                      "I found seats together for the family of five at boarding"), "Ev4")
    [after] = wait_for(lambda: [m for m in slack.moments() if "five" in m.text])
    assert after.text == "I found seats together for the family of five at boarding"
    assert (after.id, after.kind, after.touchpoint_id, after.filing, after.credited,
            after.also_reported_by, after.reporter_id) == (
        before.id, MomentKind.WOW, before.touchpoint_id, before.filing, ("U2",), ("U3",), "U1")
    shown = mine(slack, server, "U1")
    assert "family of five" in shown and "found a seat for" not in shown


def test_a_deleted_source_erases_the_moment_text_but_not_the_moment_and_a_wow_message_is_its_writers(
        slack: Slack, server: str) -> None:
    post_event(slack, server, message("Our gate agent rebooked a customer's whole trip"), "Ev1")
    wait_for(lambda: cached_text(slack))
    post_event(slack, server, reaction("U1"), "Ev2")
    wait_for(slack.moments)
    post_event(slack, server, message("WOW: the lounge staff kept everyone calm", ts="1700000000.000500",
                                      user="U4"), "Ev3")
    wait_for(lambda: len(slack.moments()) == 2)
    counted = {m.id: (m.kind, m.touchpoint_id, m.credited, m.reporter_id) for m in slack.moments()}
    post_event(slack, server, deleted("Our gate agent rebooked a customer's whole trip"), "Ev4")
    post_event(slack, server, deleted("WOW: the lounge staff kept everyone calm", ts="1700000000.000500",
                                      user="U4"), "Ev5")
    quoted = wait_for(lambda: [m for m in slack.moments()
                               if m.source is Source.REACTION and m.text == DELETED])
    assert len(quoted) == 1
    settle(slack)
    assert {m.id: (m.kind, m.touchpoint_id, m.credited, m.reporter_id) for m in slack.moments()} == counted
    assert not any(m.retracted for m in slack.moments())  # the tally does not change
    [own] = [m for m in slack.moments() if m.source is Source.MESSAGE]
    assert own.text == "the lounge staff kept everyone calm"  # its writer edits it with /moments edit
    shown = mine(slack, server, "U1")
    assert "rebooked" not in shown and "original message was deleted" in shown


@pytest.mark.parametrize("change", [
    changed("Sam carried Mr Olsen's bags to the desk", "   "),
    tombstone("Sam carried Mr Olsen's bags to the desk"),
], ids=["edited-to-nothing", "thread-parent-tombstone"])
def test_an_emptied_message_and_a_thread_tombstone_count_as_deleted(
        slack: Slack, server: str, change: dict[str, Any]) -> None:
    post_event(slack, server, message("Sam carried Mr Olsen's bags to the desk"), "Ev1")
    wait_for(lambda: cached_text(slack))
    post_event(slack, server, reaction("U1"), "Ev2")
    wait_for(lambda: slack.moments() and slack.moments()[0].text)
    post_event(slack, server, change, "Ev3")
    wait_for(lambda: slack.moments()[0].text == DELETED)
    assert cached_text(slack) is None
