"""The leads' modals through the real Bolt app: team settings (/moments setup) and touchpoints
(/moments touchpoints edit and its button)."""

from __future__ import annotations

import json
import re
from typing import Any

from slack_bolt import BoltResponse

from bot.journeys import template_names
from bot.services import Actor
from tests.handlers.slack.conftest import Slack, settle, wait_for

LEAD = "ULEAD"  # set up the fixture's team in C1


def inputs(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}


def opened_view(slack: Slack, n: int = 0) -> dict[str, Any]:
    call = wait_for(lambda: slack.api.named("views.open")[n:])[0]
    assert re.fullmatch(r"\d+\.2\.[0-9a-f]+|13345\.tr", call.args["trigger_id"])
    view: dict[str, Any] = call.args["view"]
    return view


def as_submitted(view: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """The view's state as if the person submitted it with only ``changes`` made (by block id):
    a string for a text or number input or a select, a list of values for checkboxes."""
    values: dict[str, Any] = {}
    for block_id, element in inputs(view).items():
        kind, action_id = element["type"], element["action_id"]
        if kind == "checkboxes":
            chosen = changes.get(block_id, [o["value"] for o in element.get("initial_options", [])])
            state = {"type": kind, "selected_options": [{"value": v} for v in chosen]}
        elif kind == "static_select":
            chosen = changes.get(block_id, (element.get("initial_option") or {}).get("value"))
            state = {"type": kind, "selected_option": {"value": chosen} if chosen else None}
        else:
            initial = element.get("initial_value")
            state = {"type": kind, "value": changes.get(block_id, None if initial is None else str(initial))}
        values[block_id] = {action_id: state}
    return values


def submit(slack: Slack, view: dict[str, Any], user: str, **changes: Any) -> BoltResponse:
    return slack.interact({"type": "view_submission", "user": {"id": user},
                           "view": {"type": "modal", "callback_id": view["callback_id"],
                                    "state": {"values": as_submitted(view, **changes)},
                                    "private_metadata": view["private_metadata"]}})


def told(slack: Slack, user: str, n: int = 0) -> dict[str, Any]:
    calls = wait_for(lambda: [c for c in slack.api.named("chat.postEphemeral") if c.args["user"] == user][n:])
    return calls[0].args


def team(slack: Slack, channel: str = "C1") -> Any:
    return slack.services.journey.team_for_channel(workspace_id=slack.ws, channel=channel)


def journey(slack: Slack) -> dict[str, Any]:
    every = slack.services.journey.touchpoints(workspace_id=slack.ws, team_id=slack.team_id,
                                               include_retired=True)
    return {t.slug: t for t in every}


# /moments setup


def test_setup_opens_the_teams_settings_prefilled_and_saving_them_answers_like_the_text_command(
    slack: Slack,
) -> None:
    slack.command("/moments", "setup", user=LEAD)
    view = opened_view(slack)
    fields = inputs(view)
    assert view["callback_id"] == "setup_modal" and json.loads(view["private_metadata"]) == {"c": "C1"}
    assert "setup_template" not in fields  # a team keeps its journey
    assert fields["setup_name"]["initial_value"] == "Gate crew"
    assert fields["setup_tz"]["initial_value"] == "UTC"
    assert (fields["setup_prompt"]["initial_value"], fields["setup_close"]["initial_value"],
            fields["setup_digest"]["initial_value"]) == ("mon 09:00", "thu 17:00", "fri 16:00")
    assert fields["setup_basic_after"]["initial_value"] == "12"
    assert fields["setup_focus"]["initial_value"] == "2"
    assert "initial_options" not in fields["setup_quiet"] and len(fields["setup_quiet"]["options"]) == 7
    assert slack.responses() == []  # the modal is the answer

    resp = submit(slack, view, LEAD, setup_tz="Europe/Stockholm", setup_digest="Fri 15:30",
                  setup_quiet=["sat", "sun"], setup_focus="3")
    assert resp.status == 200 and resp.body == ""  # the modal closes
    answer = told(slack, LEAD)
    assert answer["channel"] == "C1" and answer["text"].startswith("Settings saved: *Gate crew*")
    saved = team(slack)
    assert (saved.timezone, saved.digest_at, saved.quiet_days, saved.focus_count) == \
        ("Europe/Stockholm", "fri 15:30", ("sat", "sun"), 3)
    # the same words as `/moments setup key=value` on the same team
    slack.command("/moments", 'setup name="Gate crew"', user=LEAD)
    [by_text] = wait_for(slack.responses)
    assert by_text["blocks"][0]["text"]["text"] == answer["blocks"][0]["text"]["text"]
    assert "quiet on sat sun" in by_text["blocks"][0]["text"]["text"]


def test_setup_in_a_channel_without_a_team_offers_the_journeys_and_makes_the_person_its_lead(
    slack: Slack,
) -> None:
    slack.command("/moments", "setup", user="U9", channel="C2")
    view = opened_view(slack)
    fields = inputs(view)
    assert [o["value"] for o in fields["setup_template"]["options"]] == template_names()
    assert fields["setup_template"]["initial_option"]["value"] == "airline"
    assert fields["setup_name"]["initial_value"] == "Gate"  # the channel's name, to start from
    submit(slack, view, "U9", setup_name="Front desk", setup_template="hotel", setup_tz="America/New_York")
    # a new team is announced in its channel (naming whoever had moments waiting for it)
    [said] = wait_for(lambda: [c.args for c in slack.api.named("chat.postMessage")
                               if c.args["channel"] == "C2"])
    assert said["text"].startswith("Team set up: *Front desk* — hotel journey")
    made = team(slack, "C2")
    assert (made.name, made.template, made.timezone, made.leads) == \
        ("Front desk", "hotel", "America/New_York", ("U9",))


def test_an_unknown_timezone_is_shown_on_its_field_and_nothing_changes(slack: Slack) -> None:
    slack.command("/moments", "setup", user=LEAD)
    view = opened_view(slack)
    resp = submit(slack, view, LEAD, setup_name="Renamed", setup_tz="Mars/Olympus_Mons",
                  setup_prompt="someday")
    body = json.loads(resp.body)
    assert body["response_action"] == "errors"
    assert "I don't know the timezone “Mars/Olympus_Mons”" in body["errors"]["setup_tz"]
    assert "is not a weekly time" in body["errors"]["setup_prompt"]
    settle(slack)
    assert (team(slack).name, team(slack).timezone) == ("Gate crew", "UTC")
    assert slack.api.named("chat.postEphemeral") == []


def test_only_leads_and_admins_change_an_existing_team(slack: Slack) -> None:
    slack.command("/moments", "setup", user="U7")
    [refused] = wait_for(slack.responses)
    assert "Only the team's leads and workspace admins" in refused["text"]
    assert slack.api.named("views.open") == []
    # a modal opened by a lead, submitted by someone who is not one (or no longer one)
    slack.command("/moments", "setup", user=LEAD)
    view = opened_view(slack)
    submit(slack, view, "U7", setup_name="Taken over")
    assert "Only the team's leads" in told(slack, "U7")["text"]
    assert team(slack).name == "Gate crew"
    # a workspace admin may
    slack.api.users["UADMIN"] = {"name": "Ada", "is_admin": True}
    slack.command("/moments", "setup", user="UADMIN")
    submit(slack, opened_view(slack, 1), "UADMIN", setup_name="Gate team")
    told(slack, "UADMIN")
    assert team(slack).name == "Gate team"


def test_setup_with_options_still_works_as_text(slack: Slack) -> None:
    slack.command("/moments", "setup tz=Asia/Tokyo focus=1", user=LEAD)
    [reply] = wait_for(slack.responses)
    assert reply["text"].startswith("Settings saved") and slack.api.named("views.open") == []
    assert (team(slack).timezone, team(slack).focus_count) == ("Asia/Tokyo", 1)


# touchpoints


def test_a_lead_renames_retires_and_adds_touchpoints_in_one_modal(slack: Slack) -> None:
    slack.command("/moments", "touchpoints edit", user=LEAD)
    view = opened_view(slack)
    fields = inputs(view)
    assert view["callback_id"] == "touchpoints_modal"
    names = {k.removeprefix("tp_name:"): v["initial_value"] for k, v in fields.items()
             if k.startswith("tp_name:")}
    assert len(names) == 8 and names["baggage"] == "Baggage"
    assert sum(k.startswith("tp_retire:") for k in fields) == 8
    assert {"tp_add_slug", "tp_add_name"} <= set(fields)
    resp = submit(slack, view, LEAD, **{"tp_name:baggage": "Bags & belts",
                                        "tp_retire:information": ["retire"],
                                        "tp_add_slug": "#lounge", "tp_add_name": "Lounge"})
    assert resp.body == ""
    text = told(slack, LEAD)["text"] + json.dumps(slack.api.named("chat.postEphemeral")[0].args["blocks"])
    assert "Added touchpoint *Lounge* #lounge" in text and "#baggage is now called" in text
    assert "Retired *Travel info*" in text
    now = journey(slack)
    assert now["baggage"].name == "Bags & belts" and not now["information"].active
    assert now["lounge"].active and now["lounge"].position == max(t.position for t in now.values())
    assert now["boarding"].name == "Boarding"  # untouched names are not rewritten


def test_a_bad_or_taken_touchpoint_id_is_shown_on_its_field_and_nothing_changes(slack: Slack) -> None:
    slack.command("/moments", "touchpoints edit", user=LEAD)
    view = opened_view(slack)
    for slug, words in (("Bag Drop!", "can't be a touchpoint id"), ("boarding", "#boarding already exists")):
        resp = submit(slack, view, LEAD, **{"tp_name:baggage": "Bags", "tp_add_slug": slug})
        body = json.loads(resp.body)
        assert body["response_action"] == "errors" and words in body["errors"]["tp_add_slug"]
    resp = submit(slack, view, LEAD, **{"tp_name:baggage": "  "})
    assert "tp_name:baggage" in json.loads(resp.body)["errors"]
    settle(slack)
    assert journey(slack)["baggage"].name == "Baggage" and len(journey(slack)) == 8
    assert slack.api.named("chat.postEphemeral") == []


def test_non_leads_get_the_cores_refusal_for_touchpoints(slack: Slack) -> None:
    slack.command("/moments", "touchpoints edit", user="U7")
    [refused] = wait_for(slack.responses)
    assert "Only the team's leads and workspace admins can edit the touchpoints" in refused["text"]
    assert slack.api.named("views.open") == []
    slack.command("/moments", "touchpoints edit", user=LEAD)
    submit(slack, opened_view(slack), "U7", **{"tp_name:baggage": "Mine now"})
    assert "Only the team's leads" in told(slack, "U7")["text"]
    assert journey(slack)["baggage"].name == "Baggage"


def test_leads_see_an_edit_button_under_the_touchpoint_list(slack: Slack) -> None:
    def buttons(reply: dict[str, Any]) -> list[dict[str, Any]]:
        return [e for b in reply["blocks"] if b["type"] == "actions" for e in b["elements"]]

    slack.command("/moments", "touchpoints", user="U7")
    [for_staff] = wait_for(slack.responses)
    assert buttons(for_staff) == [] and "customer journey" in for_staff["text"]
    slack.command("/moments", "touchpoints", user=LEAD)
    for_lead = wait_for(lambda: slack.responses()[1:])[0]
    [edit] = buttons(for_lead)
    assert edit["action_id"] == "moments:touchpoints" and edit["value"] == "C1"
    slack.interact({"type": "block_actions", "user": {"id": LEAD}, "channel": {"id": "C1"},
                    "container": {"type": "message", "is_ephemeral": True}, "trigger_id": "13345.tr",
                    "response_url": slack.api.response_url,
                    "actions": [{"action_id": edit["action_id"], "value": edit["value"], "type": "button"}]})
    assert opened_view(slack)["callback_id"] == "touchpoints_modal"


def test_a_long_journey_shows_its_first_touchpoints_within_slacks_100_blocks(slack: Slack) -> None:
    for n in range(60):
        slack.services.journey.add_touchpoint(workspace_id=slack.ws, team_id=slack.team_id, actor=Actor(LEAD),
                                              slug=f"extra-{n}", name=f"Extra {n}")
    slack.command("/moments", "touchpoints edit", user=LEAD)
    view = opened_view(slack)
    assert len(view["blocks"]) <= 100
    assert "Showing the first 48 of 68 touchpoints" in view["blocks"][0]["text"]["text"]
    shown = [k for k in inputs(view) if k.startswith("tp_name:")]
    assert shown[0] == "tp_name:information" and len(shown) == 48
    # submitting the first ones unchanged leaves the hidden ones alone
    submit(slack, view, LEAD)
    assert told(slack, LEAD)["text"] == "Nothing changed."
    assert all(t.active for t in journey(slack).values())
