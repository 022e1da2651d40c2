"""Charts by URL, through `moments serve`'s own wiring (handlers/bootstrap.build_server) and its
aiohttp app served over HTTP: with a public URL the weekly digest's chart is kept in the database
and shown by ``image_url``, which the stand-in Web API downloads from the server's own
GET /charts/<token>.png while it takes the post, as Slack does; without one, the chart is
uploaded as before. Slack refusing the picture leaves the digest posted without it."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from bot.config import Settings
from bot.ports import Notifier
from handlers.bootstrap import build_server
from handlers.scheduled import SoleLeader, tick
from handlers.server import Server, housekeeping
from handlers.slack.chart_links import CACHE_CONTROL, CHARTS_KEPT, add_chart_route
from handlers.slack.ports import ChartImages
from tests.conftest import STAFF, make_world
from tests.fakes import FixedClock
from tests.handlers.scheduler.test_waiting_expiry import OneRound
from tests.handlers.slack.image_downloads import PNG
from tests.handlers.slack.recorder import Call, SlackStandIn, start

FRIDAY_1605 = datetime(2026, 11, 20, 15, 5, tzinfo=UTC)  # Stockholm's 16:00 digest is due
ALT = "Bar chart: WOW and OW per touchpoint, 2026-W47"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class NoScheduler:
    def shutdown(self, wait: bool = True) -> None:
        pass


@contextmanager
def on_port(app: web.Application, port: int) -> Iterator[str]:
    """``app`` served over HTTP on 127.0.0.1:``port`` (as `moments serve` serves it); its address."""
    runner = web.AppRunner(app)
    loop = asyncio.new_event_loop()
    loop.run_until_complete(runner.setup())
    loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", port).start())
    threading.Thread(target=loop.run_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)


@contextmanager
def chart_server(images: ChartImages) -> Iterator[str]:
    """Only the server's GET /charts route, on ``images``; its address (a public URL)."""
    app = web.Application()
    add_chart_route(app, images)
    with on_port(app, free_port()) as url:
        yield url


@dataclass
class Running:
    api: SlackStandIn
    server: Server
    clock: FixedClock  # the server's
    url: str  # where the server answers HTTP
    notifier: Notifier  # what the server's weekly scheduler posts with

    def post_the_digest(self) -> Call:
        """A team with a moment in the server's database; Friday's tick posts its digest."""
        world = make_world(store=self.server.services.store)  # type: ignore[arg-type]
        world.router.handle(world.ctx(STAFF), "/ow", "#boarding gate chaos")
        world.clock.set(FRIDAY_1605)
        tick(world.services, self.notifier, SoleLeader(), workers=1)
        *_, posted = self.api.named("chat.postMessage")
        assert posted.args["channel"] == "C-gate"
        assert "weekly digest, 2026-W47" in str(posted.args["blocks"])
        return posted

    def get(self, path: str) -> tuple[int, bytes, dict[str, str]]:
        try:
            with urllib.request.urlopen(self.url + path, timeout=10) as resp:
                return resp.status, resp.read(), dict(resp.headers)
        except urllib.error.HTTPError as err:
            return err.code, err.read(), dict(err.headers)


@contextmanager
def serving(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *, public_url: str | None) -> Iterator[Running]:
    """`moments serve` as bootstrap builds it, on a SQLite file, its scheduler's notifier kept
    aside for the test to tick with. ``public_url`` None: the server's own address."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    api, stand_in = start()
    notifiers: list[Notifier] = []

    def start_scheduler(services: Any, notifier: Notifier, leadership: Any = None) -> NoScheduler:
        notifiers.append(notifier)
        return NoScheduler()

    monkeypatch.setattr("handlers.scheduled.start_scheduler", start_scheduler)
    settings = replace(Settings(), database_url=f"sqlite:///{tmp_path / 'moments.db'}",
                       slack_bot_token="xoxb-t", slack_signing_secret="secret", slack_api_url=api.url,
                       public_url=url if public_url is None else public_url)
    clock = FixedClock(FRIDAY_1605)
    server = build_server(settings, clock=clock)
    try:
        with on_port(server.web_app, port):
            yield Running(api, server, clock, url, notifiers[0])
    finally:
        stand_in.shutdown()
        server.services.store.close()  # type: ignore[attr-defined]


def images(call: Call) -> list[dict[str, Any]]:
    return [b for b in call.args["blocks"] if b["type"] == "image"]


def test_the_digest_shows_its_chart_by_url_which_slack_downloads_from_the_server(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with serving(tmp_path, monkeypatch, public_url=None) as running:
        posted = running.post_the_digest()
        [image] = images(posted)
        link = image["image_url"]
        assert link.startswith(f"{running.url}/charts/") and link.endswith(".png")
        assert "slack_file" not in image and image["alt_text"] == ALT
        assert posted.args["blocks"].index(image) == 2  # under the digest's header and counts
        [(fetched, png)] = running.api.fetched  # downloaded while Slack took the post
        assert fetched == link and png is not None and png.startswith(PNG)
        assert running.api.named("files.getUploadURLExternal") == []  # no Slack files call at all
        status, body, headers = running.get(link.removeprefix(running.url))
        assert (status, body) == (200, png)
        assert headers["Content-Type"] == "image/png" and headers["Cache-Control"] == CACHE_CONTROL


def test_an_unknown_chart_is_404_and_old_charts_are_purged_by_housekeeping(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with serving(tmp_path, monkeypatch, public_url=None) as running:
        assert running.get("/charts/" + "x" * 32 + ".png")[0] == 404
        assert running.get("/charts/../healthz.png")[0] == 404
        link = images(running.post_the_digest())[0]["image_url"].removeprefix(running.url)
        server = running.server
        running.clock.set(FRIDAY_1605 + CHARTS_KEPT - timedelta(days=1))
        housekeeping(server.settings, server.services, server.requests, server.messages, None,
                     OneRound(), charts=server.charts)
        assert running.get(link)[0] == 200  # a year of digests keeps its pictures
        running.clock.set(FRIDAY_1605 + CHARTS_KEPT + timedelta(days=1))
        housekeeping(server.settings, server.services, server.requests, server.messages, None,
                     OneRound(), charts=server.charts)
        assert running.get(link)[0] == 404


def test_a_chart_slack_cannot_download_is_uploaded_instead_and_the_next_ones_too(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """MOMENTS_PUBLIC_URL is out of Slack's reach: the digest's post is refused for its picture,
    tried again, then goes with the chart uploaded instead; the next digest uploads at once,
    without making Slack try the URL first."""
    from bot.domain import Platform, Workspace
    from tests.handlers.slack.test_notifier import digest_post

    monkeypatch.setattr("handlers.notify.CHART_WAITS", (0.01,))
    nowhere = f"http://127.0.0.1:{free_port()}"  # nothing answers there
    with serving(tmp_path, monkeypatch, public_url=nowhere) as running:
        posted = running.post_the_digest()
        *refused, _ = running.api.named("chat.postMessage")
        assert len(refused) == 2 and all(images(r)[0]["image_url"].startswith(nowhere) for r in refused)
        [image] = images(posted)
        assert "image_url" not in image and image["alt_text"] == ALT
        assert len(running.api.fetched) == 2 and all(png is None for _, png in running.api.fetched)
        [upload] = running.api.named("upload")
        assert upload.args["bytes"].startswith(PNG)
        running.notifier.send(Workspace(1, Platform.SLACK, "T1"), digest_post("C-next"))
        *_, nxt = running.api.named("chat.postMessage")
        assert nxt.args["channel"] == "C-next" and "slack_file" in images(nxt)[0]
        assert len(running.api.fetched) == 2 and len(running.api.named("upload")) == 2


def test_without_a_public_url_the_chart_is_uploaded_as_before(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with serving(tmp_path, monkeypatch, public_url="") as running:
        posted = running.post_the_digest()
        [image] = images(posted)
        assert "image_url" not in image and image["alt_text"] == ALT
        assert running.api.files[image["slack_file"]["id"]] is None  # uploaded unshared
        [upload] = running.api.named("upload")
        assert upload.args["bytes"].startswith(PNG)
        assert running.api.fetched == []


class SlowImages:
    """Chart reads that wait until ``go`` is set (a database under load)."""

    def __init__(self) -> None:
        self.go = threading.Event()

    def keep_chart(self, workspace_id: int, token: str, png: bytes, at: datetime) -> None:
        raise AssertionError("not kept in this test")

    def chart_png(self, token: str) -> bytes | None:
        self.go.wait(10)
        return None

    def purge_charts(self, *, made_before: datetime) -> int:
        return 0


def test_a_flood_of_chart_requests_is_told_to_come_back_and_the_rest_answered() -> None:
    """The route is public: while MOST_WAITING reads are under way, one more is answered 503
    (Retry-After) at once instead of queueing; those under way are answered once the reads go."""
    from concurrent.futures import ThreadPoolExecutor

    from handlers.slack.chart_links import MOST_WAITING

    slow = SlowImages()

    def get(url: str) -> int:
        try:
            with urllib.request.urlopen(url, timeout=15) as resp:
                return int(resp.status)
        except urllib.error.HTTPError as err:
            return int(err.code)

    with chart_server(slow) as base, ThreadPoolExecutor(max_workers=MOST_WAITING + 1) as clients:
        waiting = [clients.submit(get, f"{base}/charts/{'t' * 20}{i:04d}.png") for i in range(MOST_WAITING)]
        time.sleep(1.0)  # all of them sent, two being read, the rest waiting for a reader
        assert not any(w.done() for w in waiting)
        assert get(f"{base}/charts/{'u' * 20}.png") == 503  # at once, not after the reads
        slow.go.set()
        assert [w.result(timeout=15) for w in waiting] == [404] * MOST_WAITING
