"""The Slack door end to end: signed requests into the real Bolt app, a stand-in Web API."""

from __future__ import annotations

import json
import time

from slack_bolt import BoltRequest

from bot.domain import Filing, MomentKind, Source
from tests.slackapp.conftest import Slack, wait_for


def responses(slack: Slack) -> list[dict]:
    return [c.args for c in slack.api.named("response")]


def all_text(slack: Slack) -> str:
    return json.dumps([c.args for c in slack.api.calls])


def test_slash_command_stores_a_moment_and_names_the_touchpoint(slack: Slack) -> None:
    resp = slack.command("/ow", "the baggage belt stopped for an hour")
    assert resp.status == 200
    [reply] = wait_for(lambda: responses(slack))
    assert reply["response_type"] == "ephemeral"
    assert "Filed under 🧳 Baggage" in reply["blocks"][0]["text"]["text"]
    [moment] = slack.moments()
    assert (moment.kind, moment.source, moment.reporter_id) == (MomentKind.OW, Source.COMMAND, "U1")


def test_slack_mentions_credit_colleagues_and_broadcasts_cannot_be_injected(slack: Slack) -> None:
    slack.command("/wow", "<@U02ANA7|ana> calmed a crying child <!channel> at #boarding <script>")
    [reply] = wait_for(lambda: responses(slack))
    [moment] = slack.moments()
    assert moment.credited == ("U02ANA7",)
    text = reply["blocks"][0]["text"]["text"]
    assert "<@U02ANA7>" in text  # the credit is a real mention again
    assert "<!channel>" not in all_text(slack) and "[channel]" in text
    assert "&lt;script&gt;" in text


def test_forged_or_stale_requests_get_401_and_store_nothing(slack: Slack) -> None:
    body = "command=%2Fwow&text=hi+%23boarding&team_id=T1&user_id=U1&channel_id=C1"
    form = "application/x-www-form-urlencoded"
    forged = slack.app.dispatch(BoltRequest(body=body, headers={
        "content-type": form, "x-slack-request-timestamp": str(int(time.time())),
        "x-slack-signature": "v0=" + "0" * 64}))
    stale_headers = slack.sign(body, ts=int(time.time()) - 6 * 60)
    stale = slack.app.dispatch(BoltRequest(body=body, headers={"content-type": form, **stale_headers}))
    assert (forged.status, stale.status) == (401, 401)
    time.sleep(0.2)
    assert slack.moments() == [] and responses(slack) == []


def reaction(user: str, name: str = "tada", ts: str = "1700000000.000100") -> dict:
    return {"type": "reaction_added", "user": user, "reaction": name, "item_user": "U2",
            "item": {"type": "message", "channel": "C1", "ts": ts}, "event_ts": "1.1"}


def test_reaction_on_a_seen_message_makes_a_wow_crediting_its_author(slack: Slack) -> None:
    slack.event({"type": "message", "channel": "C1", "user": "U2", "ts": "1700000000.000100",
                 "text": "I walked the family to boarding myself", "channel_type": "channel"}, "Ev0")
    wait_for(lambda: slack.services.capture.cached_message(workspace_id=slack.ws, channel="C1",
                                                          ts="1700000000.000100"))
    slack.event(reaction("U1"), "Ev1")
    [moment] = wait_for(slack.moments)
    assert moment.kind is MomentKind.WOW and moment.credited == ("U2",) and moment.reporter_id == "U1"
    assert moment.text == "I walked the family to boarding myself"
    assert slack.api.named("conversations.history") == []  # the cache answered
    # a colleague reacting the same way is a "me too", not a second moment
    slack.event(reaction("U3"), "Ev2")
    wait_for(lambda: slack.moments()[0].also_reported_by == ("U3",))
    assert len(slack.moments()) == 1
    # removing a reaction withdraws only that person's report
    slack.event({**reaction("U1"), "type": "reaction_removed"}, "Ev3")
    wait_for(lambda: slack.moments()[0].reporter_id == "U3")
    assert not slack.moments()[0].retracted


def test_reaction_on_an_unseen_message_is_stored_at_once_and_filed_when_its_text_arrives(
    slack: Slack,
) -> None:
    slack.api.history["1700000000.000200"] = "the baggage carousel broke down again"
    slack.event(reaction("U1", "disappointed", "1700000000.000200"), "Ev9")
    wait_for(lambda: slack.moments() and slack.moments()[0].text)
    [moment] = slack.moments()
    [call] = slack.api.named("conversations.history")
    assert call.args["latest"] == "1700000000.000200" and str(call.args["limit"]) == "1"
    assert moment.kind is MomentKind.OW and moment.credited == ()  # an OW blames nobody
    assert moment.filing is Filing.AUTO and moment.message_ref == "C1/1700000000.000200"


def test_the_same_event_delivered_twice_makes_one_moment(slack: Slack) -> None:
    slack.event({"type": "message", "channel": "C1", "user": "U1", "ts": "1700000000.000300",
                 "text": "WOW: @U2 rebooked a whole family #disruption", "channel_type": "channel"}, "EvA")
    retry = slack.event({"type": "message", "channel": "C1", "user": "U1", "ts": "1700000000.000300",
                         "text": "WOW: @U2 rebooked a whole family #disruption", "channel_type": "channel"},
                        "EvA", {"x-slack-retry-num": "1", "x-slack-retry-reason": "http_timeout"})
    assert retry.status == 200
    wait_for(lambda: slack.api.named("chat.postEphemeral"))
    time.sleep(0.3)
    [moment] = slack.moments()
    assert moment.source is Source.MESSAGE and moment.credited == ("U2",)
    assert len(slack.api.named("chat.postEphemeral")) == 1


def test_vote_button_counts_and_refreshes_the_prompt(slack: Slack) -> None:
    slack.command("/ow", "#check-in queue out the door")
    wait_for(lambda: len(responses(slack)) == 1)  # lazy listeners run concurrently: keep order
    slack.command("/moments", "prompt", user="ULEAD")
    wait_for(lambda: len(responses(slack)) == 2)
    slack.command("/moments", "propose Open the spare desk at ten people", user="U1")
    wait_for(lambda: len(responses(slack)) == 3)
    prompt_reply = responses(slack)[1]
    assert prompt_reply["response_type"] == "in_channel"
    slack.command("/moments", "prompt", user="U3")
    wait_for(lambda: len(responses(slack)) == 4)
    buttons = [e for b in responses(slack)[3]["blocks"] if b["type"] == "actions" for e in b["elements"]]
    vote = next(b for b in buttons if b["text"]["text"].startswith("Vote"))
    slack.interact({"type": "block_actions", "user": {"id": "U3"}, "channel": {"id": "C1"},
                    "container": {"is_ephemeral": False}, "trigger_id": "1.1",
                    "response_url": slack.api.url + "response",
                    "actions": [{"action_id": vote["action_id"], "value": vote["value"], "type": "button"}]})
    wait_for(lambda: len(responses(slack)) >= 6)
    texts = json.dumps(responses(slack)[4:])
    assert "counts (1 vote now)" in texts and "1 vote" in texts
    assert any(r.get("replace_original") for r in responses(slack)[4:])


def test_message_shortcut_opens_a_prefilled_modal_and_its_submission_logs_a_moment(slack: Slack) -> None:
    slack.interact({"type": "message_action", "callback_id": "log_moment", "trigger_id": "9.9",
                    "user": {"id": "U1"}, "channel": {"id": "C1"},
                    "message": {"ts": "1700000000.000400", "user": "U2",
                                "text": "thank you for carrying my bags to boarding"},
                    "response_url": slack.api.url + "response"})
    [opened] = wait_for(lambda: slack.api.named("views.open"))
    view = opened.args["view"]
    assert view["blocks"][1]["element"]["initial_value"] == "thank you for carrying my bags to boarding"
    assert view["blocks"][0]["element"]["initial_option"]["value"] == "wow"
    state = {"kind": {"kind": {"selected_option": {"value": "wow"}}},
             "text": {"text": {"value": "thank you for carrying my bags to boarding"}}}
    slack.interact({"type": "view_submission", "user": {"id": "U1"},
                    "view": {"type": "modal", "callback_id": "log_moment_modal", "state": {"values": state},
                             "private_metadata": view["private_metadata"]}})
    [moment] = wait_for(slack.moments)
    assert moment.source is Source.SHORTCUT and moment.credited == ("U2",)
    assert moment.message_ref == "C1/1700000000.000400"


def test_app_home_publishes_the_persons_dashboard(slack: Slack) -> None:
    slack.command("/ow", "#boarding gate chaos")
    wait_for(lambda: responses(slack))
    slack.event({"type": "app_home_opened", "user": "U1", "tab": "home", "channel": "D1"}, "EvH")
    [published] = wait_for(lambda: slack.api.named("views.publish"))
    view = published.args["view"]
    assert view["type"] == "home" and len(view["blocks"]) <= 100
    assert "gate chaos" in json.dumps(view)


def test_rate_limited_web_api_is_retried(slack: Slack) -> None:
    slack.api.calls.clear()
    slack.api.fail_next.append((429, {"Retry-After": "1"}))
    slack.event({"type": "message", "channel": "C1", "user": "U1", "ts": "1700000000.000500",
                 "text": "OW: #baggage belt stopped", "channel_type": "channel"}, "EvR")
    wait_for(lambda: slack.api.named("chat.postEphemeral"), timeout=10)
    first = slack.api.calls[0].method  # answered 429 with Retry-After
    assert [c.method for c in slack.api.calls].count(first) == 2  # and retried once
    assert len(slack.moments()) == 1


def test_a_filed_moment_can_be_moved_with_the_change_touchpoint_select(slack: Slack) -> None:
    slack.command("/ow", "the baggage belt stopped for an hour")
    [reply] = wait_for(lambda: responses(slack))
    select = reply["blocks"][-1]["elements"][0]
    assert select["type"] == "static_select" and select["placeholder"]["text"] == "Change touchpoint"
    flight = next(o for o in select["options"] if "In-flight" in o["text"]["text"])
    slack.interact({"type": "block_actions", "user": {"id": "U1"}, "channel": {"id": "C1"},
                    "container": {"is_ephemeral": True}, "trigger_id": "1.1",
                    "response_url": slack.api.url + "response",
                    "actions": [{"action_id": select["action_id"], "type": "static_select",
                                 "selected_option": flight}]})
    wait_for(lambda: slack.moments()[0].filing is Filing.CORRECTED)
    assert "In-flight" in json.dumps(responses(slack)[-1])


def test_propose_button_opens_a_modal_and_its_submission_adds_a_proposal(slack: Slack) -> None:
    slack.command("/ow", "#check-in queue out the door")
    wait_for(lambda: len(responses(slack)) == 1)
    slack.command("/moments", "prompt", user="ULEAD")
    wait_for(lambda: len(responses(slack)) == 2)
    buttons = [e for b in responses(slack)[1]["blocks"] if b["type"] == "actions" for e in b["elements"]]
    propose = next(b for b in buttons if "Propose" in b["text"]["text"])
    slack.interact({"type": "block_actions", "user": {"id": "U1"}, "channel": {"id": "C1"},
                    "container": {"is_ephemeral": False}, "trigger_id": "7.7",
                    "response_url": slack.api.url + "response",
                    "actions": [{"action_id": propose["action_id"], "value": propose["value"],
                                 "type": "button"}]})
    [opened] = wait_for(lambda: slack.api.named("views.open"))
    modal = opened.args["view"]
    assert modal["callback_id"] == "propose_modal"
    state = {"text": {"text": {"value": "Open the spare desk at <!here> ten people"}},
             "touchpoint": {"touchpoint": {"selected_option": {"value": "check-in"}}},
             "anonymous": {"anonymous": {"selected_options": [{"value": "anon"}]}}}
    empty = slack.interact({"type": "view_submission", "user": {"id": "U1"},
                            "view": {"type": "modal", "callback_id": "propose_modal", "private_metadata":
                                     modal["private_metadata"], "state": {"values": {
                                         **state, "text": {"text": {"value": "  "}}}}}})
    assert empty.status == 200 and "Write the idea first" in str(empty.body)
    slack.interact({"type": "view_submission", "user": {"id": "U1"},
                    "view": {"type": "modal", "callback_id": "propose_modal",
                             "private_metadata": modal["private_metadata"], "state": {"values": state}}})
    wait_for(lambda: slack.api.named("chat.postMessage"))
    prompt = slack.services.weekly.current_prompt(workspace_id=slack.ws, team_id=slack.team_id)
    assert prompt is not None
    [proposal] = slack.services.reports.prompt(workspace_id=slack.ws, prompt_id=prompt.id).proposals
    assert proposal.author is None and proposal.text == "Open the spare desk at [here] ten people"
