"""People reacting to the same messages at the same moment: how many moments, and who counts.

    python bench/reaction_race.py                                    # a throwaway PostgreSQL db
    python bench/reaction_race.py --url sqlite:////tmp/race.db --replicas 2

For each message, ``--people`` threads released by one barrier add the same WOW reaction
through the real services (``CaptureService.react``, the message's text known), spread over
``--replicas`` stores (connection pools and filers of their own) on one database. Printed: the
live moments per message (1 is right), and of all reporters how many the moments count, how
many were told they counted, and how many are missing or counted twice. Nothing is timed.
"""

from __future__ import annotations

import argparse
import sys
import threading
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.domain import MomentKind, Platform  # noqa: E402
from bot.filing import KeywordFiler  # noqa: E402
from bot.services import Actor, Services  # noqa: E402
from storage import SqlStore, create_engine, normalise_url, upgrade  # noqa: E402

ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
TEXT = "Omar carried the pram up the stairs at boarding"


class Clock:
    def now(self) -> datetime:
        return datetime.now(UTC)


def run(url: str, people: int, messages: int, replicas: int) -> None:
    upgrade(url)
    # each replica with the connection pool `moments serve` has (SQLAlchemy's default size)
    stores = [SqlStore(create_engine(url)) for _ in range(replicas)]
    services = [Services(store=s, clock=Clock(), make_filer=KeywordFiler) for s in stores]
    ws = stores[0].workspace(platform=Platform.SLACK, external_id=f"T-{uuid.uuid4().hex[:8]}").id
    team = services[0].journey.setup_team(workspace_id=ws, actor=Actor("lead"), channel="C-RACE",
                                          name="Gate crew", template="airline")
    refs = [f"C-RACE/1700000000.{n:06d}" for n in range(messages)]
    jobs = [(ref, f"U{n:03d}") for ref in refs for n in range(people)]
    start = threading.Barrier(len(jobs))
    told: list[tuple[str, str]] = []
    errors: Counter[str] = Counter()

    def react(i: int, ref: str, user: str) -> None:
        start.wait()
        try:
            services[i % replicas].capture.react(
                workspace_id=ws, team_id=team.id, actor=Actor(user), kind=MomentKind.WOW,
                message_ref=ref, author_id="UAUTHOR", text=TEXT)
            told.append((ref, user))
        except Exception as err:  # what the person would see as "nothing was saved"
            errors[f"{type(err).__name__}: {str(err).splitlines()[0][:90]}"] += 1

    threads = [threading.Thread(target=react, args=(i, r, u)) for i, (r, u) in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with stores[0].transaction(ws) as repo:
        live = repo.moments(team.id)
    per_message = Counter(m.message_ref for m in live)
    counted = Counter((m.message_ref, p) for m in live for p in (m.reporter_id, *m.also_reported_by))
    missing = sum(1 for job in jobs if job not in counted)
    twice = sum(1 for n in counted.values() if n > 1)
    print(f"{replicas} replica(s), {messages} message(s) x {people} people, {url.split(':')[0]}")
    print(f"  moments per message: {[per_message.get(r, 0) for r in refs]}")
    print(f"  reporters: {len(jobs)}; told it counted: {len(told)}; counted: {len(counted)}; "
          f"missing: {missing}; counted twice: {twice}; errors: {dict(errors) or 0}")
    for store in stores:
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a database to use (default: a throwaway PostgreSQL one)")
    parser.add_argument("--people", type=int, default=20)
    parser.add_argument("--messages", type=int, default=5)
    parser.add_argument("--replicas", type=int, default=1)
    args = parser.parse_args()
    if args.url:
        run(normalise_url(args.url), args.people, args.messages, args.replicas)
        return
    admin = sa.create_engine(ADMIN, isolation_level="AUTOCOMMIT")
    name = f"moments_race_{uuid.uuid4().hex[:10]}"
    with admin.connect() as c:
        c.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        run(sa.make_url(ADMIN).set(database=name).render_as_string(hide_password=False),
            args.people, args.messages, args.replicas)
    finally:
        with admin.connect() as c:
            c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


if __name__ == "__main__":
    main()
