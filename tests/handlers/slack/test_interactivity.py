"""Buttons, modals, the message shortcut and App Home through the real Bolt app."""

from __future__ import annotations

import json
from functools import partial
from typing import Any

from bot.domain import MomentKind, Source
from tests.handlers.slack.conftest import Slack, settle, wait_for

dump = partial(json.dumps, ensure_ascii=False)


def buttons(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found = [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
    return found + [b["accessory"] for b in blocks if b.get("accessory")]


def open_prompt(slack: Slack) -> dict[str, Any]:
    """An OW, then a lead asks this week's question: the prompt message as posted."""
    slack.command("/ow", "#check-in queue out the door")
    wait_for(lambda: len(slack.responses()) == 1)
    slack.command("/moments", "prompt", user="ULEAD")
    return wait_for(lambda: slack.responses()[1:])[0]


def prompt_with_a_proposal(slack: Slack) -> dict[str, Any]:
    """open_prompt, then a proposal, then the prompt asked again: the message with its vote buttons."""
    open_prompt(slack)
    slack.command("/moments", "propose Open the spare desk at ten people", user="U1")
    wait_for(lambda: len(slack.responses()) == 3)
    slack.command("/moments", "prompt", user="U3")
    return wait_for(lambda: slack.responses()[3:])[0]


def click(slack: Slack, button: dict[str, Any], user: str, message: dict[str, Any] | None = None,
          **extra: Any) -> None:
    slack.interact({"type": "block_actions", "user": {"id": user}, "channel": {"id": "C1"},
                    "container": {"type": "message", "message_ts": "1700000010.000100", "channel_id": "C1",
                                  "is_ephemeral": False},
                    "message": message or {}, "trigger_id": "13345.tr",
                    "response_url": slack.api.response_url,
                    "actions": [{"action_id": button["action_id"], "value": button["value"],
                                 "type": "button"}], **extra})


def test_propose_button_opens_a_modal_whose_submission_adds_a_proposal(slack: Slack) -> None:
    posted = open_prompt(slack)
    [propose] = [b for b in buttons(posted["blocks"]) if b["action_id"] == "moments:propose"]
    click(slack, propose, "U3")
    [opened] = wait_for(lambda: slack.api.named("views.open"))
    view = opened.args["view"]
    assert opened.args["trigger_id"] == "13345.tr" and view["callback_id"] == "propose_modal"
    assert {b["block_id"] for b in view["blocks"] if b["type"] == "input"} >= {"text", "anonymous"}
    state = {"text": {"text": {"type": "plain_text_input", "value": "Open the spare desk at <!here> ten"}},
             "anonymous": {"anonymous": {"type": "checkboxes", "selected_options": [{"value": "anonymous"}]}}}
    resp = slack.interact({"type": "view_submission", "user": {"id": "U3"},
                           "view": {"type": "modal", "callback_id": "propose_modal",
                                    "state": {"values": state},
                                    "private_metadata": view["private_metadata"]}})
    assert resp.status == 200 and resp.body == ""  # the modal closes
    [told] = wait_for(lambda: slack.api.named("chat.postEphemeral"))
    assert told.args["user"] == "U3" and "anonymously" in told.args["text"]
    with slack.store.transaction(slack.ws) as repo:
        [proposal] = repo.proposals(repo.prompts(slack.team_id)[0].id)
    assert proposal.anonymous and proposal.author_id == "U3"
    # the prompt message is redrawn with the proposal on it, its text escaped
    redrawn = wait_for(lambda: [r for r in slack.responses() if r.get("replace_original")])[0]
    assert "Open the spare desk at [here] ten" in dump(redrawn["blocks"])
    assert "<!here>" not in slack.api.recorded()


def test_an_empty_proposal_is_refused_inside_the_modal(slack: Slack) -> None:
    state = {"text": {"text": {"type": "plain_text_input", "value": "   "}}}
    resp = slack.interact({"type": "view_submission", "user": {"id": "U3"},
                           "view": {"type": "modal", "callback_id": "propose_modal",
                                    "state": {"values": state},
                                    "private_metadata": "{\"p\":1}"}})
    assert json.loads(resp.body)["response_action"] == "errors"


def test_a_vote_counts_once_and_the_prompt_shows_live_counts(slack: Slack) -> None:
    posted = prompt_with_a_proposal(slack)
    [vote] = [b for b in buttons(posted["blocks"]) if b["text"]["text"].startswith("👍")]
    assert vote["text"]["text"] == "👍 Would delight (0)"
    click(slack, vote, "U3", message={"ts": "1700000010.000100", "blocks": posted["blocks"]})
    redrawn = wait_for(lambda: [r for r in slack.responses() if r.get("replace_original")])[0]
    assert "👍 Would delight (1)" in dump(redrawn["blocks"])
    counted = [r for r in slack.responses()[4:] if not r.get("replace_original")][0]
    assert counted["response_type"] == "ephemeral" and "counts (1 vote now)" in counted["text"]
    click(slack, vote, "U3")
    wait_for(lambda: any("already voted" in r["text"] for r in slack.responses()))


def test_adopt_is_for_leads_and_admins(slack: Slack) -> None:
    open_prompt(slack)
    slack.command("/moments", "propose Open the spare desk at ten people", user="U1")
    wait_for(lambda: len(slack.responses()) == 3)
    slack.api.users["UADMIN"] = {"name": "Ada", "is_admin": True}
    slack.command("/moments", "prompt", user="UADMIN")
    posted = wait_for(lambda: slack.responses()[3:])[0]
    [adopt] = [b for b in buttons(posted["blocks"]) if b["text"]["text"].startswith("📏")]
    click(slack, adopt, "U7")  # not a lead
    wait_for(lambda: any("Only the team's leads" in r["text"] for r in slack.responses()))
    click(slack, adopt, "UADMIN")
    announced = wait_for(lambda: [r for r in slack.responses() if "New service standard" in r["text"]])[0]
    assert announced["response_type"] == "in_channel"
    assert len(slack.services.weekly.standards(workspace_id=slack.ws, team_id=slack.team_id)) == 1


def test_message_shortcut_opens_a_prefilled_modal_and_its_submission_logs_a_moment(slack: Slack) -> None:
    slack.interact({"type": "message_action", "callback_id": "log_moment", "trigger_id": "9.9",
                    "user": {"id": "U1"}, "channel": {"id": "C1"}, "response_url": slack.api.response_url,
                    "message": {"ts": "1700000000.000400", "user": "U2",
                                "text": "thank you for carrying my bags to <!channel> boarding"}})
    [opened] = wait_for(lambda: slack.api.named("views.open"))
    view = opened.args["view"]
    inputs = {b["block_id"]: b["element"] for b in view["blocks"]}
    assert inputs["text"]["initial_value"] == "thank you for carrying my bags to [channel] boarding"
    assert inputs["kind"]["initial_option"]["value"] == "wow"
    assert [o["value"] for o in inputs["touchpoint"]["options"]][:2] == ["information", "reservation"]
    state = {"kind": {"kind": {"type": "radio_buttons", "selected_option": {"value": "wow"}}},
             "text": {"text": {"type": "plain_text_input", "value": inputs["text"]["initial_value"]}},
             "touchpoint": {"touchpoint": {"type": "static_select", "selected_option": {"value": "baggage"}}}}
    slack.interact({"type": "view_submission", "user": {"id": "U1"},
                    "view": {"type": "modal", "callback_id": "log_moment_modal", "state": {"values": state},
                             "private_metadata": view["private_metadata"]}})
    [moment] = wait_for(slack.moments)
    assert moment.source is Source.SHORTCUT and moment.credited == ("U2",) and moment.kind is MomentKind.WOW
    assert moment.message_ref == "C1/1700000000.000400"
    [told] = wait_for(lambda: slack.api.named("chat.postEphemeral"))
    assert "Baggage" in told.args["text"] + dump(told.args["blocks"])


def test_app_home_shows_the_persons_dashboard_and_takes_votes(slack: Slack) -> None:
    open_prompt(slack)
    slack.command("/moments", "propose Open the spare desk at ten people", user="U1")
    wait_for(lambda: len(slack.responses()) == 3)
    slack.event({"type": "app_home_opened", "user": "U1", "tab": "home", "channel": "D1"}, "EvH")
    [published] = wait_for(lambda: slack.api.named("views.publish"))
    view = published.args["view"]
    assert published.args["user_id"] == "U1" and view["type"] == "home" and len(view["blocks"]) <= 100
    text = dump(view)
    assert "queue out the door" in text and "Propose a response" in text and "Would delight (0)" in text
    [vote] = [b for b in buttons(view["blocks"]) if b["text"]["text"].startswith("👍")]
    slack.interact({"type": "block_actions", "user": {"id": "U1"}, "view": {"type": "home", "id": "V1"},
                    "container": {"type": "view", "view_id": "V1"}, "trigger_id": "1",
                    "actions": [{"action_id": vote["action_id"], "value": vote["value"], "type": "button"}]})
    again = wait_for(lambda: slack.api.named("views.publish")[1:])[0]
    assert "Would delight (1)" in dump(again.args["view"]) and "counts" in dump(again.args["view"])


def test_messages_tab_home_events_are_ignored(slack: Slack) -> None:
    slack.event({"type": "app_home_opened", "user": "U1", "tab": "messages", "channel": "D1"}, "EvM")
    settle(slack)
    assert slack.api.named("views.publish") == []


def test_app_home_shows_the_wows_that_thanked_you(slack: Slack) -> None:
    slack.command("/wow", "<@U7|ana> carried a pram up the stairs #boarding", user="U1")
    slack.command("/wow", "<@U9|bo> found a lost passport", user="U1")
    slack.command("/ow", "nobody answered the phone", user="U7")
    wait_for(lambda: len(slack.moments()) == 3)
    slack.event({"type": "app_home_opened", "user": "U7", "tab": "home", "channel": "D7"}, "EvT")
    [published] = wait_for(lambda: slack.api.named("views.publish"))
    blocks = published.args["view"]["blocks"]
    [thanks] = [b["text"]["text"] for b in blocks
                if b["type"] == "section" and "Colleagues thanked you" in b["text"]["text"]]
    assert "carried a pram up the stairs" in thanks
    assert "lost passport" not in thanks  # that one thanked someone else
    assert "nobody answered the phone" in dump(published.args["view"])  # their own report
