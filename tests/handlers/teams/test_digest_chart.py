"""The Teams digest card carries the week's WOW/OW chart as an image small enough for a card."""

from __future__ import annotations

import base64
import io
import json
from typing import Any

from PIL import Image

from bot.views import DigestView, TouchpointRef, TouchpointWeek
from handlers.charts import CARD_BUDGET
from handlers.teams.cards import digest_card

CARD_LIMIT = 28 * 1024  # what Teams accepts for one message with a card

NAMES = ["Information", "Booking", "Check-in", "Security", "Boarding", "In-flight service",
         "Baggage claim", "Disruption & delays", "Loyalty programme", "Getting a problem solved",
         "Lounge", "Arrival & transfer"]


def week(touchpoints: int, moments: bool = True) -> DigestView:
    rows = tuple(TouchpointWeek(TouchpointRef(f"tp{i}", name), (i % 5 + 1) * moments,
                                (i * 3) % 7 * moments, 1, 2)
                 for i, name in enumerate(NAMES[:touchpoints]))
    total = sum(r.wows + r.ows for r in rows)
    return DigestView("Gate crew Stockholm Arlanda", "2026-W47", (), rows, (), (), total, total)


def images(card: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for e in card["body"] if e.get("type") == "Image"]


def test_the_digest_card_shows_the_chart_as_a_small_png() -> None:
    for count in (3, 12):
        card = digest_card(week(count))
        [image] = images(card)
        head, data = image["url"].split(",", 1)
        assert head == "data:image/png;base64"
        png = base64.b64decode(data)
        assert len(png) <= CARD_BUDGET
        picture = Image.open(io.BytesIO(png))
        assert picture.format == "PNG" and picture.size[0] >= 320 and max(picture.size) <= 1024
        assert "WOW and OW per touchpoint" in image["altText"]
        assert len(json.dumps(card)) < CARD_LIMIT


def test_a_week_without_moments_has_no_chart() -> None:
    card = digest_card(week(5, moments=False))
    assert images(card) == []
    assert "No moments this week" not in json.dumps(card)  # last week's counts are still listed
