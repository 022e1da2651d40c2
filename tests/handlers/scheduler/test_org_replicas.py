"""The organisation digest on PostgreSQL with several replicas ticking at once: each workspace's
digest goes out exactly once a week, whichever replica takes it."""

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
from tests.fakes import FakeFiler, FixedClock

pytestmark = pytest.mark.postgres
WORKSPACES = 6
FRIDAY = datetime(2026, 11, 20, 16, 5, tzinfo=UTC)  # 17:05 in Stockholm: every org digest is due
ADMIN = Actor("U1", is_admin=True)


class Channel:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []
        self._lock = threading.Lock()

    def send_as(self, replica: str) -> Callable[[Workspace, Post], None]:
        def send(workspace: Workspace, post: Post) -> None:
            time.sleep(0.05)
            with self._lock:
                self.sent.append((f"{workspace.external_id} {post.channel} {post.kind} {post.week}",
                                  replica))
        return send


class Replica:
    def __init__(self, send: Callable[[Workspace, Post], None]) -> None:
        self.send = send


def test_replicas_post_each_organisation_digest_once(new_postgres_database: Callable[[], str]) -> None:
    url = new_postgres_database()
    upgrade(url)
    seed = open_store(url, migrate=False)
    services = Services(store=seed, clock=FixedClock(datetime(2026, 11, 16, 9, tzinfo=UTC)),
                        make_filer=FakeFiler)
    for n in range(WORKSPACES):
        ws = seed.workspace(platform=Platform.SLACK, external_id=f"T{n}").id
        for site in ("ARN", "GOT"):
            services.journey.setup_team(workspace_id=ws, actor=ADMIN, channel=f"C-{site}",
                                        name=f"{site} crew", template="airline",
                                        timezone="Europe/Stockholm")
        CommandRouter(services).handle(ChatContext(ws, "C-ARN", Actor("U2")), "/ow", "#boarding chaos")
        services.org.setup(workspace_id=ws, actor=ADMIN, channel="C-ORG")
    seed.close()

    channel = Channel()
    stores = [open_store(url, migrate=False) for _ in range(3)]
    go = threading.Barrier(3)

    def run(name: str, index: int) -> None:
        replica = Services(store=stores[index], clock=FixedClock(FRIDAY), make_filer=FakeFiler)
        go.wait()
        for _ in range(2):
            tick(replica, Replica(channel.send_as(name)), workers=4)

    threads = [threading.Thread(target=run, args=(f"r{i}", i)) for i in range(3)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    finally:
        for store in stores:
            store.close()
    digests = Counter(post for post, _replica in channel.sent if " org_digest " in post)
    assert set(digests) == {f"T{n} C-ORG org_digest 2026-W47" for n in range(WORKSPACES)}
    assert set(digests.values()) == {1}, "an organisation digest was posted twice"
