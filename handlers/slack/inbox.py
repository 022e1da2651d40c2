"""Slack requests are acknowledged only once they are safe: nothing acknowledged is lost.

Slack wants an answer within 3 seconds, so the work behind a slash command or an event runs
after the answer, on the listener pool. A process killed in between (a deploy gone wrong, the
kernel's OOM killer, a lost machine) would take that work with it, and the person would never
hear back. So, before the acknowledgement, the request is claimed in the database together with a
copy of it (``claim_event``): personal data redacted as it would be in a moment, and encrypted
with MOMENTS_ENCRYPTION_KEY when that is set. The claim names the process that holds it. When the
work ends the claim is marked done and the copy erased, in background batches
(:class:`Finisher`).

Every replica beats every few seconds (:meth:`Inbox.run`). Claims whose owner stopped beating
are taken over by a live replica and run again through the same Bolt app, marked as replays; the
moment a replayed command or message makes carries the request's key, so if the dead process
had stored it already the replay finds it and only answers. A replayed `/moments` command is not
run (the person is asked to run it again). A request that kills every process that runs it is
given up after three attempts. Work that fails because the database is away (a restart, a
failover) is released the same way instead of being told to the person, and replayed once the
database is back (``after_ack``): only a request that could not even be claimed asks the person
to try again. A claim whose work never started is given back
(:meth:`Inbox.dispatch`, :meth:`Finisher.give_back`).

Over HTTP, an event or a slash command (what Slack sends most) is checked, claimed and answered
on the server's event loop (:meth:`Inbox.take`), its claim written in a batch with the others that
arrived meanwhile (:class:`Claims`); Bolt's middleware and the listener run after the answer, on
the listener pool (:meth:`Inbox.run_taken`). If Bolt then fails, the claim is released for a
replay: Slack was already told the request arrived. Everything else goes through Bolt first,
with the claim in its middleware.

The same claim deduplicates Slack's redeliveries of an event (X-Slack-Retry-Num): a claim that is
done makes a redelivery a duplicate; an unfinished one answers 503 (Slack tries again later)
unless it is older than the lease and its owner has stopped beating, when it is taken over.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import inspect
import json
import logging
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Executor
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from cryptography.fernet import Fernet, InvalidToken
from slack_bolt import App, BoltRequest, BoltResponse

from bot.ports import Claim
from bot.redact import redact
from bot.services import Services
from handlers.encrypted_store import fernet_for
from handlers.observability import METRICS, REQUEST_ID, request_scope

log = logging.getLogger(__name__)
FINISH = "moments_finish_request"  # context: marks this request's claim done
RELEASE = "moments_release_request"  # context: releases this request's claim for a replay
CLAIM = "moments_claim"  # context: (key, claimed at) of the claim this request holds (at: None on a replay)
TAKEN_ON = "moments_taken_on"  # context: a listener acknowledged the request (its work is queued or done)
REPLAY = "moments_replay_of"  # context: the key of a claim this process took over to replay
REQUEST_ID_KEY = "moments_request_id"  # context: the request id the HTTP server gave the request
ACKED = "moments_acked"  # context: answered already (Inbox.take); the listener's work runs in this thread
MAX_ATTEMPTS = 3
# Replays make moments (found again by the request's key), never anything else: a `/moments`
# command may have changed something before its replica died, and running it twice could
# change it twice (a second `retract`, a duplicate proposal). The person is asked instead.
RESTARTED = ("Sorry, the bot restarted before it could finish your `/moments` command. If it "
             "didn't take effect, please run it again.")
SEALED = "enc:v1:"
# set while the work of a request whose copy is kept runs: a failure because the database is
# away is then not told to the person (``door.friendly``) but replayed once it is back
KEPT: contextvars.ContextVar[bool] = contextvars.ContextVar("moments_kept", default=False)
_LEFT_OUT = frozenset({"blocks", "attachments", "files", "token"})  # text copies, or not needed


def request_key(body: Any) -> str | None:
    """What identifies a request that does work after its ack: an event's id, or the
    trigger id of a slash command. Interactive payloads are not kept: their work needs a
    trigger id that expires in 3 seconds, or the person is looking at the form and can submit
    it again."""
    if not isinstance(body, dict):
        return None
    if body.get("type") == "event_callback" and body.get("event_id"):
        return str(body["event_id"])
    if body.get("command") and body.get("trigger_id"):
        return f"command:{body['trigger_id']}"
    return None


class Sealer:
    """The kept copy of a request: text redacted, then encrypted when a key is set."""

    def __init__(self, key: str = "") -> None:
        self._fernet: Fernet | None = fernet_for(key) if key else None

    def seal(self, body: dict[str, Any]) -> str:
        data = json.dumps(_redacted(body), separators=(",", ":"), ensure_ascii=False)
        if self._fernet is None:
            return data
        return SEALED + self._fernet.encrypt(data.encode()).decode()

    def open(self, payload: str) -> dict[str, Any] | None:
        if payload.startswith(SEALED):
            if self._fernet is None:
                return None
            try:
                payload = self._fernet.decrypt(payload[len(SEALED):].encode()).decode()
            except InvalidToken:
                return None
        try:
            body = json.loads(payload)
        except ValueError:
            return None
        return body if isinstance(body, dict) else None


def _redacted(value: Any, key: str = "") -> Any:
    if isinstance(value, dict):
        return {k: _redacted(v, k) for k, v in value.items() if k not in _LEFT_OUT}
    if isinstance(value, list):
        return [_redacted(v) for v in value]
    if isinstance(value, str) and key == "text":
        return redact(value).text
    return value


def database_away(err: BaseException) -> bool:
    """The database could not be reached (refused, dropped, restarting), as opposed to an error
    in what was asked of it: the same work can succeed once it is back."""
    seen: BaseException | None = err
    for _ in range(10):  # the cause chain, bounded
        if seen is None:
            return False
        if isinstance(seen, sa.exc.DBAPIError):
            return seen.connection_invalidated or isinstance(
                seen, (sa.exc.OperationalError, sa.exc.InterfaceError))
        if isinstance(seen, (sa.exc.DisconnectionError, sa.exc.TimeoutError, ConnectionError)):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def postpone(err: BaseException) -> bool:
    """Whether a failure of the work running now is left for a replay rather than told: its
    request's copy is kept, and the database was away (see ``after_ack``)."""
    return KEPT.get() and database_away(err)


DB_DOWN = ("I can't reach my database right now, so nothing was saved. Please try again "
           "in a minute.")


def unavailable(key: str) -> BoltResponse:
    """Not claimed, so not acknowledged as done: Slack delivers an event again later (503); a
    command is never sent again, so the person is told, in the command's own answer."""
    if key.startswith("command:"):
        return BoltResponse(status=200, body=json.dumps({"response_type": "ephemeral", "text": DB_DOWN}),
                            headers={"content-type": "application/json"})
    return BoltResponse(status=503, body="")


class Finisher:
    """Writes, in the background and a batch at a time, that handled requests are done, and
    gives back claims whose work never started, so that neither the ack path nor the lazy work
    waits for those writes. What the database refuses stays pending and is tried again, more
    slowly, until it is back. A mark lost with the process only replays a request whose moment
    the replay then finds by its key."""

    def __init__(self, services: Services, interval: float = 0.2, batch: int = 500) -> None:
        self._services = services
        self._interval = interval
        self._batch = batch
        self._pending: list[str] = []
        self._returned: list[tuple[str, str, datetime | None]] = []
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None

    def add(self, key: str) -> None:
        self._queue(lambda: self._pending.append(key))

    def give_back(self, key: str, owner: str, claimed_at: datetime | None) -> None:
        """See ``Store.give_back``: dropped with the claim's time, else released for a replay."""
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
        store, now = self._services.store, self._services.clock.now()
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


_Pending = tuple[str, datetime, str, "asyncio.Future[Claim]"]


class Claims:
    """The claims of requests taken on the event loop (``Inbox.take``), written together: those
    that arrive while a batch is in the database go in the next one, so a burst costs one round
    trip and one commit per batch instead of one per request, and the loop hands a batch, not
    every request, to a thread."""

    def __init__(self, services: Services, owner: str, give_back: Callable[[str, datetime], None],
                 most: int = 500) -> None:
        self._services = services
        self._owner = owner
        self._give_back = give_back
        self._most = most
        self._pending: list[_Pending] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._sending = False

    async def claim(self, key: str, at: datetime, payload: str) -> Claim:
        """See ``Store.claim_events``; raises what the store raised for the batch."""
        loop = asyncio.get_running_loop()
        if loop is not self._loop:  # (a new loop: in tests, one per request)
            self._loop, self._pending, self._sending = loop, [], False
        answer: asyncio.Future[Claim] = loop.create_future()
        self._pending.append((key, at, payload, answer))
        if not self._sending:
            self._send(loop)
        return await answer

    def _send(self, loop: asyncio.AbstractEventLoop) -> None:
        batch, self._pending = self._pending[:self._most], self._pending[self._most:]
        self._sending = True
        written = loop.run_in_executor(None, functools.partial(
            self._services.store.claim_events, [(k, at, p) for k, at, p, _ in batch], owner=self._owner))
        written.add_done_callback(lambda done: self._sent(loop, batch, done))

    def _sent(self, loop: asyncio.AbstractEventLoop, batch: list[_Pending],
              done: asyncio.Future[list[Claim]]) -> None:
        self._sending = False
        err = done.exception()
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
        if self._pending and self._loop is loop:
            self._send(loop)


class Inbox:
    """The claim before the ack, the mark after the work, and the replay of a dead replica's
    claims. One per process; ``owner`` names the process in the claims it holds."""

    def __init__(self, services: Services, sealer: Sealer, owner: str | None = None) -> None:
        self.services = services
        self.sealer = sealer
        self.owner = owner or f"{uuid.uuid4().hex[:12]}"
        self.finisher = Finisher(services)
        self.claims = Claims(services, self.owner,
                             lambda key, at: self.finisher.give_back(key, self.owner, at))
        self.replaying = True  # off while the process drains before it stops

    def middleware(self) -> Callable[..., BoltResponse | None]:
        services, finisher = self.services, self.finisher

        def claim(body: dict[str, Any], context: Any, next: Any) -> BoltResponse | None:  # noqa: A002
            context[REQUEST_ID_KEY] = REQUEST_ID.get()  # for the lazy listener's log lines
            key = request_key(body)
            if key is None:
                next()
                return None
            if context.get(CLAIM) is None:  # (a replay's, or one taken by Inbox.take, is held)
                payload = self.sealer.seal(body)
                at = services.clock.now()
                try:
                    claimed = services.store.claim_event(key, at, owner=self.owner, payload=payload)
                except Exception as err:  # the database is down or restarting
                    return self._unclaimed(key, at, err)
                if not claimed:
                    return self._taken(key)
                context[CLAIM] = (key, at)
            context[FINISH] = lambda: finisher.add(key)
            # (None: released, not dropped, whoever claimed it; the copy stays for the replay)
            context[RELEASE] = lambda: finisher.give_back(key, self.owner, None)
            next()
            return None

        return claim

    def _unclaimed(self, key: str, at: datetime, err: Exception) -> BoltResponse:
        log.warning("could not claim %s: database unavailable (%s)", key, type(err).__name__)
        METRICS.inc("slack_claims_failed_total")
        # the INSERT may have gone through before the connection broke: undo it
        self.finisher.give_back(key, self.owner, at)
        return unavailable(key)

    def _taken(self, key: str, done: bool | None = None) -> BoltResponse:
        """The answer to a request whose claim is held already (``done``: handled already;
        asked of the store when not known)."""
        if key.startswith("command:") or (done if done is not None else self.services.store.event_done(key)):
            # (Slack never sends a command twice: a copy is answered by the first)
            log.info("duplicate delivery of %s ignored", key)
            return BoltResponse(status=200, body="")
        log.info("%s is being handled elsewhere; Slack will deliver it again", key)
        return BoltResponse(status=503, body="")

    async def take(self, app: App, pool: Executor, body: dict[str, Any], key: str) -> BoltResponse:
        """The short way in for a checked request with a key (see ``SlackDoorApp.acknowledge``):
        claimed, answered, and run through Bolt afterwards on the listener pool (``run_taken``),
        as the work after any ack is. The claim is the same as the middleware's."""
        at = self.services.clock.now()
        try:
            claimed = await self.claims.claim(key, at, self.sealer.seal(body))
        except Exception as err:
            return self._unclaimed(key, at, err)
        if claimed is not Claim.TAKEN:
            return self._taken(key, claimed is Claim.DONE)
        try:
            pool.submit(self.run_taken, app, body, key, at, REQUEST_ID.get())
        except RuntimeError:  # the pool is shut down: the process is stopping
            self.finisher.give_back(key, self.owner, at)
            return unavailable(key)
        return BoltResponse(status=200, body="")

    def run_taken(self, app: App, body: dict[str, Any], key: str, at: datetime,
                  request_id: str | None) -> None:
        """Bolt's middleware and listener for a request answered by ``take``, in this thread. If
        Bolt fails (a 5xx), the claim is released for a replay: Slack was told it arrived. If no
        listener took it on (Bolt ignores the bot's own messages), it is dropped."""
        with request_scope(request_id):
            request = BoltRequest(body=body, mode="socket_mode", context={
                CLAIM: (key, at), ACKED: True, REQUEST_ID_KEY: request_id})
            try:
                response = app.dispatch(request)
            except Exception:  # (Bolt answers its own errors with a 500; this is anything else)
                log.exception("Slack request %s failed in Bolt", key)
                response = BoltResponse(status=500, body="")
            if response.status >= 500:
                log.warning("Slack request %s failed after its ack (%d); it will be replayed", key,
                            response.status)
                self.finisher.give_back(key, self.owner, None)
            elif not request.context.get(TAKEN_ON):
                self.finisher.give_back(key, self.owner, at)

    def dispatch(self, app: App, request: BoltRequest) -> BoltResponse:
        """``app.dispatch``, giving the claim back when the request's work did not start: the
        app failed (5xx), or no listener took it on (an authorization error on a replay). A
        request's own claim is dropped (Slack delivers an event again; a command's person saw
        it fail); a replay's is released for the next round."""
        response = app.dispatch(request)
        claim = request.context.get(CLAIM)
        if claim is not None and (response.status >= 500 or not request.context.get(TAKEN_ON)):
            key, at = claim
            log.warning("Slack request %s answered %d before its work started; giving its claim back",
                        key, response.status)
            self.finisher.give_back(key, self.owner, at)
        return response

    def replay(self, app: App) -> int:
        """Take over the claims of replicas that stopped, and run each again. Returns how many
        were run."""
        now = self.services.clock.now()
        ran = 0
        for orphan in self.services.store.orphans(self.owner, now):
            body = self.sealer.open(orphan.payload)
            if body is None or orphan.attempts > MAX_ATTEMPTS:
                log.error("giving up on Slack request %s (%s)", orphan.event_id,
                          "unreadable copy" if body is None else f"{orphan.attempts - 1} attempts")
                self.services.store.finish_events([orphan.event_id], now)
                METRICS.inc("slack_requests_given_up_total")
                continue
            log.warning("replaying Slack request %s, left unfinished by a replica that stopped "
                        "(attempt %d)", orphan.event_id, orphan.attempts)
            with request_scope(f"replay-{orphan.event_id}"):
                self.dispatch(app, BoltRequest(body=body, mode="socket_mode", context={
                    REPLAY: orphan.event_id, CLAIM: (orphan.event_id, None)}))
            METRICS.inc("slack_requests_replayed_total")
            ran += 1
        return ran

    def run(self, app: App, stop: threading.Event, every: float = 5.0) -> None:
        """Beat (on a thread of its own, so a slow replay never makes this replica look dead)
        and replay until ``stop``; then leave, so that the others need not wait for this
        process's beat to go stale (a graceful stop has finished its own work by then)."""
        beating = threading.Thread(target=self._beat, args=(stop, every), name="slack-beat", daemon=True)
        beating.start()
        while not stop.wait(every):
            if not self.replaying:
                continue
            try:
                self.replay(app)
            except Exception as err:
                log.warning("could not replay stopped replicas' requests (%s); trying again in %.0f s",
                            type(err).__name__, every)
        beating.join(timeout=every + 5)
        self.finisher.flush()
        try:
            self.services.store.leave(self.owner)
        except Exception:
            log.warning("could not say this replica stopped", exc_info=True)

    def _beat(self, stop: threading.Event, every: float) -> None:
        while True:
            try:
                self.services.store.beat(self.owner, self.services.clock.now())
            except Exception as err:
                log.warning("could not write this replica's heartbeat (%s)", type(err).__name__)
            if stop.wait(every):
                return


def after_ack(fn: Callable[..., None]) -> Callable[..., None]:
    """A listener that acknowledges at once and queues ``fn`` on the listener pool, with the
    arguments Bolt gave the listener; when ``fn`` ends, however it ends, its request's claim is
    marked done (an error was already answered by ``door.friendly``; running it again would not
    help).

    Bolt's own lazy listeners would do the same, but first deep-copy the request (its body, its
    context and the Web API client in it) and parse its body again: about a third of the CPU of
    an acknowledgement. In a long-running process the work can use the request's own objects.
    Bolt passes a listener the arguments its signature names: here, ``fn``'s own plus ``ack``
    and ``context``."""
    wanted = list(inspect.signature(fn).parameters)
    names = list(dict.fromkeys(["ack", "context", *wanted]))

    def run(work: dict[str, Any], context: Any) -> None:
        release = context.get(RELEASE)
        kept = KEPT.set(release is not None)
        finish = context.get(FINISH)
        try:
            with request_scope(context.get(REQUEST_ID_KEY)):
                fn(**work)
        except Exception as err:
            if release is not None and database_away(err):
                # acknowledged, and its copy is kept: run again once the database is back,
                # rather than ask the person to (the moment it made, if any, is found by its key)
                log.warning("Slack listener %s could not reach the database (%s); its request "
                            "will be replayed", getattr(fn, "__name__", "?"), type(err).__name__)
                finish = release
            else:
                log.exception("Slack listener %s failed", getattr(fn, "__name__", "?"))
        finally:
            KEPT.reset(kept)
            if finish is not None:
                finish()

    def listener(**kwargs: Any) -> None:
        ack, context = kwargs["ack"], kwargs["context"]
        work = {k: kwargs[k] for k in wanted}
        here = bool(context.get(ACKED))  # answered already, and this is a thread of the pool
        if not here:
            # queued before the ack: if the pool refuses (the process is stopping), the listener
            # fails, the answer is a 500 and the claim is given back (Inbox.dispatch)
            context.listener_runner.listener_executor.submit(run, work, context)
        ack()
        context[TAKEN_ON] = True
        if here:
            run(work, context)

    listener.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter(n, inspect.Parameter.POSITIONAL_OR_KEYWORD) for n in names])
    listener.__name__ = getattr(fn, "__name__", "listener")
    return listener
