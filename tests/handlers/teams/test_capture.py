"""Each way a moment gets into Moments from Teams, through botbuilder's TestAdapter."""

from __future__ import annotations

import json

from botbuilder.schema import MessageReaction  # type: ignore[import-untyped]

from bot.domain import MomentKind, Source
from bot.views import FILE_MOMENT
from handlers.teams import ids
from tests.handlers.teams.conftest import (
    CHANNEL,
    LENA,
    OMAR,
    SAM,
    World,
    buttons,
    card_of,
    channel_conversation,
    key,
    message,
    personal_conversation,
    submit,
    texts,
)


def moments(world: World) -> list:
    with world.store.transaction(world.ws) as repo:
        return repo.moments(world.team.id, include_retracted=True)


def test_wow_message_credits_the_mentioned_colleague_and_confirms_with_a_card(world: World) -> None:
    sent = world.turn(message("wow <at>Omar</at> found seats together at boarding for a family",
                              mentions=(OMAR,)))
    [m] = moments(world)
    assert (m.kind, m.credited, m.reporter_id, m.source) == (MomentKind.WOW, (key(OMAR),), key(SAM),
                                                             Source.TEAMS)
    assert m.text == f"@{key(OMAR)} found seats together at boarding for a family"
    shown = texts(card_of(sent[0]))
    assert "WOW" in shown and "Omar" in shown and key(OMAR) not in shown  # names, not ids
    assert "Boarding" in shown


def test_ow_in_a_channel_drops_the_bot_mention_and_stays_blameless(world: World) -> None:
    sent = world.turn(message("OW: the baggage belt stopped and <at>Omar</at> said nothing", mentions=(OMAR,),
                              mention_bot=True, conversation=channel_conversation(thread="1700000000")))
    [m] = moments(world)
    assert m.kind is MomentKind.OW and m.credited == ()
    assert "Moments" not in m.text and "<at>" not in m.text and "Omar" not in m.text
    assert m.text.startswith("the baggage belt stopped")
    assert "blameless" in texts(card_of(sent[0]))


def test_moments_stats_answers_with_the_weeks_counts(world: World) -> None:
    world.turn(message("wow great boarding today"))
    [reply] = world.turn(message("moments stats", mention_bot=True))
    assert "1 WOW" in texts(card_of(reply))
    [help_reply] = world.turn(message("help", LENA))
    assert "moments stats" in help_reply.text and "/moments" not in help_reply.text


def test_unsure_filing_asks_and_a_card_submit_files_it(world: World) -> None:
    [reply] = world.turn(message("ow the check-in and boarding queue was slow"))
    choices = [b["data"] for b in buttons(card_of(reply))]
    assert [c.get(ids.TOUCHPOINT) for c in choices] == ["check-in", "boarding", "information", ""]
    assert all(c[ids.ACTION] == FILE_MOMENT for c in choices)
    [done] = world.turn(submit(choices[1]))
    assert "filed under" in done.text and "Boarding" in done.text
    [m] = moments(world)
    with world.store.transaction(world.ws) as repo:
        assert [t.slug for t in repo.touchpoints(world.team.id) if t.id == m.touchpoint_id] == ["boarding"]


def test_message_action_prefills_the_message_and_logs_it(world: World) -> None:
    html = "<p>Omar rebooked the <b>whole family</b> at boarding</p>"
    payload = {"id": "1699999999", "body": {"contentType": "html", "content": html},
               "from": {"user": {"id": "aad-omar", "displayName": "Omar"}}}
    fetch = message("", conversation=channel_conversation())
    fetch.type, fetch.name, fetch.value = "invoke", "composeExtension/fetchTask", {
        "commandId": ids.LOG_COMMAND, "commandContext": "message", "messagePayload": payload}
    [response] = world.turn(fetch)
    assert response.value.status == 200
    task = response.value.body["task"]
    assert task["type"] == "continue" and task["value"]["title"] == "Log as a moment"
    form = task["value"]["card"]["content"]
    prefilled = next(e for e in form["body"] if e.get("id") == ids.LOG_TEXT)
    assert prefilled["value"] == "Omar rebooked the whole family at boarding"
    data = dict(buttons(form)[0]["data"], **{ids.LOG_TEXT: prefilled["value"], ids.LOG_KIND: "wow"})

    submit_action = message("", conversation=channel_conversation())
    submit_action.type, submit_action.name, submit_action.value = "invoke", "composeExtension/submitAction", {
        "commandId": ids.LOG_COMMAND, "commandContext": "message", "data": data, "messagePayload": payload}
    [answer] = world.turn(submit_action)
    assert answer.value.status == 200
    said = answer.value.body["task"]
    assert said["type"] == "message" and "WOW" in said["value"] and "Omar" in said["value"]
    [m] = moments(world)
    assert (m.credited, m.source, m.message_ref) == (("aad-omar",), Source.SHORTCUT, f"{CHANNEL}/1699999999")


def test_a_like_on_a_bot_post_that_confirms_no_moment_logs_nothing(world: World) -> None:
    """The bot's own words are nobody's moment of truth."""

    def like(who: object) -> list[object]:
        reaction = message("", who)  # type: ignore[arg-type]
        reaction.type, reaction.reply_to_id = "messageReaction", "bot-msg-1"
        reaction.reactions_added = [MessageReaction(type="like")]
        return world.turn(reaction)  # type: ignore[return-value]

    assert like(SAM) == [] and like(OMAR) == []
    assert moments(world) == []


def test_a_like_on_a_message_the_bot_cannot_read_logs_nothing(world: World) -> None:
    reaction = message("", SAM)
    reaction.type, reaction.reply_to_id = "messageReaction", "unknown-msg"
    reaction.reactions_added = [MessageReaction(type="like")]
    world.turn(reaction)
    assert moments(world) == []  # no moment without text that nothing would ever fill in


def test_every_turn_stores_the_channels_conversation_reference(world: World) -> None:
    world.turn(message("moments stats", conversation=channel_conversation(thread="42")))
    stored = json.loads(world.reference() or "{}")
    assert stored["conversation"]["id"] == CHANNEL  # the channel, not the thread
    assert stored["serviceUrl"] == "https://smba.example.test/emea/" and "activityId" not in stored


def test_personal_chat_reports_to_the_persons_team(world: World) -> None:
    world.turn(message("wow thank you for the boarding help", SAM, conversation=personal_conversation(SAM)))
    [m] = moments(world)
    assert m.team_id == world.team.id
    assert world.reference(f"a:personal-{SAM.id}") is not None
