"""Clicks, the export and the reads of reacted messages over signed HTTP, with a Slack that is
slow or refuses: no listener thread (nor the history queue's) waits on Slack, the replies of one
click keep their order, a failed export is told, and each method keeps to its tier per workspace."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from slack_sdk import WebClient

from bot.words import OOPS, OOPS_TRY_AGAIN
from handlers.slack.sender import REPLIES, Replies, Sender
from tests.handlers.slack.conftest import Slack, command_body, event_body, wait_for
from tests.handlers.slack.stand_in import SlackApi
from tests.handlers.slack.test_http import request, serve
from tests.handlers.slack.test_interactivity import buttons, open_prompt, prompt_with_a_proposal

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.fixture
def server(slack: Slack) -> Iterator[str]:
    yield from serve(slack.services, slack.built)  # as `moments serve` does


def post(slack: Slack, server: str, body: str, content_type: str = FORM["Content-Type"]) -> None:
    headers = {"Content-Type": content_type, **slack.sign(body)}
    assert request(f"{server}/slack/events", body, headers)[0] == 200


def vote(slack: Slack, server: str, button: dict[str, Any], user: str) -> None:
    payload = {"type": "block_actions", "team": {"id": "T1"}, "api_app_id": "A1", "user": {"id": user},
               "channel": {"id": "C1"}, "trigger_id": f"1{user}.tr", "response_url": slack.api.response_url,
               "container": {"type": "message", "message_ts": "1700000010.000100", "channel_id": "C1"},
               "message": {"ts": "1700000010.000100"},
               "actions": [{"action_id": button["action_id"], "value": button["value"], "type": "button"}]}
    post(slack, server, urlencode({"payload": json.dumps(payload)}))


def test_a_slow_slack_does_not_hold_up_the_next_persons_click(slack: Slack, server: str) -> None:
    """Two listener threads, six people voting while Slack holds every response_url post: all
    six confirmations wait on Slack together (threads that waited would leave two), each
    click's redrawn prompt waits behind its own confirmation, and all arrive once Slack answers."""
    posted = prompt_with_a_proposal(slack)
    [up] = [b for b in buttons(posted["blocks"]) if b["text"]["text"].startswith("👍")]
    before = len(slack.responses())
    gate = slack.api.hold("response")
    for i in range(6):
        vote(slack, server, up, f"UV{i}")
    wait_for(lambda: slack.api.in_flight.get("response") == 6, timeout=10)
    gate.set()
    wait_for(lambda: len(slack.responses()) == before + 12, timeout=10)
    answers = slack.responses()[before:]
    assert [bool(r.get("replace_original")) for r in answers[:6]] == [False] * 6  # confirmations first
    assert sum("counts" in r["text"] for r in answers) == 6
    assert sum(bool(r.get("replace_original")) for r in answers) == 6  # and each click's redraw
    redrawn = [r["blocks"] for r in answers if r.get("replace_original")]
    assert "(6)" in json.dumps(redrawn, ensure_ascii=False)


def test_a_failed_export_is_told_and_not_announced(slack: Slack, server: str) -> None:
    """Slack refuses the DM: the lead is told something went wrong, not that a file is on its way."""
    slack.api.fail_next_for("conversations.open", "xoxb-test", 400)
    post(slack, server, command_body(slack.api, "/moments", "export", user="ULEAD"))
    [reply] = wait_for(slack.responses)
    assert reply["text"] == OOPS_TRY_AGAIN and reply["response_type"] == "ephemeral"
    assert slack.api.named("upload") == [] and "CSV" not in slack.api.recorded()


def reaction(user: str, ts: str) -> dict[str, Any]:
    return {"type": "reaction_added", "user": user, "reaction": "disappointed", "item_user": "U2",
            "item": {"type": "message", "channel": "C1", "ts": ts}, "event_ts": ts}


def test_the_history_queue_reads_on_while_slack_is_slow_to_answer(slack: Slack, server: str) -> None:
    """Two reactions on messages the bot never saw, Slack holding conversations.history: both
    reads are asked together (a queue thread that waited on the first would ask one), and both
    moments are filed, and their reporters told, once Slack answers."""
    gate = slack.api.hold("conversations.history")
    for n in (1, 2):
        ts = f"1700000000.00050{n}"
        slack.api.history[ts] = {"ts": ts, "user": "U2", "text": f"the baggage belt stopped again {n}"}
        post(slack, server, event_body(reaction(f"U{n}", ts), f"EvSlow{n}"), "application/json")
    wait_for(lambda: slack.api.in_flight.get("conversations.history") == 2, timeout=10)
    assert len(slack.moments()) == 2 and not any(m.text for m in slack.moments())
    gate.set()
    wait_for(lambda: all(m.text for m in slack.moments()))
    wait_for(lambda: len(slack.api.named("chat.postEphemeral")) == 2)
    told = slack.api.named("chat.postEphemeral")
    assert sorted(c.args["user"] for c in told) == ["U1", "U2"]


def test_a_tier_2_method_keeps_its_pace_after_a_burst_and_another_workspace_goes_at_once(
    api: SlackApi,
) -> None:
    """users.list is Tier 2 (20 a minute). With a minute of 8 s: ten calls at once (half a
    minute's worth), then one every 0.4 s (long beside the jitter of ten connections opened at
    once on a busy machine); workspace B's calls, handed over after all of A's, do not wait
    behind them."""
    sender = Sender(minute=8.0)
    one, two = WebClient(token="xoxb-a", base_url=api.url), WebClient(token="xoxb-b", base_url=api.url)
    done: list[str] = []
    try:
        for client, cursor in [*((one, f"a{i}") for i in range(13)), (two, "b0"), (two, "b1")]:
            replies = Replies()
            handed = REPLIES.set(replies)
            try:  # each as its own request's work: none waits for another
                sender.call(client, "users_list", cursor=cursor)
            finally:
                REPLIES.reset(handed)
            replies.close(lambda: done.append("one"))
        wait_for(lambda: len(done) == 15, timeout=10)
        calls = {c.args["cursor"]: c for c in api.named("users.list")}
        burst = [calls[f"a{i}"].at for i in range(10)]
        paced = [calls[f"a{i}"].at for i in range(10, 13)]
        assert paced[0] - min(burst) >= 0.3
        assert all(later - earlier >= 0.3 for earlier, later in zip(paced, paced[1:], strict=False))
        assert max(calls["b0"].at, calls["b1"].at) < paced[0]  # B's bucket is its own
        assert {calls[f"a{i}"].token for i in range(13)} == {"xoxb-a"}
    finally:
        sender.close()


def test_a_form_slack_rate_limits_for_long_is_told_at_once_not_waited_out(slack: Slack, server: str) -> None:
    """views.open's trigger_id lasts 3 seconds: a 429 asking for 30 is not slept out on the
    listener thread (the trigger would expire anyway); the person hears at once to try again."""
    posted = open_prompt(slack)
    [propose] = [b for b in buttons(posted["blocks"]) if b["action_id"] == "moments:propose"]
    slack.api.fail_next_for("views.open", "xoxb-test", 429, {"Retry-After": "30"})
    started = time.monotonic()
    vote(slack, server, propose, "U3")  # (a click on any button, over signed HTTP)
    told = wait_for(lambda: [r for r in slack.responses() if r.get("text") == OOPS], timeout=10)
    assert time.monotonic() - started < 5
    assert told[0]["response_type"] == "ephemeral" and not told[0].get("replace_original")
    assert len(slack.api.named("views.open")) == 1  # asked once, not again after 30 s
