"""Batches of claims (handlers/slack/batching.Claims): requests arriving while a batch is in the
database wait for it together, until it is slow; then a second batch is in the database at once,
and a request and its redelivery in different batches are settled by the store, one taken and
the other held, on the in-memory fake, SQLite and PostgreSQL alike."""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from handlers.slack.batching import Claims
from handlers.slack.ports import Claim, RequestInbox
from tests.storage.builders import at


class FirstBatchLate:
    """The store, with the first batch held back until the second has been written."""

    def __init__(self, store: RequestInbox) -> None:
        self.store = store
        self.second_written = threading.Event()
        self.batches = 0
        self._lock = threading.Lock()

    def claim_events(self, claims: Sequence[tuple[str, datetime, str | None]], *,
                     owner: str = "") -> list[str]:
        with self._lock:
            self.batches += 1
            first = self.batches == 1
        if first:
            assert self.second_written.wait(10), "the second batch never left: one batch at a time"
        found = self.store.claim_events(claims, owner=owner)
        if not first:
            self.second_written.set()
        return found

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)


def test_a_redelivery_in_the_next_batch_in_flight_is_held_not_taken_twice(requests: RequestInbox) -> None:
    key, other = f"Ev{uuid.uuid4().hex}", f"Ev{uuid.uuid4().hex}"
    store = FirstBatchLate(requests)
    given_back: list[str] = []
    claims = Claims(store, "me", lambda k, _at: given_back.append(k), lambda body: str(body))  # type: ignore[arg-type]

    async def both() -> list[Claim]:
        first = asyncio.ensure_future(claims.claim(key, at(0), {"n": 1}))
        await asyncio.sleep(0.05)  # the first batch is in the database (held back)
        second = asyncio.ensure_future(claims.claim(key, at(0), {"n": 2}))  # leaves at once
        await asyncio.sleep(0.05)
        third = asyncio.ensure_future(claims.claim(other, at(0), {"n": 3}))  # waits for a batch to end
        return list(await asyncio.gather(first, second, third))

    found = asyncio.run(both())
    # the second batch (the redelivery) was written first: it took the id
    assert found[1] is Claim.TAKEN
    assert found[0] is Claim.HELD  # the original, written after: held, Slack asks again later
    assert found[2] is Claim.TAKEN  # with two in the database, a third request waited its turn
    assert store.batches == 3 and given_back == []


class Recording:
    """The store, with each batch's size and when it was written; the first batch waits for
    ``release``."""

    def __init__(self, store: RequestInbox) -> None:
        self.store = store
        self.release = threading.Event()
        self.sizes: list[int] = []

    def claim_events(self, claims: Sequence[tuple[str, datetime, str | None]], *,
                     owner: str = "") -> list[str]:
        first = not self.sizes
        self.sizes.append(len(claims))
        if first:
            assert self.release.wait(10)
        return self.store.claim_events(claims, owner=owner)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)


def test_requests_behind_a_batch_wait_for_it_together_until_it_is_slow(requests: RequestInbox) -> None:
    """Requests arriving while a batch is in the database go together in the next one, not
    each on its own; once that batch has been there for ``overlap_after``, they leave without
    waiting for it."""
    store = Recording(requests)
    claims = Claims(store, "me", lambda k, _at: None, lambda body: str(body),  # type: ignore[arg-type]
                    overlap_after=0.1)
    keys = [f"Ev{uuid.uuid4().hex}" for _ in range(5)]
    seen_before_release: list[list[int]] = []

    async def burst() -> list[Claim]:
        first = asyncio.ensure_future(claims.claim(keys[0], at(0), {"n": 0}))
        await asyncio.sleep(0.01)  # the first batch is in the database
        rest = [asyncio.ensure_future(claims.claim(k, at(0), {"n": i})) for i, k in enumerate(keys[1:], 1)]
        await asyncio.sleep(0.03)
        seen_before_release.append(list(store.sizes))  # still waiting for the first
        await asyncio.wait_for(asyncio.gather(*rest), 5)  # they left once the first was slow
        seen_before_release.append(list(store.sizes))
        store.release.set()
        return [await first] + [r.result() for r in rest]

    found = asyncio.run(burst())
    assert seen_before_release == [[1], [1, 4]]
    assert found == [Claim.TAKEN] * 5
