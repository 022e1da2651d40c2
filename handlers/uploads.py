"""Digest charts uploaded to Slack on one event loop, many at once, off the weekly workers.

A chart is three Web API calls (files.getUploadURLExternal, the upload, files.completeUploadExternal)
after the digest itself is out and recorded. On the tick's worker threads they held a thread
three round trips per team, so few digests were in flight; here each is a coroutine on one
asyncio loop in its own thread, up to ``IN_FLIGHT`` at a time, and the worker goes on to the next
team as soon as the digest is posted. A 429 waits its Retry-After in that coroutine alone.

The chart stays what it was: an extra to a digest already posted, not a post with its own
record. A failed upload is logged; a process that dies before its uploads finish leaves those
digests without a chart (as a death between the digest and its upload always did).
``drain`` waits until nothing is pending (the tick calls it before it returns); when more
than ``PENDING`` charts wait, ``submit`` waits for room, so memory stays bounded.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Coroutine
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from aiohttp import ClientSession

log = logging.getLogger(__name__)
IN_FLIGHT = 32  # uploads talking to Slack at once, per process
PENDING = 32  # charts not yet up before submit makes its caller wait: a killed process loses
# at most these (at 150 ms a call a replica has about a dozen up at once)


@runtime_checkable
class Draining(Protocol):
    """A notifier with work still going after ``send`` returned (the charts)."""

    def drain(self, timeout: float | None = None) -> bool: ...


@dataclass(frozen=True, slots=True)
class Upload:
    token: str | None
    base_url: str
    channel: str
    content: bytes
    filename: str
    title: str
    headers: dict[str, str] = field(default_factory=dict)


class ChartUploads:
    def __init__(self, *, in_flight: int = IN_FLIGHT, pending: int = PENDING) -> None:
        self._room = threading.BoundedSemaphore(pending)
        self._changed = threading.Condition()
        self._pending = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._gate = asyncio.Semaphore(in_flight)  # bound to the loop when first used there
        self._session: ClientSession | None = None  # one connection pool for every upload
        self._started = threading.Lock()
        self.failed = 0  # uploads Slack refused or that broke; each is also logged

    def submit(self, upload: Upload) -> None:
        """Queue one chart; returns at once unless ``PENDING`` charts are waiting already."""
        self._room.acquire()
        with self._changed:
            self._pending += 1
        try:
            self._run(self._upload(upload))
        except BaseException:
            self._done()
            raise

    def drain(self, timeout: float | None = None) -> bool:
        """Wait until every chart submitted so far is uploaded (or has failed). False on timeout."""
        with self._changed:
            return self._changed.wait_for(lambda: self._pending == 0, timeout)

    def _done(self) -> None:
        with self._changed:
            self._pending -= 1
            self._changed.notify_all()
        self._room.release()

    def _run(self, work: Coroutine[Any, Any, None]) -> Future[None]:
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

    async def _upload(self, upload: Upload) -> None:
        from aiohttp import ClientSession
        from slack_sdk.errors import SlackApiError
        from slack_sdk.http_retry.builtin_async_handlers import (
            AsyncRateLimitErrorRetryHandler,
            AsyncServerErrorRetryHandler,
        )
        from slack_sdk.web.async_client import AsyncWebClient

        try:
            async with self._gate:
                if self._session is None:
                    self._session = ClientSession()
                client = AsyncWebClient(
                    token=upload.token, base_url=upload.base_url, timeout=10, session=self._session,
                    headers=dict(upload.headers),
                    retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=3),
                                    AsyncServerErrorRetryHandler(max_retry_count=2)])
                await client.files_upload_v2(channel=upload.channel, content=upload.content,
                                             filename=upload.filename, title=upload.title)
        except SlackApiError as err:
            self.failed += 1
            log.warning("digest chart not uploaded to %s: %s", upload.channel,
                        err.response.get("error"))
        except Exception:
            self.failed += 1
            log.warning("digest chart not uploaded to %s", upload.channel, exc_info=True)
        finally:
            self._done()
