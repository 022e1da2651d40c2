"""One `moments serve` replica's scheduler, as a separate OS process, for the replica tests.

    python -m tests.storage.replica DATABASE_URL ISO_TIME OUT_FILE TICKS [HOLD_SECONDS]

MOMENTS_TEST_STALL=before|after makes the first send stall forever, before or after its line is
written: the test kills the process there, as a crash in the middle of sending.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import datetime

from bot.domain import Workspace
from bot.services import Services
from bot.views import Post
from handlers.scheduled import tick
from storage import open_store
from storage.leadership import AdvisoryLeadership
from tests.fakes import FakeFiler, FixedClock


class FileNotifier:
    def __init__(self, path: str) -> None:
        self.path = path

    def send(self, workspace: Workspace, post: Post) -> None:
        stall = os.environ.get("MOMENTS_TEST_STALL", "")
        if stall == "before":
            self._stall()
        with open(self.path, "a", encoding="utf-8") as out:
            out.write(f"{post.channel} {post.kind} {post.week} {os.getpid()}\n")
        if stall == "after":
            self._stall()

    @staticmethod
    def _stall() -> None:
        print("sending", flush=True)
        time.sleep(600)

    def was_sent(self, workspace: Workspace, post: Post, since: datetime) -> bool | None:
        """Like the Slack notifier, look in the 'channel' for the post."""
        if not os.path.exists(self.path):
            return False
        with open(self.path, encoding="utf-8") as lines:
            return any(line.split()[:3] == [post.channel, post.kind, post.week] for line in lines)


def main() -> int:
    url, at, out, ticks = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    hold = float(sys.argv[5]) if len(sys.argv) > 5 else 0.0
    store = open_store(url, migrate=False)
    services = Services(store=store, clock=FixedClock(datetime.fromisoformat(at)), make_filer=FakeFiler)
    leadership = AdvisoryLeadership(store.engine)
    for _ in range(ticks):
        tick(services, FileNotifier(out), leadership)
        time.sleep(0.05)
    print("leader" if leadership.is_leader() else "follower", flush=True)
    time.sleep(hold)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
