"""Reacted messages whose text the bot never saw are read with conversations.history, which Slack
limits to about one call a minute for apps outside the Marketplace. Fetches wait in a queue per
workspace and one worker thread makes at most one call per workspace per interval; the moment
itself was stored at once and is filed when its text arrives. conversations.history holds no
thread replies: a message it does not return is asked of conversations.replies (limited the
same way) on the workspace's next turn, ahead of the queue.

The worker thread never waits on Slack: the read itself is made on the sender's loop
(``SlackDoor._read_message``), and what its answer asks of the database (filling the moment,
the reply) comes back to this thread (``later``), run ahead of the next read.

The queue is bounded: past MAX_QUEUED reads waiting in a workspace, a new one is refused. Its
moment is in the database already, waiting for its text, and housekeeping offers it again later,
so a burst of reactions on unseen messages cannot grow the process's memory without end."""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)
MAX_QUEUED = 100  # reads waiting per workspace: at about one a minute, well over an hour's worth


@dataclass(frozen=True, slots=True)
class Fetch:
    client: Any  # the WebClient holding this workspace's token
    team_id: str
    workspace_id: int
    moment_id: int
    channel: str
    ts: str
    user: str = ""  # who reacted: told where the moment was filed
    thread: bool = False  # not in conversations.history: read it as a thread reply


class HistoryQueue:
    def __init__(self, fetch: Callable[[Fetch], None], interval: float) -> None:
        self.interval = interval
        self._fetch = fetch
        self._queues: dict[str, deque[Fetch]] = {}
        self._queued: set[tuple[int, int]] = set()  # (workspace, moment) waiting: no read twice
        self._next: dict[str, float] = {}
        self._answers: deque[Callable[[], None]] = deque()  # work to run here, before the next read
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._stopped = False

    def put(self, job: Fetch, *, first: bool = False) -> bool:
        """Queue a read (``first``: the follow-up of one just made, next in its workspace's line);
        each read is one Web API call and waits its workspace's turn. False: the workspace's
        queue is full and the read was not queued (its moment waits in the database)."""
        with self._cond:
            queue = self._queues.setdefault(job.team_id, deque())
            key = (job.workspace_id, job.moment_id)
            if key in self._queued:
                return True
            if len(queue) >= MAX_QUEUED and not first:
                return False
            self._queued.add(key)
            if first:
                queue.appendleft(job)
            else:
                queue.append(job)
            self._wake()
            return True

    def later(self, work: Callable[[], None]) -> None:
        """Run ``work`` on the queue's thread, ahead of the next read: what a read's answer
        (given on the sender's loop, which must not touch the database) asks of the database."""
        with self._cond:
            self._answers.append(work)
            self._wake()

    def _wake(self) -> None:
        """(holding the lock)"""
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._run, name="slack-history", daemon=True)
            self._thread.start()
        self._cond.notify()

    def pending(self) -> int:
        with self._cond:
            return sum(len(q) for q in self._queues.values())

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify()

    def _take(self) -> Callable[[], None] | None:
        """An answer's work, else the next read whose workspace may call now; waits until
        there is one."""
        with self._cond:
            while not self._stopped:
                if self._answers:
                    return self._answers.popleft()
                now = time.monotonic()
                waits = []
                for team, queue in self._queues.items():
                    if not queue:
                        continue
                    due = self._next.get(team, 0.0)
                    if due <= now:
                        self._next[team] = now + self.interval
                        job = queue.popleft()
                        self._queued.discard((job.workspace_id, job.moment_id))
                        return lambda: self._read(job)
                    waits.append(due - now)
                self._cond.wait(timeout=min(waits) if waits else None)
            return None

    def _run(self) -> None:
        while (work := self._take()) is not None:
            try:
                work()
            except Exception:  # one unreadable message must not stop the queue
                log.exception("reading a reacted message failed")

    def _read(self, job: Fetch) -> None:
        try:
            self._fetch(job)
        except Exception:
            log.exception("reading message %s/%s failed", job.channel, job.ts)
