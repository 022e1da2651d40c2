"""Claims written from the server's event loop on PostgreSQL (storage.inbox.LoopClaims, through
handlers/slack/batching.Claims): new ids are claimed there, ids claimed already are settled by
``claim_events`` on a thread, and a loop claim that failed, whether or not it was written, leaves
every request claimed once, by its own batch."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from handlers.slack.batching import Claims
from handlers.slack.ports import Claim
from storage import SqlRequestInbox
from tests.storage.builders import at

# the shared fixture (tests/storage/conftest.py), on PostgreSQL alone
on_postgres = pytest.mark.parametrize("requests", [pytest.param("postgres", marks=pytest.mark.postgres)],
                                      indirect=True)


class OnThread:
    """The store, noting the ids that reached ``claim_events`` (the claims thread)."""

    def __init__(self, store: SqlRequestInbox) -> None:
        self.store = store
        self.ids: list[str] = []
        self.maybe_written: list[bool] = []

    def claim_events(self, claims: Sequence[tuple[str, datetime, str | None]], *, owner: str = "",
                     maybe_written: bool = False) -> list[str]:
        self.ids += [key for key, _, _ in claims]
        self.maybe_written.append(maybe_written)
        return self.store.claim_events(claims, owner=owner, maybe_written=maybe_written)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)


def ids(n: int) -> list[str]:
    return [f"Ev{uuid.uuid4().hex}" for _ in range(n)]


def owners(store: SqlRequestInbox, keys: list[str]) -> dict[str, str | None]:
    with store.engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT event_id, owner FROM processed_events "
                                    "WHERE event_id = ANY(:k)"), {"k": keys}).all()
    return {str(key): owner for key, owner in rows}


def claim_all(claims: Claims, keys: list[str]) -> list[Claim]:
    async def burst() -> list[Claim]:
        return list(await asyncio.gather(*(claims.claim(key, at(0), {"n": i})
                                           for i, key in enumerate(keys))))
    return asyncio.run(burst())


@on_postgres
def test_new_ids_are_claimed_on_the_loop_and_only_claimed_ones_go_to_the_thread(
        requests: SqlRequestInbox) -> None:
    store = requests
    handled, elsewhere, new, newer = ids(4)
    before = at(0) - timedelta(seconds=1)
    assert store.claim_event(handled, before, owner="other") is True
    store.finish_events([handled], before)
    assert store.claim_event(elsewhere, before, owner="other") is True  # held, not left for dead
    thread = OnThread(store)
    on_loop = store.claims_on_loop()
    assert on_loop is not None
    claims = Claims(thread, "me", lambda _k, _at: None, lambda body: str(body),  # type: ignore[arg-type]
                    on_loop=on_loop)

    found = claim_all(claims, [new, handled, elsewhere, new, newer])

    assert found == [Claim.TAKEN, Claim.DONE, Claim.HELD, Claim.HELD, Claim.TAKEN]
    assert newer not in thread.ids and handled in thread.ids and elsewhere in thread.ids
    assert owners(store, [new, newer, elsewhere]) == {new: "me", newer: "me", elsewhere: "other"}
    # a later burst, on a loop of its own (the first loop's connections are not used)
    later = ids(3)
    assert claim_all(claims, later) == [Claim.TAKEN] * 3
    assert not set(later) & set(thread.ids)


@on_postgres
def test_a_loop_claim_that_failed_after_its_insert_is_still_the_batchs_own(
        requests: SqlRequestInbox) -> None:
    """The INSERT went through, the answer never came (a dropped connection): the thread claims
    the batch again, and finds by each claim's own timestamp that it wrote them."""
    store = requests
    mine, theirs = ids(2)
    assert store.claim_event(theirs, at(0) - timedelta(seconds=1), owner="other") is True
    real = store.claims_on_loop()
    assert real is not None

    async def written_then_dropped(batch: Sequence[tuple[str, datetime, str | None]], owner: str) -> set[str]:
        await real(batch, owner)
        raise ConnectionResetError("the answer was lost")

    thread = OnThread(store)
    claims = Claims(thread, "me", lambda _k, _at: None, lambda body: str(body),  # type: ignore[arg-type]
                    on_loop=written_then_dropped)

    assert claim_all(claims, [mine]) == [Claim.TAKEN]
    assert claim_all(claims, [theirs]) == [Claim.HELD]
    assert thread.maybe_written == [True, True]
    assert owners(store, [mine, theirs]) == {mine: "me", theirs: "other"}


@on_postgres
def test_a_database_the_loop_cannot_reach_still_gets_the_claims_from_the_thread(
        requests: SqlRequestInbox, monkeypatch: pytest.MonkeyPatch) -> None:
    store = requests
    loop_claims = store.claims_on_loop()
    assert loop_claims is not None
    monkeypatch.setattr(loop_claims, "_conninfo", "postgresql://postgres@127.0.0.1:9/nowhere")
    thread = OnThread(store)
    claims = Claims(thread, "me", lambda _k, _at: None, lambda body: str(body),  # type: ignore[arg-type]
                    on_loop=loop_claims)
    keys = ids(3)

    assert claim_all(claims, keys) == [Claim.TAKEN] * 3
    assert sorted(thread.ids) == sorted(keys)
    assert owners(store, keys) == dict.fromkeys(keys, "me")


@pytest.mark.parametrize("requests", ["sqlite"], indirect=True)
def test_claims_on_the_loop_are_postgresql_only(requests: SqlRequestInbox) -> None:
    assert requests.claims_on_loop() is None
