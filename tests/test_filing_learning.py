"""Learning through the core: confirmations teach the workspace's filer, and only that one."""

from __future__ import annotations

from bot.commands import CommandRouter
from bot.domain import Platform
from bot.filing import KeywordFiler
from bot.services import Services
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
