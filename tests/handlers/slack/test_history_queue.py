"""The queue of conversations.history reads: one call a minute per workspace, so a burst of
reactions on messages the bot never saw must not pile up in memory (a soak grew the server by
about 0.6 MB a minute that way); the moments beyond the bound wait in the database, and
housekeeping offers them again."""

from __future__ import annotations

import threading

from handlers.slack.history import MAX_QUEUED, Fetch, HistoryQueue


def job(moment_id: int, team: str = "T1", workspace_id: int = 1) -> Fetch:
    return Fetch(None, team, workspace_id, moment_id, "C1", f"1700000000.{moment_id:06d}")


def test_a_burst_beyond_the_bound_is_refused_and_other_workspaces_still_queue() -> None:
    first = threading.Event()
    queue = HistoryQueue(lambda _: first.set(), interval=3600.0)
    try:
        assert queue.put(job(-1)) and first.wait(5)  # T1's call is made: its next is an hour away
        accepted = [queue.put(job(n)) for n in range(MAX_QUEUED + 50)]
        assert accepted.count(True) == MAX_QUEUED and accepted[MAX_QUEUED:] == [False] * 50
        assert queue.put(job(1, team="T2", workspace_id=2))  # another workspace has its own line
        assert queue.put(job(3))  # already waiting: nothing to add, and not refused
        assert queue.put(job(10_000), first=True)  # a thread reply's follow-up keeps its turn
        assert queue.pending() <= MAX_QUEUED + 2
    finally:
        queue.stop()


def test_a_read_that_was_made_may_be_queued_again() -> None:
    done = threading.Event()
    seen: list[int] = []

    def fetch(made: Fetch) -> None:
        seen.append(made.moment_id)
        done.set()

    queue = HistoryQueue(fetch, interval=0.0)
    try:
        assert queue.put(job(7))
        assert done.wait(5)
        done.clear()
        assert queue.put(job(7))  # e.g. housekeeping asks again after a failed read
        assert done.wait(5)
        assert seen == [7, 7]
    finally:
        queue.stop()
