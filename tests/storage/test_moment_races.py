"""Many people reacting to one message at the same moment, on SQLite and PostgreSQL, through the
real services: one moment per message, and every reporter counted exactly once.

Each thread waits at a barrier and then reacts, so the reads and writes of the reactions
interleave as they do when a message gets its first burst of WOWs. "Two replicas" are two
stores (two connection pools, two filers) on the same database.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace

import pytest
import sqlalchemy as sa

from bot.domain import Filing, Moment, MomentKind, Platform, Source
from bot.filing import KeywordFiler
from bot.ports import DuplicateError
from bot.services import Actor, Services
from bot.services.capture import Reacted
from bot.services.moments import Filed
from storage import SqlStore, create_engine, migrate_engine, upgrade
from tests.conftest import MONDAY
from tests.fakes import FixedClock
from tests.storage.builders import a_team

PEOPLE = 20
CHANNEL = "C-RACE"
TEXT = "Omar carried the pram up the stairs at boarding"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest) -> str:
    url: str = request.getfixturevalue(f"{request.param}_url")
    return url


@pytest.fixture
def opened(database: str) -> Iterator[Callable[[], SqlStore]]:
    """Opens stores on the database, each with a pool big enough for every thread at once (a
    pool too small would queue the threads and hide the race)."""
    stores: list[SqlStore] = []

    def open_one() -> SqlStore:
        store = SqlStore(create_engine(database, **({} if database.startswith("sqlite")
                                                    else {"pool_size": PEOPLE + 2})))
        stores.append(store)
        return store

    yield open_one
    for store in stores:
        store.close()


def replicas(open_one: Callable[[], SqlStore], n: int) -> tuple[list[Services], int, int]:
    clock = FixedClock(MONDAY)
    all_services = [Services(store=open_one(), clock=clock, make_filer=KeywordFiler) for _ in range(n)]
    first = all_services[0]
    ws = first.store.workspace(platform=Platform.SLACK, external_id=f"T-{uuid.uuid4().hex[:8]}").id
    team = first.journey.setup_team(workspace_id=ws, actor=Actor("lead", "Lena"), channel=CHANNEL,
                                    name="Gate crew", template="airline")
    return all_services, ws, team.id


def react_at_once(all_services: list[Services], ws: int, team_id: int, refs: list[str],
                  *, text: str | None) -> list[tuple[str, str, Reacted]]:
    """PEOPLE people per message, each thread on replica ``i % len(all_services)``, all released
    by one barrier. Returns (message, person, what the person was told)."""
    jobs = [(ref, f"U{n:02d}") for ref in refs for n in range(PEOPLE)]
    start = threading.Barrier(len(jobs))
    told: list[tuple[str, str, Reacted]] = []
    failed: list[BaseException] = []
    lock = threading.Lock()

    def react(i: int, ref: str, user: str) -> None:
        services = all_services[i % len(all_services)]
        try:
            start.wait()
            reacted = services.capture.react(
                workspace_id=ws, team_id=team_id, actor=Actor(user, user), kind=MomentKind.WOW,
                message_ref=ref, author_id="UAUTHOR", text=text)
            with lock:
                told.append((ref, user, reacted))
        except BaseException as err:  # noqa: BLE001 - reported below, with the others
            with lock:
                failed.append(err)

    threads = [threading.Thread(target=react, args=(i, ref, user)) for i, (ref, user) in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not failed, f"{len(failed)} reactions failed, the first: {failed[0]!r}"
    assert len(told) == len(jobs)
    return told


def live_moments(services: Services, ws: int, team_id: int) -> dict[str, list[Moment]]:
    with services.store.transaction(ws) as repo:
        found = repo.moments(team_id)
    by_ref: dict[str, list[Moment]] = {}
    for m in found:
        by_ref.setdefault(m.message_ref or "", []).append(m)
    return by_ref


def assert_one_moment_each_counting_everyone(all_services: list[Services], ws: int, team_id: int,
                                             refs: list[str],
                                             told: list[tuple[str, str, Reacted]]) -> None:
    by_ref = live_moments(all_services[0], ws, team_id)
    counts = {ref: len(by_ref.get(ref, [])) for ref in refs}
    assert counts == dict.fromkeys(refs, 1), f"moments per message: {counts}"
    for ref in refs:
        [m] = by_ref[ref]
        people = [m.reporter_id, *m.also_reported_by]
        assert len(people) == len(set(people)), f"{ref}: someone counted twice: {people}"
        missing = {f"U{n:02d}" for n in range(PEOPLE)} - set(people)
        assert not missing, f"{ref}: {len(missing)} of {PEOPLE} reporters lost"
        assert m.credited == ("UAUTHOR",)
        # everyone was told about this very moment, and exactly one person made it
        mine = [r for r_ref, _, r in told if r_ref == ref]
        assert {r.moment.id for r in mine} == {m.id}
        assert sum(r.created for r in mine) == 1


@pytest.mark.parametrize("text", [TEXT, None], ids=["text-known", "text-fetched-later"])
def test_twenty_people_reacting_to_one_message_at_once_make_one_moment_and_all_count(
    opened: Callable[[], SqlStore], text: str | None,
) -> None:
    all_services, ws, team_id = replicas(opened, 1)
    refs = [f"{CHANNEL}/1700000000.000100"]
    told = react_at_once(all_services, ws, team_id, refs, text=text)
    assert_one_moment_each_counting_everyone(all_services, ws, team_id, refs, told)


def test_two_replicas_and_several_messages_make_one_moment_per_message(
    opened: Callable[[], SqlStore],
) -> None:
    all_services, ws, team_id = replicas(opened, 2)
    refs = [f"{CHANNEL}/1700000000.00010{n}" for n in range(3)]
    told = react_at_once(all_services, ws, team_id, refs, text=TEXT)
    assert_one_moment_each_counting_everyone(all_services, ws, team_id, refs, told)


def test_a_me_too_from_everyone_at_once_on_an_existing_moment_loses_nobody(
    opened: Callable[[], SqlStore],
) -> None:
    all_services, ws, team_id = replicas(opened, 2)
    ref = f"{CHANNEL}/1700000000.000200"
    first = all_services[0].capture.react(
        workspace_id=ws, team_id=team_id, actor=Actor("U00", "U00"), kind=MomentKind.WOW,
        message_ref=ref, author_id="UAUTHOR", text=TEXT)
    start = threading.Barrier(PEOPLE - 1)

    def me_too(n: int) -> None:
        start.wait()
        all_services[n % 2].capture.me_too(workspace_id=ws, moment_id=first.moment.id,
                                           actor=Actor(f"U{n:02d}"))

    threads = [threading.Thread(target=me_too, args=(n,)) for n in range(1, PEOPLE)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    with all_services[0].store.transaction(ws) as repo:
        m = repo.moment(first.moment.id)
    assert m is not None
    assert sorted(m.also_reported_by) == [f"U{n:02d}" for n in range(1, PEOPLE)]



def test_one_form_submitted_several_times_at_once_makes_one_moment(
    opened: Callable[[], SqlStore],
) -> None:
    """A double click reaching two replicas: the same request key, at the same time."""
    all_services, ws, team_id = replicas(opened, 2)
    start = threading.Barrier(6)
    filed: list[Filed] = []

    def submit(n: int) -> None:
        start.wait()
        filed.append(all_services[n % 2].moments.report(
            workspace_id=ws, team_id=team_id, actor=Actor("U01"), kind=MomentKind.WOW,
            text=f"#boarding {TEXT}", source=Source.SHORTCUT, request_key="view:V0123:1700.Ab1"))

    threads = [threading.Thread(target=submit, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    [m] = [m for ms in live_moments(all_services[0], ws, team_id).values() for m in ms]
    assert len(filed) == 6 and {f.moment.id for f in filed} == {m.id}
    assert sorted(f.already for f in filed) == [False, True, True, True, True, True]


def test_the_migration_merges_the_duplicates_the_race_left_behind(empty_database: str) -> None:
    """Databases that ran the racy version hold several live moments of one message: 0007 keeps
    one (the oldest with its text), makes everyone who reported the others its "me too", and
    retracts the others, before the index that prevents new ones."""
    engine = create_engine(empty_database)
    migrate_engine(engine, "0005")  # the schema before 0007, as such a database has it
    with engine.begin() as connection:  # a later column today's models write (0010 adds it)
        connection.execute(sa.text("ALTER TABLE teams ADD COLUMN next_post_at TIMESTAMP"))
    engine.dispose()
    store = SqlStore(create_engine(empty_database))
    try:
        ws = store.workspace(platform=Platform.SLACK, external_id="T-old").id
        with store.transaction(ws) as repo:
            team = repo.add_team(a_team(CHANNEL))
            ref = f"{CHANNEL}/1700000000.000300"

            def made(reporter: str, text: str, also: tuple[str, ...] = ()) -> Moment:
                return repo.add_moment(Moment(
                    0, team.id, MomentKind.WOW, text, reporter, None, Filing.ASKED, 0.0,
                    Source.REACTION, MONDAY, MONDAY, credited=("UAUTHOR",), also_reported_by=also,
                    message_ref=ref))

            made("U01", "")  # made while the text was still being fetched
            kept = made("U02", TEXT, ("U03",))
            made("U03", TEXT, ("U04", "UAUTHOR"))
            other = repo.add_moment(replace(kept, id=0, message_ref=f"{CHANNEL}/other", also_reported_by=()))
    finally:
        store.close()
    engine = create_engine(empty_database)
    with engine.begin() as connection:
        connection.execute(sa.text("ALTER TABLE teams DROP COLUMN next_post_at"))
    engine.dispose()
    upgrade(empty_database)
    store = SqlStore(create_engine(empty_database))
    try:
        with store.transaction(ws) as repo:
            [live] = [m for m in repo.moments(team.id) if m.message_ref == ref]
            assert live.id == kept.id and live.text == TEXT
            assert (live.reporter_id, live.also_reported_by) == ("U02", ("U03", "U01", "U04"))
            assert len(repo.moments(team.id, include_retracted=True)) == 4
            assert repo.moment(other.id) == other  # a moment of its own message is left alone
            with pytest.raises(DuplicateError):  # and now the database keeps it so
                repo.add_moment(replace(live, id=0, reporter_id="U05", also_reported_by=()))
    finally:
        store.close()
