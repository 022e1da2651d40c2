"""Moments' own posts and messages longer than a moment may be, over signed HTTP.

A WOW/OW reaction on the bot's confirmation of a moment is a "me too" for it; on any other of
its posts (the weekly prompt, a digest) it logs nothing and credits no one. The message shortcut
on its own post says so. A long message is shortened by one rule in the core and the person is
told, the same whether the bot saw the message or read it back later."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from bot.domain import MAX_MOMENT_CHARS, MomentKind, Source
from bot.services import Actor
from bot.shorten import shorten_message
from tests.handlers.slack.conftest import Slack, settle, wait_for
from tests.handlers.slack.test_http import serve
from tests.handlers.slack.wire import corpus, send

POST = "1700000050.000100"  # a post of the bot's in the team's channel
LONG_TS = "1700000070.000100"
# a long message with no personal data in it (the cache keeps it redacted, history does not)
LONG = " ".join(f"Passenger {n} thanked Ana at the gate for the calm rebooking." for n in range(80))


@pytest.fixture
def url(slack: Slack) -> Iterator[str]:
    yield from serve(slack.services, slack.built)


def reaction_on(slack: Slack, ts: str, user: str, item_user: str, event_id: str) -> dict[str, Any]:
    body = corpus("event_reaction_added", slack)
    body["event"] = {**body["event"], "user": user, "item_user": item_user,
                     "item": {"type": "message", "channel": "C1", "ts": ts}}
    return {**body, "event_id": event_id}


def test_a_reaction_on_the_bots_confirmation_of_a_moment_is_a_me_too(slack: Slack, url: str) -> None:
    filed = slack.services.moments.report(workspace_id=slack.ws, team_id=slack.team_id, actor=Actor("U1"),
                                          kind=MomentKind.WOW, text="Ana found a seat for the family",
                                          source=Source.COMMAND, credited=("U2",))
    assert slack.services.capture.link_message(workspace_id=slack.ws, moment_id=filed.moment.id,
                                               message_ref=f"C1/{POST}")
    assert send(slack, url, reaction_on(slack, POST, "U3", "UBOT", "EvME1"))[0] == 200
    [moment] = wait_for(lambda: [m for m in slack.moments() if m.also_reported_by])
    assert moment.id == filed.moment.id and moment.also_reported_by == ("U3",)
    assert moment.credited == ("U2",) and len(slack.moments()) == 1  # the bot earns no credit
    [told] = wait_for(lambda: slack.api.named("chat.postEphemeral"))
    assert told.args["user"] == "U3" and "me too" in told.args["text"]
    assert slack.api.named("conversations.history") == []


def test_a_reaction_on_another_bot_post_logs_nothing_and_credits_no_one(slack: Slack, url: str) -> None:
    slack.api.history[POST] = {"type": "message", "ts": POST, "bot_id": "BBOT", "user": "UBOT",
                               "text": "Weekly digest: 3 WOWs, 2 OWs"}
    for n, emoji in enumerate(("tada", "clap::skin-tone-2")):
        body = reaction_on(slack, POST, "U1", "UBOT", f"EvBOT{n}")
        body["event"]["reaction"] = emoji
        assert send(slack, url, body)[0] == 200
    settle(slack, 0.6)
    assert slack.moments() == []
    assert "Weekly digest" not in slack.api.recorded()
    assert slack.api.named("conversations.history") == [] and slack.api.named("chat.postEphemeral") == []


def test_the_shortcut_on_the_bots_own_post_says_it_cannot_be_logged(slack: Slack, url: str) -> None:
    assert send(slack, url, corpus("message_action_log_moment_bot_post", slack))[0] == 200
    [reply] = wait_for(slack.responses)
    assert reply["response_type"] == "ephemeral" and "Moments' own posts" in reply["text"]
    assert slack.api.named("views.open") == [] and slack.moments() == []


def test_the_shortcut_on_another_apps_post_credits_no_one(slack: Slack, url: str) -> None:
    body = corpus("message_action_log_moment_bot_post", slack)
    body["message"] = {**body["message"], "bot_id": "BFORMS", "user": "UFORMS", "app_id": "A0FORMS",
                       "text": "Feedback form: the gate agent was wonderful"}
    assert send(slack, url, body)[0] == 200
    [opened] = wait_for(lambda: slack.api.named("views.open"))
    assert '"a"' not in opened.args["view"]["private_metadata"]  # no author to credit


# long messages


def test_shorten_message_keeps_the_beginning_within_the_limit() -> None:
    short = shorten_message(LONG)
    head = short.text.removesuffix("…")
    assert short.cut and len(short.text) <= MAX_MOMENT_CHARS and head != short.text
    assert LONG.startswith(head) and LONG[len(head)] == " "  # cut at a word break
    assert "kept its beginning" in short.note
    assert shorten_message("  a short one  ") == shorten_message("a short one")
    assert not shorten_message("a short one").cut and shorten_message("a short one").note == ""


def long_reaction(slack: Slack, url: str, seen: bool) -> tuple[str, dict[str, Any]]:
    """A WOW on the long message, seen by the bot (cached) or not (read back with history)."""
    if seen:
        message = corpus("event_message_channels", slack)
        message["event"] = {**message["event"], "text": LONG, "ts": LONG_TS, "blocks": []}
        assert send(slack, url, message)[0] == 200
        wait_for(lambda: slack.messages.cached_message(slack.ws, "C1", LONG_TS))
    else:
        slack.api.history[LONG_TS] = {"type": "message", "ts": LONG_TS, "user": "U2", "text": LONG}
    assert send(slack, url, reaction_on(slack, LONG_TS, "U1", "U2", f"EvLONG{seen}"))[0] == 200
    [moment] = wait_for(lambda: [m for m in slack.moments() if m.text])
    [told] = wait_for(lambda: slack.api.named("chat.postEphemeral"))
    return moment.text, told.args


@pytest.mark.parametrize("seen", [True, False], ids=["cached", "read-back"])
def test_a_reaction_on_a_long_message_stores_it_shortened_and_says_so(slack: Slack, url: str,
                                                                       seen: bool) -> None:
    text, told = long_reaction(slack, url, seen)
    assert text == shorten_message(LONG).text  # the same either way
    assert "kept its beginning" in told["text"] + json.dumps(told["blocks"], ensure_ascii=False)
    assert told["user"] == "U1"


def test_the_shortcut_on_a_long_message_prefills_it_shortened_and_says_so(slack: Slack, url: str) -> None:
    body = corpus("message_action_log_moment", slack)
    body["message"] = {**body["message"], "text": LONG, "blocks": []}
    assert send(slack, url, body)[0] == 200
    [opened] = wait_for(lambda: slack.api.named("views.open"))
    [text] = [b["element"] for b in opened.args["view"]["blocks"] if b["block_id"] == "text"]
    assert text["initial_value"] == shorten_message(LONG).text
    [reply] = wait_for(slack.responses)
    assert reply["response_type"] == "ephemeral" and "kept its beginning" in reply["text"]
