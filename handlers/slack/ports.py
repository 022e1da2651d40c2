"""What the Slack door needs for itself, as Protocols: its request inbox, its cache of recent
channel messages and the charts its posts show by URL.

The core's Store knows the method only. Keeping Slack's requests safe between their ack and the
end of their work (claims, leases, heartbeats, replays) is this door's own business, so its port
lives here, with its SQL in ``storage/inbox.py`` and its fake in ``tests/handlers/slack/fakes.py``;
so does the message cache's (``storage/message_cache.py``) and the chart images'
(``storage/chart_images.py``; Teams needs none: its cards carry their charts as data URIs).
The port speaks in plain values (strings, tuples, datetimes), so that the storage that
implements it needs nothing from this package.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from enum import StrEnum
from typing import NamedTuple, Protocol

from bot.domain import CachedMessage


class Claim(StrEnum):
    """What claiming a request found (``RequestInbox.claim_events``)."""

    TAKEN = "taken"  # this process holds it now: its work is this process's to do
    DONE = "done"  # handled already: a redelivery, a duplicate
    HELD = "held"  # another process (or another copy in the batch) is handling it right now


class Orphan(NamedTuple):
    """A request a dead process claimed and never finished, taken over for a replay."""

    event_id: str
    payload: str
    attempts: int  # this replay included


NewClaims = Callable[[Sequence[tuple[str, datetime, str | None]], str], Awaitable[set[str]]]


class RequestInbox(Protocol):
    """Slack requests claimed before their ack, with a kept copy until their work is done.

    A claim never marked done is a lease: older than the lease (30 s), and held by no live
    process (one that beat within the replica timeout, 20 s), a redelivery takes it over."""

    def claim_event(self, event_id: str, at: datetime, *, owner: str = "",
                    payload: str | None = None) -> bool:
        """True the first time a platform event id is seen (Slack retries), False after; True
        also for a claim its taker never finished and left for dead (older than a lease, and the
        taker no longer beats).
        ``owner`` is the claiming process; ``payload`` the request, kept until it is handled so
        that another process can replay it if the owner dies (see ``orphans``)."""
        ...

    def claim_events(self, claims: Sequence[tuple[str, datetime, str | None]], *,
                     owner: str = "", maybe_written: bool = False) -> Sequence[str]:
        """``claim_event`` for each ``(event_id, at, payload)`` of a batch of requests that
        arrived together, in one go: a :class:`Claim` value for each (for those not taken,
        whether they were handled already); an id twice in the batch is taken by its first copy.
        ``maybe_written``: an attempt of ``claims_on_loop`` failed under this very batch, and
        what it may have written (each claim's own timestamp) is the batch's own."""
        ...

    def claims_on_loop(self) -> NewClaims | None:
        """Where the store can also write new claims from the server's event loop itself: an
        async ``(claims, owner) -> ids written`` that claims each id not claimed yet and
        raises on any failure (the rest of a batch goes to ``claim_events``). None where not."""
        ...

    def finish_events(self, event_ids: Sequence[str], at: datetime) -> None:
        """The claimed events were handled: a redelivery is a duplicate for good, and the kept
        request is erased."""
        ...

    def give_back(self, claims: Sequence[tuple[str, str, datetime | None]]) -> None:
        """``(event_id, owner, claimed_at)``: claims whose work never started, undone if that
        owner still holds them unfinished. With ``claimed_at`` the claim is dropped (nothing was
        taken on); with None it is released for another process to replay."""
        ...

    def beat(self, owner: str, at: datetime) -> int:
        """This process is alive (a replica writes this every few seconds); returns how many
        replicas are alive at ``at``, this one included (they share Slack's rate limits)."""
        ...

    def leave(self, owner: str) -> None:
        """This process stops: its claims are left to the others at once."""
        ...

    def forget_handled(self, before: datetime) -> int:
        """Drop claims handled before ``before`` (long past any platform retry) and replicas
        not seen since; returns how many claims went."""
        ...

    def orphans(self, owner: str, at: datetime, *, limit: int = 20) -> Sequence[tuple[str, str, int]]:
        """``(event_id, payload, attempts)`` of unfinished claims with a kept request, taken
        over: their owner stopped beating (never ``owner``'s own, whose work is queued here) or
        released them. They become ``owner``'s, their attempt count goes up."""
        ...

    def event_done(self, event_id: str) -> bool:
        """False while another process holds the claim without having finished it."""
        ...


class MessageCache(Protocol):
    """Recent channel messages, kept briefly so that a reaction can quote the message it was
    made on (Slack's reaction events name a message, not its text). Every read and write is
    inside one workspace; each call is its own unit of work.

    The door keeps only text the core has redacted (``CaptureService.keepable``). Forgetting a
    person (the core's ``forget_user``) drops their cached messages too, in the same transaction
    on SQL."""

    def remember_message(self, workspace_id: int, message: CachedMessage) -> None:
        """Insert or replace by (channel, ts)."""
        ...

    def cached_message(self, workspace_id: int, channel: str, ts: str) -> CachedMessage | None: ...

    def forget_message(self, workspace_id: int, channel: str, ts: str) -> bool:
        """Drop one cached message (deleted in chat); False when it was not cached."""
        ...

    def purge_messages(self, *, seen_before: datetime) -> int:
        """Drop the messages seen before ``seen_before``, in every workspace; how many went."""
        ...


class ChartImages(Protocol):
    """Chart PNGs a Slack post shows by URL (``handlers/slack/chart_links.py``), each kept under
    an unguessable token with its workspace and when it was made, so that any replica can answer
    Slack's download of it. Nothing of the method reads them; old ones are purged."""

    def keep_chart(self, workspace_id: int, token: str, png: bytes, at: datetime) -> None:
        """Store one chart under a new token (tokens are random: never one twice)."""
        ...

    def chart_png(self, token: str) -> bytes | None:
        """The PNG kept under ``token``; None when there is none (never was, or purged)."""
        ...

    def purge_charts(self, *, made_before: datetime) -> int:
        """Drop the charts made before ``made_before``, in every workspace; how many went."""
        ...
