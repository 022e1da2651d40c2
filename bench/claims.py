"""What a batch of Slack claims costs PostgreSQL: the statement every ack waits for.

    .venv/bin/python bench/claims.py [--claims 3400] [--grow 10000]

On a throwaway PostgreSQL database (MOMENTS_TEST_DATABASE_URL, else the local `test` one's
server), claims batches of 1, 5, 17 and 50 new requests with the store's own statement (the
batch sizes the load bench sees at 50 concurrent: many of 1 when a batch leaves at once, about
17 when the next waits) and prints PostgreSQL's CPU per claim (read from /proc for every
process of the `postgres` user, so the server must run on this machine and nothing else use it
meanwhile) and the wall time per claim. Then it grows the table to ``--grow`` claims without
ANALYZE, as a young table is, with one redelivery in every batch of 50, and prints the time a
batch takes as it grows: the plan must stay on the primary key whatever the statistics say.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

TICK = os.sysconf("SC_CLK_TCK")


def postgres_cpu() -> float:
    """Seconds of CPU every process of the postgres user has used so far."""
    pids = subprocess.run(["pgrep", "-u", "postgres"], capture_output=True, text=True).stdout.split()
    total = 0.0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue  # (gone meanwhile)
        total += (int(fields[11]) + int(fields[12])) / TICK
    return total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--claims", type=int, default=3400, help="claims per batch size")
    parser.add_argument("--grow", type=int, default=10000, help="claims in the table at the end")
    args = parser.parse_args()

    from load import throwaway_database  # type: ignore[import-not-found]

    from storage import SqlRequestInbox, create_engine, open_store

    payload = "x" * 600  # about a sealed slash command's size
    with throwaway_database() as url:
        open_store(url).close()
        engine = create_engine(url)
        inbox = SqlRequestInbox(engine)

        def batch(size: int, redelivered: str | None = None) -> None:
            now = datetime.now(UTC)
            claims: list[tuple[str, datetime, str | None]] = [
                (f"Ev{uuid.uuid4().hex}", now, payload) for _ in range(size)]
            if redelivered is not None:
                claims[0] = (redelivered, now, payload)
            inbox.claim_events(claims, owner="bench")

        batch(1)  # the pool's connection opened
        print(f"{'batch':>6} {'PostgreSQL CPU µs/claim':>24} {'wall µs/claim':>14}")
        for size in (1, 5, 17, 50):
            rounds = max(1, args.claims // size)
            cpu, wall = postgres_cpu(), time.perf_counter()
            for _ in range(rounds):
                batch(size)
            cpu, wall = postgres_cpu() - cpu, time.perf_counter() - wall
            print(f"{size:>6} {1e6 * cpu / (rounds * size):>24.0f} {1e6 * wall / (rounds * size):>14.0f}")

        inbox.close()
        engine.dispose()
    with throwaway_database() as url:  # a young table: never analysed
        open_store(url).close()
        engine = create_engine(url)
        inbox = SqlRequestInbox(engine)
        first = f"Ev{uuid.uuid4().hex}"
        batch(1, first)
        print(f"\n{'claims in the table':>20} {'ms a batch of 50 (one a redelivery)':>36}")
        grown, step = 1, max(50, args.grow // 5)
        while grown < args.grow:
            target = min(args.grow, grown + step)
            while grown < target - 500:
                batch(50)
                grown += 50
            wall = time.perf_counter()
            for _ in range(10):
                batch(50, first)
            grown += 10 * 50
            print(f"{grown:>20} {1000 * (time.perf_counter() - wall) / 10:>36.2f}")
        inbox.close()
        engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
