"""Every Block Kit message and view the Slack door sends, built at its caps, within Slack's
documented limits, and with the buttons a person needs."""

from __future__ import annotations

import json
from typing import Any

import pytest

from handlers.slack import ids
from tests.handlers.schemas import caps, report
from tests.handlers.schemas.platform import MESSAGE_BLOCKS, block_kit_problems

PAYLOADS = report.slack_payloads()
ALL = {str(p.id) for p in caps.prompt_view().proposals}


@pytest.mark.parametrize("name", PAYLOADS)
def test_every_payload_is_within_block_kit_limits(name: str) -> None:
    assert block_kit_problems(PAYLOADS[name]) == []


@pytest.mark.parametrize("name", ["prompt (lead)", "prompt closed (lead)", "vote results (lead)",
                                  "home (lead)"])
def test_a_lead_can_adopt_every_proposal_at_42(name: str) -> None:
    payload = PAYLOADS[name]
    assert report.adopt_buttons_slack(payload) >= 25
    assert report.adoptable_slack(payload) == ALL


def test_a_member_can_vote_for_every_proposal_and_cannot_adopt() -> None:
    payload = PAYLOADS["prompt (member)"]
    assert report.adoptable_slack(payload) == set()
    values = [e.get("value", "") for b in payload["blocks"] for e in [b.get("accessory") or {}]]
    values += [o["value"] for b in payload["blocks"] for e in b.get("elements", [])
               for o in e.get("options", [])]
    voted = {json.loads(v)["a"]["proposal"] for v in values if '"n":"vote"' in v}
    assert voted == ALL
    shown = sum(1 for b in payload["blocks"] if (b.get("accessory") or {}).get("type") == "button")
    assert f"…and {len(ALL) - shown} more not shown here" in json.dumps(payload, ensure_ascii=False)


def test_the_proposal_menus_go_to_the_listener_buttons_use() -> None:
    menus = [e for b in PAYLOADS["prompt (lead)"]["blocks"] for e in b.get("elements", [])
             if e.get("type") == "static_select"]
    assert menus and all(ids.ACT.match(m["action_id"]) for m in menus)


def test_the_checker_catches_what_slack_refuses() -> None:
    section: dict[str, Any] = {"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}
    button = {"type": "button", "action_id": "a" * 256, "text": {"type": "plain_text", "text": "b" * 76},
              "value": "v" * 2001}
    problems = block_kit_problems({"blocks": [section] * (MESSAGE_BLOCKS + 1) +
                                   [{"type": "actions", "elements": [button] * 26}]})
    assert len(problems) >= 5
    both = {"type": "image", "image_url": "https://x.example/a.png", "slack_file": {"id": "F1"},
            "alt_text": "a"}
    bare = {"type": "image", "image_url": "x" * 3001, "alt_text": ""}
    assert len(block_kit_problems([both, bare])) >= 3
    modal = {"type": "modal", "title": {"type": "plain_text", "text": "t" * 25}, "blocks": []}
    assert block_kit_problems(modal) != []
