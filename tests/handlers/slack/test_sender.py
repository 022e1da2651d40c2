"""The replies after the ack go out many at once, without a listener thread waiting on each, and
a request's claim is done only once its reply is answered; a 429 holds that method for that
workspace only, one workspace held back fills only its own room of pending replies, and
chat.postMessage keeps to a message a second a channel."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy
from slack_sdk import WebClient
from slack_sdk.oauth.installation_store import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore

from bot.config import Settings
from bot.domain import Platform, Workspace
from bot.services import Actor, Services
from handlers.notify import SlackNotifier
from handlers.slack.app import BOT_SCOPES, build_slack_door
from handlers.slack.sender import REPLIES, Replies, Room, Sender
from handlers.slack.settings import SlackSettings
from handlers.slack.tiers import TierBuckets
from tests.fakes import FakeFiler, FixedClock, InMemoryStore
from tests.handlers.slack.conftest import MONDAY, SECRET, Slack, command_body, wait_for
from tests.handlers.slack.fakes import InMemoryMessageCache, InMemoryRequestInbox
from tests.handlers.slack.stand_in import SlackApi
from tests.handlers.slack.test_http import request, serve
from tests.handlers.slack.test_notifier import digest_post

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.fixture
def server(slack: Slack) -> Iterator[str]:
    yield from serve(slack.services, slack.built)  # as `moments serve` does


def test_many_confirmations_are_in_flight_at_once_and_each_claim_waits_for_its_own(
    slack: Slack, server: str,
) -> None:
    """Two listener threads (the default), eight /wow over signed HTTP, a Slack that does not
    answer yet: all eight confirmations are waiting on Slack together (a thread that waited on
    its reply would leave two), the moments are stored, and no request is done until Slack
    answers its reply."""
    assert slack.built.door.settings.listener_threads == 2
    gate = slack.api.hold("response")
    for i in range(8):
        body = command_body(slack.api, "/wow", f"#boarding seat {i} found for the family", user=f"U{i}")
        assert request(f"{server}/slack/events", body, {**FORM, **slack.sign(body)})[0] == 200
    wait_for(lambda: slack.api.in_flight.get("response") == 8, timeout=10)
    assert len(slack.moments()) == 8
    slack.built.inbox.finisher.flush()
    assert not any(slack.requests.event_done(key) for key in slack.requests._events)
    gate.set()
    wait_for(lambda: slack.api.in_flight.get("response") == 0)
    assert slack.api.most_in_flight["response"] == 8
    assert all("WOW" in r["text"] and r["response_type"] == "ephemeral" for r in slack.responses())

    def all_done() -> bool:
        slack.built.inbox.finisher.flush()
        return all(slack.requests.event_done(key) for key in slack.requests._events)

    wait_for(all_done)
    assert len(slack.requests._events) == 8


def test_who_is_acting_is_asked_for_many_people_at_once_before_their_work_starts(
    slack: Slack, server: str,
) -> None:
    """users.info for six people not seen yet, held by Slack: all six are asked together (no
    listener thread waits on one), each once though one sends two commands, and each command's
    work starts once its answer is in."""
    gate = slack.api.hold("users.info")
    for i, what in [*((i, f"belt {i} stopped") for i in range(6)), (0, "the lounge was shut")]:
        body = command_body(slack.api, "/ow", f"#baggage {what}", user=f"UNEW{i}")
        assert request(f"{server}/slack/events", body, {**FORM, **slack.sign(body)})[0] == 200
    wait_for(lambda: slack.api.in_flight.get("users.info") == 6, timeout=10)
    assert slack.moments() == []
    gate.set()
    wait_for(lambda: len(slack.responses()) == 7)
    assert len(slack.moments()) == 7
    assert sorted(c.args["user"] for c in slack.api.named("users.info")) == [f"UNEW{i}" for i in range(6)]


def install(installations: SQLAlchemyInstallationStore, team: str, token: str) -> None:
    installations.save(Installation(app_id="A1", team_id=team, bot_token=token, bot_id="B" + team,
                                    bot_user_id="UBOT", bot_scopes=list(BOT_SCOPES), user_id="UADMIN",
                                    installed_at=datetime.now(UTC).timestamp()))


@pytest.fixture
def two_workspaces(api: SlackApi, tmp_path: Path) -> Iterator[Slack]:
    """Two installed workspaces (T1 with team channel C1, T2 with C2), one listener thread."""
    yield from door_of_two(api, tmp_path, listener_threads=1)


@pytest.fixture
def two_workspaces_two_threads(api: SlackApi, tmp_path: Path) -> Iterator[Slack]:
    yield from door_of_two(api, tmp_path, listener_threads=2)


def door_of_two(api: SlackApi, tmp_path: Path, listener_threads: int) -> Iterator[Slack]:
    installations = SQLAlchemyInstallationStore(
        client_id="111.222", engine=sqlalchemy.create_engine(f"sqlite:///{tmp_path / 'oauth.db'}"))
    installations.create_tables()
    install(installations, "T1", "xoxb-one")
    install(installations, "T2", "xoxb-two")
    store = InMemoryStore()
    services = Services(store=store, clock=FixedClock(MONDAY), make_filer=FakeFiler)
    ids = []
    for team, channel in (("T1", "C1"), ("T2", "C2")):
        ws = store.workspace(platform=Platform.SLACK, external_id=team).id
        ids.append((ws, services.journey.setup_team(workspace_id=ws, actor=Actor("ULEAD"), channel=channel,
                                                    name="Crew", template="airline").id))
    settings = SlackSettings(signing_secret=SECRET, api_url=api.url, client_id="111.222", client_secret="shh",
                             history_interval_seconds=0.0, listener_threads=listener_threads)
    built = build_slack_door(settings, services, requests=InMemoryRequestInbox(),
                             messages=InMemoryMessageCache(), installation_store=installations)
    yield Slack(built, api, services, store, FixedClock(MONDAY), *ids[0])
    built.door.history.stop()
    built.door.sender.close()


def message(slack: Slack, url: str, team: str, channel: str, ts: str, text: str, event_id: str) -> None:
    body = json.dumps({"token": "t", "team_id": team, "api_app_id": "A1", "type": "event_callback",
                       "event_id": event_id, "event_time": 1,
                       "event": {"type": "message", "channel": channel, "user": "U1", "ts": ts, "text": text,
                                 "channel_type": "channel"}})
    headers = {"Content-Type": "application/json", **slack.sign(body)}
    assert request(f"{url}/slack/events", body, headers)[0] == 200


def test_a_429_holds_that_method_for_that_workspace_and_no_other(two_workspaces: Slack) -> None:
    """T1's confirmation is answered 429 (Retry-After: 1): T1's replies wait out the second and
    are sent again; T2's, sent after it on the same single listener thread, goes out meanwhile."""
    slack = two_workspaces
    slack.api.fail_next_for("chat.postEphemeral", "xoxb-one", 429, {"Retry-After": "1"})
    for url in serve(slack.services, slack.built):
        message(slack, url, "T1", "C1", "1700000000.000100", "OW: #baggage belt stopped", "EvA1")
        wait_for(lambda: slack.api.named("chat.postEphemeral"))  # T1's, refused
        message(slack, url, "T2", "C2", "1700000000.000200", "WOW: #boarding a seat for the family", "EvB1")
        message(slack, url, "T1", "C1", "1700000000.000300", "OW: #baggage the belt again", "EvA2")
        wait_for(lambda: len(slack.api.named("chat.postEphemeral")) == 4, timeout=10)
    calls = slack.api.named("chat.postEphemeral")
    assert [c.token for c in calls] == ["xoxb-one", "xoxb-two", "xoxb-one", "xoxb-one"]
    refused, other, *again = calls
    assert "belt stopped" in refused.args["text"] and "a seat" in other.args["text"]
    # the refused one is sent again after Retry-After, and T1's next waited as long
    assert sorted("again" in c.args["text"] for c in again) == [False, True]
    assert refused.args["text"] in [c.args["text"] for c in again]
    assert all(c.at - refused.at >= 0.9 for c in again)
    assert other.at < min(c.at for c in again)  # T2's went out during T1's wait


def test_posts_to_one_channel_keep_their_pace_and_other_channels_go_between(api: SlackApi) -> None:
    """Two requests' work: one posts three times to C1, the other once to C2."""
    sender = Sender(per_channel=0.5)
    client = WebClient(token="xoxb-pace", base_url=api.url)
    done: list[str] = []
    for posts in ((("C1", "first"), ("C1", "second"), ("C1", "third")), (("C2", "elsewhere"),)):
        replies = Replies()
        handed = REPLIES.set(replies)
        try:  # as a request's work hands them over (none waits here)
            for channel, text in posts:
                sender.call(client, "chat_postMessage", channel=channel, text=text)
        finally:
            REPLIES.reset(handed)
        replies.close(lambda: done.append("one"))
    try:
        wait_for(lambda: len(done) == 2, timeout=10)
        posts = api.named("chat.postMessage")
        texts = [c.args["text"] for c in posts]
        assert sorted(texts[:2]) == ["elsewhere", "first"] and texts[2:] == ["second", "third"]
        first, second, third = (next(c for c in posts if c.args["text"] == t)
                                for t in ("first", "second", "third"))
        assert second.at - first.at >= 0.45 and third.at - second.at >= 0.45
    finally:
        sender.close()


def with_the_weekly_notifier(api: SlackApi, token: str, spacing: float) -> tuple[Sender, SlackNotifier]:
    """A door's sender and the weekly notifier on the same buckets, as the server wires them."""
    tiers = TierBuckets()
    return (Sender(per_channel=spacing, tiers=tiers),
            SlackNotifier(replace(Settings(), slack_bot_token=token, slack_api_url=api.url),
                          spacing=spacing, tiers=tiers))


def post_reply(sender: Sender, client: WebClient, channel: str, text: str, done: list[str]) -> None:
    """A request's work hands one chat.postMessage over; ``done`` hears ``text`` once answered."""
    replies = Replies()
    handed = REPLIES.set(replies)
    try:
        sender.call(client, "chat_postMessage", channel=channel, text=text)
    finally:
        REPLIES.reset(handed)
    replies.close(lambda: done.append(text))


def test_a_weekly_post_and_a_reply_to_one_channel_keep_one_pace(api: SlackApi) -> None:
    """The weekly digest and a door's reply to the same channel take their slots from the same
    buckets: the reply handed over just after the digest waits its share of a second."""
    sender, notifier = with_the_weekly_notifier(api, "xoxb-pace", spacing=0.5)
    done: list[str] = []
    try:
        notifier.send(Workspace(1, Platform.SLACK, "TPACE"), digest_post("C1"))
        post_reply(sender, WebClient(token="xoxb-pace", base_url=api.url), "C1", "a reply", done)
        wait_for(lambda: done == ["a reply"], timeout=10)
        digest, reply = api.named("chat.postMessage")
        assert reply.args["text"] == "a reply"
        assert reply.at - digest.at >= 0.45
    finally:
        sender.close()


def test_a_429_on_a_reply_holds_the_weekly_posts_of_that_workspace_too(api: SlackApi) -> None:
    """Slack refuses a door's reply with 429, Retry-After 1: the weekly digest the same process
    posts to that workspace meanwhile waits the second out as well."""
    api.fail_next_for("chat.postMessage", "xoxb-hold", 429, {"Retry-After": "1"})
    sender, notifier = with_the_weekly_notifier(api, "xoxb-hold", spacing=0)
    done: list[str] = []
    try:
        post_reply(sender, WebClient(token="xoxb-hold", base_url=api.url), "C1", "a reply", done)
        wait_for(lambda: len(api.named("chat.postMessage")) == 1)  # refused
        notifier.send(Workspace(1, Platform.SLACK, "THOLD"), digest_post("C2"))
        wait_for(lambda: done == ["a reply"], timeout=10)
        refused, *after = api.named("chat.postMessage")
        digest = next(c for c in after if c.args["channel"] == "C2")
        assert digest.at - refused.at >= 0.9
    finally:
        sender.close()


def test_a_429_on_a_weekly_post_holds_the_door_replies_of_that_workspace_at_once(api: SlackApi) -> None:
    """Slack refuses the weekly digest with 429, Retry-After 1: the reply a door hands over
    while the digest waits its second out waits too (the hold is shared as soon as Slack says
    it, not after the notifier's own client has waited), and the digest goes once it is over."""
    api.fail_next_for("chat.postMessage", "xoxb-wait", 429, {"Retry-After": "1"})
    sender, notifier = with_the_weekly_notifier(api, "xoxb-wait", spacing=0)
    done: list[str] = []
    weekly = threading.Thread(target=notifier.send, args=(Workspace(1, Platform.SLACK, "TWAIT"),
                                                          digest_post("C1")))
    try:
        weekly.start()
        wait_for(lambda: len(api.named("chat.postMessage")) == 1)  # the digest, refused
        post_reply(sender, WebClient(token="xoxb-wait", base_url=api.url), "C2", "a reply", done)
        wait_for(lambda: done == ["a reply"], timeout=10)
        weekly.join(timeout=10)
        refused, *after = api.named("chat.postMessage")
        reply = next(c for c in after if c.args["channel"] == "C2")
        digests = [c for c in after if c.args["channel"] == "C1"]
        assert reply.at - refused.at >= 0.9
        assert len(digests) == 1 and digests[0].at - refused.at >= 0.9
    finally:
        weekly.join(timeout=10)
        sender.close()


def hand_over(sender: Sender, client: WebClient, texts: list[str], done: list[str]) -> None:
    """As a request's work hands its replies over (not waited for); ``done`` hears when all are
    answered."""
    replies = Replies()
    handed = REPLIES.set(replies)
    try:
        for text in texts:
            sender.call(client, "chat_postEphemeral", channel="C1", user="U1", text=text)
    finally:
        REPLIES.reset(handed)
    replies.close(lambda: done.append(",".join(texts)))


def test_a_workspace_slack_holds_back_fills_its_own_room_and_the_others_go_on(api: SlackApi) -> None:
    """Workspace A's replies are held (a 429 asking for 2 s) until its room of three is full: a
    listener handing A one more waits, while B's replies, more than A's room, go out at once. Once
    A's wait is over, all of A's go out, once each (a request's in order), and the waiting listener
    goes on."""
    sender = Sender(most_pending=3)
    one, two = WebClient(token="xoxb-one", base_url=api.url), WebClient(token="xoxb-two", base_url=api.url)
    api.fail_next_for("chat.postEphemeral", "xoxb-one", 429, {"Retry-After": "2"})
    done: list[str] = []
    try:
        hand_over(sender, one, ["a1", "a2", "a3"], done)  # a1 refused: A held 2 s; A's room full
        wait_for(lambda: api.named("chat.postEphemeral"))
        started = time.monotonic()
        listener = threading.Thread(target=hand_over, args=(sender, one, ["a4"], done))
        listener.start()
        time.sleep(0.2)
        assert listener.is_alive() and sender.room.taken("xoxb-one") == 3  # waiting for A's room
        for i in range(5):  # B's: five, each its own request
            hand_over(sender, two, [f"b{i}"], done)
        wait_for(lambda: len(done) == 5, timeout=1.5)  # B's all answered, A still held
        assert time.monotonic() - started < 1.5
        assert listener.is_alive() and [c.args["text"] for c in api.named("chat.postEphemeral")
                                        if c.token == "xoxb-one"] == ["a1"]
        listener.join(timeout=10)
        assert not listener.is_alive()
        assert sender.drain(timeout=10)
        sent = api.named("chat.postEphemeral")
        of_a = [c.args["text"] for c in sent if c.token == "xoxb-one"]
        assert sorted(of_a) == ["a1", "a1", "a2", "a3", "a4"]  # the refused one again, none lost
        assert [t for t in of_a if t != "a4"] == ["a1", "a1", "a2", "a3"]  # one request's in order
        assert sorted(c.args["text"] for c in sent if c.token == "xoxb-two") == [f"b{i}" for i in range(5)]
        assert min(c.at for c in sent[1:] if c.token == "xoxb-one") - sent[0].at >= 1.9
        assert sorted(done) == ["a1,a2,a3", "a4", "b0", "b1", "b2", "b3", "b4"]
        assert sender.room.pending == 0
    finally:
        sender.close()


def test_over_http_a_workspace_held_back_waits_on_its_own_room_and_another_is_answered(
    two_workspaces_two_threads: Slack,
) -> None:
    """Signed events, two listener threads, room for two pending replies a workspace: T1's
    confirmations are held (a 429 asking for 2 s) until a listener handing over T1's third waits;
    T2's, on the other thread, is answered meanwhile; then all of T1's go out, once each."""
    slack = two_workspaces_two_threads
    sender = slack.built.door.sender
    sender.room = Room(2, 1000)
    slack.api.fail_next_for("chat.postEphemeral", "xoxb-one", 429, {"Retry-After": "2"})

    def of(token: str) -> list[str]:
        return [c.args["text"] for c in slack.api.named("chat.postEphemeral") if c.token == token]

    for url in serve(slack.services, slack.built):
        message(slack, url, "T1", "C1", "1700000000.000100", "OW: #baggage belt one stopped", "EvA1")
        wait_for(lambda: of("xoxb-one"))  # refused: T1 held for 2 s
        message(slack, url, "T1", "C1", "1700000000.000200", "OW: #baggage belt two stopped", "EvA2")
        wait_for(lambda: sender.room.taken("xoxb-one") == 2)  # T1's room full
        message(slack, url, "T1", "C1", "1700000000.000300", "OW: #baggage belt three stopped", "EvA3")
        wait_for(lambda: len(slack.moments()) == 3)  # its listener now waits to hand its reply over
        started = time.monotonic()
        message(slack, url, "T2", "C2", "1700000000.000400", "WOW: #boarding a seat for the family", "EvB1")
        [told] = wait_for(lambda: of("xoxb-two"), timeout=1.5)
        assert "a seat" in told and time.monotonic() - started < 1.5
        assert len(of("xoxb-one")) == 1 and sender.room.taken("xoxb-one") == 2  # T1 still held
        wait_for(lambda: len(of("xoxb-one")) == 4, timeout=10)
        assert sender.drain(timeout=10)
    first, *then = of("xoxb-one")
    assert "one" in first and sorted(t.split("belt ")[1].split()[0] for t in then) == ["one", "three", "two"]
    assert len(of("xoxb-two")) == 1
