"""Soak: signed Slack requests at a steady rate into one `moments serve`, for a long while.

    .venv/bin/python bench/soak.py [--minutes 30] [--rate 50] [--db URL]

It starts the local stand-in for the Slack Web API and `moments serve` (on a fresh SQLite file
by default, or on ``--db``, a database it seeds and leaves), then sends slash commands and
reaction events (some redelivered, as Slack retries) at ``--rate`` requests a second. Every
minute it prints the server's resident memory and open files, the p50/p99 time to
acknowledgement in that minute, the requests sent and the moments stored so far. At the end it
says whether memory stayed flat after warm-up (the minute-5 figure, or the first minute on a
short run, against the last). Everything runs on 127.0.0.1 and stops by itself; the pieces are
bench/load.py's.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import (  # noqa: E402 - bench/ is no package: its sibling is found by path
    SECRET,
    Server,
    count_moments,
    free_port,
    pct,
    requests_mix,
    seed,
    signed,
    start,
    web_api,
)

IN_FLIGHT = 200  # requests waiting for an answer at most; past it a tick's request is skipped
FLAT_MB = 10.0  # growth after warm-up under which memory counts as flat (and under 10 %)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def open_files(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


@dataclass
class Minute:
    latencies: list[float] = field(default_factory=list)
    sent: int = 0
    errors: int = 0
    later: int = 0  # 503: a redelivery racing its original, or the backlog full
    skipped: int = 0


async def soak(server: Server, url: str, api_url: str, minutes: int, rate: float,
               rng: random.Random) -> list[tuple[int, float, int]]:
    """Sends for ``minutes`` and prints a line a minute; returns (minute, RSS MB, open files)."""
    print(f"{'min':>4}{'RSS MB':>9}{'files':>7}{'p50 ms':>9}{'p99 ms':>9}{'sent':>8}{'total':>9}"
          f"{'errors':>8}{'503':>6}{'skipped':>9}{'moments':>9}", flush=True)
    gauge: list[tuple[int, float, int]] = []
    total = 0
    pending: set[asyncio.Task[None]] = set()
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(timeout=timeout,
                                     connector=aiohttp.TCPConnector(limit=IN_FLIGHT)) as session:

        async def one(item: tuple[str, bytes, dict[str, str], bool], into: Minute) -> None:
            ctype, body, extra, _ = item
            t0 = time.perf_counter()
            try:
                async with session.post(f"http://127.0.0.1:{server.port}/slack/events", data=body,
                                        headers={"Content-Type": ctype, **signed(body), **extra}) as resp:
                    await resp.read()
                    if resp.status == 503:
                        into.later += 1
                    elif resp.status != 200:
                        into.errors += 1
            except (aiohttp.ClientError, TimeoutError):
                into.errors += 1
            into.latencies.append((time.perf_counter() - t0) * 1000)

        began = time.monotonic()
        for minute in range(1, minutes + 1):
            this = Minute()
            per_minute = int(rate * 60)
            load = requests_mix(per_minute, rng, api_url)[:per_minute]  # (retries pad the mix)
            start_at = began + (minute - 1) * 60
            for i, item in enumerate(load):
                delay = start_at + i / rate - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
                if len(pending) >= IN_FLIGHT:
                    this.skipped += 1
                    continue
                task = asyncio.create_task(one(item, this))
                pending.add(task)
                task.add_done_callback(pending.discard)
                this.sent += 1
            rest = began + minute * 60 - time.monotonic()
            if rest > 0:
                await asyncio.sleep(rest)
            total += this.sent
            rss, files = rss_mb(server.proc.pid), open_files(server.proc.pid)
            stored = await asyncio.to_thread(count_moments, url)
            gauge.append((minute, rss, files))
            lat = this.latencies or [float("nan")]
            print(f"{minute:>4}{rss:>9.1f}{files:>7}{statistics.median(lat):>9.1f}{pct(lat, 99):>9.1f}"
                  f"{this.sent:>8}{total:>9}{this.errors:>8}{this.later:>6}{this.skipped:>9}{stored:>9}",
                  flush=True)
        if pending:
            await asyncio.wait(pending, timeout=30)
    return gauge


def verdict(gauge: list[tuple[int, float, int]]) -> str:
    if len(gauge) < 2:
        return "memory: too short a run to tell (2 minutes at least)"
    warm = gauge[min(5, len(gauge) - 1) - 1]  # minute 5, or the first minute of a short run
    last = gauge[-1]
    growth = last[1] - warm[1]
    flat = growth < FLAT_MB and growth < 0.10 * warm[1]
    per_minute = growth / max(last[0] - warm[0], 1)
    return (f"memory {'flat' if flat else 'GROWING'} after warm-up: {warm[1]:.1f} MB at minute {warm[0]}, "
            f"{last[1]:.1f} MB at minute {last[0]} ({growth:+.1f} MB, {per_minute:+.2f} MB/min); "
            f"open files {warm[2]} -> {last[2]}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=int, default=30)
    parser.add_argument("--rate", type=float, default=50.0, help="requests a second")
    parser.add_argument("--db", default="", help="database URL (default: a fresh SQLite file)")
    args = parser.parse_args()
    if not 1 <= args.minutes <= 24 * 60 or not 0 < args.rate <= 1000:
        parser.error("--minutes 1..1440, --rate up to 1000")
    rng = random.Random(11)
    with tempfile.TemporaryDirectory(prefix="moments-soak-") as scratch, web_api() as api_url:
        url = args.db or f"sqlite:///{scratch}/soak.db"
        seed(url)
        env = {**os.environ, "SLACK_SIGNING_SECRET": SECRET, "SLACK_BOT_TOKEN": "xoxb-bench",
               "SLACK_API_URL": api_url, "MOMENTS_LOG_LEVEL": "WARNING", "DATABASE_URL": url}
        env.pop("SLACK_APP_TOKEN", None)
        server = start("moments", free_port(), env)
        log = Path(f"/tmp/moments-bench-{server.port}.log")
        print(f"moments serve on 127.0.0.1:{server.port} ({url.split(':', 1)[0]}), {args.rate:g} requests/s "
              f"for {args.minutes} min; its log: {log}", flush=True)
        try:
            gauge = asyncio.run(soak(server, url, api_url, args.minutes, args.rate, rng))
            peak = server.peak_rss_mb()
        finally:
            server.proc.send_signal(signal.SIGTERM)
            try:
                server.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.proc.kill()
        print(verdict(gauge))
        print(f"peak RSS {peak:.1f} MB; server log {log.stat().st_size / 1024:.1f} KB "
              f"(WARNING and above); moments stored {count_moments(url)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
