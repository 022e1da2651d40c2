"""One `moments serve` scheduler as its own OS process: the real APScheduler wiring and leader lock.

    python -m tests.handlers.scheduler.serve_replica DATABASE_URL ISO_TIME OUT_FILE GO_FILE lock|nolock \
        [SECONDS_PER_POST]

Prints "ready", waits for GO_FILE (so the replicas start together), lets the scheduler run its
first tick (it runs at once on start), shuts down, and prints how many posts it sent. OUT_FILE
is the channels: one line a post, read back to tell whether a post is there (as Slack's
conversations.history is). SECONDS_PER_POST: each post takes that long to arrive.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import datetime, timedelta

from bot.domain import Workspace
from bot.services import Services
from bot.views import Post
from handlers.scheduled import SoleLeader, start_scheduler
from storage import open_store
from storage.leadership import AdvisoryLeadership
from tests.fakes import FakeFiler, FixedClock


class FileNotifier:
    def __init__(self, path: str, delay: float = 0.0) -> None:
        self.path = path
        self.delay = delay
        self.sent = 0

    def was_sent(self, workspace: Workspace, post: Post, since: datetime) -> bool | None:
        if not os.path.exists(self.path):
            return False
        with open(self.path) as channel:
            return any(line.startswith(f"{post.channel} {post.kind} {post.week} ") for line in channel)

    def send(self, workspace: Workspace, post: Post) -> None:
        time.sleep(self.delay)
        line = f"{post.channel} {post.kind} {post.week} {os.getpid()}\n".encode()
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT)  # one write: no torn lines
        try:
            os.write(fd, line)
        finally:
            os.close(fd)
        self.sent += 1


def main() -> int:
    url, at, out, go, mode = sys.argv[1:6]
    delay = float(sys.argv[6]) if len(sys.argv) > 6 else 0.0
    store = open_store(url, migrate=False)
    services = Services(store=store, clock=FixedClock(datetime.fromisoformat(at)), make_filer=FakeFiler)
    notifier = FileNotifier(out, delay)
    print("ready", flush=True)
    deadline = time.monotonic() + 30
    while not os.path.exists(go) and time.monotonic() < deadline:
        time.sleep(0.005)
    started = datetime.now().astimezone()
    scheduler = start_scheduler(services, notifier,
                                AdvisoryLeadership(store.engine) if mode == "lock" else SoleLeader())
    job = scheduler.get_job("weekly-tick")
    # The first run is handed to the executor at once and the job moves to the next minute.
    while job.next_run_time < started + timedelta(seconds=30) and time.monotonic() < deadline:
        time.sleep(0.005)
        job = scheduler.get_job("weekly-tick")
    scheduler.shutdown(wait=True)  # waits for that first tick to finish
    print(notifier.sent, flush=True)
    store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
