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

import functools
import json
import logging
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import Executor
from datetime import datetime
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse

from bot import words as say
from bot.services import Services
from handlers.observability import METRICS, REQUEST_ID, request_scope
from handlers.slack.after_ack import (
    ACKED,
    CLAIM,
    FINISH,
    KEPT,
    RELEASE,
    REPLAY,
    REQUEST_ID_KEY,
    TAKEN_ON,
    after_ack,
    database_away,
    postpone,
)
from handlers.slack.batching import Claims, Finisher
from handlers.slack.ports import Claim, Orphan, RequestInbox
from handlers.slack.sealing import SEALED, Sealer, request_key

__all__ = [
    "ACKED", "CLAIM", "DB_DOWN", "FINISH", "KEPT", "MAX_ATTEMPTS", "RELEASE", "REPLAY",
    "REQUEST_ID_KEY", "RESTARTED", "SEALED", "TAKEN_ON", "Claims", "Finisher", "Inbox", "Sealer",
    "after_ack", "database_away", "postpone", "request_key", "unavailable",
]

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 3
# Replays make moments (found again by the request's key), never anything else: a `/moments`
# command may have changed something before its replica died, and running it twice could
# change it twice (a second `retract`, a duplicate proposal). The person is asked instead.
RESTARTED = say.RESTARTED

DB_DOWN = say.DB_DOWN


def unavailable(key: str) -> BoltResponse:
    """Not claimed, so not acknowledged as done: Slack delivers an event again later (503); a
    command is never sent again, so the person is told, in the command's own answer."""
    if key.startswith("command:"):
        return BoltResponse(status=200, body=json.dumps({"response_type": "ephemeral", "text": DB_DOWN}),
                            headers={"content-type": "application/json"})
    return BoltResponse(status=503, body="")


class Inbox:
    """The claim before the ack, the mark after the work, and the replay of a dead replica's
    claims. One per process; ``owner`` names the process in the claims it holds."""

    def __init__(self, services: Services, sealer: Sealer, owner: str | None = None, *,
                 requests: RequestInbox) -> None:
        self.services = services
        self.requests = requests
        self.sealer = sealer
        self.owner = owner or f"{uuid.uuid4().hex[:12]}"
        self.finisher = Finisher(requests, services.clock)
        self.claims = Claims(requests, self.owner,
                             lambda key, at: self.finisher.give_back(key, self.owner, at), sealer.seal,
                             on_loop=requests.claims_on_loop())
        self.replaying = True  # off while the process drains before it stops
        # (body, then) -> whether something is fetched ahead of the work, which then waits for
        # ``then`` before it is queued (SlackDoor.prefetch: who is acting)
        self.prefetch: Callable[[dict[str, Any], Callable[[], None]], bool] | None = None
        # told, at every beat, how many replicas are alive (they share Slack's rate limits)
        self.replicas_alive: Callable[[int], None] | None = None

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
                    claimed = self.requests.claim_event(key, at, owner=self.owner, payload=payload)
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
        if key.startswith("command:") or (done if done is not None else self.requests.event_done(key)):
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
            claimed = await self.claims.claim(key, at, body)
        except Exception as err:
            return self._unclaimed(key, at, err)
        if claimed is not Claim.TAKEN:
            return self._taken(key, claimed is Claim.DONE)
        work = functools.partial(self.run_taken, app, body, key, at, REQUEST_ID.get())
        if self.prefetch is not None and self.prefetch(body, lambda: self._queue(pool, work, key)):
            return BoltResponse(status=200, body="")
        try:
            pool.submit(work)
        except RuntimeError:  # the pool is shut down: the process is stopping
            self.finisher.give_back(key, self.owner, at)
            return unavailable(key)
        return BoltResponse(status=200, body="")

    def _queue(self, pool: Executor, work: Callable[[], None], key: str) -> None:
        """The work of a request answered already, once what it needed was fetched."""
        try:
            pool.submit(work)
        except RuntimeError:  # stopping: acknowledged, so released for a replay
            log.warning("Slack request %s could not start before the process stopped; it will be "
                        "replayed", key)
            self.finisher.give_back(key, self.owner, None)

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
        for orphan in (Orphan(*found) for found in self.requests.orphans(self.owner, now)):
            body = self.sealer.open(orphan.payload)
            if body is None or orphan.attempts > MAX_ATTEMPTS:
                log.error("giving up on Slack request %s (%s)", orphan.event_id,
                          "unreadable copy" if body is None else f"{orphan.attempts - 1} attempts")
                self.requests.finish_events([orphan.event_id], now)
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
            self.requests.leave(self.owner)
        except Exception:
            log.warning("could not say this replica stopped", exc_info=True)

    def _beat(self, stop: threading.Event, every: float) -> None:
        while True:
            try:
                alive = self.requests.beat(self.owner, self.services.clock.now())
                if self.replicas_alive is not None:
                    self.replicas_alive(alive)
            except Exception as err:
                log.warning("could not write this replica's heartbeat (%s)", type(err).__name__)
            if stop.wait(every):
                return
