"""Every Adaptive Card the Teams door sends, built at its caps: valid against the Adaptive Cards
schema of its version, under Teams' 28 KB, and with every button a person needs."""

from __future__ import annotations

from typing import Any

import pytest

from bot.views import ADOPT, PROPOSE, VOTE
from handlers.teams import cards
from tests.handlers.schemas import caps, report
from tests.handlers.schemas.platform import CARD_LIMIT, card_actions, card_schema, card_size, schema_errors

NAMES = report.teams_card_names()
card_at_caps = report.teams_card
# the digest without room for its chart draws it three times over before giving up: make test
SLOW = {"digest": pytest.mark.slow}


def _names() -> list[Any]:  # (not a module-wide pytestmark: only these cases are slow)
    return [pytest.param(n, marks=SLOW[n]) if n in SLOW else n for n in NAMES]


def _actions(card: dict[str, Any], name: str) -> list[str]:
    return [a["data"].get("proposal", "") for a in card_actions(card)
            if a["data"].get("moments_action") == name]


@pytest.mark.parametrize("name", _names())
def test_every_card_is_valid_for_its_version(name: str) -> None:
    card = card_at_caps(name)
    assert card["version"] in ("1.4", "1.5")
    assert schema_errors(card, card_schema(card)) == []


@pytest.mark.parametrize("name", _names())
def test_every_card_fits_a_teams_message(name: str) -> None:
    size = card_size(card_at_caps(name))
    assert size <= CARD_LIMIT, f"{name}: {size / 1024:.1f} KB"


def test_the_leads_prompt_keeps_vote_adopt_and_propose_on_every_proposal_shown() -> None:
    card = card_at_caps("prompt (lead)")
    adopt, vote = _actions(card, ADOPT), _actions(card, VOTE)
    assert len(adopt) == len(vote) == cards.MAX_PROPOSALS
    assert adopt == vote
    assert len(_actions(card, PROPOSE)) == 1
    hidden = caps.PROPOSALS - cards.MAX_PROPOSALS
    text = str(card)
    assert f"…and {hidden} more" in text and "`moments adopt ID`" in text


def test_a_members_prompt_has_no_adopt_button() -> None:
    card = card_at_caps("prompt (member)")
    assert _actions(card, ADOPT) == []
    assert len(_actions(card, VOTE)) == cards.MAX_PROPOSALS


def test_long_proposals_are_cut_visibly() -> None:
    texts = [b["text"] for item in card_at_caps("prompt (lead)")["body"] if item["type"] == "Container"
             for b in item["items"] if b["type"] == "TextBlock" and b["text"].startswith("**[")]
    assert texts and all(t.endswith("…") for t in texts)


def test_the_closed_prompt_shows_the_most_voted_proposals_first() -> None:
    adopt = [int(p) for p in _actions(card_at_caps("vote results (lead)"), ADOPT)]
    assert adopt == sorted(adopt, reverse=True)  # caps gives later proposals more votes


@pytest.mark.parametrize("name", [pytest.param("digest", marks=SLOW["digest"]), "digest with chart"])
def test_the_digest_at_its_caps_counts_what_it_leaves_out(name: str) -> None:
    text = str(card_at_caps(name))
    assert "…and" in text and "more: `moments standards` lists them all" in text


def test_the_digest_keeps_its_chart_when_there_is_room_for_it() -> None:
    assert any(b["type"] == "Image" for b in card_at_caps("digest with chart")["body"])


def test_user_text_stays_as_written_in_cards() -> None:
    """& < > in moments and proposals are literal text in a TextBlock: no entity, no markup."""
    text = str(card_at_caps("prompt (lead)"))
    assert "Guest & family <VIP> waited > 20 min" in text and "&amp;" not in text and "](" not in text


def test_the_schema_check_would_catch_a_broken_card() -> None:
    card = cards.card([{"type": "TextBlock", "text": "x", "size": "Huge"}],
                      [{"type": "Action.Submit", "title": "t", "associatedInputs": "some"}])
    assert schema_errors(card, card_schema(card)) != []


# the Teams door's own forms (handlers/teams/home.py, journey_card.py)


def test_the_home_at_its_caps_keeps_every_section_and_its_buttons() -> None:
    from handlers.teams import ids

    card = card_at_caps("home (lead)")
    text = str(card)
    for section in ("your Moments", "Your recent moments", "Colleagues thanked you",
                    "This week's question", "The team's week", "Our service standards"):
        assert section in text, section
    pressed = {a["data"]["moments_action"] for a in card_actions(card)}
    assert pressed == {ids.HOME_PROMPT, ids.HOME_DIGEST, ids.HOME_REFRESH}
    assert "more: `moments digest` shows them all" in text  # 40 touchpoints: the rest counted
    assert "Guest & family <VIP> waited > 20 min" in text and "](" not in text


def test_every_touchpoint_of_a_long_journey_is_on_one_page_of_the_editor() -> None:
    from dataclasses import replace

    from handlers.teams import ids, journey_card

    journey = tuple(replace(t, name=caps.filler(400, f"n{t.id} ")) for t in caps.JOURNEY)
    shown: list[str] = []
    start: int | None = 0
    while start is not None:
        page = journey_card.journey_card(caps.team(), journey, start=start)
        assert card_size(page) <= CARD_LIMIT and schema_errors(page, card_schema(page)) == []
        shown += [i["id"].removeprefix(ids.TP_NAME) for i in _inputs(page) if i["id"].startswith(ids.TP_NAME)]
        turns = [a for a in card_actions(page) if a["data"]["moments_action"] == ids.JOURNEY_PAGE
                 and int(a["data"]["start"]) > start]
        start = int(turns[0]["data"]["start"]) if turns else None
    assert shown == [t.slug for t in journey]


def test_a_touchpoint_name_with_markup_is_the_inputs_value_as_stored() -> None:
    """The name input is what Save compares with: any change to it would rename the touchpoint."""
    from dataclasses import replace

    from handlers.teams import ids, journey_card

    odd = replace(caps.JOURNEY[0], name="**Gate** & <b>[VIP](https://x.example)</b> @lena_")
    page = journey_card.journey_card(caps.team(), (odd,))
    [field] = [i for i in _inputs(page) if i["id"] == ids.TP_NAME + odd.slug]
    assert field["value"] == odd.name
    edits, problem = journey_card.read_edits({ids.TP_NAME + odd.slug: odd.name}, (odd,))
    assert edits.empty and problem == ""


def _inputs(card: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if str(node.get("type", "")).startswith("Input."):
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card)
    return found
