"""The first five minutes, signed over HTTP into the running server: a /wow before the channel
has a team is kept, its "Set up this channel" button opens the form prefilled with guesses, the
form submitted as is makes the team and files the moment; a reaction there is kept too; a DM by a
person in two teams asks which (remembered); the bot's arrival in a channel is welcomed once."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from bot.domain import MomentKind, Source
from bot.services import Actor
from tests.handlers.slack.conftest import Slack, command_body, settle, trigger_id, wait_for
from tests.handlers.slack.test_http import request, serve
from tests.handlers.slack.wire import corpus, send

NEW = "C0NEWCREW"


@pytest.fixture
def url(slack: Slack) -> Iterator[str]:
    yield from serve(slack.services, slack.built)


def shown(message: dict[str, Any]) -> str:
    return str(message.get("text") or "") + json.dumps(message.get("blocks") or [], ensure_ascii=False)


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    blocks = message.get("blocks") or []
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    return [e for b in blocks if b.get("type") == "actions" for e in b.get("elements", [])]


def press(slack: Slack, url: str, button: dict[str, Any], user: str, channel: str,
          channel_name: str = "gate-crew") -> None:
    """A block_actions payload as Slack sends it for a click on ``button`` in a message."""
    status, _ = send(slack, url, {
        "type": "block_actions", "team": {"id": "T1", "domain": "acme"},
        "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": "T1"},
        "api_app_id": "A1", "token": "t", "trigger_id": trigger_id(),
        "container": {"type": "message", "message_ts": "1700000300.000100", "channel_id": channel,
                      "is_ephemeral": True},
        "channel": {"id": channel, "name": channel_name}, "enterprise": None,
        "is_enterprise_install": False, "response_url": slack.api.response_url,
        "state": {"values": {}},
        "actions": [{**button, "block_id": "b1", "action_ts": "1700000301.000100"}]})
    assert status == 200


def as_submitted(view: dict[str, Any]) -> dict[str, Any]:
    """The state Slack sends for a modal submitted without typing: each input's initial value."""
    values: dict[str, Any] = {}
    for block in view["blocks"]:
        element = block.get("element")
        if block.get("type") != "input" or not element:
            continue
        kind = element["type"]
        if kind in ("static_select", "radio_buttons"):
            state = {"type": kind, "selected_option": element.get("initial_option")}
        elif kind == "checkboxes":
            state = {"type": kind, "selected_options": element.get("initial_options") or []}
        else:
            state = {"type": kind, "value": element.get("initial_value")}
        values[block["block_id"]] = {element["action_id"]: state}
    return values


def submit(slack: Slack, url: str, view: dict[str, Any], user: str) -> None:
    status, text = send(slack, url, {
        "type": "view_submission", "team": {"id": "T1", "domain": "acme"},
        "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": "T1"},
        "api_app_id": "A1", "token": "t", "trigger_id": trigger_id(),
        "view": {**view, "id": "V0SETUP1", "team_id": "T1", "hash": "1700000302.abc",
                 "state": {"values": as_submitted(view)}},
        "response_urls": [], "is_enterprise_install": False, "enterprise": None})
    assert status == 200 and "errors" not in text, text


def waiting(slack: Slack, channel: str = NEW) -> list[Any]:
    with slack.store.transaction(slack.ws) as repo:
        return repo.waiting_in(channel)


def test_a_wow_before_setup_is_kept_and_filed_once_the_button_sets_the_channel_up(
        slack: Slack, url: str) -> None:
    slack.api.users["U8"] = {"name": "Nia", "tz": "Asia/Tokyo"}
    body = command_body(slack.api, "/wow",
                        "<@U02ANA7> rebooked a whole family in two minutes, call +46 70 123 45 67",
                        user="U07SAM", channel=NEW)
    status, _ = request(f"{url}/slack/events", body,
                        {"Content-Type": "application/x-www-form-urlencoded", **slack.sign(body)})
    assert status == 200
    [reply] = wait_for(slack.responses)
    assert reply["response_type"] == "ephemeral"
    assert "Saved" in shown(reply) and "14 days" in shown(reply)
    [kept] = waiting(slack)
    assert "123 45 67" not in kept.text  # redacted before it was stored
    [button] = buttons(reply)
    assert button["text"]["text"] == "Set up this channel"

    press(slack, url, button, "U8", NEW)  # anyone may; Nia does, and will lead the team
    [opened] = wait_for(lambda: slack.api.named("views.open"))
    view = opened.args["view"]
    if isinstance(view, str):
        view = json.loads(view)
    assert view["callback_id"] == "setup_modal"
    initial = {b["block_id"]: b["element"] for b in view["blocks"] if b.get("type") == "input"}
    assert initial["setup_name"]["initial_value"] == "Gate crew"  # from the channel's name
    assert initial["setup_tz"]["initial_value"] == "Asia/Tokyo"  # from Nia's Slack profile
    assert initial["setup_template"]["initial_option"]["value"] == "airline"  # what teams here use

    submit(slack, url, view, "U8")  # "Set up", nothing typed
    [posted] = wait_for(lambda: [c.args for c in slack.api.named("chat.postMessage")
                                 if c.args.get("channel") == NEW])
    assert "Team set up" in shown(posted) and "Filed 1 moment" in shown(posted)
    assert "<@U07SAM>" in shown(posted)  # the reporter is told, in the channel
    team = slack.services.journey.team_for_channel(workspace_id=slack.ws, channel=NEW)
    assert team is not None and team.leads == ("U8",) and team.timezone == "Asia/Tokyo"
    with slack.store.transaction(slack.ws) as repo:
        [moment] = repo.moments(team.id)
    assert (moment.kind, moment.reporter_id, moment.credited) == (MomentKind.WOW, "U07SAM", ("U02ANA7",))
    assert "123 45 67" not in moment.text and waiting(slack) == []


def test_a_reaction_before_setup_is_kept_with_the_message_and_credits_its_author(
        slack: Slack, url: str) -> None:
    seen = corpus("event_message_channels", slack)
    seen["event"].update(channel=NEW, user="U2", ts="1700000400.000100",
                         text="Ana walked the family to boarding herself")
    seen["event_id"] = "Ev0SEENNEW"
    assert send(slack, url, seen)[0] == 200
    wait_for(lambda: slack.messages.cached_message(slack.ws, NEW, "1700000400.000100"))
    reacted = corpus("event_reaction_added", slack)
    reacted["event"]["item"]["channel"] = NEW
    reacted["event"]["item"]["ts"] = "1700000400.000100"
    reacted["event_id"] = "Ev0REACTNEW"
    assert send(slack, url, reacted)[0] == 200
    [told] = wait_for(lambda: [c.args for c in slack.api.named("chat.postEphemeral")])
    assert told["user"] == "U1" and "Saved" in shown(told) and buttons(told)
    # a colleague's reaction, taken back before setup, leaves nothing waiting
    theirs = {**reacted, "event_id": "Ev0REACTNEW2", "event": {**reacted["event"], "user": "U3"}}
    assert send(slack, url, theirs)[0] == 200
    wait_for(lambda: len(waiting(slack)) == 2)
    removed = {**theirs, "event_id": "Ev0UNREACTNEW",
               "event": {**theirs["event"], "type": "reaction_removed"}}
    assert send(slack, url, removed)[0] == 200
    wait_for(lambda: [w.reporter_id for w in waiting(slack)] == ["U1"])
    made = slack.services.onboarding.set_up(workspace_id=slack.ws, actor=Actor("U8"), channel=NEW)
    [filed] = made.filed
    assert filed.filed is not None
    moment = filed.filed.moment
    assert (moment.source, moment.credited) == (Source.REACTION, ("U2",))
    assert moment.text == "Ana walked the family to boarding herself"


def dm(slack: Slack, url: str, text: str, event_id: str) -> None:
    body = corpus("event_message_im", slack)
    body["event"].update(text=text, ts=f"17000005{len(event_id):02d}.000100")
    body["event"]["blocks"] = []
    body["event_id"] = event_id
    assert send(slack, url, body)[0] == 200


def test_a_dm_by_a_person_in_two_teams_asks_which_and_remembers(slack: Slack, url: str) -> None:
    ramp = slack.services.onboarding.set_up(workspace_id=slack.ws, actor=Actor("ULEAD"),
                                            channel="C0RAMP", name="Ramp").team
    dm(slack, url, "WOW: the ramp crew found the lost pram", "Ev0DM1")
    [asked] = wait_for(lambda: [c.args for c in slack.api.named("chat.postMessage")
                                if c.args.get("channel") == "D0BOTDM"])
    labels = {b["text"]["text"]: b for b in buttons(asked)}
    assert set(labels) == {"Gate crew", "Ramp"} and "which one" in shown(asked)

    press(slack, url, labels["Ramp"], "ULEAD", "D0BOTDM", channel_name="directmessage")
    wait_for(lambda: any("From now on" in shown(r) for r in slack.responses()))
    with slack.store.transaction(slack.ws) as repo:
        [moment] = repo.moments(ramp.id)
        assert repo.chosen_team("ULEAD") == ramp.id
    assert moment.text == "the ramp crew found the lost pram"

    dm(slack, url, "WOW: the ramp crew again", "Ev0DM22")  # remembered: straight there
    wait_for(lambda: len(slack.services.reports.export_moments(
        workspace_id=slack.ws, team_id=ramp.id, actor=Actor("ULEAD")).rows) == 2)


def test_the_bot_joining_a_channel_is_welcomed_once(slack: Slack, url: str) -> None:
    slack.api.channel_names[NEW] = "bag-drop"
    joined = corpus("event_member_joined_channel", slack)
    assert send(slack, url, joined)[0] == 200
    [welcome] = wait_for(lambda: [c.args for c in slack.api.named("chat.postMessage")])
    assert welcome["channel"] == NEW and "Bag drop" in shown(welcome)
    [button] = buttons(welcome)
    assert button["text"]["text"] == "Set up this channel"
    # removed and invited again, or the same event delivered again: no second welcome
    again = {**joined, "event_id": "Ev09JOINED2"}
    assert send(slack, url, again)[0] == 200
    settle(slack)  # (while the first is still being handled, Slack's retry is answered 503)
    assert send(slack, url, joined)[0] == 200
    someone = {**joined, "event_id": "Ev09JOINED3", "event": {**joined["event"], "user": "U5"}}
    assert send(slack, url, someone)[0] == 200
    settle(slack, 0.5)
    assert len(slack.api.named("chat.postMessage")) == 1


def test_log_as_a_moment_in_a_channel_with_no_team_opens_the_form_and_keeps_the_moment(
        slack: Slack, url: str) -> None:
    shortcut = corpus("message_action_log_moment", slack)
    shortcut["channel"] = {"id": NEW, "name": "gate-crew"}
    assert send(slack, url, shortcut)[0] == 200
    [opened] = wait_for(lambda: slack.api.named("views.open"))
    view = opened.args["view"]
    if isinstance(view, str):
        view = json.loads(view)
    assert view["callback_id"] == "log_moment_modal"
    assert "touchpoint" not in {b["block_id"] for b in view["blocks"]}  # no journey yet
    status, text = send(slack, url, {
        "type": "view_submission", "team": {"id": "T1", "domain": "acme"},
        "user": {"id": "U1", "username": "u1", "name": "u1", "team_id": "T1"},
        "api_app_id": "A1", "token": "t", "trigger_id": trigger_id(),
        "view": {**view, "id": "V0LOG1", "team_id": "T1", "hash": "1700000500.abc",
                 "state": {"values": as_submitted(view)}},
        "response_urls": [], "is_enterprise_install": False, "enterprise": None})
    assert status == 200 and "errors" not in text
    [told] = wait_for(lambda: [c.args for c in slack.api.named("chat.postEphemeral")])
    assert told["user"] == "U1" and "Saved" in shown(told)
    [kept] = waiting(slack)
    assert (kept.source, kept.author_id) == (Source.SHORTCUT, "U2")
    made = slack.services.onboarding.set_up(workspace_id=slack.ws, actor=Actor("U8"), channel=NEW)
    [filed] = made.filed
    assert filed.filed is not None and filed.filed.moment.credited == ("U2",)


def test_set_up_by_someone_not_seen_yet_asks_their_profile_once_and_off_the_listener_threads(
        slack: Slack, url: str) -> None:
    """Slack holding users.info, the click waits for it without a listener thread (another
    person's /wow meanwhile is answered), and the one answer gives both who they are and the
    timezone the form shows: users.info is asked once, not again for the timezone."""
    slack.api.users["U8"] = {"name": "Nia", "tz": "Asia/Tokyo"}
    body = command_body(slack.api, "/wow", "a warm welcome at the gate", user="U07SAM", channel=NEW)
    assert request(f"{url}/slack/events", body,
                   {"Content-Type": "application/x-www-form-urlencoded", **slack.sign(body)})[0] == 200
    [reply] = wait_for(slack.responses)
    [button] = buttons(reply)
    gate = slack.api.hold("users.info")
    try:
        press(slack, url, button, "U8", NEW)
        wait_for(lambda: slack.api.in_flight.get("users.info") == 1)
        press(slack, url, button, "U07SAM", NEW)  # known since the /wow: the form opens for them
        wait_for(lambda: slack.api.named("views.open"))
    finally:
        gate.set()
    opened = wait_for(lambda: slack.api.named("views.open")[1:])
    view = opened[0].args["view"]
    if isinstance(view, str):
        view = json.loads(view)
    initial = {b["block_id"]: b["element"] for b in view["blocks"] if b.get("type") == "input"}
    assert initial["setup_tz"]["initial_value"] == "Asia/Tokyo"  # from Nia's Slack profile
    assert [c.args["user"] for c in slack.api.named("users.info")].count("U8") == 1


def test_moments_added_to_channels_while_slack_is_slow_holds_no_listener_thread(
        slack: Slack, url: str) -> None:
    """An admin adds Moments to three channels while Slack holds conversations.info and
    users.info, on two listener threads: a known person's /wow meanwhile is confirmed (threads
    waiting on Slack for the welcomes would leave it queued). Once Slack answers, each channel
    is welcomed by its name in the inviter's timezone, and nothing is asked twice."""
    slack.command("/wow", "#boarding a warm welcome", user="U3")  # U3 is known from here on
    wait_for(lambda: len(slack.moments()) == 1)
    slack.api.users["U9"] = {"name": "Ines", "tz": "Europe/Lisbon"}
    names = {"C0BAGS": "bag-drop", "C0LOUNGE": "lounge-desk", "C0GATE7": "gate-seven"}
    slack.api.channel_names.update(names)
    joined = corpus("event_member_joined_channel", slack)
    gates = [slack.api.hold("conversations.info"), slack.api.hold("users.info")]
    try:
        for i, channel in enumerate(names):
            event = {**joined["event"], "channel": channel, "inviter": "U9"}
            assert send(slack, url, {**joined, "event_id": f"Ev09ADDED{i}", "event": event})[0] == 200
        wait_for(lambda: slack.api.in_flight.get("conversations.info") == 3, timeout=10)
        body = command_body(slack.api, "/wow", "found a lost passport at the gate", user="U3")
        assert request(f"{url}/slack/events", body,
                       {"Content-Type": "application/x-www-form-urlencoded", **slack.sign(body)})[0] == 200
        wait_for(lambda: any(m.text == "found a lost passport at the gate" for m in slack.moments()))
        wait_for(lambda: [r for r in slack.responses() if "lost passport" in shown(r)])  # confirmed
        assert slack.api.named("chat.postMessage") == []  # the welcomes still wait for Slack
    finally:
        for gate in gates:
            gate.set()
    posted = wait_for(lambda: [c.args for c in slack.api.named("chat.postMessage")][2:] and
                      [c.args for c in slack.api.named("chat.postMessage")], timeout=10)
    welcomed = {p["channel"]: shown(p) for p in posted}
    assert set(welcomed) == set(names)
    for channel, title in [("C0BAGS", "Bag drop"), ("C0LOUNGE", "Lounge desk"), ("C0GATE7", "Gate seven")]:
        assert title in welcomed[channel] and "Europe/Lisbon" in welcomed[channel]
    assert sorted(c.args["channel"] for c in slack.api.named("conversations.info")) == sorted(names)
    assert [c.args["user"] for c in slack.api.named("users.info")].count("U9") == 1
