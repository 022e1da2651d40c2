"""The Slack door's fakes, beside its ports (``handlers/slack/ports.py``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from bot.domain import CachedMessage
from handlers.slack.ports import Claim, Orphan
from storage.inbox import EVENT_LEASE, REPLICA_TIMEOUT


class InMemoryRequestInbox:
    """``RequestInbox`` in dicts, with the same contract as storage.SqlRequestInbox. A claim
    sticks as soon as it is made, as in SQL (it is not part of any transaction)."""

    def __init__(self) -> None:
        self._events: dict[str, tuple[datetime, datetime | None]] = {}  # id -> (claimed, done at)
        self._kept: dict[str, tuple[str, str | None, int]] = {}  # owner, payload, attempts
        self._beats: dict[str, datetime] = {}

    def claim_event(self, event_id: str, at: datetime, *, owner: str = "",
                    payload: str | None = None) -> bool:
        attempts = 1
        if event_id in self._events:
            claimed, done = self._events[event_id]
            if done is not None or at - claimed <= EVENT_LEASE or self._alive(self._kept[event_id][0], at):
                return False
            attempts += self._kept[event_id][2]
        self._events[event_id] = (at, None)
        self._kept[event_id] = (owner, payload, attempts)
        return True

    def finish_events(self, event_ids: Sequence[str], at: datetime) -> None:
        for event_id in event_ids:
            if event_id in self._events:
                self._events[event_id] = (self._events[event_id][0], at)
                owner, _, attempts = self._kept[event_id]
                self._kept[event_id] = (owner, None, attempts)

    def _alive(self, owner: str, at: datetime) -> bool:
        beat = self._beats.get(owner)
        return bool(owner) and beat is not None and beat >= at - REPLICA_TIMEOUT

    def give_back(self, claims: Sequence[tuple[str, str, datetime | None]]) -> None:
        for event_id, owner, claimed_at in claims:
            if event_id not in self._events:
                continue
            claimed, done = self._events[event_id]
            was, payload, attempts = self._kept[event_id]
            if done is not None or was != owner:
                continue
            if claimed_at is not None:
                if claimed == claimed_at:
                    del self._events[event_id], self._kept[event_id]
            else:
                self._kept[event_id] = ("", payload, attempts)

    def beat(self, owner: str, at: datetime) -> int:
        self._beats[owner] = at
        return sum(1 for seen in self._beats.values() if seen >= at - REPLICA_TIMEOUT)

    def leave(self, owner: str) -> None:
        self._beats.pop(owner, None)

    def forget_handled(self, before: datetime) -> int:
        gone = [e for e, (_, done) in self._events.items() if done is not None and done < before]
        for event_id in gone:
            del self._events[event_id], self._kept[event_id]
        self._beats = {owner: at for owner, at in self._beats.items() if at >= before}
        return len(gone)

    def orphans(self, owner: str, at: datetime, *, limit: int = 20) -> list[Orphan]:
        taken = []
        for event_id, (claimed, done) in sorted(self._events.items(), key=lambda e: e[1][0]):
            was, payload, attempts = self._kept[event_id]
            if done is not None or payload is None or at - claimed < timedelta(seconds=5) \
                    or self._alive(was, at) or (was and was == owner) or len(taken) >= limit:
                continue
            self._events[event_id] = (at, None)
            self._kept[event_id] = (owner, payload, attempts + 1)
            taken.append(Orphan(event_id, payload, attempts + 1))
        return taken

    def event_done(self, event_id: str) -> bool:
        return self._events.get(event_id, (None, True))[1] is not None

    def claims_on_loop(self) -> None:
        return None  # (the in-memory store's claims are as quick in a thread)

    def claim_events(self, claims: Sequence[tuple[str, datetime, str | None]], *,
                     owner: str = "", maybe_written: bool = False) -> list[Claim]:
        return [Claim.TAKEN if self.claim_event(event_id, at, owner=owner, payload=payload)
                else Claim.DONE if self.event_done(event_id) else Claim.HELD
                for event_id, at, payload in claims]


class InMemoryMessageCache:
    """``MessageCache`` in a dict, with the same contract as storage.SqlMessageCache."""

    def __init__(self) -> None:
        self._messages: dict[tuple[int, str, str], CachedMessage] = {}

    def remember_message(self, workspace_id: int, message: CachedMessage) -> None:
        self._messages[workspace_id, message.channel, message.ts] = message

    def cached_message(self, workspace_id: int, channel: str, ts: str) -> CachedMessage | None:
        return self._messages.get((workspace_id, channel, ts))

    def forget_message(self, workspace_id: int, channel: str, ts: str) -> bool:
        return self._messages.pop((workspace_id, channel, ts), None) is not None

    def purge_messages(self, *, seen_before: datetime) -> int:
        old = [key for key, m in self._messages.items() if m.seen_at < seen_before]
        for key in old:
            del self._messages[key]
        return len(old)


class InMemoryChartImages:
    """``ChartImages`` in a dict, with the same contract as storage.SqlChartImages."""

    def __init__(self) -> None:
        self._charts: dict[str, tuple[int, bytes, datetime]] = {}  # token -> workspace, PNG, made

    def keep_chart(self, workspace_id: int, token: str, png: bytes, at: datetime) -> None:
        if token in self._charts:
            raise ValueError("a chart's token is new every time")
        self._charts[token] = (workspace_id, png, at)

    def chart_png(self, token: str) -> bytes | None:
        kept = self._charts.get(token)
        return None if kept is None else kept[1]

    def purge_charts(self, *, made_before: datetime) -> int:
        old = [token for token, (_, _, made) in self._charts.items() if made < made_before]
        for token in old:
            del self._charts[token]
        return len(old)
