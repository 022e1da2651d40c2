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
from handlers.slack.modals import Origin
from handlers.slack.sender import REPLIES, Replies, Sender
from tests.handlers.slack.conftest import Slack, command_body, event_body, settle, wait_for
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


def a_vote_counts_while_slack_holds(slack: Slack, server: str, method: str, button: dict[str, Any],
                                    users: list[str], up: dict[str, Any]) -> None:
    """Each of ``users`` clicks ``button`` while Slack holds ``method``: all are asked together,
    and U3's 👍 meanwhile is counted at once (listener threads waiting on Slack would leave it
    queued). Slack answers on the way out."""
    before = len(slack.responses())
    gate = slack.api.hold(method)
    try:
        for user in users:
            vote(slack, server, button, user)
        wait_for(lambda: slack.api.in_flight.get(method) == len(users), timeout=10)
        vote(slack, server, up, "U3")  # known since their /moments prompt
        [counted] = wait_for(lambda: [r for r in slack.responses()[before:] if "counts" in r["text"]])
        assert "1 vote now" in counted["text"]
    finally:
        gate.set()


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


def test_forms_past_their_tier_are_refused_at_once_not_opened_on_an_expired_trigger(api: SlackApi) -> None:
    """views.open is Tier 4 (100 a minute; a burst of 50 goes at once): of 53 forms at once, the
    51st waits its 0.6 s and opens, the last two would wait past a second of their trigger's 3,
    so they fail at once (the person is told) without taking a call from the tier."""
    sender = Sender()
    client = WebClient(token="xoxb-a", base_url=api.url)
    opened: list[int] = []
    refused: list[int] = []
    try:
        for i in range(53):
            async def open_form(a: Any, i: int = i) -> None:
                await a.call("views_open", patience=1.0, trigger_id=f"{i}.tr", view={"type": "modal"})
                opened.append(i)

            async def told(a: Any, i: int = i) -> None:
                refused.append(i)

            replies = Replies()
            handed = REPLIES.set(replies)
            try:
                sender.work(client, open_form, otherwise=told)
            finally:
                REPLIES.reset(handed)
        wait_for(lambda: len(opened) + len(refused) == 53, timeout=10)
        assert len(opened) == 51 and len(refused) == 2
        assert len(api.named("views.open")) == 51
        assert sender.tiers.reserve("xoxb-a", "views.open") < 1.5  # the two took nothing
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
    vote(slack, server, propose, "U4")  # while the hold lasts: told at once, Slack not asked
    wait_for(lambda: len([r for r in slack.responses() if r.get("text") == OOPS]) == 2, timeout=10)
    assert time.monotonic() - started < 5
    assert len(slack.api.named("views.open")) == 1


def test_a_form_waits_out_a_short_rate_limit_and_opens(slack: Slack, server: str) -> None:
    """A 429 asking for half a second, well inside the trigger's 3: waited out, and the form opens."""
    posted = open_prompt(slack)
    [propose] = [b for b in buttons(posted["blocks"]) if b["action_id"] == "moments:propose"]
    slack.api.fail_next_for("views.open", "xoxb-test", 429, {"Retry-After": "0.5"})
    vote(slack, server, propose, "U3")
    opened = wait_for(lambda: slack.api.named("views.open")[1:], timeout=10)
    assert opened[0].at - slack.api.named("views.open")[0].at >= 0.45
    settle(slack, 0.3)
    assert not [r for r in slack.responses() if r.get("text") == OOPS]


def test_forms_opening_while_slack_is_slow_hold_no_listener_thread(slack: Slack, server: str) -> None:
    """Three people click "Propose" while Slack holds views.open, on two listener threads: a
    vote meanwhile is confirmed (threads waiting on views.open would leave it queued), and
    once Slack answers each of the three sees their form, none told anything went wrong."""
    posted = prompt_with_a_proposal(slack)
    [propose] = [b for b in buttons(posted["blocks"]) if b["action_id"] == "moments:propose"]
    [up] = [b for b in buttons(posted["blocks"]) if b["text"]["text"].startswith("👍")]
    before = len(slack.responses())
    a_vote_counts_while_slack_holds(slack, server, "views.open", propose, ["UP0", "UP1", "UP2"], up)
    opened = wait_for(lambda: slack.api.named("views.open")[2:] and slack.api.named("views.open"), timeout=10)
    assert sorted(c.args["trigger_id"] for c in opened) == ["1UP0.tr", "1UP1.tr", "1UP2.tr"]
    settle(slack, 0.3)
    assert not [r for r in slack.responses()[before:] if r.get("text") == OOPS]


def test_reactions_from_people_not_seen_yet_hold_no_listener_thread(slack: Slack, server: str) -> None:
    """Three people not seen yet react OW to messages while Slack holds users.info, on two
    listener threads: a known person's /wow meanwhile is filed and confirmed (threads waiting on
    users.info would leave it queued). Once Slack answers, the three moments are filed, each
    reporter known by name, each asked about once; a reaction that makes no moment asks nothing."""
    slack.command("/wow", "#boarding a warm welcome", user="U3")  # U3 is known from here on
    wait_for(lambda: len(slack.moments()) == 1)
    slack.api.users.update({f"UNEW{i}": {"name": f"Nadia {i}"} for i in range(3)})
    gate = slack.api.hold("users.info")
    try:
        for i in range(3):
            ts = f"1700000000.00060{i}"
            slack.api.history[ts] = {"ts": ts, "user": "U2", "text": f"the baggage belt stopped again {i}"}
            post(slack, server, event_body(reaction(f"UNEW{i}", ts), f"EvNew{i}"), "application/json")
        plain = {**reaction("UNEW9", "1700000000.000609"), "reaction": "eyes"}
        post(slack, server, event_body(plain, "EvEyes"), "application/json")
        wait_for(lambda: slack.api.in_flight.get("users.info") == 3, timeout=10)
        body = command_body(slack.api, "/wow", "found a lost passport at the gate", user="U3")
        post(slack, server, body)
        wait_for(lambda: any(m.text == "found a lost passport at the gate" for m in slack.moments()))
        wait_for(lambda: [r for r in slack.responses() if "lost passport" in json.dumps(r)])
        assert len(slack.moments()) == 2
    finally:
        gate.set()
    wait_for(lambda: len(slack.moments()) == 5, timeout=10)
    assert [named(slack, f"UNEW{i}") for i in range(3)] == ["Nadia 0", "Nadia 1", "Nadia 2"]
    asked = [c.args["user"] for c in slack.api.named("users.info")]
    assert sorted(u for u in asked if u.startswith("UNEW")) == ["UNEW0", "UNEW1", "UNEW2"]  # once each


def named(slack: Slack, user: str) -> str:
    with slack.store.transaction(slack.ws) as repo:
        member = repo.member(user)
    return member.display_name if member is not None else ""


def test_a_click_from_someone_not_seen_yet_holds_no_listener_thread_while_slack_looks_them_up(
    slack: Slack, server: str,
) -> None:
    """Three people not seen yet vote while Slack holds users.info, on two listener threads: all
    three are asked together, and a known person's vote meanwhile is confirmed at once (threads
    waiting on users.info would leave it queued). Once Slack answers, the three votes count and
    each voter is known by the name their profile gives."""
    posted = prompt_with_a_proposal(slack)
    [up] = [b for b in buttons(posted["blocks"]) if b["text"]["text"].startswith("👍")]
    for i in range(3):
        slack.api.users[f"UNEW{i}"] = {"name": f"Nadia {i}"}
    before = len(slack.responses())
    a_vote_counts_while_slack_holds(slack, server, "users.info", up, ["UNEW0", "UNEW1", "UNEW2"], up)
    wait_for(lambda: sum("counts" in r["text"] for r in slack.responses()[before:]) == 4, timeout=10)
    assert [named(slack, f"UNEW{i}") for i in range(3)] == ["Nadia 0", "Nadia 1", "Nadia 2"]
    asked = [c.args["user"] for c in slack.api.named("users.info")]
    assert sorted(u for u in asked if u.startswith("UNEW")) == ["UNEW0", "UNEW1", "UNEW2"]  # once each


def log_form(slack: Slack, server: str, user: str, text: str) -> None:
    """A "Log as a moment" form submitted, as Slack sends a view_submission."""
    state = {"kind": {"kind": {"type": "radio_buttons", "selected_option": {"value": "wow"}}},
             "text": {"text": {"type": "plain_text_input", "value": text}},
             "touchpoint": {"touchpoint": {"type": "static_select", "selected_option": {"value": "baggage"}}}}
    payload = {"type": "view_submission", "team": {"id": "T1", "domain": "acme"},
               "user": {"id": user, "username": user.lower(), "team_id": "T1"}, "api_app_id": "A1",
               "trigger_id": f"2{user}.tr",
               "view": {"id": f"V{user}", "team_id": "T1", "type": "modal", "hash": "1700000302.abc",
                        "callback_id": "log_moment_modal", "state": {"values": state},
                        "private_metadata": Origin(channel="C1", ts="1700000000.000400", author="U2").dump()}}
    post(slack, server, urlencode({"payload": json.dumps(payload)}))


def test_a_form_from_someone_not_seen_yet_waits_for_slack_off_the_listener_threads(
    slack: Slack, server: str,
) -> None:
    """Three "Log as a moment" forms from people not seen yet while Slack holds users.info: a
    known person's form meanwhile is filed and confirmed; once Slack answers, the other three
    are filed too, each reporter known by name (a workspace admin as an admin)."""
    slack.command("/wow", "#boarding a warm welcome", user="U3")  # U3 is known from here on
    wait_for(lambda: len(slack.moments()) == 1)
    slack.api.users.update({f"UNEW{i}": {"name": f"Nadia {i}"} for i in range(3)})
    slack.api.users["UNEW0"]["is_admin"] = True
    gate = slack.api.hold("users.info")
    try:
        for i in range(3):
            log_form(slack, server, f"UNEW{i}", f"carried the bags of row {i}")
        wait_for(lambda: slack.api.in_flight.get("users.info") == 3, timeout=10)
        log_form(slack, server, "U3", "found a lost passport")
        wait_for(lambda: any(m.text == "found a lost passport" for m in slack.moments()))
        assert len(slack.moments()) == 2
        wait_for(lambda: [c for c in slack.api.named("chat.postEphemeral") if c.args["user"] == "U3"])
    finally:
        gate.set()
    wait_for(lambda: len(slack.moments()) == 5, timeout=10)
    assert {m.reporter_id for m in slack.moments()} == {"U3", "UNEW0", "UNEW1", "UNEW2"}
    assert [named(slack, f"UNEW{i}") for i in range(3)] == ["Nadia 0", "Nadia 1", "Nadia 2"]
    with slack.store.transaction(slack.ws) as repo:
        assert [bool(m and m.is_admin) for m in map(repo.member, ("UNEW0", "UNEW1"))] == [True, False]
    wait_for(lambda: len(slack.api.named("chat.postEphemeral")) == 4)


def test_a_click_goes_on_without_a_profile_when_users_info_fails_ahead_of_it(
    slack: Slack, server: str,
) -> None:
    """users.info refused ahead of the work: the vote counts all the same, the voter taken for a
    non-admin, as when the work's own call failed; the thread does not ask Slack again."""
    posted = prompt_with_a_proposal(slack)
    [up] = [b for b in buttons(posted["blocks"]) if b["text"]["text"].startswith("👍")]
    slack.api.users["UNEW"] = {"name": "Nadia"}
    slack.api.fail_next_for("users.info", "xoxb-test", 400)
    before = len(slack.responses())
    vote(slack, server, up, "UNEW")
    wait_for(lambda: [r for r in slack.responses()[before:] if "counts" in r["text"]])
    wait_for(lambda: len(slack.responses()) == before + 2)  # and the redrawn prompt: the work is over
    assert [c.args["user"] for c in slack.api.named("users.info")].count("UNEW") == 1
    assert named(slack, "UNEW") == ""


def test_the_home_tab_of_someone_not_seen_yet_is_drawn_once_slack_says_who_they_are(
    slack: Slack, server: str,
) -> None:
    """Three people not seen yet open the home tab while Slack holds users.info, on two listener
    threads: all three are asked together (threads waiting on Slack would ask two), and each
    tab is published once the answer is in."""
    gate = slack.api.hold("users.info")
    try:
        for i in range(3):
            event = {"type": "app_home_opened", "user": f"UNEW{i}", "tab": "home", "channel": f"D{i}"}
            post(slack, server, event_body(event, f"EvHome{i}"), "application/json")
        wait_for(lambda: slack.api.in_flight.get("users.info") == 3, timeout=10)
        assert slack.api.named("views.publish") == []
    finally:
        gate.set()
    wait_for(lambda: len(slack.api.named("views.publish")) == 3)
    assert sorted(c.args["user_id"] for c in slack.api.named("views.publish")) == ["UNEW0", "UNEW1", "UNEW2"]
