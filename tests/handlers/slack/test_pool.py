"""The listener pool lets acknowledgements go first during a burst, and never starves the work."""

from __future__ import annotations

import threading

from handlers.slack.app import CountingExecutor


def test_work_waits_for_the_acks_in_flight_during_a_burst_but_not_past_a_long_backlog() -> None:
    pool = CountingExecutor(max_workers=1, yield_below=2, yield_for=30)
    started = threading.Event()
    try:
        with pool.acknowledging():
            pool.submit(started.set)
            assert not started.wait(0.3)  # a request is being acknowledged: the work waits
        assert started.wait(5)  # and starts as soon as it is answered

        gate, late, busy = threading.Event(), threading.Event(), threading.Event()

        def hold() -> None:
            busy.set()
            gate.wait(10)

        pool.submit(hold)  # the one thread is busy; three items queue behind it
        assert busy.wait(5)  # (it has started: a slow start must not meet the acks below)
        items = [threading.Event() for _ in range(3)]
        with pool.acknowledging():
            for item in items:
                pool.submit(item.set)
            gate.set()
            # the first starts with two behind it (yield_below): it does not wait for the acks;
            # the next, with one behind it, does
            assert items[0].wait(5)
            assert not items[1].wait(0.3)
            pool.submit(late.set)
        assert items[1].wait(5) and items[2].wait(5) and late.wait(5)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def test_work_waits_out_a_short_calm_between_acks_as_inside_a_burst() -> None:
    pool = CountingExecutor(max_workers=1, yield_for=30, grace=0.4)
    started = threading.Event()
    try:
        with pool.acknowledging():
            pool.submit(started.set)
        assert not started.wait(0.15)  # answered a moment ago: another request may follow at once
        assert started.wait(5)  # calm for the grace: the work goes
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def test_in_a_long_flood_work_that_has_waited_its_time_behind_others_goes_at_once() -> None:
    """The wait is counted from when the request was answered, not from when a thread is free:
    work that has queued behind others for ``yield_for`` does not wait again for the acks."""
    pool = CountingExecutor(max_workers=1, yield_for=0.5)
    gate, busy, queued = threading.Event(), threading.Event(), threading.Event()

    def hold() -> None:
        busy.set()
        gate.wait(10)

    try:
        pool.submit(hold)
        assert busy.wait(5)
        with pool.acknowledging():  # acks go on all the while
            pool.submit(queued.set)
            assert not queued.wait(0.7)  # held behind the busy thread past its time
            gate.set()
            assert queued.wait(0.3)  # it starts as soon as the thread is free
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
