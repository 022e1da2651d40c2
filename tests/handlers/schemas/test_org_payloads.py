"""The organisation digest at its caps (three journeys, thirty teams each, forty touchpoints,
standards followed everywhere, & < > in every name and text): within Block Kit's limits in
Slack, and a valid Adaptive Card under Teams' 28 KB, its chart included while it fits."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from bot import org_text
from bot.domain import MAX_PROPOSAL_CHARS
from bot.org_views import (
    Adoption,
    Hotspot,
    JourneyGroup,
    OrgDigestView,
    OrgTouchpointRow,
    SpreadView,
    TeamCount,
)
from handlers.slack import blocks as kit
from handlers.teams.org_cards import org_digest_card
from tests.handlers.schemas.caps import NAME, filler, ref
from tests.handlers.schemas.platform import (
    CARD_LIMIT,
    MESSAGE_BLOCKS,
    block_kit_problems,
    card_schema,
    card_size,
    schema_errors,
)

TEAMS = 30
ROWS = 40
AT = datetime(2026, 11, 10, 9, tzinfo=UTC)


def group(template: str) -> JourneyGroup:
    teams = tuple(f"{NAME} {n:02d}" for n in range(TEAMS))
    rows = tuple(OrgTouchpointRow(ref(r), tuple(TeamCount(t, r % 7, (r + n) % 5)
                                                for n, t in enumerate(teams)))
                 for r in range(ROWS))
    spread = tuple(SpreadView(ref(s), filler(MAX_PROPOSAL_CHARS, str(s)), teams[s],
                              tuple(Adoption(t, AT, 0.5, 0.25, 40, 12, n == 0)
                                    for n, t in enumerate(teams)), TEAMS, teams[:5])
                   for s in range(6))
    hotspots = tuple(Hotspot(ref(h), 30 - h, 20, TEAMS - h, TEAMS) for h in range(5))
    return JourneyGroup(template, teams, hotspots, rows, spread, 999, 999)


def view() -> OrgDigestView:
    return OrgDigestView(NAME, "2026-W47", tuple(group(t) for t in ("airline", "hotel", "clinic")))


def test_the_slack_message_is_within_block_kit_limits_and_escaped() -> None:
    blocks = kit.reply_blocks(org_text.digest(view()))
    assert len(blocks) <= MESSAGE_BLOCKS
    assert block_kit_problems({"blocks": blocks}) == []
    shown = json.dumps(blocks, ensure_ascii=False)
    assert "<Team>" not in shown and "&lt;Team&gt;" in shown


@pytest.mark.slow  # the chart is drawn at several sizes until one fits
def test_the_teams_card_is_valid_and_fits_with_its_chart() -> None:
    digest = view()
    card = org_digest_card(org_text.digest(digest), digest)
    assert card["version"] == "1.4"
    assert schema_errors(card, card_schema(card)) == []
    assert card_size(card) <= CARD_LIMIT, f"{card_size(card) / 1024:.1f} KB"
    assert any(e["type"] == "Image" for e in card["body"])


def test_a_small_organisation_card_shows_every_line() -> None:
    small = OrgDigestView("Acme", "2026-W47", (JourneyGroup(
        "airline", ("Arlanda gate crew", "Landvetter gate crew"),
        (Hotspot(ref(1), 3, 1, 2, 2),),
        (OrgTouchpointRow(ref(1), (TeamCount("Arlanda gate crew", 1, 2),
                                   TeamCount("Landvetter gate crew", 0, 1))),),
        (SpreadView(ref(1), "Open the spare desk", "Arlanda gate crew",
                    (Adoption("Arlanda gate crew", AT, 1.0, 0.0, 2, 1, True),), 2),)),))
    reply = org_text.digest(small)
    card = org_digest_card(reply, small)
    texts = json.dumps(card, ensure_ascii=False)
    for shown in ("organisation digest, 2026-W47", "in 2 of 2 teams", "Landvetter gate crew 0/1",
                  "Open the spare desk", "followed by 1 of 2 teams", "100% of 2 → 0% of 1"):
        assert shown in texts
