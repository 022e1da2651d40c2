"""The replies after a Slack ack, sent with many in flight instead of one per listener thread.

A listener thread used to wait on every reply it sent (``response_url``, chat.postEphemeral,
chat.postMessage): with Slack 150 ms away, two threads kept about a dozen moments a second. Now
the work after the ack hands its replies to :class:`Sender`, which sends them on an event loop of
its own (one thread, many requests in flight on one aiohttp session, slack_sdk's AsyncWebClient
and AsyncWebhookClient), and the thread goes on to the next request's database work. The loop is
its own, not the HTTP server's: the acks keep that loop to themselves, and Socket Mode and the
tests, which have no server loop, send the same way.

Exactly once: the work of a request collects its replies (:class:`Replies`, set by
``after_ack`` for the work's duration, and by ``collecting`` for clicks and forms); they go out
in the order they were handed over, and the request's claim is marked done (or released) only
once the last has been answered. Outside such work a reply is sent as before: the caller waits
for it and sees its error. A reply that is several calls (the export: conversations.open, the
upload, then the answer) is one piece of :meth:`Sender.work`, with what to say instead if it fails.

Reads whose answer the work needs go through the same loop: :meth:`Sender.fetch` hands the answer
to a callback (which must only queue work elsewhere: the loop never touches the database), and
:meth:`Sender.ask` waits for it, for a listener thread that cannot go on without it.

Rate limits, per workspace (its token) and method, so one workspace throttled never stalls
another: each method keeps to Slack's published tier (handlers/slack/tiers.py, a token bucket that
lets a burst of half a minute's calls through at once, then one call per its share of a minute,
shared with the weekly posts' chart uploads); an answer 429 holds that method for that
workspace for Retry-After seconds, every call to it waits, then the refused one is sent again.
chat.postMessage is kept to one message a second a channel, as Slack asks (the slots shared with
the weekly posts, tiers.post_slot); chat.postEphemeral and response_url posts have no tier to
keep. A 5xx or a dropped connection is retried as the synchronous client does.

Room, per workspace too: a workspace whose replies Slack holds back (a long Retry-After, or Slack
down for its token) fills only its own share of pending replies (``most_pending``); a listener
handing over one more for it waits, and other workspaces' replies still go (a ceiling for all,
``most_pending_all``, bounds the memory should many be held at once).
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import threading
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import Future
from typing import Any

import aiohttp
from slack_bolt.context.respond.internals import _build_message
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from handlers.observability import METRICS
from handlers.slack.tiers import BURST, PER_CHANNEL, TRIES, TierBuckets, retry_after

log = logging.getLogger(__name__)


# views.open's trigger_id lasts 3 seconds: a form waits at most this long for a rate limit, and
# beyond it the person is told at once to try again
TRIGGER_PATIENCE = 1.0


class TooLate(Exception):
    """A call that could not wait as long as Slack holds its method (``Sender._api``'s patience)."""


class Replies:
    """The replies one request's work handed over, in order; ``close`` calls back once the last
    is answered (at once when there was none)."""

    def __init__(self) -> None:
        self.last: Future[Any] | None = None

    def close(self, then: Callable[[], None]) -> None:
        if self.last is None:
            then()
        else:  # (they go in order: the last done, all are)
            self.last.add_done_callback(lambda _: then())


REPLIES: contextvars.ContextVar[Replies | None] = contextvars.ContextVar("moments_replies", default=None)


class Room:
    """Replies handed over and not yet answered, counted per workspace (its token): one with
    ``each`` pending waits for one of its own to be answered, whatever the others have pending;
    ``most`` pending in all, everyone waits (the memory's bound)."""

    def __init__(self, each: int, most: int) -> None:
        self.each, self.most = each, most
        self._taken: dict[str, int] = {}
        self.pending = 0
        self.changed = threading.Condition()

    def take(self, token: str, *, blocking: bool = True) -> bool:
        with self.changed:
            while self._taken.get(token, 0) >= self.each or self.pending >= self.most:
                if not blocking:
                    return False
                self.changed.wait()
            self._taken[token] = self._taken.get(token, 0) + 1
            self.pending += 1
            return True

    def give_back(self, token: str) -> None:
        with self.changed:
            left = self._taken.pop(token) - 1
            if left:
                self._taken[token] = left
            self.pending -= 1
            self.changed.notify_all()

    def taken(self, token: str) -> int:
        with self.changed:
            return self._taken.get(token, 0)


class Sender:
    """Web API calls and response_url posts on an event loop thread of its own (started on first
    use). ``most``: calls in flight at once; ``most_pending``: one workspace's replies handed over
    and not yet answered before a listener that hands over one more for it waits for room (Slack
    down for it should neither fill the memory nor hold up the others); ``most_pending_all``: the
    same for all workspaces together."""

    def __init__(self, *, timeout: float = 10.0, most: int = 100, most_pending: int = 2000,
                 most_pending_all: int = 20_000, per_channel: float = PER_CHANNEL,
                 minute: float = 60.0, burst: float = BURST, tiers: TierBuckets | None = None) -> None:
        """``minute``: the seconds in a tier's minute (tests shorten it); ``burst``: how many
        minutes' worth of a method's calls may go at once; ``tiers``: buckets shared with others
        calling Slack for the same workspaces (made with ``minute`` and ``burst`` otherwise)."""
        self.timeout = timeout
        self.most = most
        self.per_channel = per_channel
        self.tiers = tiers or TierBuckets(minute=minute, burst=burst)
        self.room = Room(most_pending, max(most_pending, most_pending_all))
        self._start = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._session: aiohttp.ClientSession | None = None
        self._flight: asyncio.Semaphore | None = None
        self._clients: dict[tuple[str, str], AsyncWebClient] = {}

    # handing over (any thread but the sender's)

    def call(self, client: Any, method: str, **kwargs: Any) -> None:
        """``client.<method>(**kwargs)`` (a slack_sdk WebClient's method name: chat_postEphemeral),
        with the client's token and base URL."""
        self.work(client, lambda api: api.call(method, **kwargs))

    def respond(self, client: Any, respond: Any, **message: Any) -> None:
        """Bolt's ``respond(**message)``: a post to the request's response_url."""
        url = getattr(respond, "response_url", None)
        if not isinstance(url, str):
            respond(**message)  # no response_url to post to: Bolt's own answer (it raises)
            return
        self.post(client, url, **message)

    def post(self, client: Any, url: str, **message: Any) -> None:
        """A post to ``url``, a response_url (Bolt's ``respond`` arguments)."""
        built = _build_message(**message)
        self.work(client, lambda api: api.post(url, built))

    def work(self, client: Any, steps: Callable[[Api], Awaitable[Any]],
             otherwise: Callable[[Api], Awaitable[Any]] | None = None) -> None:
        """``steps``, a piece of work of several calls in order, on the sender's loop, with the
        client's token and base URL; ``otherwise``, what to send instead if it fails (so a person
        waiting for it is told). As ``call``: in a request's work, in turn and not waited for."""
        api = Api(self, str(getattr(client, "token", None) or ""), str(client.base_url))

        async def run() -> Any:
            if otherwise is None:
                return await steps(api)
            try:
                return await steps(api)
            except Exception as err:
                log.warning("Slack work failed; telling the person: %s", _why(err))
                return await otherwise(api)

        self._hand_over(api.token, run)

    def ask(self, client: Any, method: str, **kwargs: Any) -> Any:
        """A call whose answer the caller cannot go on without (users.info for a person not
        known yet, with no answer fetched ahead): made on the sender's loop, within the same
        limits as everything else, and waited for here; raises as the client would."""
        if threading.current_thread() is self._thread:
            raise RuntimeError("Sender.ask on the sender's own loop would wait for itself")
        token, base = str(getattr(client, "token", None) or ""), str(client.base_url)
        self.room.take(token)
        return self._submit(token, lambda: self._api(token, base, method, kwargs), None,
                            quiet=False).result()

    def fetch(self, token: str, base: str, method: str, kwargs: dict[str, Any],
              then: Callable[[Any], None], failed: Callable[[Exception], None] | None = None) -> bool:
        """A call with ``token`` to the Web API at ``base``, whose answer goes to ``then`` (or,
        if it failed, its error to ``failed``; without ``failed``, None to ``then``), on the
        sender's loop, before the call counts as answered (``drain`` waits for both): they must
        only queue work elsewhere. It never waits (the event loop that acks calls it); False
        (nothing sent) when there is no room."""

        async def call() -> None:
            try:
                answer = await self._api(token, base, method, kwargs)
            except Exception as err:
                log.warning("Slack %s failed ahead of the work: %s", method, _why(err))
                if failed is not None:
                    try:
                        failed(err)
                    except Exception:
                        log.exception("the work after Slack's %s could not be queued", method)
                    return
                answer = None
            try:
                then(answer)
            except Exception:
                log.exception("the work after Slack's %s could not be queued", method)

        if not self.room.take(token, blocking=False):
            return False
        self._submit(token, call, None, quiet=False)
        return True

    def _hand_over(self, token: str, make: Callable[[], Awaitable[Any]]) -> None:
        replies = REPLIES.get()
        self.room.take(token)  # (waits while too many of this workspace's are pending)
        done = self._submit(token, make, replies.last if replies is not None else None,
                            quiet=replies is not None)
        if replies is None:
            done.result()  # not a request's work: waited for, as a blocking call, and raises
        else:
            replies.last = done

    def _submit(self, token: str, make: Callable[[], Awaitable[Any]], previous: Future[Any] | None,
                quiet: bool) -> Future[Any]:
        """(with room taken for ``token``)"""
        try:
            done = asyncio.run_coroutine_threadsafe(self._in_turn(previous, make, quiet), self._running())
        except BaseException:
            self.room.give_back(token)
            raise
        done.add_done_callback(lambda _: self.room.give_back(token))
        return done

    def drain(self, timeout: float = 20.0) -> bool:
        """Wait until every reply handed over is answered (a graceful stop); False on timeout."""
        with self.room.changed:
            return self.room.changed.wait_for(lambda: not self.room.pending, timeout)

    def close(self) -> None:
        """Stop the loop (after ``drain``); a later reply starts it again."""
        with self._start:
            loop, thread = self._loop, self._thread
            self._loop = self._thread = None
        if loop is None or thread is None:
            return
        session = self._session
        if session is not None:
            asyncio.run_coroutine_threadsafe(session.close(), loop).result(timeout=5)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=5)

    def _running(self) -> asyncio.AbstractEventLoop:
        with self._start:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                ready = threading.Event()
                self._thread = threading.Thread(target=self._serve, args=(loop, ready),
                                                name="slack-sender", daemon=True)
                self._thread.start()
                ready.wait()
                self._loop = loop
            return self._loop

    def _serve(self, loop: asyncio.AbstractEventLoop, ready: threading.Event) -> None:
        asyncio.set_event_loop(loop)

        async def begin() -> None:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self.timeout),
                connector=aiohttp.TCPConnector(limit=self.most))
            self._flight = asyncio.Semaphore(self.most)
            self._clients.clear()

        loop.run_until_complete(begin())
        ready.set()
        loop.run_forever()
        loop.close()

    # on the sender's loop

    async def _in_turn(self, previous: Future[Any] | None, make: Callable[[], Awaitable[Any]],
                       quiet: bool) -> Any:
        """After the same request's previous reply; a failure of a request's reply is logged (its
        work is over; the person was told what they could be told)."""
        if previous is not None:
            await asyncio.wait([asyncio.wrap_future(previous)])
        try:
            return await make()
        except Exception as err:
            if not quiet:
                raise
            log.warning("a Slack reply could not be sent: %s", _why(err))
            return None

    def _client(self, token: str, base: str) -> AsyncWebClient:
        client = self._clients.get((token, base))
        if client is None:
            if len(self._clients) >= 1000:
                self._clients.clear()
            client = AsyncWebClient(token=token or None, base_url=base, timeout=int(self.timeout),
                                    session=self._session, retry_handlers=[
                                        AsyncConnectionErrorRetryHandler(),
                                        AsyncServerErrorRetryHandler(max_retry_count=2)])
            self._clients[(token, base)] = client
        return client

    async def _api(self, token: str, base: str, method: str, kwargs: dict[str, Any],
                   patience: float | None = None) -> Any:
        """``patience``: the most seconds this call may wait for a 429's hold (a views.open,
        whose trigger_id lasts 3 seconds); past it, ``TooLate`` or the 429 is raised at once."""
        name = method.replace("_", ".", 1)  # chat_postMessage -> chat.postMessage
        key = (token, name)
        give_up = None if patience is None else time.monotonic() + patience
        for attempt in range(1, TRIES + 1):
            if give_up is not None and time.monotonic() + self.tiers.held(*key) > give_up:
                raise TooLate(f"Slack holds {name} for this workspace longer than the call can wait")
            await self.tiers.unheld(*key)
            most_wait = None if give_up is None else max(0.0, give_up - time.monotonic())
            if not await self.tiers.keep(token, name, most_wait):
                raise TooLate(f"{name}'s rate tier for this workspace is spent for longer than the "
                              "call can wait")
            if name == "chat.postMessage":
                wait = self.tiers.post_slot(token, str(kwargs.get("channel") or ""), self.per_channel)
                if wait > 0:
                    await asyncio.sleep(wait)
            assert self._flight is not None
            async with self._flight:
                try:
                    return await getattr(self._client(token, base), method)(**kwargs)
                except SlackApiError as err:
                    if err.response.status_code != 429 or attempt == TRIES:
                        raise
                    wait = retry_after(err.response.headers)
                    self._hold(key, wait)
                    if give_up is not None and time.monotonic() + wait > give_up:
                        raise
        raise AssertionError("unreachable")

    async def _webhook(self, token: str, url: str, message: dict[str, Any]) -> Any:
        key = (token, "response_url")
        for attempt in range(1, TRIES + 1):
            await self.tiers.unheld(*key)
            assert self._flight is not None
            async with self._flight:
                hook = AsyncWebhookClient(url, timeout=int(self.timeout), session=self._session,
                                          retry_handlers=[AsyncConnectionErrorRetryHandler(),
                                                          AsyncServerErrorRetryHandler(max_retry_count=2)])
                sent = await hook.send_dict(message)
            if sent.status_code != 429 or attempt == TRIES:
                if sent.status_code >= 400:  # (Bolt's respond never raised on these either)
                    log.warning("a Slack response_url post was answered %d", sent.status_code)
                return sent
            self._hold(key, retry_after(sent.headers))
        raise AssertionError("unreachable")

    def _hold(self, key: tuple[str, str], seconds: float) -> None:
        self.tiers.hold(*key, seconds)
        METRICS.inc("slack_rate_limited_total", method=key[1])
        log.info("Slack rate limited %s for one workspace: waiting %.0f s", key[1], seconds)


class Api:
    """What a piece of :meth:`Sender.work` calls, on the sender's loop, with one workspace's
    token: the Web API (a slack_sdk method name: chat_postEphemeral, files_upload_v2) and
    response_url posts, each within the sender's limits."""

    def __init__(self, sender: Sender, token: str, base: str) -> None:
        self._sender, self.token, self.base = sender, token, base

    async def call(self, method: str, *, patience: float | None = None, **kwargs: Any) -> Any:
        """``patience``: see ``Sender._api``."""
        return await self._sender._api(self.token, self.base, method, kwargs, patience)

    async def post(self, url: str, message: dict[str, Any]) -> Any:
        return await self._sender._webhook(self.token, url, message)


def _why(err: BaseException) -> str:
    if isinstance(err, SlackApiError):
        return str(err.response.get("error") or err.response.status_code)
    return type(err).__name__
