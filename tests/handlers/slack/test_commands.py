"""Slash commands through the real Bolt app: signed, acked, one core call, answered in Slack."""

from __future__ import annotations

import time

from slack_bolt import BoltRequest

from bot.domain import MomentKind, Source
from tests.handlers.slack.conftest import Slack, command_body, settle, wait_for

FORM = "application/x-www-form-urlencoded"


def test_wow_command_stores_a_moment_and_names_the_touchpoint_with_a_change_select(slack: Slack) -> None:
    resp = slack.command("/ow", "the baggage belt stopped for an hour")
    assert resp.status == 200 and resp.body == ""  # acked at once; the answer comes by response_url
    [reply] = wait_for(slack.responses)
    assert reply["response_type"] == "ephemeral"
    assert "Filed under 🧳 Baggage" in reply["blocks"][0]["text"]["text"]
    [select] = [e for b in reply["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert select["type"] == "static_select" and select["placeholder"]["text"] == "Change touchpoint"
    assert select["initial_option"]["text"]["text"] == "🧳 Baggage"
    assert len(select["options"]) == 8  # the airline journey
    [moment] = slack.moments()
    assert (moment.kind, moment.source, moment.reporter_id) == (MomentKind.OW, Source.COMMAND, "U1")


def test_when_the_filer_is_unsure_the_select_offers_its_best_guesses_first(slack: Slack) -> None:
    slack.command("/wow", "thank you, boarding and baggage both went smoothly")
    [reply] = wait_for(slack.responses)
    [select] = [e for b in reply["blocks"] if b["type"] == "actions" for e in b["elements"]]
    best, other = select["option_groups"]
    assert best["label"]["text"] == "Best guesses"
    assert {o["text"]["text"] for o in best["options"][:2]} == {"🛫 Boarding", "🧳 Baggage"}
    assert best["options"][-1]["text"]["text"] == "None of these"
    assert "🧳 Baggage" not in [o["text"]["text"] for o in other["options"]]
    # picking one files the moment and replaces the question
    slack.interact({"type": "block_actions", "user": {"id": "U1"}, "channel": {"id": "C1"},
                    "container": {"type": "message", "is_ephemeral": True}, "trigger_id": "1",
                    "response_url": slack.api.response_url,
                    "actions": [{"action_id": select["action_id"], "type": "static_select",
                                 "selected_option": best["options"][0]}]})
    answer = wait_for(lambda: slack.responses()[1:])[0]
    assert answer["replace_original"] is True and "filed under" in answer["text"]
    assert slack.moments()[0].touchpoint_id is not None


def test_mentions_become_credits_and_broadcasts_are_quoted_never_sent(slack: Slack) -> None:
    slack.command("/wow", "<@U02ANA7|ana> calmed a crying child <!channel> <!here> at #boarding "
                          "<@U999> & <b>")
    [reply] = wait_for(slack.responses)
    [moment] = slack.moments()
    assert moment.credited == ("U02ANA7", "U999")
    text = reply["blocks"][0]["text"]["text"]
    assert "[channel]" in text and "&lt;b&gt;" in text and "&amp;" in text
    assert "<@U02ANA7>" in slack.api.recorded()  # the credited colleague is thanked by name
    recorded = slack.api.recorded()
    assert "<!channel>" not in recorded and "<!here>" not in recorded and "<b>" not in recorded


def test_an_ow_quoting_a_broadcast_and_a_person_is_escaped_and_blameless(slack: Slack) -> None:
    slack.command("/ow", "#boarding <!channel> <@U999> ignored the queue <script>")
    [reply] = wait_for(slack.responses)
    recorded = slack.api.recorded()
    assert "<!channel>" not in recorded and "<@U999>" not in recorded and "<script>" not in recorded
    assert "&lt;script&gt;" in reply["blocks"][0]["text"]["text"]
    assert slack.moments()[0].credited == ()


def test_public_replies_go_to_the_channel_and_errors_are_friendly(slack: Slack) -> None:
    slack.command("/moments", "standards")
    slack.command("/moments", "frobnicate", user="U2")
    replies = wait_for(lambda: len(slack.responses()) == 2 and slack.responses())
    texts = {r["text"]: r for r in replies}
    [unknown] = [r for t, r in texts.items() if "frobnicate" in t]
    assert unknown["response_type"] == "ephemeral" and "Traceback" not in slack.api.recorded()
    slack.command("/ow", "#check-in queue out the door")
    wait_for(lambda: len(slack.responses()) == 3)
    slack.command("/moments", "prompt", user="ULEAD")
    prompt = wait_for(lambda: slack.responses()[3:])[0]
    assert prompt["response_type"] == "in_channel"
    assert prompt["blocks"][0]["type"] == "header"


def test_a_command_outside_a_team_channel_explains_setup(slack: Slack) -> None:
    slack.command("/wow", "great job", channel="C404")
    [reply] = wait_for(slack.responses)
    assert "/moments setup" in reply["text"] and slack.moments() == []
    assert "Saved" in reply["text"]  # kept for the team to come (test_first_five_minutes.py)


def test_forged_signature_and_stale_timestamp_get_401_and_store_nothing(slack: Slack) -> None:
    body = command_body(slack.api, "/wow", "#boarding lovely welcome")
    forged = slack.app.dispatch(BoltRequest(body=body, headers={
        "content-type": FORM, "x-slack-request-timestamp": str(int(time.time())),
        "x-slack-signature": "v0=" + "0" * 64}))
    stale = slack.app.dispatch(BoltRequest(body=body, headers={
        "content-type": FORM, **slack.sign(body, at=time.time() - 6 * 60)}))
    assert (forged.status, stale.status) == (401, 401)
    settle(slack)
    assert slack.moments() == [] and slack.responses() == []
    assert slack.command("/wow", "#boarding lovely welcome").status == 200  # the same body, signed
    wait_for(slack.moments)


def test_moments_logged_through_slack_are_counted_for_metrics(slack: Slack) -> None:
    from handlers.observability import METRICS

    before = METRICS.value("moments_logged_total", source="command", kind="ow")
    slack.command("/ow", "the baggage belt stopped for an hour")
    wait_for(slack.responses)
    assert METRICS.value("moments_logged_total", source="command", kind="ow") == before + 1
    assert 'moments_logged_total{kind="ow",source="command"}' in METRICS.render()
