"""The organisation digest as an Adaptive Card: its text, then each journey's chart (teams side
by side) as an inline image, within Teams' card size (the charts go before the text is cut)."""

from __future__ import annotations

import base64

from bot import words
from bot.org_views import OrgDigestView
from bot.views import Reply
from handlers.charts import compact_org_chart
from handlers.teams.cards import CARD_BUDGET, Card, Element, card, lines, markdown, size

TEXT_LEVELS = (None, 6000, 3000)  # characters of the digest's text, when the card is too big


def org_digest_card(reply: Reply, view: OrgDigestView) -> Card:
    charts: list[Element] = []
    for group in view.groups:
        png = compact_org_chart(group, view.week)
        if png is not None:
            charts.append({"type": "Image", "size": "Stretch",
                           "url": "data:image/png;base64," + base64.b64encode(png).decode(),
                           "altText": words.ORG_CHART_ALT.format(week=view.week)})
    out: Card = {}
    for shown in (len(charts), *range(len(charts) - 1, -1, -1)):
        for chars in TEXT_LEVELS:
            text = reply.text if chars is None else reply.text[:chars].rsplit("\n", 1)[0] + "\n…"
            out = card(lines(markdown(text)) + charts[:shown])
            if size(out) <= CARD_BUDGET:
                return out
    return out
