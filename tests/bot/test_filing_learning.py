"""Learning through the core: confirmations teach the workspace's filer, and only that one."""

from __future__ import annotations

import threading
from collections.abc import Sequence

from bot.commands import CommandRouter
from bot.domain import FilingFeedback, MomentKind, Platform, Touchpoint, Workspace
from bot.filebatch import template_touchpoints
from bot.filing import KeywordFiler
from bot.services import Services
from bot.services.base import FILER_REBUILT_AFTER, Deps
from tests.conftest import LEAD, MONDAY, STAFF, World
from tests.fakes import FixedClock, InMemoryStore


def two_workspaces() -> tuple[World, World]:
    store = InMemoryStore()
    clock = FixedClock(MONDAY)
    services = Services(store=store, clock=clock, make_filer=KeywordFiler)
    worlds = []
    for external in ("T-A", "T-B"):
        ws = store.workspace(platform=Platform.SLACK, external_id=external).id
        team = services.journey.setup_team(workspace_id=ws, actor=LEAD, channel="C-gate",
                                           name="Gate crew", template="airline",
                                           timezone="Europe/Stockholm")
        worlds.append(World(services, clock, store, ws, team, CommandRouter(services)))
    return worlds[0], worlds[1]


def confirm(world: World, text: str, slug: str) -> bool:
    """Report an OW and make sure it ends up at ``slug``, as a reporter would: picking it when
    asked, moving it when filed elsewhere. True: it was filed there without asking."""
    filed = world.services.moments.report(workspace_id=world.ws, team_id=world.team.id,
                                          actor=STAFF, kind=None, text=text,
                                          source=world.ctx().source)
    if filed.touchpoint is not None and filed.touchpoint.slug == slug:
        return True
    world.services.moments.refile(workspace_id=world.ws, moment_id=filed.moment.id,
                                  actor=STAFF, touchpoint=slug)
    return False


def test_confirmations_teach_their_own_workspace_and_no_other() -> None:
    a, b = two_workspaces()
    texts = ["the hub shuttle left people behind", "hub shuttle driver missing again",
             "nobody on the hub shuttle desk", "the hub shuttle was full"]
    unasked = [confirm(a, texts[n % len(texts)] + f" (day {n})", "boarding") for n in range(40)]
    assert not unasked[0]  # the template alone does not know the team's "hub shuttle"
    assert all(unasked[-5:])  # after some weeks of confirmations it files them unasked
    # Workspace B shares the process and the template, not what A taught its filer.
    assert not confirm(b, "the hub shuttle left people behind", "boarding")


def test_another_replicas_filer_forgets_a_deleted_persons_words_within_the_hour() -> None:
    a, _ = two_workspaces()
    other = Services(store=a.store, clock=a.clock, make_filer=KeywordFiler)  # another replica
    texts = ["the hub shuttle left people behind", "hub shuttle driver missing again"]
    for n in range(40):
        confirm(a, texts[n % 2] + f" (day {n})", "boarding")

    def files_unasked(services: Services) -> bool:
        return services.moments.report(workspace_id=a.ws, team_id=a.team.id, actor=LEAD, kind=None,
                                       text="the hub shuttle left people behind again",
                                       source=a.ctx().source).touchpoint is not None

    assert files_unasked(other)
    a.services.privacy.forget_me(workspace_id=a.ws, actor=STAFF)  # served by the first replica
    assert files_unasked(other)  # the other still knows the words, for now
    a.clock.advance(FILER_REBUILT_AFTER)
    assert not files_unasked(other)


def test_a_person_who_is_forgotten_no_longer_teaches_the_filer() -> None:
    """forget-me deletes the person's confirmations; the filer, which keeps recent confirmed
    texts to calibrate itself, is rebuilt from what is still stored."""
    a, _ = two_workspaces()
    texts = ["the hub shuttle left people behind", "hub shuttle driver missing again",
             "nobody on the hub shuttle desk", "the hub shuttle was full"]
    for n in range(40):
        confirm(a, texts[n % len(texts)] + f" (day {n})", "boarding")
    assert confirm(a, "the hub shuttle left people behind again", "boarding")
    a.services.privacy.forget_me(workspace_id=a.ws, actor=STAFF)
    assert not confirm(a, "the hub shuttle left people behind again", "boarding")


def test_one_filer_serving_many_threads_at_once_neither_fails_nor_learns_twice() -> None:
    touchpoints = template_touchpoints("airline")
    texts = [("the baggage belt stopped for an hour", "baggage"), ("gate agent found us seats", "boarding"),
             ("check-in queue was long", "check-in"), ("flight attendant was rude", "flight"),
             ("my booking vanished", "reservation"), ("cancelled flight again", "disruption")]
    shared = KeywordFiler()
    for n in range(60):
        text, slug = texts[n % len(texts)]
        shared.learn(f"{text} {n}", MomentKind.OW, slug, touchpoints)
    errors: list[BaseException] = []

    def work(offset: int) -> None:
        try:
            for n in range(300):  # each learn grows the kept confirmations: guesses re-score them
                text, slug = texts[(n + offset) % len(texts)]
                shared.learn(f"{text} x{n}", MomentKind.OW, slug, touchpoints)
                shared.guess(text, touchpoints)
        except Exception as err:  # noqa: BLE001 - collected for the assertion
            errors.append(err)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert shared.guess("the baggage belt stopped", touchpoints).ranked[0][0] == "baggage"


def test_a_furious_moment_is_learned_without_overflow() -> None:
    filer = KeywordFiler()
    touchpoints = template_touchpoints("airline")
    for text in ("😡" * 400, "terrible " * 400, "wonderful " * 400):
        filer.learn(text, MomentKind.OW, "baggage", touchpoints)
        filer.learn(text, MomentKind.WOW, "baggage", touchpoints)
    assert filer.guess("😡" * 400, touchpoints).kind is MomentKind.OW


class _Recording(KeywordFiler):
    """Remembers what it was taught; refuses one poisoned text, as a filer bug would."""

    def __init__(self) -> None:
        super().__init__()
        self.taught: list[str] = []

    def learn(self, text: str, kind: MomentKind | None, touchpoint_slug: str | None,
              touchpoints: Sequence[Touchpoint] = ()) -> None:
        if text == "poison":
            raise OverflowError("math range error")
        self.taught.append(text)


class _Feedback:
    """A workspace's stored confirmations as a repository shows them: ``visible`` are the ids
    committed so far (another transaction may hold a lower id it has not committed yet)."""

    def __init__(self) -> None:
        self.workspace = Workspace(1, Platform.SLACK, "T1", "")
        self.visible: list[int] = []
        self.texts: dict[int, str] = {}

    def filing_feedback(self, *, after_id: int = 0) -> list[FilingFeedback]:
        return [FilingFeedback(i, 1, i, self.texts[i], MomentKind.OW, "baggage", None, MONDAY)
                for i in sorted(self.visible) if i > after_id]

    def touchpoints(self, team_id: int) -> list[Touchpoint]:
        return template_touchpoints("airline")


def test_the_filer_learns_a_confirmation_that_committed_after_a_later_one_and_skips_a_poisoned_one(
) -> None:
    deps = Deps(store=InMemoryStore(), clock=FixedClock(MONDAY), make_filer=_Recording)
    repo = _Feedback()
    repo.texts = {1: "belt stopped", 2: "poison", 3: "slow transaction", 4: "bag lost", 5: "bag torn"}
    repo.visible = [1, 2, 4]  # 3 is taken by a transaction that has not committed yet
    filer = deps.filer(repo)  # type: ignore[arg-type]
    assert isinstance(filer, _Recording) and filer.taught == ["belt stopped", "bag lost"]
    repo.visible = [1, 2, 3, 4, 5]
    assert deps.filer(repo) is filer  # type: ignore[arg-type]
    assert filer.taught == ["belt stopped", "bag lost", "slow transaction", "bag torn"]
    deps.filer(repo)  # type: ignore[arg-type]
    assert len(filer.taught) == 4  # each taught once


def test_a_form_proposes_the_kind_the_teams_filer_reads_in_the_text() -> None:
    """The message shortcut's form: no WOW or OW said, the filer's reading of the text (its
    sentiment lexicon too, where our cue words are silent); WOW when it cannot tell."""
    world, _ = two_workspaces()

    def likely(text: str) -> MomentKind:
        return world.services.moments.likely_kind(workspace_id=world.ws, team_id=world.team.id, text=text)

    assert likely("we were fuming at the gate for an hour") is MomentKind.OW
    assert likely("the gate agent was a sweetheart to my mum") is MomentKind.WOW
    assert likely("flight 212 boarded at gate 4") is MomentKind.WOW
