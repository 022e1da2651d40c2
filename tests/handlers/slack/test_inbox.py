"""Nothing acknowledged is lost: a request whose replica died after the ack (before or after
storing its moment) is replayed by another replica, and makes its moment exactly once. The kept
copy of the request is redacted, encrypted when a key is set, and erased once handled."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from slack_bolt import BoltRequest, BoltResponse

from handlers.observability import METRICS
from handlers.slack.app import SlackDoorApp, build_slack_door
from handlers.slack.inbox import MAX_ATTEMPTS
from handlers.slack.settings import SlackSettings
from storage.inbox import REPLICA_TIMEOUT
from tests.handlers.slack.conftest import SECRET, Slack, command_body, settle, wait_for
from tests.handlers.slack.conftest import event_body as event_json

STOPPED = REPLICA_TIMEOUT + timedelta(seconds=1)


def kill_after_ack(built: SlackDoorApp) -> None:
    """This replica acknowledges, then dies before its lazy work runs."""
    built.executor.submit = lambda *args, **kwargs: None  # type: ignore[assignment,method-assign]


@pytest.fixture
def other(slack: Slack) -> Iterator[SlackDoorApp]:
    """A second replica on the same database."""
    built = build_slack_door(SlackSettings(bot_token="xoxb-test", signing_secret=SECRET,
                                           api_url=slack.api.url, history_interval_seconds=0.0),
                             slack.services, requests=slack.requests, messages=slack.messages)
    yield built
    built.door.history.stop()


def kept(slack: Slack) -> dict[str, Any]:
    return {key: slack.requests._kept[key] for key in slack.requests._events}


def test_a_command_acknowledged_by_a_replica_that_died_is_replayed_by_another(
    slack: Slack, other: SlackDoorApp
) -> None:
    kill_after_ack(slack.built)
    assert slack.command("/ow", "the baggage belt stopped for an hour").status == 200
    settle(slack)
    assert slack.moments() == [] and slack.responses() == []  # acknowledged, then lost

    other.inbox.replay(other.app)  # too soon: the first replica may only be slow
    settle(slack)
    assert slack.moments() == []

    slack.clock.advance(STOPPED)  # it has not beaten since: it is gone
    replayed = METRICS.value("slack_requests_replayed_total")
    assert other.inbox.replay(other.app) == 1
    assert METRICS.value("slack_requests_replayed_total") == replayed + 1
    [reply] = wait_for(slack.responses)
    assert "Filed under 🧳 Baggage" in reply["blocks"][0]["text"]["text"]
    [moment] = slack.moments()
    assert moment.text == "the baggage belt stopped for an hour" and moment.reporter_id == "U1"
    wait_for(lambda: all(payload is None for _, payload, _ in kept(slack).values()))
    assert other.inbox.replay(other.app) == 0  # done: never again


def test_a_replica_that_stored_the_moment_and_died_before_marking_it_done_makes_no_second_one(
    slack: Slack, other: SlackDoorApp
) -> None:
    slack.built.inbox.finisher.add = lambda key: None  # type: ignore[method-assign]  # dies first
    slack.command("/wow", "Ana found a seat for a family at the gate, thank you <@U2>")
    [first] = wait_for(slack.responses)
    [moment] = slack.moments()

    slack.clock.advance(STOPPED)
    assert other.inbox.replay(other.app) == 1
    second = wait_for(lambda: slack.responses()[1:])[0]
    assert slack.moments() == [moment]  # found by the request's key, not made again
    # and no second confirmation: the replay says it was logged already
    assert str(second) == str(first).replace(f"#{moment.id} logged:", f"#{moment.id} is already logged:")
    assert f"#{moment.id} is already logged" in second["text"]


def test_a_reaction_and_a_wow_message_are_replayed_once(slack: Slack, other: SlackDoorApp) -> None:
    kill_after_ack(slack.built)
    slack.event({"type": "message", "user": "U1", "channel": "C1", "ts": "1700000000.000100",
                 "text": "WOW: the crew sang happy birthday to a kid on board"}, "EvMsg1")
    slack.event({"type": "reaction_added", "user": "U3", "reaction": "disappointed",
                 "item": {"type": "message", "channel": "C1", "ts": "1700000000.000100"},
                 "item_user": "U1", "event_ts": "1700000001.000200"}, "EvReact1")
    settle(slack)
    assert slack.moments() == []
    slack.clock.advance(STOPPED)
    assert other.inbox.replay(other.app) == 2
    wait_for(lambda: len(slack.moments()) == 2)
    slack.clock.advance(STOPPED)
    other.inbox.replay(other.app)
    settle(slack)
    kinds = sorted(m.kind.value for m in slack.moments())
    assert kinds == ["ow", "wow"]


def test_the_kept_copy_is_redacted_and_encrypted_with_the_key(slack: Slack) -> None:
    built = build_slack_door(SlackSettings(bot_token="xoxb-test", signing_secret=SECRET,
                                           api_url=slack.api.url, encryption_key="s3cret-passphrase"),
                             slack.services, requests=slack.requests, messages=slack.messages)
    try:
        kill_after_ack(built)
        form = command_body(slack.api, "/ow", "refund for ana.lopez@example.com, card 4111 1111 1111 1111")
        resp = built.app.dispatch(BoltRequest(body=form, headers={
            "content-type": "application/x-www-form-urlencoded", **slack.sign(form)}))
        assert resp.status == 200
        [(owner, payload, attempts)] = kept(slack).values()
        assert payload.startswith("enc:v1:") and "example.com" not in payload and "4111" not in payload
        opened = built.inbox.sealer.open(payload)
        assert opened is not None and "ana.lopez@example.com" not in opened["text"]
        assert "4111 1111 1111 1111" not in opened["text"] and opened["command"] == "/ow"
    finally:
        built.door.history.stop()
    # without the key it is still redacted, in plain JSON
    kill_after_ack(slack.built)
    slack.command("/ow", "call me on +44 20 7946 0958 about ana.lopez@example.com")
    payloads = [p for _, p, _ in kept(slack).values() if p and not p.startswith("enc:")]
    assert len(payloads) == 1 and "example.com" not in payloads[0] and "7946" not in payloads[0]


def test_a_replayed_moments_command_is_not_run_twice_the_person_is_asked(
    slack: Slack, other: SlackDoorApp
) -> None:
    """Only moments are safe to make again (found by the request's key): a `/moments` command
    may have changed something before its replica died, e.g. a `retract` of the latest moment."""
    slack.command("/ow", "the baggage belt stopped for an hour")
    slack.command("/ow", "the lounge was closed")
    wait_for(lambda: len(slack.responses()) == 2)
    slack.built.drain()  # both done, their replies answered, their done-marks written
    kill_after_ack(slack.built)
    slack.command("/moments", "retract")
    slack.command("/moments", "setup", user="ULEAD")  # would open a form: its trigger expired
    slack.clock.advance(STOPPED)
    assert other.inbox.replay(other.app) == 2
    replies = wait_for(lambda: slack.responses()[2:] if len(slack.responses()) == 4 else [])
    assert all("restarted before it could finish your `/moments` command" in str(r) for r in replies)
    assert [m.retracted for m in slack.moments()] == [False, False]
    assert slack.api.named("views.open") == []


def test_a_request_that_kills_every_replica_is_given_up_after_three_attempts(
    slack: Slack, other: SlackDoorApp, caplog: pytest.LogCaptureFixture
) -> None:
    kill_after_ack(slack.built)
    kill_after_ack(other)
    slack.command("/ow", "the baggage belt stopped again")
    replicas = [other]
    for n in range(MAX_ATTEMPTS + 1):
        slack.clock.advance(STOPPED)
        third = build_slack_door(SlackSettings(bot_token="xoxb-test", signing_secret=SECRET,
                                               api_url=slack.api.url), slack.services,
                                 requests=slack.requests, messages=slack.messages)
        kill_after_ack(third)
        replicas.append(third)
        with caplog.at_level(logging.ERROR, logger="handlers.slack.inbox"):
            ran = third.inbox.replay(third.app)
        assert ran == (1 if n < MAX_ATTEMPTS - 1 else 0), n
    assert "giving up on Slack request command:" in caplog.text
    assert slack.moments() == []
    for built in replicas:
        built.door.history.stop()
    time.sleep(0.05)


def test_requests_with_no_work_behind_them_are_done_at_once_and_their_copy_erased(slack: Slack) -> None:
    slack.event({"type": "message", "user": "U1", "channel": "C1", "ts": "1700000000.000300",
                 "text": "just chatting, ana.lopez@example.com"}, "EvChat1")
    slack.event({"type": "member_joined_channel", "user": "U9", "channel": "C1"}, "EvJoin1")
    slack.command("/unknown", "anything")
    wait_for(lambda: len(kept(slack)) == 3 and all(p is None for _, p, _ in kept(slack).values()))
    assert all(slack.requests.event_done(key) for key in kept(slack))


def test_a_slack_redelivery_never_takes_a_live_replicas_claim_over(slack: Slack, other: SlackDoorApp) -> None:
    """A busy replica's queue is its own: Slack's retry of an event it still holds waits (503)."""
    kill_after_ack(slack.built)  # its work is queued, not yet run
    event = {"type": "message", "user": "U1", "channel": "C1", "ts": "1700000000.000900",
             "text": "WOW: the crew sang happy birthday"}
    assert slack.event(event, "EvBusy1").status == 200
    slack.requests.beat(slack.built.inbox.owner, slack.clock.now())
    slack.clock.advance(timedelta(minutes=1))
    slack.requests.beat(slack.built.inbox.owner, slack.clock.now())  # still alive
    retry = other.app.dispatch(BoltRequest(body=(b := event_json(event, "EvBusy1")), headers={
        "content-type": "application/json", "x-slack-retry-num": "1", **slack.sign(b)}))
    assert retry.status == 503
    assert other.inbox.replay(other.app) == 0
    settle(slack)
    assert slack.moments() == []


def test_a_claim_whose_work_never_started_is_given_back(slack: Slack, other: SlackDoorApp) -> None:
    kill_after_ack(slack.built)
    slack.command("/ow", "the baggage belt stopped for an hour")
    slack.clock.advance(STOPPED)
    real = other.app.dispatch
    other.app.dispatch = lambda request: BoltResponse(status=500, body="")  # type: ignore[method-assign]
    assert other.inbox.replay(other.app) == 1  # tried; the app failed before any listener
    other.app.dispatch = real  # type: ignore[method-assign]
    other.inbox.finisher.flush()
    [(owner, payload, attempts)] = kept(slack).values()
    assert (owner, attempts) == ("", 2) and payload  # released, not stuck with a live replica
    slack.requests.beat(other.inbox.owner, slack.clock.now())
    slack.clock.advance(timedelta(seconds=6))
    assert other.inbox.replay(other.app) == 1  # the next round runs it
    wait_for(slack.moments)


def test_a_claim_written_as_the_database_failed_is_undone(
    slack: Slack, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The INSERT went through, then the connection broke: the person was told nothing was saved,
    so the claim must not stay behind to be replayed later (a duplicate after their retry)."""
    real = slack.requests.claim_event

    def broken(*args: Any, **kwargs: Any) -> bool:
        real(*args, **kwargs)
        raise ConnectionError("server closed the connection unexpectedly")

    monkeypatch.setattr(slack.requests, "claim_event", broken)
    resp = slack.command("/ow", "the baggage belt stopped for an hour")
    assert resp.status == 200 and "nothing was saved" in resp.body
    slack.built.inbox.finisher.flush()
    assert kept(slack) == {}


def test_a_flood_of_events_is_deferred_while_work_waits_commands_still_taken(
    slack: Slack, caplog: pytest.LogCaptureFixture
) -> None:
    """More work waiting for the listener threads than max_backlog: a new event gets 503 before
    it is claimed (Slack delivers it again later) and nothing of it is kept; a person's command
    is still taken. Once the backlog drains, the redelivered event makes its moment."""
    import threading

    built, gate = slack.built, threading.Event()
    built.max_backlog = 1
    for _ in range(built.executor._max_workers + 1):  # every thread busy, one item waiting
        built.executor.submit(gate.wait, 10)
    assert built.executor.waiting == 1

    def dispatch(body: str, content_type: str) -> BoltResponse:
        return built.dispatch(BoltRequest(body=body, headers={"content-type": content_type,
                                                              **slack.sign(body)}))

    reaction = event_json({"type": "reaction_added", "user": "U3", "reaction": "disappointed",
                           "item_user": "U2", "item": {"type": "message", "channel": "C1",
                                                       "ts": "1700000000.000300"}}, "EvFLOOD1")
    deferred = METRICS.value("slack_events_deferred_total")
    assert dispatch(reaction, "application/json").status == 503
    assert METRICS.value("slack_events_deferred_total") == deferred + 1
    assert "EvFLOOD1" not in kept(slack)  # not claimed: the redelivery is a first delivery
    other_event = event_json({"type": "reaction_added", "user": "U4", "reaction": "disappointed",
                              "item_user": "U2", "item": {"type": "message", "channel": "C1",
                                                          "ts": "1700000000.000301"}}, "EvFLOOD2")
    assert slack.post(other_event, "application/json").status == 503  # the HTTP server's way in
    told = [r for r in caplog.records if "deferred (503)" in r.getMessage()]
    assert len(told) == 1  # a flood is one line every 10 seconds, not one per event
    command = command_body(slack.api, "/ow", "the queue at security took an hour")
    assert dispatch(command, "application/x-www-form-urlencoded").status == 200

    gate.set()
    wait_for(lambda: built.executor.waiting == 0)
    assert dispatch(reaction, "application/json").status == 200
    moments = wait_for(lambda: len(slack.moments()) == 2 and slack.moments())
    assert sorted(m.source.value for m in moments) == ["command", "reaction"]


@pytest.mark.parametrize("fails", ["answers 500", "raises"])
def test_a_request_bolt_fails_on_after_its_ack_is_replayed_not_lost(
    slack: Slack, other: SlackDoorApp, fails: str
) -> None:
    """An event or a command is answered before Bolt's middleware and listener run; if Bolt
    then fails, Slack was already told it arrived, so the claim is released for a replay."""
    real = slack.app.dispatch

    def failing(request: BoltRequest) -> BoltResponse:
        if fails == "raises":
            raise RuntimeError("broken")
        return BoltResponse(status=500, body="")

    slack.app.dispatch = failing  # type: ignore[method-assign]
    resp = slack.command("/ow", "the baggage belt stopped for an hour")
    assert resp.status == 200 and resp.body == ""
    slack.built.drain()  # the work ran (once users.info answered), and failed
    slack.app.dispatch = real  # type: ignore[method-assign]
    slack.built.inbox.finisher.flush()
    [(owner, payload, attempts)] = kept(slack).values()
    assert (owner, attempts) == ("", 1) and payload  # released for another round, not dropped
    assert slack.moments() == []
    slack.requests.beat(other.inbox.owner, slack.clock.now())
    slack.clock.advance(timedelta(seconds=6))
    assert other.inbox.replay(other.app) == 1
    wait_for(slack.moments)
    [moment] = slack.moments()
    assert moment.text == "the baggage belt stopped for an hour"


def test_the_bots_own_messages_are_dropped_by_bolt_without_a_claim(
    slack: Slack, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The weekly prompt and digest the bot posts come back as message events: no claim is
    written for them (Bolt ignores the bot's own events before its claim middleware)."""
    claimed: list[str] = []
    for name in ("claim_event", "claim_events"):
        real = getattr(slack.requests, name)
        monkeypatch.setattr(slack.requests, name, lambda first, *a, _real=real, **k: (
            claimed.append(str(first)), _real(first, *a, **k))[1])
    resp = slack.event({"type": "message", "channel": "C1", "user": "UBOT", "bot_id": "BBOT",
                        "ts": "1700000000.000990", "text": "WOW: this week's prompt"}, "EvBOT1")
    assert resp.status == 200
    assert claimed == [] and slack.moments() == []
    slack.event({"type": "message", "channel": "C1", "user": "U1", "ts": "1700000000.000991",
                 "text": "WOW: <@U2> found a seat #boarding"}, "EvBOT2")
    assert claimed  # a person's message is claimed, as ever
    wait_for(slack.moments)
