"""The inbox's writes in batches: claims taken on the event loop, and done marks after the work.

Both keep the ack path and the listeners' work from waiting on a round trip of their own.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

from bot.ports import Clock
from handlers.slack.ports import Claim, NewClaims, RequestInbox

log = logging.getLogger(__name__)


class Finisher:
    """Writes, in the background and a batch at a time, that handled requests are done, and
    gives back claims whose work never started, so that neither the ack path nor the lazy work
    waits for those writes. What the database refuses stays pending and is tried again, more
    slowly, until it is back. A mark lost with the process only replays a request whose moment
    the replay then finds by its key."""

    def __init__(self, requests: RequestInbox, clock: Clock, interval: float = 0.2,
                 batch: int = 500) -> None:
        self._requests = requests
        self._clock = clock
        self._interval = interval
        self._batch = batch
        self._pending: list[str] = []
        self._returned: list[tuple[str, str, datetime | None]] = []
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None

    def add(self, key: str) -> None:
        self._queue(lambda: self._pending.append(key))

    def give_back(self, key: str, owner: str, claimed_at: datetime | None) -> None:
        """See ``RequestInbox.give_back``: dropped with the claim's time, else released for a replay."""
        self._queue(lambda: self._returned.append((key, owner, claimed_at)))

    def _queue(self, put: Callable[[], None]) -> None:
        with self._cond:
            put()
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="slack-requests-done", daemon=True)
                self._thread.start()
            self._cond.notify()

    def flush(self) -> bool:
        """Write what is pending; False if the database refused (it stays pending)."""
        store, now = self._requests, self._clock.now()
        while True:
            with self._cond:
                keys, self._pending = self._pending[:self._batch], self._pending[self._batch:]
                returned, self._returned = self._returned, []
            if not keys and not returned:
                return True
            try:
                store.give_back(returned)
                returned = []
                store.finish_events(keys, now)
            except Exception as err:  # kept for the next try: an open claim would be replayed
                log.warning("could not mark %d Slack requests done: %s; trying again",
                            len(keys) + len(returned), type(err).__name__)
                with self._cond:
                    self._pending[:0] = keys
                    self._returned[:0] = returned
                return False

    def _run(self) -> None:
        wait = self._interval
        while True:
            with self._cond:
                while not self._pending and not self._returned:
                    self._cond.wait()
            time.sleep(wait)  # let a batch gather; longer while the database is away
            wait = self._interval if self.flush() else min(wait * 2, 30.0)


_Pending = tuple[str, datetime, dict[str, Any], "asyncio.Future[Claim]"]


class Claims:
    """The claims of requests taken on the event loop (``Inbox.take``), written together: those
    that arrive while a batch is in the database go in the next one, so a burst costs one round
    trip and one commit per batch instead of one per request, and the loop hands a batch, not
    every request, to a thread. The requests' copies are sealed (``seal``: redacted, encrypted)
    in that thread too (but see ``on_loop`` below). A batch that has been in the database for
    ``overlap_after`` seconds (a slow statement, a busy database) no longer holds the next one
    back: up to ``in_flight`` batches are written at once (two batches holding the same id are
    settled by the database: the second finds it HELD, and Slack is asked to deliver it
    again). Letting the second batch leave at once instead halved the batches in a burst (most
    then held one request) and cost the acks about 15% of their pace (docs/benchmarks.md).

    With ``on_loop`` (``RequestInbox.claims_on_loop``: PostgreSQL) a batch is sealed and its new
    ids claimed from the loop itself; only ids claimed already (handled, held elsewhere, or left
    for dead) go to a thread, for ``claim_events`` to settle, and so does the whole batch if the
    loop's claim failed, its writes told from others' by their timestamps."""

    def __init__(self, requests: RequestInbox, owner: str, give_back: Callable[[str, datetime], None],
                 seal: Callable[[dict[str, Any]], str], most: int = 500, in_flight: int = 2,
                 overlap_after: float = 0.005, on_loop: NewClaims | None = None) -> None:
        self._requests = requests
        self._seal = seal
        self._owner = owner
        self._give_back = give_back
        self._most = most
        self._in_flight = in_flight
        self._overlap_after = overlap_after
        self._pending: list[_Pending] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._sending = 0  # batches in the database now
        self._since: list[float] = []  # when each of them left (the loop's clock)
        self._timer: asyncio.TimerHandle | None = None
        self._on_loop = on_loop
        self._tasks: set[asyncio.Task[None]] = set()
        self._failed_told = -10.0
        # threads of their own: the loop's default pool also runs Bolt's dispatch of clicks and
        # forms and the server's other reads, which must never hold a claim, and so an ack, back
        self._pool = ThreadPoolExecutor(max_workers=in_flight, thread_name_prefix="slack-claims")

    async def claim(self, key: str, at: datetime, body: dict[str, Any]) -> Claim:
        """See ``RequestInbox.claim_events`` (``body`` is kept sealed); raises what the store
        raised for the batch."""
        loop = asyncio.get_running_loop()
        if loop is not self._loop:  # (a new loop: in tests, one per request)
            self._loop, self._pending, self._sending, self._since, self._timer = loop, [], 0, [], None
            self._tasks = set()
        answer: asyncio.Future[Claim] = loop.create_future()
        self._pending.append((key, at, body, answer))
        self._next(loop)
        return await answer

    def _next(self, loop: asyncio.AbstractEventLoop) -> None:
        """Send what is pending if no batch is in the database, or if the oldest there has been
        for ``overlap_after``; else look again then (or when a batch comes back)."""
        if not self._pending or self._sending >= self._in_flight:
            return
        if self._sending:
            due = self._since[0] + self._overlap_after
            if loop.time() < due:
                if self._timer is None:
                    self._timer = loop.call_at(due, self._overdue, loop)
                return
        self._send(loop)

    def _overdue(self, loop: asyncio.AbstractEventLoop) -> None:
        if self._loop is loop:
            self._timer = None
            self._next(loop)

    def _send(self, loop: asyncio.AbstractEventLoop) -> None:
        batch, self._pending = self._pending[:self._most], self._pending[self._most:]
        self._sending += 1
        left = loop.time()
        self._since.append(left)
        if self._on_loop is not None:
            task = loop.create_task(self._send_from_loop(loop, batch, left))
            self._tasks.add(task)  # (the loop keeps only a weak reference to a task)
            task.add_done_callback(self._tasks.discard)
            return
        self._in_pool(loop, batch, left, functools.partial(
            self._claim_all, [(k, at, body) for k, at, body, _ in batch]))

    def _in_pool(self, loop: asyncio.AbstractEventLoop, batch: list[_Pending], left: float,
                 work: Callable[[], list[Claim]]) -> None:
        """``work`` (the batch's claims, in order) on a claims thread; then ``_sent``."""
        try:
            written = loop.run_in_executor(self._pool, work)
        except RuntimeError as err:  # the pool is shut down: the process is stopping
            failed: asyncio.Future[list[Claim]] = loop.create_future()
            failed.set_exception(err)
            written = failed
        written.add_done_callback(lambda done: self._sent(loop, batch, done, left))

    async def _send_from_loop(self, loop: asyncio.AbstractEventLoop, batch: list[_Pending],
                              left: float) -> None:
        """The batch's new ids claimed from the loop (``RequestInbox.claims_on_loop``), and only
        the others, claimed already (or all of them, if that failed), on a claims thread."""
        assert self._on_loop is not None
        try:
            sealed = [(k, at, self._seal(body)) for k, at, body, _ in batch]
        except Exception:  # (the thread seals again, and the batch fails as it always did)
            self._in_pool(loop, batch, left, functools.partial(
                self._claim_all, [(k, at, body) for k, at, body, _ in batch]))
            return
        first: dict[str, int] = {}
        for i, (key, _, _) in enumerate(sealed):
            first.setdefault(key, i)
        try:
            written = await self._on_loop([sealed[i] for i in first.values()], self._owner)
        except Exception as err:  # applied or not: the thread's claim tells which is this batch's
            now = time.monotonic()
            if now - self._failed_told >= 10:  # (a database away would log every batch)
                log.warning("claims from the event loop failed (%s); claiming on a thread",
                            type(err).__name__)
                self._failed_told = now
            self._in_pool(loop, batch, left, functools.partial(self._claim_sealed, sealed, True))
            return
        found: list[Claim | None] = [
            (Claim.TAKEN if first[key] == i else Claim.HELD) if key in written else None
            for i, (key, _, _) in enumerate(sealed)]
        rest = [i for i, claim in enumerate(found) if claim is None]
        if not rest:
            done: asyncio.Future[list[Claim]] = loop.create_future()
            done.set_result([claim for claim in found if claim is not None])
            self._sent(loop, batch, done, left)
            return

        def the_rest() -> list[Claim]:
            others = iter(self._claim_sealed([sealed[i] for i in rest]))
            return [claim if claim is not None else next(others) for claim in found]

        self._in_pool(loop, batch, left, the_rest)

    def _claim_all(self, batch: list[tuple[str, datetime, dict[str, Any]]]) -> list[Claim]:
        return self._claim_sealed([(k, at, self._seal(body)) for k, at, body in batch])

    def _claim_sealed(self, sealed: Sequence[tuple[str, datetime, str | None]],
                      maybe_written: bool = False) -> list[Claim]:
        found = (self._requests.claim_events(sealed, owner=self._owner, maybe_written=True)
                 if maybe_written else self._requests.claim_events(sealed, owner=self._owner))
        return [Claim(claim) for claim in found]

    def _sent(self, loop: asyncio.AbstractEventLoop, batch: list[_Pending],
              done: asyncio.Future[list[Claim]], left: float) -> None:
        if self._loop is loop:
            self._sending -= 1
            self._since.remove(left)
        err = RuntimeError("the claim was cancelled") if done.cancelled() else done.exception()
        found = done.result() if err is None else [Claim.HELD] * len(batch)
        for (key, at, _, answer), claim in zip(batch, found, strict=True):
            if answer.done():  # the request was cancelled (the client went away): no answer
                if claim is Claim.TAKEN:
                    self._give_back(key, at)
                continue
            if err is not None:
                answer.set_exception(err)
            else:
                answer.set_result(claim)
        if self._loop is loop:
            self._next(loop)
