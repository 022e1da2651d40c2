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
