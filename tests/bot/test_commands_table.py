"""The command table: help made from it, buttons running the typed commands' handlers, the
lead checks in the services, and `/moments export` as the core returns it."""

from __future__ import annotations

import pytest

from bot.commands import COMMANDS, HELP
from bot.domain import MomentKind
from bot.errors import NotAllowed
from bot.markup import code
from bot.views import VOTE, Action, MomentsExport
from tests.conftest import ADMIN, LEAD, STAFF, World


def test_help_lists_every_command_once_with_who_may_run_it() -> None:
    for entry in COMMANDS:
        assert HELP.count(entry.line) == 1
    assert code("/moments export") + " — the team's moments as a CSV file, sent only to you (leads)" in HELP


def test_a_vote_button_and_a_typed_vote_are_one_handler(world: World) -> None:
    world.router.handle(world.ctx(STAFF), "/ow", "#boarding gate chaos")
    world.router.handle(world.ctx(LEAD), "/moments", "prompt")
    proposed = world.router.handle(world.ctx(STAFF), "/moments", "propose open a second lane")
    pid = proposed.text.split()[2]
    clicked = world.router.act(world.ctx(STAFF), Action.of(VOTE, proposal=pid))
    typed = world.router.handle(world.ctx(STAFF), "/moments", f"vote {pid}")
    assert "counts (1 vote now)" in clicked.text and "already voted" in typed.text


def test_the_weekly_cycle_by_hand_is_refused_by_the_service(world: World) -> None:
    with pytest.raises(NotAllowed):
        world.services.cycle.run_week(workspace_id=world.ws, team_id=world.team.id, actor=STAFF)
    assert "Only the team's leads" in world.say(STAFF, "/moments", "week")


def test_export_service_rows_are_redacted_and_an_ow_names_nobody(world: World) -> None:
    world.router.handle(world.ctx(STAFF), "/wow", "#boarding @omar carried a pram, call 0701234567")
    world.router.handle(world.ctx(STAFF), "/ow", "#boarding @omar was slow")
    export = world.services.reports.export_moments(workspace_id=world.ws, team_id=world.team.id,
                                                   actor=ADMIN)
    assert isinstance(export, MomentsExport)
    wow, ow = export.rows
    assert wow.kind is MomentKind.WOW and wow.credited and "0701234567" not in wow.text
    assert ow.kind is MomentKind.OW and ow.credited == ()
    assert "0701234567" not in export.csv()
    with pytest.raises(NotAllowed):
        world.services.reports.export_moments(workspace_id=world.ws, team_id=world.team.id,
                                              actor=STAFF)
