"""Two batches of claims in the database at once (handlers/slack/batching.Claims): a request and
its redelivery in different batches are settled by the store, one taken and the other held, on
the in-memory fake, SQLite and PostgreSQL alike."""

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
