"""Two and three `moments serve` schedulers as OS processes on one PostgreSQL database: each team
gets exactly one prompt and one digest a week, counted both in what was sent and in the claims."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.commands import ChatContext, CommandRouter
from bot.domain import Platform, PostRecord
from bot.services import Actor, Services
from storage import open_store, upgrade
from tests.fakes import FakeFiler, FixedClock

ROOT = Path(__file__).resolve().parents[3]
TEAMS = 3
pytestmark = pytest.mark.postgres


def seeded(new_postgres_database: Callable[[], str]) -> str:
    url = new_postgres_database()
    upgrade(url)
    store = open_store(url, migrate=False)
    services = Services(store=store, clock=FixedClock(datetime(2026, 11, 13, 9, tzinfo=UTC)),
                        make_filer=FakeFiler)
    ws = store.workspace(platform=Platform.SLACK, external_id="T1").id
    zones = ("Europe/Stockholm", "America/New_York", "Asia/Kolkata")
    for n in range(TEAMS):
        services.journey.setup_team(workspace_id=ws, actor=Actor("U1", is_admin=True), channel=f"C{n}",
                                    name=f"Team {n}", template="airline", timezone=zones[n])
        CommandRouter(services).handle(ChatContext(ws, f"C{n}", Actor("U2")), "/ow", "#boarding chaos")
    store.close()
    return url


def serve_together(url: str, at: str, out: Path, count: int, mode: str, tmp: Path) -> list[int]:
    """Start ``count`` replicas, release them at once, and return how many posts each sent."""
    go = tmp / f"go-{at}-{mode}"
    replica = "tests.handlers.scheduler.serve_replica"
    procs = [subprocess.Popen([sys.executable, "-m", replica, url, at, str(out), str(go), mode],
                              cwd=ROOT, stdout=subprocess.PIPE, text=True)
             for _ in range(count)]
    for p in procs:
        assert p.stdout is not None and p.stdout.readline().strip() == "ready"
    go.touch()
    return [int(p.communicate(timeout=60)[0].strip()) for p in procs]


def claims(url: str) -> list[PostRecord]:
    store = open_store(url, migrate=False)
    try:
        ws = store.workspace(platform=Platform.SLACK, external_id="T1").id
        with store.transaction(ws) as repo:
            return repo.post_records(limit=1000)
    finally:
        store.close()


@pytest.mark.parametrize(("count", "mode"), [(2, "lock"), (3, "lock"), (3, "nolock")])
def test_replicas_post_one_prompt_and_one_digest_per_team_and_week(
    new_postgres_database: Callable[[], str], tmp_path: Path, count: int, mode: str
) -> None:
    """"lock": the advisory-lock leader alone acts. "nolock": every replica acts at once, so the
    unique (team, kind, week) claim is all that stands between them and a double post."""
    url = seeded(new_postgres_database)
    out = tmp_path / "sent.txt"
    # Times when every team's post is due and within the grace: Monday 09:00 local was 03:30 UTC
    # in Kolkata, 08:00 in Stockholm and 14:00 in New York; Friday 16:00 was 10:30, 15:00, 21:00.
    monday = serve_together(url, "2026-11-16T15:00:00+00:00", out, count, mode, tmp_path)
    friday = serve_together(url, "2026-11-20T22:00:00+00:00", out, count, mode, tmp_path)
    sent = Counter(line.rsplit(" ", 1)[0] for line in out.read_text().splitlines())
    expected = {f"C{n} {kind} 2026-W47" for n in range(TEAMS) for kind in ("prompt", "digest")}
    assert set(sent) == expected and set(sent.values()) == {1}, sent
    records = claims(url)
    assert Counter((r.team_id, r.kind, r.week) for r in records).most_common(1)[0][1] == 1
    assert len(records) == len(expected)
    assert all(r.sent_at is not None and r.attempts == 1 and r.last_error == "" for r in records)
    if mode == "lock":  # one leader per round did all the sending
        assert sorted(monday)[:-1] == [0] * (count - 1) and sorted(friday)[:-1] == [0] * (count - 1)
    assert sum(monday) + sum(friday) == len(expected)


def test_the_leader_holds_an_idle_connection_and_a_lost_connection_hands_over(
    new_postgres_database: Callable[[], str],
) -> None:
    import sqlalchemy as sa

    from storage import create_engine
    from storage.leadership import AdvisoryLeadership

    url = new_postgres_database()
    first, second = create_engine(url), create_engine(url)
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        one, two = AdvisoryLeadership(first), AdvisoryLeadership(second)
        assert one.is_leader() and one.is_leader() and not two.is_leader()
        with admin.connect() as conn:
            states = conn.execute(sa.text(
                "SELECT a.state, a.pid FROM pg_locks l JOIN pg_stat_activity a USING (pid) "
                "WHERE l.locktype = 'advisory' AND l.granted "
                "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            )).all()
            [(state, pid)] = states
            assert state == "idle"  # not "idle in transaction" between ticks
            conn.execute(sa.text("SELECT pg_terminate_backend(:p)"), {"p": pid})  # the network drops
        assert not one.is_leader()  # it notices on its next tick and steps down ...
        assert two.is_leader()  # ... and the other replica takes over
        one.release()
        two.release()
    finally:
        for engine in (first, second, admin):
            engine.dispose()
