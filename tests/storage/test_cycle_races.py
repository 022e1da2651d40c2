"""Two replicas on one database, two leads at the same moment: one standard per proposal and
one of each weekly post, the other lead told it is done already.

Each race runs two real threads, one per replica (a store with its own engine and pool), let go
together by a barrier. Where the interleaving that doubles things is narrow, the threads are also
held at the point of the race until both are there, so the outcome does not depend on luck.
"""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any, TypeVar

import pytest
import sqlalchemy as sa
from alembic import command

from bot.commands import ChatContext, CommandRouter
from bot.domain import Platform, Standard, StandardLevel, Workspace
from bot.markup import code
from bot.ports import DuplicateError
from bot.services import Actor, Services
from bot.views import Post, Reply
from storage import SqlRepository, SqlStore, alembic_config, create_engine, open_store
from tests.fakes import FakeFiler, FixedClock, RecordingNotifier
from tests.storage.conftest import SQL_STORES

T = TypeVar("T")
MONDAY = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)  # 2026-W47
FRIDAY = datetime(2026, 11, 20, 16, 5, tzinfo=UTC)  # after the digest is due in Stockholm
LEADS = (Actor("lena", "Lena"), Actor("lars", "Lars"))
STAFF = Actor("sam", "Sam")
ROUNDS = 10


@pytest.fixture(params=SQL_STORES)
def database(request: pytest.FixtureRequest) -> str:
    """A migrated database shared by the test's two replicas (PostgreSQL: shared by the
    session too; each test has its own workspace)."""
    url: str = request.getfixturevalue(f"{request.param}_url")
    return url


@dataclass
class Replica:
    store: SqlStore
    services: Services
    router: CommandRouter


@pytest.fixture
def replicas(database: str) -> Iterator[tuple[Replica, Replica]]:
    clock = FixedClock(MONDAY)
    pair = []
    for _ in range(2):
        store = open_store(database, migrate=False)
        services = Services(store=store, clock=clock, make_filer=FakeFiler)
        pair.append(Replica(store, services, CommandRouter(services)))
    try:
        yield pair[0], pair[1]
    finally:
        for replica in pair:
            replica.store.close()


class Rendezvous:
    """Holds each of a round's two threads at one point until both have reached it; each
    thread stops there once per round."""

    def __init__(self) -> None:
        self.barrier: threading.Barrier | None = None
        self._met = threading.local()

    def next_round(self) -> None:
        self.barrier = threading.Barrier(2, timeout=60)

    def meet(self) -> None:
        if self.barrier is None or getattr(self._met, "barrier", None) is self.barrier:
            return
        self._met.barrier = self.barrier
        self.barrier.wait()


def at_once(first: Callable[[], T], second: Callable[[], T]) -> list[T]:
    """Both calls in their own thread, started together; their results in order."""
    start = threading.Barrier(2, timeout=60)
    results: list[Any] = [None, None]

    def run(i: int, call: Callable[[], T]) -> None:
        start.wait()
        try:
            results[i] = call()
        except BaseException as exc:  # re-raised in the test's thread
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate((first, second))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return results


def a_team(replica: Replica, channel: str, external_id: str = "") -> tuple[int, int]:
    """A workspace of its own with a team led by both leads, and an OW so a prompt can open."""
    ws = replica.store.workspace(platform=Platform.SLACK,
                                 external_id=external_id or f"T{uuid.uuid4().hex}").id
    services = replica.services
    team = services.journey.setup_team(workspace_id=ws, actor=LEADS[0], channel=channel,
                                       name=f"Crew {channel}", template="airline",
                                       timezone="Europe/Stockholm")
    services.journey.set_leads(workspace_id=ws, team_id=team.id, actor=LEADS[0],
                               add=(LEADS[1].user_id,))
    replica.router.handle(ChatContext(ws, channel, STAFF), "/ow", "#boarding gate chaos")
    return ws, team.id


# 4. adopting a proposal


def test_two_leads_adopting_the_same_proposal_make_one_standard(
    replicas: tuple[Replica, Replica], monkeypatch: pytest.MonkeyPatch
) -> None:
    one, two = replicas
    ws, team_id = a_team(one, "C-adopt")
    ctx = [ChatContext(ws, "C-adopt", lead) for lead in LEADS]
    assert one.router.handle(ctx[0], "/moments", "prompt").public
    for n in range(ROUNDS):
        one.router.handle(ChatContext(ws, "C-adopt", STAFF), "/moments",
                          f"propose Announce gate changes twice, idea {n}")
    prompt = one.services.weekly.current_prompt(workspace_id=ws, team_id=team_id)
    assert prompt is not None
    proposals = [p.id for p, _ in one.services.weekly.results(workspace_id=ws,
                                                              prompt_id=prompt.id).ranked]
    assert len(proposals) == ROUNDS
    gate = Rendezvous()
    if one.store.engine.dialect.name == "postgresql":
        # Both leads past the "already a standard?" read before either writes. (SQLite runs
        # one write transaction at a time, so holding one there would only wait for the other.)
        read = SqlRepository.standards

        def standards(self: SqlRepository, team_id: int, *,
                      level: StandardLevel | None = None) -> list[Standard]:
            found = read(self, team_id, level=level)
            gate.meet()
            return found

        monkeypatch.setattr(SqlRepository, "standards", standards)
    replies: list[list[Reply]] = []
    for proposal_id in proposals:
        gate.next_round()
        replies.append(at_once(partial(one.router.handle, ctx[0], "/moments", f"adopt {proposal_id}"),
                               partial(two.router.handle, ctx[1], "/moments", f"adopt {proposal_id}")))
    monkeypatch.undo()
    with one.store.transaction(ws) as repo:
        per_proposal = Counter(s.proposal_id for s in repo.standards(team_id))
    assert per_proposal == Counter(proposals)  # exactly one standard for each
    for pair in replies:
        assert sorted(r.error for r in pair) == [False, True]
        [adopted] = [r for r in pair if not r.error]
        [told] = [r for r in pair if r.error]
        assert "New service standard" in adopted.text
        assert told.text == "That proposal is already a service standard."


def test_the_database_keeps_one_standard_per_proposal(sql_store: SqlStore) -> None:
    services = Services(store=sql_store, clock=FixedClock(MONDAY), make_filer=FakeFiler)
    replica = Replica(sql_store, services, CommandRouter(services))
    ws, team_id = a_team(replica, "C-unique")
    replica.router.handle(ChatContext(ws, "C-unique", LEADS[0]), "/moments", "prompt")
    replica.router.handle(ChatContext(ws, "C-unique", STAFF), "/moments", "propose Smile first")
    prompt = replica.services.weekly.current_prompt(workspace_id=ws, team_id=team_id)
    assert prompt is not None
    with sql_store.transaction(ws) as repo:
        [proposal] = repo.proposals(prompt.id)
        standard = Standard(0, team_id, proposal.touchpoint_id, "Smile first", "lena", MONDAY,
                            proposal.id)
        repo.add_standard(standard)
        with pytest.raises(DuplicateError):
            repo.add_standard(standard)
        # the transaction is still usable, and a standard of nobody's proposal is no duplicate
        repo.add_standard(Standard(0, team_id, proposal.touchpoint_id, "Own words", "lena", MONDAY))
        repo.add_standard(Standard(0, team_id, proposal.touchpoint_id, "More words", "lena", MONDAY))
    with sql_store.transaction(ws) as repo:
        assert sorted(s.proposal_id or 0 for s in repo.standards(team_id)) == [0, 0, proposal.id]


def test_the_migration_keeps_the_earliest_of_duplicate_standards(empty_database: str) -> None:
    engine = create_engine(empty_database)
    try:
        with engine.begin() as connection:
            command.upgrade(alembic_config(connection), "0005")
            rows = _duplicates_at_0005(connection)
        with engine.begin() as connection:
            command.upgrade(alembic_config(connection), "0008")
        with engine.connect() as connection:
            left = connection.execute(sa.text(
                "SELECT id, proposal_id FROM standards ORDER BY id")).all()
    finally:
        engine.dispose()
    assert [tuple(r) for r in left] == [(rows["earliest"], rows["proposal"]), (rows["own"], None),
                                        (rows["other_own"], None), (rows["single"], rows["second"])]


def _duplicates_at_0005(connection: sa.Connection) -> dict[str, int]:
    """Rows as the old code could leave them: one proposal adopted three times (the earliest
    written second), another once, and two standards in a lead's own words."""
    meta = sa.MetaData()
    table = {name: sa.Table(name, meta, autoload_with=connection)
             for name in ("workspaces", "teams", "touchpoints", "prompts", "proposals", "standards")}

    def insert(into: str, **values: Any) -> int:
        result = connection.execute(sa.insert(table[into]).values(**values)
                                    .returning(table[into].c.id))
        return int(result.scalar_one())

    def at(hour: int, minute: int = 0) -> datetime:
        return MONDAY.replace(hour=hour, minute=minute)

    ws = insert("workspaces", platform="slack", external_id="T-old", name="Old")
    team = insert("teams", workspace_id=ws, name="Crew", channel="C1", timezone="UTC",
                  template="airline", leads=["lena"], basic_after_weeks=8, focus_count=3,
                  prompt_at="mon 09:00", votes_close_at="thu 17:00", digest_at="fri 16:00",
                  quiet_days=[], paused=False)
    tp = insert("touchpoints", workspace_id=ws, team_id=team, slug="boarding", name="Boarding",
                description="", keywords=[], emoji="", position=1)
    prompt = insert("prompts", workspace_id=ws, team_id=team, week="2026-W47", touchpoint_ids=[tp],
                    example_moment_ids=[], opened_at=at(9), closes_at=at(17))
    proposals = [insert("proposals", workspace_id=ws, prompt_id=prompt, touchpoint_id=tp,
                        text=f"idea {n}", author_id="sam", anonymous=False, created_at=at(10))
                 for n in range(2)]

    def standard(proposal: int | None, adopted: datetime) -> int:
        return insert("standards", workspace_id=ws, team_id=team, touchpoint_id=tp, text="Do it",
                      adopted_by="lena", adopted_at=adopted, proposal_id=proposal, level="delight")

    later = standard(proposals[0], at(12, 1))
    earliest = standard(proposals[0], at(12))
    own = standard(None, at(12))
    latest = standard(proposals[0], at(12, 2))
    other_own = standard(None, at(12))
    single = standard(proposals[1], at(13))
    assert later < earliest < latest
    return {"proposal": proposals[0], "second": proposals[1], "earliest": earliest, "own": own,
            "other_own": other_own, "single": single}


# 5. the week's posts by hand


def test_two_leads_running_the_week_at_once_post_it_once(
    replicas: tuple[Replica, Replica],
) -> None:
    one, two = replicas
    teams = []
    for n in range(ROUNDS):
        ws, team_id = a_team(one, f"C-week-{n}")
        one.services.weekly.open_prompt(workspace_id=ws, team_id=team_id)  # Monday's prompt
        teams.append((ws, team_id, f"C-week-{n}"))
    assert isinstance(one.services.clock, FixedClock)
    one.services.clock.set(FRIDAY)  # the replicas share the clock
    gate = Rendezvous()
    for replica in (one, two):
        # Both leads past reading the open prompt before either closes it.
        weekly = replica.services.cycle._weekly  # noqa: SLF001
        close = weekly.close_votes

        def close_votes(*, close: Any = close, **kwargs: Any) -> Any:
            gate.meet()
            return close(**kwargs)

        weekly.close_votes = close_votes  # type: ignore[method-assign]
    posted: Counter[tuple[str, str, str]] = Counter()
    told = []
    for ws, _team_id, channel in teams:
        gate.next_round()
        pair = at_once(partial(one.router.handle, ChatContext(ws, channel, LEADS[0]), "/moments", "week"),
                       partial(two.router.handle, ChatContext(ws, channel, LEADS[1]), "/moments", "week"))
        for reply in pair:
            if reply.public:  # shown in the channel
                assert isinstance(reply.view, tuple)
                posts: tuple[Post, ...] = reply.view
                posted.update((p.channel, p.kind, p.week) for p in posts)
            else:
                told.append(reply)
    expected = Counter({(channel, kind, "2026-W47"): 1 for _ws, _t, channel in teams
                        for kind in ("votes_closed", "digest")})
    assert posted == expected
    assert len(told) == ROUNDS
    for reply in told:
        assert reply.text == ("This week's posts are already out, or another lead's "
                              f"{code('/moments week')} is sending them right now.")


class Killed(BaseException):
    """The scheduler's process is gone: nothing after this line runs."""


class DyingNotifier(RecordingNotifier):
    """Posts, then the process dies before it can record that."""

    def send(self, workspace: Workspace, post: Post) -> None:
        super().send(workspace, post)
        raise Killed


class LookingNotifier(RecordingNotifier):
    """A channel that can be read back, as Slack's can."""

    def __init__(self, channel: list[tuple[Workspace, Post]]) -> None:
        super().__init__()
        self.channel = channel

    def was_sent(self, workspace: Workspace, post: Post, since: datetime) -> bool | None:
        return any((p.channel, p.kind, p.week) == (post.channel, post.kind, post.week)
                   for _w, p in self.channel)


def test_a_lead_does_not_repeat_a_digest_a_dead_scheduler_was_sending(
    replicas: tuple[Replica, Replica],
) -> None:
    """The scheduler on one replica posts Friday's digest and dies before recording it; a lead
    runs `/moments week` on the other replica meanwhile. The lead is told it is being sent, and
    the scheduler's successor finds it in the channel: one digest in all."""
    scheduler, lead_side = replicas
    external_id = f"T{uuid.uuid4().hex}"
    ws, team_id = a_team(scheduler, "C-crash", external_id)
    workspace = scheduler.store.workspace(platform=Platform.SLACK, external_id=external_id)
    clock = scheduler.services.clock
    assert isinstance(clock, FixedClock)
    quiet = RecordingNotifier()
    for day in (datetime(2026, 11, 16, 8, 5, tzinfo=UTC), datetime(2026, 11, 19, 16, 5, tzinfo=UTC)):
        clock.set(day)  # Monday's prompt and Thursday's vote result go out as usual
        scheduler.services.delivery.run_due(workspace=workspace, team_id=team_id, notifier=quiet)
    assert [p.kind for _w, p in quiet.sent] == ["prompt", "votes_closed"]
    clock.set(datetime(2026, 11, 20, 15, 0, tzinfo=UTC))  # Friday 16:00 in Stockholm
    dying = DyingNotifier()
    with pytest.raises(Killed):
        scheduler.services.delivery.run_due(workspace=workspace, team_id=team_id, notifier=dying)
    clock.set(datetime(2026, 11, 20, 15, 5, tzinfo=UTC))
    reply = lead_side.router.handle(ChatContext(ws, "C-crash", LEADS[1]), "/moments", "week")
    by_hand = reply.view if reply.public and isinstance(reply.view, tuple) else ()
    clock.set(datetime(2026, 11, 20, 15, 20, tzinfo=UTC))  # the successor, past the in-flight wait
    successor = LookingNotifier(dying.sent)
    successor_services = Services(store=scheduler.store, clock=clock, make_filer=FakeFiler)
    successor_services.delivery.run_due(workspace=workspace, team_id=team_id, notifier=successor)
    channel = [p for _w, p in dying.sent + successor.sent] + list(by_hand)
    assert [(p.kind, p.week) for p in channel] == [("digest", "2026-W47")]
    assert reply.error and "already out" in reply.text
    with scheduler.store.transaction(ws) as repo:
        record = repo.post_record(team_id, "digest", "2026-W47")
    assert record is not None and record.sent_at is not None and record.sending_at is None
