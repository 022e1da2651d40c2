"""Chart files uploaded to Slack unshared, on one event loop, many at once, before their post.
(With a public URL the charts go by URL instead, no Slack call of their own:
``handlers/slack/chart_links.py``; this is the way without one, Socket Mode and local runs.)

A digest's chart travels in the digest itself: the PNG is uploaded first without a channel
(files.getUploadURLExternal, the upload, files.completeUploadExternal with no ``channel_id``, so
the file is the bot's own and shows nowhere), then the digest's chat.postMessage carries it in an
``image`` block by ``slack_file.id`` (``handlers/notify.py``). So the chart is part of the one
post whose exactly-once the weekly cycle already guards: a process killed before the post leaves
only an unshared file behind (seen by nobody, a few KB; the successor uploads a fresh one), and
one killed after it has already delivered the chart with the digest.

The three calls run as coroutines on one asyncio loop in its own thread, up to ``IN_FLIGHT`` at a
time per process over one connection pool. A 429 holds that workspace's uploads (every one not yet
sent, not only the refused one) for its Retry-After, in the shared buckets, then the refused one
goes again; other workspaces' uploads go on. The sending thread waits for the file's id
(``upload``), or for several at once (``upload_all``, the organisation digest's charts). A failed
upload is logged and gives None: the post then goes without that chart (its text carries the
same counts) rather than not at all.

Each upload keeps to Slack's tier for files.getUploadURLExternal and files.completeUploadExternal
(Tier 4, 100 a minute, per workspace) by the same buckets as the door's calls
(handlers/slack/tiers.py, shared with the door's sender when the server wires them): its turn is
taken when it is handed over, waited out before it takes a place in flight (so one workspace's
queue never holds up another's uploads), and not counted against the sender's ``WAIT``.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Coroutine, Sequence
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from handlers.slack.tiers import TRIES, TierBuckets, retry_after

if TYPE_CHECKING:
    from aiohttp import ClientSession

log = logging.getLogger(__name__)
IN_FLIGHT = 32  # uploads talking to Slack at once, per process
WAIT = 60.0  # seconds a sender waits for its chart's upload before posting without it (past its tier's turn)
UPLOAD = "files.upload_v2"  # the bucket of an upload's files.* calls (as the export's, in the sender)


@runtime_checkable
class Draining(Protocol):
    """A notifier with work still going after ``send`` returned."""

    def drain(self, timeout: float | None = None) -> bool: ...


@dataclass(frozen=True, slots=True)
class Chart:
    """A chart a post carries: the PNG, its file name, the title shown above it, its alt text."""

    png: bytes
    filename: str
    title: str
    alt_text: str


@dataclass(frozen=True, slots=True)
class Upload:
    token: str | None
    base_url: str
    content: bytes
    filename: str
    title: str
    alt_text: str = ""
    headers: dict[str, str] = field(default_factory=dict)


class ChartUploads:
    """``tiers``: the rate buckets (the door sender's, so both count a workspace's calls once)."""

    def __init__(self, *, in_flight: int = IN_FLIGHT, tiers: TierBuckets | None = None) -> None:
        self.tiers = tiers or TierBuckets()
        self._changed = threading.Condition()
        self._pending = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._gate = asyncio.Semaphore(in_flight)  # bound to the loop when first used there
        self._session: ClientSession | None = None  # one connection pool for every upload
        self._started = threading.Lock()
        self.failed = 0  # uploads Slack refused or that broke; each is also logged

    def upload(self, upload: Upload, timeout: float = WAIT) -> str | None:
        """Upload one chart unshared; its Slack file id, or None when it could not be had."""
        return self.upload_all([upload], timeout)[0]

    def upload_all(self, uploads: Sequence[Upload], timeout: float = WAIT) -> list[str | None]:
        """Several charts at once (each its own coroutine); their ids in order, None where one failed."""
        started = time.monotonic()
        turns = [self.tiers.reserve(u.token or "", UPLOAD) for u in uploads]  # (seconds to wait)
        futures = [self._submit(u, turn) for u, turn in zip(uploads, turns, strict=True)]
        ids: list[str | None] = []
        for upload, turn, future in zip(uploads, turns, futures, strict=True):
            try:
                ids.append(future.result(max(0.0, started + turn + timeout - time.monotonic())))
            except FutureTimeout:
                future.cancel()
                self.failed += 1
                log.warning("chart %s not uploaded within %.0f s; posting without it",
                            upload.filename, timeout)
                ids.append(None)
        return ids

    def drain(self, timeout: float | None = None) -> bool:
        """Wait until no upload is under way (an upload abandoned at its timeout may still be)."""
        with self._changed:
            return self._changed.wait_for(lambda: self._pending == 0, timeout)

    def _submit(self, upload: Upload, turn: float) -> Future[str | None]:
        with self._changed:
            self._pending += 1
        try:
            return self._run(self._upload(upload, turn))
        except BaseException:
            self._done()
            raise

    def _done(self) -> None:
        with self._changed:
            self._pending -= 1
            self._changed.notify_all()

    def _run(self, work: Coroutine[Any, Any, str | None]) -> Future[str | None]:
        with self._started:
            if self._loop is None:
                ready = threading.Event()
                threading.Thread(target=self._serve, args=(ready,), name="chart-uploads",
                                 daemon=True).start()
                ready.wait()
        assert self._loop is not None
        return asyncio.run_coroutine_threadsafe(work, self._loop)

    def _serve(self, ready: threading.Event) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        ready.set()
        loop.run_forever()

    async def _call(self, upload: Upload, token: str) -> Any:
        """files_upload_v2, once its workspace's uploads are not held (by a 429), in the gate."""
        from aiohttp import ClientSession
        from slack_sdk.http_retry.builtin_async_handlers import AsyncServerErrorRetryHandler
        from slack_sdk.web.async_client import AsyncWebClient

        while True:
            await self.tiers.unheld(token, UPLOAD)  # (outside the gate: other workspaces' go meanwhile)
            async with self._gate:
                if self.tiers.held(token, UPLOAD) > 0:
                    continue  # held while this one waited for the gate: wait outside again
                if self._session is None:
                    self._session = ClientSession()
                client = AsyncWebClient(
                    token=upload.token, base_url=upload.base_url, timeout=10, session=self._session,
                    headers=dict(upload.headers),
                    retry_handlers=[AsyncServerErrorRetryHandler(max_retry_count=2)])
                return await client.files_upload_v2(  # no channel: the file stays unshared
                    content=upload.content, filename=upload.filename, title=upload.title,
                    alt_txt=upload.alt_text or None)

    async def _upload(self, upload: Upload, turn: float) -> str | None:
        from slack_sdk.errors import SlackApiError

        token = upload.token or ""
        try:
            if turn > 0:
                await asyncio.sleep(turn)  # (outside the gate: other workspaces' go meanwhile)
            for attempt in range(1, TRIES + 1):
                if attempt > 1:  # the refused one takes a new turn in its bucket
                    await self.tiers.keep(token, UPLOAD)
                try:
                    done = await self._call(upload, token)
                    break
                except SlackApiError as err:
                    if err.response.status_code != 429 or attempt == TRIES:
                        raise
                    # the workspace's uploads wait, not only this one (nor other workspaces')
                    self.tiers.hold(token, UPLOAD, retry_after(err.response.headers))
            files = done.get("files") or []
            file_id = files[0].get("id") if files and isinstance(files[0], dict) else None
            if not file_id:
                raise ValueError("files.completeUploadExternal named no file")
            return str(file_id)
        except SlackApiError as err:
            self.failed += 1
            log.warning("chart %s not uploaded: %s", upload.filename, err.response.get("error"))
        except Exception:
            self.failed += 1
            log.warning("chart %s not uploaded", upload.filename, exc_info=True)
        finally:
            self._done()
        return None
