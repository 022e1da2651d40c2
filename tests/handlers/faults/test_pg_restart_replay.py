"""PostgreSQL restarts while acknowledged work is running: the work whose request copy is in the
database is replayed once it is back, and the person hears nothing about it but the answer.

A real `moments serve` reaches the database through a proxy that cuts every connection and
refuses new ones for a few seconds, as a restart does (the shared server is never restarted).
Only a request that could not even be claimed (its copy never stored) may tell the person to try
again, and it says so in the command's own answer; an event that could not be claimed is answered
503 and Slack delivers it again.
"""

from __future__ import annotations

import http.client
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest

from tests.handlers.faults.conftest import (
    OOPS_WORDS,
    Api,
    PgProxy,
    Scratch,
    Server,
    far_from,
    seed_team,
    wait_healthy,
    wait_until,
)
from tests.handlers.faults.test_pg_faults import command_text, reaction_ts, stored_commands, stored_reactions
from tests.handlers.faults.test_pg_outage import behind_proxy, reaction_body  # noqa: F401 - the fixture

pytestmark = pytest.mark.postgres
COMMANDS = 40
REACTIONS = 20
DOWN_AFTER = 12  # requests answered when the database goes away
DOWN_FOR = 4.0  # seconds


def metric(server: Server, name: str) -> float:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    try:
        conn.request("GET", "/metrics")
        text = conn.getresponse().read().decode()
    finally:
        conn.close()
    found = re.search(rf"^{name}(?:\{{[^}}]*\}})? (\S+)$", text, re.MULTILINE)
    return float(found.group(1)) if found else 0.0


def test_acknowledged_work_is_replayed_after_a_database_restart_not_abandoned(
    api: Api, scratch: Scratch, behind_proxy: tuple[Server, PgProxy]  # noqa: F811 - the fixture
) -> None:
    server, proxy = behind_proxy
    seed_team(scratch.url, **far_from(datetime.now(UTC).isoweekday()))
    wait_healthy(server)
    assert server.command(command_text(999), api.response_url("warm")) == 200
    assert wait_until(lambda: bool(api.answers_to("warm")), 20), server.tail()

    # commands with a reaction after every second one, spread over the outage
    jobs: list[tuple[str, int]] = [("command", n) for n in range(COMMANDS)]
    for n in range(REACTIONS):
        jobs.insert(n * 3 + 1, ("reaction", n))
    answers: dict[tuple[str, int], tuple[int, str]] = {}
    progress = threading.Condition()
    cut: list[int] = []

    def send(job: tuple[str, int]) -> None:
        kind, n = job
        answer = (server.command_exchange(command_text(n), api.response_url(f"c{n}")) if kind == "command"
                  else server.exchange(*reaction_body(n)))
        with progress:
            answers[job] = answer
            progress.notify_all()
        time.sleep(0.05)

    def restart() -> None:
        with progress:
            progress.wait_for(lambda: len(answers) >= DOWN_AFTER, timeout=30)
        cut.append(proxy.down())
        time.sleep(DOWN_FOR)
        proxy.up()

    restarting = threading.Thread(target=restart)
    restarting.start()
    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(send, jobs))
    restarting.join(timeout=30)
    assert cut and cut[0] > 0, "the restart cut no connection"

    # what the database never stored: a command told at once, an event answered 503 (and
    # delivered again by Slack, by when the database is back)
    told_at_once = {n for (kind, n), (_, body) in answers.items() if kind == "command" and OOPS_WORDS in body}
    acked_c = [n for n in range(COMMANDS) if n not in told_at_once]
    redelivered = sorted(n for (kind, n), (s, _) in answers.items() if kind == "reaction" and s == 503)
    for n in redelivered:
        assert server.exchange(*reaction_body(n), headers={"X-Slack-Retry-Num": "1"})[0] == 200
    assert {s for (_, _), (s, _) in answers.items()} <= {200, 503}, answers

    def settled() -> bool:
        stored = stored_reactions(scratch)
        return all(api.answers_to(f"c{n}") for n in acked_c) and all(
            stored[reaction_ts(n)] or any(OOPS_WORDS in t for t in api.ephemerals_to(f"UR{n:03d}"))
            for n in range(REACTIONS))

    assert wait_until(settled, 60, step=0.3), server.tail(80)
    time.sleep(1.0)
    commands, reactions = stored_commands(scratch), stored_reactions(scratch)
    told_c = sorted(n for n in acked_c if any(OOPS_WORDS in t for t in api.answers_to(f"c{n}")))
    told_r = sorted(n for n in range(REACTIONS)
                    if any(OOPS_WORDS in t for t in api.ephemerals_to(f"UR{n:03d}")))
    postponed = server.log.read_text(errors="replace").count("its request will be replayed")
    replayed = metric(server, "slack_requests_replayed_total")
    print(f"\nPG restart ({DOWN_FOR:.0f} s, {cut[0]} connections cut): {len(jobs)} sent; commands: "
          f"{len(told_at_once)} not claimed (told at once), {len(acked_c)} acknowledged, of which "
          f"{len(told_c)} told to try again after the ack; reactions: {len(redelivered)} answered 503, "
          f"{len(told_r)} told to try again; {postponed} left for a replay, {replayed:.0f} replayed")

    assert told_c == [], f"acknowledged commands abandoned (the person told to try again): {told_c}"
    assert told_r == [], f"acknowledged reactions abandoned: {told_r}"
    assert all(commands[n] == 1 for n in acked_c), {n: commands[n] for n in acked_c if commands[n] != 1}
    assert all(len(api.answers_to(f"c{n}")) == 1 for n in acked_c), "answered twice"
    assert all(commands[n] == 0 for n in told_at_once), "told nothing was saved, but stored"
    assert all(reactions[reaction_ts(n)] == 1 for n in range(REACTIONS)), reactions
    assert postponed > 0 and replayed >= postponed, "the restart reached no acknowledged work"
    assert wait_until(lambda: scratch.scalar(
        "SELECT count(*) FROM processed_events WHERE done_at IS NULL") == 0, 20), \
        scratch.rows("SELECT event_id, owner, attempts FROM processed_events WHERE done_at IS NULL")
