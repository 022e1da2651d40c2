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
# served over HTTP), by module name (servers, subprocesses, threads racing on SQL, migrations,
# the large template tables, the pattern sandbox's spawned workers) or one by one (whole-week
# simulations, real Retry-After waits, the rules check over every shipped rule). `make test`,
# which CI runs, runs them all.
SLOW_FIXTURES = frozenset({"slack"})
SLOW_MODULES = frozenset({
    "test_http.py", "test_http_door.py", "test_http_rules.py", "test_payload_properties.py",
    "test_sigterm.py", "test_console_and_cli.py", "test_core_imports.py", "test_migrations.py",
    "test_moment_races.py", "test_cycle_races.py", "test_scheduler_replicas.py",
    "test_template_clinic.py", "test_template_hotel.py", "test_template_retail.py",
    "test_filing_learning.py", "test_properties.py", "test_pattern_sandbox.py",
    "test_delivery_dst.py", "test_chart_links.py",
})
# "module::test" (every case of it) or "module::test[case]" (one case)
SLOW_TESTS = frozenset({
    "test_cycle.py::test_a_whole_week_across_the_autumn_dst_change_in_three_timezones",
    "test_delivery.py::test_a_whole_week_for_two_teams_in_different_timezones",
    "test_notifier.py::test_failures_become_delivery_errors[429-ratelimited-False-1.0]",
    "test_rulecheck.py::test_the_command_exits_non_zero_with_strict_only_when_problems_exist",
})


def is_slow(item: pytest.Item) -> bool:
    here = item.path.name
    return (here in SLOW_MODULES or bool(SLOW_FIXTURES & set(getattr(item, "fixturenames", ())))
            or f"{here}::{item.name}" in SLOW_TESTS
            or f"{here}::{getattr(item, 'originalname', item.name)}" in SLOW_TESTS)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if is_slow(item):
            item.add_marker(pytest.mark.slow)
