"""Messages and reactions: the message cache, me-too, withdrawal, the rate-limited text fetch and
deduplication of redelivered events."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from bot.domain import Filing, MomentKind, Source
from storage.inbox import EVENT_LEASE
from tests.handlers.slack.conftest import Slack, settle, wait_for

TS = "1700000000.000100"


def message(text: str, ts: str = TS, user: str = "U2", channel: str = "C1") -> dict[str, Any]:
    return {"type": "message", "channel": channel, "user": user, "ts": ts, "text": text,
            "channel_type": "channel", "event_ts": ts}


def reaction(user: str, name: str = "tada", ts: str = TS, added: bool = True) -> dict[str, Any]:
    return {"type": "reaction_added" if added else "reaction_removed", "user": user, "reaction": name,
            "item_user": "U2", "item": {"type": "message", "channel": "C1", "ts": ts}, "event_ts": "1.1"}


def cached(slack: Slack, ts: str = TS) -> object:
    return slack.messages.cached_message(slack.ws, "C1", ts)


def test_a_reaction_on_a_seen_message_is_a_wow_crediting_its_author_then_me_too_then_withdrawn(
    slack: Slack,
) -> None:
    slack.event(message("I walked the family to boarding myself"), "Ev0")
    wait_for(lambda: cached(slack))
    slack.event(reaction("U1"), "Ev1")
    [moment] = wait_for(slack.moments)
    assert (moment.kind, moment.reporter_id, moment.credited) == (MomentKind.WOW, "U1", ("U2",))
    assert moment.text == "I walked the family to boarding myself" and moment.source is Source.REACTION
    assert slack.api.named("conversations.history") == []  # the cache answered
    [confirmation] = wait_for(lambda: slack.api.named("chat.postEphemeral"))
    assert confirmation.args["user"] == "U1" and "Boarding" in str(confirmation.args["blocks"])
    # a colleague reacting the same way (skin tone and all) is a "me too", not a second moment
    slack.event(reaction("U3", "clap::skin-tone-3"), "Ev2")
    wait_for(lambda: slack.moments()[0].also_reported_by == ("U3",))
    assert len(slack.moments()) == 1
    # removing a reaction withdraws only that person's report
    slack.event(reaction("U1", added=False), "Ev3")
    wait_for(lambda: slack.moments()[0].reporter_id == "U3")
    assert not slack.moments()[0].retracted
    slack.event(reaction("U3", "clap::skin-tone-3", added=False), "Ev4")
    wait_for(lambda: slack.moments()[0].retracted)


def test_other_emoji_and_channels_without_a_team_are_ignored(slack: Slack) -> None:
    slack.event(reaction("U1", "thumbsup"), "Ev1")
    slack.event({**reaction("U1"), "item": {"type": "message", "channel": "C404", "ts": TS}}, "Ev2")
    settle(slack)
    assert slack.moments() == [] and slack.api.named("conversations.history") == []


def test_a_reaction_on_an_unseen_message_is_stored_at_once_and_filed_when_its_text_arrives(
    slack: Slack,
) -> None:
    slack.api.history["1700000000.000200"] = {"ts": "1700000000.000200", "user": "U2",
                                              "text": "the baggage carousel broke <!channel>"}
    slack.event(reaction("U1", "disappointed", "1700000000.000200"), "Ev9")
    wait_for(lambda: slack.moments() and slack.moments()[0].text)
    [moment] = slack.moments()
    [call] = slack.api.named("conversations.history")
    assert call.args["channel"] == "C1" and call.args["latest"] == "1700000000.000200"
    assert str(call.args["limit"]) == "1" and str(call.args["inclusive"]).lower() in ("1", "true")
    assert moment.kind is MomentKind.OW and moment.credited == ()  # an OW blames nobody
    assert moment.filing is Filing.AUTO and moment.message_ref == "C1/1700000000.000200"
    [told] = wait_for(lambda: slack.api.named("chat.postEphemeral"))
    assert "Baggage" in str(told.args["blocks"]) and "<!channel>" not in slack.api.recorded()


def test_text_fetches_keep_to_one_call_per_interval_per_workspace(slack: Slack) -> None:
    queue = slack.built.door.history
    queue.interval = 0.6
    for n in (3, 4):
        ts = f"1700000000.00030{n}"
        slack.api.history[ts] = {"ts": ts, "user": "U2", "text": f"the baggage belt {n}"}
        slack.event(reaction("U1", "ow", ts), f"EvQ{n}")
    wait_for(lambda: len(slack.moments()) == 2)
    wait_for(lambda: len(slack.api.named("conversations.history")) == 1)
    first = time.monotonic()
    assert sum(1 for m in slack.moments() if m.text) <= 1
    wait_for(lambda: len(slack.api.named("conversations.history")) == 2)
    assert time.monotonic() - first > 0.3  # the second waited for its turn
    wait_for(lambda: all(m.text for m in slack.moments()))


def test_the_same_event_delivered_twice_makes_one_moment(slack: Slack) -> None:
    event = message("WOW: <@U2> rebooked a whole family #disruption", user="U1", ts="1700000000.000500")
    first = slack.event(event, "EvA")
    # At once (before the first was marked done) the retry is asked to come back later ...
    retry = slack.event(event, "EvA", {"x-slack-retry-num": "1", "x-slack-retry-reason": "http_timeout"})
    assert first.status == 200 and retry.status in (200, 503)
    wait_for(lambda: slack.requests.event_done("EvA"))
    # ... and when it does, it is a duplicate.
    later = slack.event(event, "EvA", {"x-slack-retry-num": "2", "x-slack-retry-reason": "http_timeout"})
    assert later.status == 200
    wait_for(lambda: slack.api.named("chat.postEphemeral"))
    settle(slack)
    [moment] = slack.moments()
    assert moment.source is Source.MESSAGE and moment.credited == ("U2",)
    assert moment.message_ref == "C1/1700000000.000500"
    assert len(slack.api.named("chat.postEphemeral")) == 1


def test_an_event_another_process_claimed_but_never_acknowledged_is_not_lost(slack: Slack) -> None:
    """A replica claimed the event and was killed before acknowledging it. Slack redelivers:
    while the claim is fresh it is told to try later (503, nothing done); once the claim has
    outlived its lease, the redelivery is handled, once."""
    event = message("WOW: <@U2> found a wheelchair in minutes", user="U1", ts="1700000000.000700")
    assert slack.requests.claim_event("EvK", slack.clock.now())  # the replica that died
    soon = slack.event(event, "EvK", {"x-slack-retry-num": "1", "x-slack-retry-reason": "http_timeout"})
    assert soon.status == 503
    settle(slack)
    assert slack.moments() == []
    slack.clock.advance(EVENT_LEASE + timedelta(seconds=1))
    later = slack.event(event, "EvK", {"x-slack-retry-num": "2", "x-slack-retry-reason": "http_timeout"})
    wait_for(lambda: slack.requests.event_done("EvK"))  # acknowledged: marked done
    again = slack.event(event, "EvK", {"x-slack-retry-num": "3", "x-slack-retry-reason": "http_timeout"})
    assert (later.status, again.status) == (200, 200)
    [moment] = wait_for(slack.moments)
    settle(slack)
    assert len(slack.moments()) == 1 and moment.credited == ("U2",)


def test_a_redelivered_reaction_is_not_a_second_me_too_or_moment(slack: Slack) -> None:
    slack.api.history[TS] = {"ts": TS, "user": "U2", "text": "boarding was lovely"}
    slack.event(reaction("U1"), "EvR")
    slack.event(reaction("U1"), "EvR", {"x-slack-retry-num": "2", "x-slack-retry-reason": "http_error"})
    wait_for(lambda: slack.moments() and slack.moments()[0].text)
    settle(slack)
    assert len(slack.moments()) == 1 and len(slack.api.named("conversations.history")) == 1


def test_wow_and_ow_messages_in_a_dm_log_into_the_persons_team(slack: Slack) -> None:
    slack.event({**message("OW: the boarding queue was chaos", user="U5", ts="1700000000.000600",
                           channel="D5"), "channel_type": "im"}, "EvD")
    [moment] = wait_for(slack.moments)
    assert moment.reporter_id == "U5" and moment.source is Source.MESSAGE
    [reply] = wait_for(lambda: slack.api.named("chat.postMessage"))
    assert reply.args["channel"] == "D5"  # answered in the DM
    assert cached(slack, "1700000000.000600") is None  # DMs are not cached for reactions


def test_bot_messages_and_edits_are_not_moments(slack: Slack) -> None:
    slack.event({**message("WOW: from a bot", user="U1"), "bot_id": "B1"}, "EvB1")
    slack.event({**message("WOW: edited", user="U1"), "subtype": "message_changed"}, "EvB2")
    settle(slack)
    assert slack.moments() == []
