"""A replica SIGKILLed in the middle of the Monday prompts, on PostgreSQL: the other replica
delivers its own share, and once the dead one's lease and in-flight marks run out a fresh
replica delivers the rest, looking in the channel first. Every team's prompt is out exactly
once; nothing is left for a person to sort out, because the channel can be read."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.commands import ChatContext, CommandRouter
from bot.domain import Platform
from bot.services import Actor, Services
from storage import open_store, upgrade
from tests.fakes import FakeFiler, FixedClock
from tests.handlers.scheduler.test_scheduler_pg import claims

ROOT = Path(__file__).resolve().parents[3]
TEAMS = 40  # more than one replica delivers at once (WORKERS), so both get a share
MONDAY = datetime(2026, 11, 16, 8, 5, tzinfo=UTC)  # 09:05 in Stockholm: every prompt is due
pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def seeded(new_postgres_database: Callable[[], str]) -> str:
    url = new_postgres_database()
    upgrade(url)
    store = open_store(url, migrate=False)
    services = Services(store=store, clock=FixedClock(datetime(2026, 11, 13, 9, tzinfo=UTC)),
                        make_filer=FakeFiler)
    ws = store.workspace(platform=Platform.SLACK, external_id="T1").id
    for n in range(TEAMS):
        services.journey.setup_team(workspace_id=ws, actor=Actor("U1", is_admin=True), channel=f"C{n}",
                                    name=f"Team {n}", template="airline", timezone="Europe/Stockholm")
        CommandRouter(services).handle(ChatContext(ws, f"C{n}", Actor("U2")), "/ow", "#boarding chaos")
    store.close()
    return url


def replica(url: str, at: datetime, out: Path, go: Path, delay: float) -> subprocess.Popen[str]:
    proc = subprocess.Popen([sys.executable, "-m", "tests.handlers.scheduler.serve_replica", url,
                             at.isoformat(), str(out), str(go), "lock", str(delay)],
                            cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    return proc


def senders(out: Path) -> Counter[str]:
    return Counter(line.rsplit(" ", 1)[1] for line in out.read_text().splitlines()) \
        if out.exists() else Counter()


def test_a_replica_killed_mid_run_leaves_every_prompt_out_exactly_once(
    new_postgres_database: Callable[[], str], tmp_path: Path,
) -> None:
    url = seeded(new_postgres_database)
    out, go = tmp_path / "channels.txt", tmp_path / "go"
    victim = replica(url, MONDAY, out, go, delay=0.5)
    survivor = replica(url, MONDAY, out, go, delay=0.05)
    go.touch()
    deadline = time.monotonic() + 60
    while not senders(out)[str(victim.pid)] and time.monotonic() < deadline:
        time.sleep(0.005)  # the victim has claimed its teams and its first prompt is out
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait(timeout=30)
    survivor.communicate(timeout=60)
    killed = senders(out)[str(victim.pid)]
    assert 1 <= killed < TEAMS, "the kill did not land mid-run"
    before = Counter(line.rsplit(" ", 1)[0] for line in out.read_text().splitlines())
    assert len(before) < TEAMS  # the dead replica's claimed teams wait for their lease

    # The next ticks after the lease and the in-flight mark (10 minutes each) ran out.
    successor = replica(url, MONDAY + timedelta(minutes=11), out, tmp_path / "go", delay=0.0)
    successor.communicate(timeout=60)

    sent = Counter(line.rsplit(" ", 1)[0] for line in out.read_text().splitlines())
    assert set(sent) == {f"C{n} prompt 2026-W47" for n in range(TEAMS)}
    assert set(sent.values()) == {1}, "a prompt was posted twice"
    records = claims(url)
    assert len(records) == TEAMS
    assert all(r.sent_at is not None and r.last_error in ("", "the sender stopped before the post went out")
               for r in records), [r for r in records if r.sent_at is None or r.last_error]
