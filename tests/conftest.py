from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from bot.commands import ChatContext, CommandRouter
from bot.domain import Platform, Source, Team
from bot.filing import KeywordFiler
from bot.services import Actor, Services
from tests.fakes import FakeFiler, FixedClock, InMemoryStore

MONDAY = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)  # ISO week 2026-W47
LEAD = Actor("lena", "Lena", is_admin=False)
ADMIN = Actor("ada", "Ada", is_admin=True)
STAFF = Actor("sam", "Sam")
OTHER = Actor("omar", "Omar")


@dataclass
class World:
    services: Services
    clock: FixedClock
    store: InMemoryStore
    ws: int
    team: Team
    router: CommandRouter

    def ctx(self, actor: Actor = STAFF, source: Source = Source.COMMAND) -> ChatContext:
        return ChatContext(self.ws, self.team.channel, actor, source)

    def say(self, actor: Actor, command: str, text: str = "") -> str:
        reply = self.router.handle(self.ctx(actor), command, text)
        return reply.text


def make_world(store: InMemoryStore | None = None, external_id: str = "T1",
               template: str = "airline", timezone: str = "Europe/Stockholm") -> World:
    store = store or InMemoryStore()
    clock = FixedClock(MONDAY)
    services = Services(store=store, clock=clock, make_filer=FakeFiler)
    ws = store.workspace(platform=Platform.SLACK, external_id=external_id).id
    team = services.journey.setup_team(workspace_id=ws, actor=LEAD, channel="C-gate",
                                       name="Gate crew", template=template, timezone=timezone)
    return World(services, clock, store, ws, team, CommandRouter(services))


@pytest.fixture
def world() -> World:
    return make_world()


@pytest.fixture
def filer() -> KeywordFiler:
    """A cold filer: the journey template alone."""
    return KeywordFiler()


# `make test-fast` runs `-m "not postgres and not slow"`: the unit tests. These are left out, by
# what they need (the Slack door harness: signed requests into Bolt against a Web API stand-in
# served over HTTP) or by module name (servers, subprocesses, threads racing on SQL, migrations,
# the large template tables). `make test`, which CI runs, runs them all.
SLOW_FIXTURES = frozenset({"slack"})
SLOW_MODULES = frozenset({
    "test_http.py", "test_http_door.py", "test_http_rules.py", "test_payload_properties.py",
    "test_sigterm.py", "test_console_and_cli.py", "test_core_imports.py", "test_migrations.py",
    "test_moment_races.py", "test_cycle_races.py", "test_scheduler_replicas.py",
    "test_template_clinic.py", "test_template_hotel.py", "test_template_retail.py",
    "test_filing_learning.py", "test_properties.py",
})


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.name in SLOW_MODULES or SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
