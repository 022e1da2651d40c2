"""Charts shown by URL: with a public URL, a Slack post's chart is not uploaded to Slack but kept
in the database and shown by an ``image`` block whose ``image_url`` is ``GET /charts/<token>.png``
on `moments serve` (any replica answers it from the database).

Slack's files methods are Tier 4 (about 100 calls a minute per workspace), so uploading held one
workspace's weekly digests to that pace; an image_url costs no Slack call of its own. Slack
downloads the image while it handles the chat.postMessage that shows it, and refuses the post
when it cannot (``handlers/notify.py`` then uploads the chart instead), so a chart is stored before
its post. The token is random (``secrets.token_urlsafe``, 192 bits): the URL is unguessable, but
public, as Slack's image proxy fetches it without credentials. A chart stored for a post that a
crash then abandoned is seen by nobody and ages out with the rest after :data:`CHARTS_KEPT`.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from aiohttp import web

from handlers.observability import METRICS
from handlers.slack.ports import ChartImages

READERS = 2  # threads reading charts for GET /charts
MOST_WAITING = 64  # chart reads at once (running or waiting) before the route answers 503
CHARTS_KEPT = timedelta(days=400)  # a year of digests keeps its pictures (docs/privacy.md)
CACHE_CONTROL = "public, max-age=31536000, immutable"  # a token's PNG never changes
ROUTE = "/charts/{token:[A-Za-z0-9_-]{16,64}}.png"


def _utc_now() -> datetime:
    return datetime.now(UTC)


class ChartLinks:
    """Keeps a chart's PNG under a new token and gives the URL a post shows it by."""

    def __init__(self, images: ChartImages, public_url: str, *,
                 now: Callable[[], datetime] = _utc_now) -> None:
        self._images = images
        self._base = public_url.rstrip("/")
        self._now = now

    def publish(self, workspace_id: int, png: bytes) -> str:
        token = secrets.token_urlsafe(24)
        self._images.keep_chart(workspace_id, token, png, self._now())
        return f"{self._base}/charts/{token}.png"


def forget_old_charts(images: ChartImages, now: datetime) -> int:
    """The server's housekeeping: charts past their retention go; how many."""
    return images.purge_charts(made_before=now - CHARTS_KEPT)


def add_chart_route(app: web.Application, images: ChartImages) -> None:
    """``GET /charts/<token>.png``: the PNG, or 404 for a token never made or already purged.
    The route is public: its reads run on threads of their own, never on those the acks'
    claims use, and past :data:`MOST_WAITING` reads at once it answers 503 (a flood of made-up
    tokens, or Slack's image proxy fetching a weekly run's charts, slows only the charts)."""
    pool = ThreadPoolExecutor(max_workers=READERS, thread_name_prefix="chart-reads")
    reading = 0

    async def chart(request: web.Request) -> web.Response:
        nonlocal reading
        if reading >= MOST_WAITING:
            METRICS.inc("http_requests_total", route="/charts", status="503")
            return web.Response(status=503, text="busy", headers={"Retry-After": "1"})
        token = request.match_info["token"]
        reading += 1
        try:
            png = await asyncio.get_running_loop().run_in_executor(pool, images.chart_png, token)
        finally:
            reading -= 1
        METRICS.inc("http_requests_total", route="/charts", status="404" if png is None else "200")
        if png is None:
            return web.Response(status=404, text="no such chart")
        return web.Response(body=png, content_type="image/png",
                            headers={"Cache-Control": CACHE_CONTROL})

    app.router.add_get(ROUTE, chart)
