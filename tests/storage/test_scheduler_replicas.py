"""Several `moments serve` processes on one PostgreSQL post each weekly message exactly once."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.commands import ChatContext, CommandRouter
from bot.domain import Platform
from bot.services import Actor, Services
from storage import open_store, upgrade
from tests.fakes import FakeFiler, FixedClock

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.postgres


def seeded(new_postgres_database: Callable[[], str], teams: int) -> str:
    url = new_postgres_database()
    upgrade(url)
    store = open_store(url, migrate=False)
    services = Services(store=store, clock=FixedClock(datetime(2026, 11, 13, 9, tzinfo=UTC)),
                        make_filer=FakeFiler)
    ws = store.workspace(platform=Platform.SLACK, external_id="T1").id
    for n in range(teams):
        services.journey.setup_team(workspace_id=ws, actor=Actor("U1", is_admin=True), channel=f"C{n}",
                                    name=f"Team {n}", template="airline", timezone="Europe/Stockholm")
        CommandRouter(services).handle(ChatContext(ws, f"C{n}", Actor("U2")), "/ow", "#boarding chaos")
    store.close()
    return url


def replicas(url: str, at: str, out: Path, count: int, ticks: int = 4) -> list[str]:
    procs = [subprocess.Popen([sys.executable, "-m", "tests.storage.replica", url, at, str(out), str(ticks)],
                              cwd=ROOT, stdout=subprocess.PIPE, text=True) for _ in range(count)]
    return [p.communicate(timeout=120)[0].strip() for p in procs]


@pytest.mark.parametrize("count", [2, 3])
def test_replicas_post_one_prompt_and_one_digest_per_team_and_week(
    new_postgres_database: Callable[[], str], tmp_path: Path, count: int
) -> None:
    url = seeded(new_postgres_database, teams=3)
    out = tmp_path / "posts.txt"
    roles = replicas(url, "2026-11-16T08:05:00+00:00", out, count)  # Monday: prompts due
    roles += replicas(url, "2026-11-20T15:05:00+00:00", out, count)  # Friday: digests due
    lines = sorted(line.rsplit(" ", 1)[0] for line in out.read_text().splitlines())
    assert lines == sorted([f"C{n} prompt 2026-W47" for n in range(3)] +
                           [f"C{n} digest 2026-W47" for n in range(3)])
    assert "leader" in roles  # the lock still exists for housekeeping; it no longer gates posts


def test_a_replica_that_does_not_lead_still_delivers(
    new_postgres_database: Callable[[], str], tmp_path: Path
) -> None:
    """Delivery is shared by every replica: one holding the leader lock does not stop another
    from posting what is due."""
    url = seeded(new_postgres_database, teams=1)
    out = tmp_path / "posts.txt"
    leader = subprocess.Popen([sys.executable, "-m", "tests.storage.replica", url,
                               "2026-11-13T09:00:00+00:00", str(out), "1", "30"],
                              cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert leader.stdout is not None and leader.stdout.readline().strip() == "leader"
        [follower] = replicas(url, "2026-11-16T08:05:00+00:00", out, 1)
        assert follower == "follower" and out.read_text().split()[:3] == ["C0", "prompt", "2026-W47"]
    finally:
        leader.kill()
        leader.wait(timeout=10)


@pytest.mark.parametrize(("stall", "posted_by_the_dead"), [("after", True), ("before", False)])
def test_a_leader_killed_while_sending_is_neither_doubled_nor_skipped(
    new_postgres_database: Callable[[], str], tmp_path: Path, stall: str, posted_by_the_dead: bool
) -> None:
    """The leader dies in the middle of sending a prompt: after it posted but before it could
    record that, or before it posted. The next leader looks in the channel and posts only what
    is not there."""
    url = seeded(new_postgres_database, teams=1)
    out = tmp_path / "posts.txt"
    dying = subprocess.Popen([sys.executable, "-m", "tests.storage.replica", url,
                              "2026-11-16T08:05:00+00:00", str(out), "1"],
                             cwd=ROOT, stdout=subprocess.PIPE, text=True,
                             env={**os.environ, "MOMENTS_TEST_STALL": stall})
    assert dying.stdout is not None and dying.stdout.readline().strip() == "sending"
    dying.kill()
    dying.wait(timeout=10)
    assert out.exists() is posted_by_the_dead
    # Five minutes on, the post might still be on its way: nobody touches it.
    [soon] = replicas(url, "2026-11-16T08:10:00+00:00", out, 1)
    assert soon == "leader" and out.exists() is posted_by_the_dead
    # Fifteen minutes on, the new leader finds out and settles it: exactly one prompt in the end.
    replicas(url, "2026-11-16T08:20:00+00:00", out, 2)
    lines = [line.rsplit(" ", 1)[0] for line in out.read_text().splitlines()]
    assert lines == ["C0 prompt 2026-W47"]
    store = open_store(url, migrate=False)
    try:
        ws = store.workspace(platform=Platform.SLACK, external_id="T1").id
        with store.transaction(ws) as repo:
            [record] = [r for r in repo.post_records() if r.kind == "prompt"]
        assert record.sent_at is not None and record.sending_at is None
    finally:
        store.close()
