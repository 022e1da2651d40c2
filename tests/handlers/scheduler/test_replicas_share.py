"""Two replicas, each its own engine and thread, deliver the Monday prompts together on
PostgreSQL: disjoint shares, every team once, no post doubled, even with the leader lock wired."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from bot.commands import ChatContext, CommandRouter
from bot.domain import Platform, Workspace
from bot.services import Actor, Services
from bot.views import Post
from handlers.scheduled import tick
from storage import open_store, upgrade
from storage.leadership import AdvisoryLeadership
from tests.fakes import FakeFiler, FixedClock

pytestmark = pytest.mark.postgres
TEAMS = 24
MONDAY = datetime(2026, 11, 16, 8, 5, tzinfo=UTC)  # 09:05 in Stockholm: every prompt is due


class SlowChannel:
    """A Web API that takes a while per post and remembers which replica sent what."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, str]] = []
        self._lock = threading.Lock()

    def send_as(self, replica: str) -> Callable[[Workspace, Post], None]:
        def send(workspace: Workspace, post: Post) -> None:
            time.sleep(0.05)
            with self._lock:
                self.sent.append((f"{post.channel} {post.kind} {post.week}", replica,
                                  threading.current_thread().name))
        return send


class Replica:
    def __init__(self, send: Callable[[Workspace, Post], None]) -> None:
        self.send = send


def test_two_replicas_deliver_disjoint_shares_with_no_doubles(
    new_postgres_database: Callable[[], str],
) -> None:
    url = new_postgres_database()
    upgrade(url)
    seed = open_store(url, migrate=False)
    services = Services(store=seed, clock=FixedClock(datetime(2026, 11, 13, 9, tzinfo=UTC)),
                        make_filer=FakeFiler)
    ws = seed.workspace(platform=Platform.SLACK, external_id="T1").id
    for n in range(TEAMS):
        services.journey.setup_team(workspace_id=ws, actor=Actor("U1", is_admin=True), channel=f"C{n}",
                                    name=f"Team {n}", template="airline", timezone="Europe/Stockholm")
        CommandRouter(services).handle(ChatContext(ws, f"C{n}", Actor("U2")), "/ow", "#boarding chaos")
    seed.close()

    channel = SlowChannel()
    stores = [open_store(url, migrate=False) for _ in range(2)]
    go = threading.Barrier(2)

    def run(name: str, store_index: int) -> None:
        store = stores[store_index]
        replica = Services(store=store, clock=FixedClock(MONDAY), make_filer=FakeFiler)
        go.wait()
        tick(replica, Replica(channel.send_as(name)), AdvisoryLeadership(store.engine), workers=4)

    threads = [threading.Thread(target=run, args=(f"r{i}", i)) for i in range(2)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    finally:
        for store in stores:
            store.close()

    posts = Counter(post for post, _replica, _thread in channel.sent)
    assert set(posts) == {f"C{n} prompt 2026-W47" for n in range(TEAMS)}
    assert set(posts.values()) == {1}, "a prompt was posted twice"
    shares = {replica: {post for post, r, _t in channel.sent if r == replica} for replica in ("r0", "r1")}
    assert shares["r0"] and shares["r1"], "one replica did all the work"  # not only the leader
    assert not shares["r0"] & shares["r1"]
    assert len({thread for _p, _r, thread in channel.sent}) > 2  # several posts in flight per replica
