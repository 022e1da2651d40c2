"""Two `moments serve` replicas on one PostgreSQL database; the one leading the weekly schedule
is SIGKILLed in the middle of a burst. The other keeps acknowledging and storing, requests to the
dead one fail at connection level (a load balancer sends them to the survivor), no moment is
stored twice, and the survivor takes over the schedule: a prompt that falls due is posted once."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from bot.schedule import DAYS
from storage.inbox import EVENT_LEASE, REPLICA_TIMEOUT
from tests.handlers.faults.conftest import (
    CONNECTION_ERRORS,
    OOPS_WORDS,
    Api,
    Scratch,
    Server,
    burst,
    far_from,
    seed_team,
    wait_healthy,
    wait_until,
)
from tests.handlers.faults.test_pg_faults import command_text, reaction_ts, stored_commands, stored_reactions

pytestmark = pytest.mark.postgres
COMMANDS = 40
REACTIONS = 20
KILL_AFTER_ACKS = 24  # of 60
PROMPT_CHANNEL = "CPROMPT"


def test_a_killed_replica_loses_no_moment_twice_and_hands_over_the_schedule(
    api: Api, scratch: Scratch, serve: Callable[[str], Server]
) -> None:
    now = datetime.now(UTC)
    seed_team(scratch.url, **far_from(now.isoweekday()))
    a, b = serve("faults-a"), serve("faults-b")
    wait_healthy(a, b)
    # both ticked at start; whichever took the advisory lock leads, and is the one to die
    assert wait_until(lambda: scratch.leader() in (a.name, b.name), 20), (a.tail(), b.tail())
    leader, survivor = (a, b) if scratch.leader() == a.name else (b, a)
    for n, server in enumerate((a, b)):
        assert server.command(command_text(900 + n), api.response_url(f"warm-{server.name}")) == 200
    assert wait_until(lambda: all(api.answers_to(f"warm-{s.name}") for s in (a, b)), 20)

    jobs = burst(COMMANDS, REACTIONS)
    target = {job: (a, b)[i % 2] for i, job in enumerate(jobs)}  # alternating, as a balancer would
    acked_by: dict[tuple[str, int], str] = {}
    failed_over: list[tuple[str, int]] = []  # refused: sent again by the balancer
    cut: list[tuple[str, int]] = []  # sent, then the connection died with the replica
    not_2xx: dict[tuple[str, int], int] = {}
    done = 0
    progress = threading.Condition()
    killed_at: list[float] = []

    def deliver(server: Server, job: tuple[str, int], headers: dict[str, str] | None = None) -> int:
        kind, n = job
        if kind == "command":
            return server.command(command_text(n), api.response_url(f"c{n}"))
        return server.reaction(f"EvKill{n:04d}", f"UR{n:03d}", reaction_ts(n), headers=headers)

    def send(job: tuple[str, int]) -> None:
        nonlocal done
        server = target[job]
        try:
            status = deliver(server, job)
        except ConnectionRefusedError:
            assert server is leader and killed_at, f"{server.name} refused {job} while alive"
            with progress:
                failed_over.append(job)
            server = survivor  # nothing was sent: the load balancer tries the other replica
            status = deliver(server, job)
        except CONNECTION_ERRORS:
            assert server is leader and killed_at, f"{server.name} dropped {job} while alive"
            with progress:
                cut.append(job)
            if job[0] == "command":  # the balancer answers 502; Slack tells the person it failed
                with progress:
                    done += 1
                    progress.notify_all()
                return
            server = survivor  # an event: Slack delivers it again, through the balancer
            status = deliver(server, job, {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_error"})
        with progress:
            acked_by[job] = server.name
            if not 200 <= status < 300:
                not_2xx[job] = status
            done += 1
            progress.notify_all()

    def kill() -> None:
        with progress:
            progress.wait_for(lambda: done >= KILL_AFTER_ACKS, timeout=30)
        killed_at.append(time.monotonic())
        leader.proc.kill()  # SIGKILL: no graceful stop, in-flight lazy work dies with it
        leader.proc.wait(timeout=10)

    killer = threading.Thread(target=kill)
    killer.start()
    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(send, jobs))
    killer.join(timeout=30)
    assert killed_at, "the leader was never killed"

    # A reaction sent again at once after the killed replica had claimed its event_id finds the
    # claim fresh and unfinished: the survivor answers 503 and Slack tries again later (a minute,
    # then five). Time passes (the claims are backdated past the lease) and Slack's next try is
    # handled.
    try_later = sorted(job for job, status in not_2xx.items() if status == 503 and job in cut)
    if try_later:
        with scratch.engine().begin() as conn:
            ids = [f"EvKill{n:04d}" for _, n in try_later]
            conn.execute(sa.text("UPDATE processed_events SET claimed_at = claimed_at - :lease "
                                 "WHERE done_at IS NULL AND event_id = ANY(:ids)"),
                         {"lease": EVENT_LEASE + timedelta(seconds=1), "ids": ids})
            # ... and the dead replica's last beat is that old too (a live owner keeps its claims)
            conn.execute(sa.text("UPDATE replicas SET seen_at = seen_at - :gone WHERE id IN "
                                 "(SELECT owner FROM processed_events WHERE event_id = ANY(:ids))"),
                         {"gone": REPLICA_TIMEOUT + timedelta(seconds=1), "ids": ids})
        for job in try_later:
            status = deliver(survivor, job, {"X-Slack-Retry-Num": "2", "X-Slack-Retry-Reason": "http_error"})
            if 200 <= status < 300:
                del not_2xx[job]
        assert wait_until(lambda: all(stored_reactions(scratch)[reaction_ts(n)] for _, n in try_later),
                          20, step=0.3), survivor.tail()

    # The survivor answers everything it acknowledged.
    on_survivor = [job for job, name in acked_by.items() if name == survivor.name]
    expected = [job for job in on_survivor if job not in cut]

    def answered(job: tuple[str, int], stored_r: Counter[str]) -> bool:
        kind, n = job
        if kind == "command":
            return bool(api.answers_to(f"c{n}"))
        return bool(stored_r[reaction_ts(n)]) or any(OOPS_WORDS in t for t in api.ephemerals_to(f"UR{n:03d}"))

    def pending() -> list[tuple[str, int]]:
        stored_r = stored_reactions(scratch)
        return [job for job in expected if not answered(job, stored_r)]

    assert wait_until(lambda: not pending(), 30, step=0.3), f"unanswered: {pending()}\n{survivor.tail()}"

    # What the killed replica acknowledged and had not finished is replayed by the survivor once
    # the dead one's beat is stale (REPLICA_TIMEOUT, then the survivor's next 5-second round).
    on_killed = [job for job, name in acked_by.items() if name == leader.name]
    def unreplayed() -> list[tuple[str, int]]:
        stored_r = stored_reactions(scratch)
        return [job for job in on_killed if not answered(job, stored_r)]

    assert wait_until(lambda: not unreplayed(), REPLICA_TIMEOUT.total_seconds() + 30, step=0.5), \
        f"not replayed: {unreplayed()}\n{survivor.tail()}"
    time.sleep(1.0)
    commands, reactions = stored_commands(scratch), stored_reactions(scratch)

    def stored(job: tuple[str, int]) -> int:
        kind, n = job
        return commands[n] if kind == "command" else reactions[reaction_ts(n)]

    claimed = {str(e) for (e,) in scratch.rows("SELECT event_id FROM processed_events")}
    replayed = scratch.rows("SELECT count(*) FROM processed_events WHERE attempts > 1")[0][0]
    lost_in_flight = [job for job, name in acked_by.items() if name == leader.name and not stored(job)]
    lost_to_claim = [job for job in on_survivor if job not in expected and not stored(job)]
    survivor_missing = [job for job in expected if not stored(job)]
    print(f"\nreplica kill: {len(jobs)} sent, {len(acked_by) - len(not_2xx)} acked 2xx "
          f"({len(on_survivor)} by the survivor); connection failures on the killed replica: "
          f"{len(failed_over)} refused (sent again to the survivor), {len(cut)} cut mid-request "
          f"{cut} (events redelivered to the survivor, commands left to Slack's error); "
          f"stored {sum(1 for j in jobs if stored(j))}; "
          f"acked by the killed replica: {len(on_killed)}, replayed by the survivor: "
          f"{replayed}, lost: {len(lost_in_flight)} {lost_in_flight}; "
          f"sent again but ignored as already claimed by the dead replica: {lost_to_claim}; "
          f"told to try later, then handled: {try_later}")

    assert not not_2xx, not_2xx
    assert lost_in_flight == [], "acknowledged by the killed replica and never replayed"
    assert scratch.rows("SELECT count(*) FROM processed_events WHERE payload IS NOT NULL "
                        "AND done_at IS NOT NULL")[0][0] == 0  # copies erased once handled
    assert [n for n, c in commands.items() if c > 1] == [], "a command's moment was stored twice"
    assert [ts for ts, c in reactions.items() if c > 1] == [], "a reaction's moment was stored twice"
    # no database fault here: everything the survivor acknowledged was stored and confirmed
    assert survivor_missing == [], survivor.tail()
    assert all(not any(OOPS_WORDS in t for t in api.answers_to(f"c{n}"))
               for kind, n in expected if kind == "command")
    assert all(target[job] is leader for job in failed_over + cut)
    assert lost_to_claim == [], "a redelivery was swallowed by a dead replica's claim"
    assert all(f"EvKill{n:04d}" in claimed for _, n in try_later)

    # the schedule: a team whose prompt fell due a minute ago appears after the leader died; the
    # survivor takes the advisory lock on its next tick (once a minute) and posts it, once
    due = datetime.now(UTC) - timedelta(minutes=1)
    prompt_at = f"{DAYS[due.isoweekday() - 1]} {due:%H:%M}"
    team_id = seed_team(scratch.url, PROMPT_CHANNEL, ow="#boarding chaos at the gate",
                        **{**far_from(due.isoweekday()), "prompt_at": prompt_at})
    assert wait_until(lambda: bool(api.posts_to(PROMPT_CHANNEL)), 80, step=0.5), survivor.tail()
    time.sleep(1.0)
    assert scratch.leader() == survivor.name
    assert len(api.posts_to(PROMPT_CHANNEL)) == 1
    claims = scratch.rows("SELECT kind, count(*) FROM post_records WHERE team_id = :t GROUP BY kind",
                          t=team_id)
    assert claims == [("prompt", 1)], claims
    assert survivor.proc.poll() is None


def test_a_claim_left_by_a_dead_replica_does_not_swallow_slacks_redelivery(
    api: Api, scratch: Scratch, serve: Callable[[str], Server]
) -> None:
    seed_team(scratch.url, **far_from(datetime.now(UTC).isoweekday()))
    # a replica claimed this reaction six minutes ago and was killed before acknowledging it
    with scratch.engine().begin() as conn:
        conn.execute(sa.text("INSERT INTO processed_events (event_id, claimed_at) VALUES (:e, :at)"),
                     {"e": "EvOrphan", "at": datetime.now(UTC) - timedelta(minutes=6)})
    server = serve("faults-redelivery")
    wait_healthy(server)
    # so Slack delivers it again: its third try comes about five minutes after the first
    assert server.reaction("EvOrphan", "UR900", reaction_ts(900),
                           headers={"X-Slack-Retry-Num": "3", "X-Slack-Retry-Reason": "http_timeout"}) == 200
    assert wait_until(lambda: stored_reactions(scratch)[reaction_ts(900)] == 1, 5), server.tail()
