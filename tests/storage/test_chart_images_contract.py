"""The Slack door's chart images (``handlers.slack.ports.ChartImages``): a PNG found again by its
token from any connection, nothing for a token never made, and the old ones purged (the server's
housekeeping, past ``CHARTS_KEPT``), on the in-memory fake, SQLite and PostgreSQL alike."""

from __future__ import annotations

import secrets

from handlers.slack.chart_links import CHARTS_KEPT, forget_old_charts
from handlers.slack.ports import ChartImages
from tests.storage.builders import at

Charts = tuple[ChartImages, int, int]  # the store, a workspace and another
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40  # binary, 10 KB: kept byte for byte


def token() -> str:
    return secrets.token_urlsafe(24)  # the PostgreSQL database is shared with other tests


def test_a_chart_is_found_by_its_token_byte_for_byte(charts: Charts) -> None:
    images, ws, theirs = charts
    mine, other = token(), token()
    images.keep_chart(ws, mine, PNG, at(0))
    images.keep_chart(theirs, other, b"\x89PNG other", at(0))
    assert images.chart_png(mine) == PNG
    assert images.chart_png(other) == b"\x89PNG other"
    assert images.chart_png(token()) is None


def test_charts_past_their_retention_are_purged_and_the_rest_kept(charts: Charts) -> None:
    images, ws, theirs = charts
    old, recent = token(), token()
    made = at(0)
    images.keep_chart(ws, old, PNG, made)
    images.keep_chart(theirs, recent, PNG, at(2))
    assert forget_old_charts(images, at(1) + CHARTS_KEPT) >= 1  # (other tests' rows may go too)
    assert images.chart_png(old) is None
    assert images.chart_png(recent) == PNG
    assert images.purge_charts(made_before=at(1)) == 0
