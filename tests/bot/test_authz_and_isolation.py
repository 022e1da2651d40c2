"""Only leads and admins change the method's outcomes; no workspace sees another's data."""

from __future__ import annotations

import pytest

from bot.errors import NotAllowed, NotFound
from bot.markup import bold
from tests.conftest import ADMIN, LEAD, OTHER, STAFF, World, make_world


def open_round(world: World) -> int:
    world.say(STAFF, "/ow", "#check-in queue out the door")
    world.say(LEAD, "/moments", "prompt")
    world.say(STAFF, "/moments", "propose Open the spare desk at 10 people")
    prompt = world.services.weekly.current_prompt(workspace_id=world.ws, team_id=world.team.id)
    assert prompt is not None
    return world.services.reports.prompt(workspace_id=world.ws, prompt_id=prompt.id).proposals[0].id


def test_non_lead_cannot_adopt_close_or_edit_the_journey(world: World) -> None:
    proposal = open_round(world)
    with pytest.raises(NotAllowed):
        world.services.weekly.adopt(workspace_id=world.ws, proposal_id=proposal, actor=STAFF)
    for command in (f"adopt {proposal}", "close", "week", "touchpoints retire boarding",
                    "touchpoints add lounge Lounge", "leads add @sam", "setup tz=UTC"):
        reply = world.router.handle(world.ctx(STAFF), "/moments", command)
        assert reply.error, command
        assert "leads" in reply.text.lower() or "admins" in reply.text.lower(), command
    assert world.services.weekly.standards(workspace_id=world.ws, team_id=world.team.id) == []
    names = [t.slug for t in world.services.journey.touchpoints(workspace_id=world.ws,
                                                                 team_id=world.team.id)]
    assert "boarding" in names and "lounge" not in names


def test_admin_and_added_lead_can_adopt(world: World) -> None:
    proposal = open_round(world)
    assert not world.router.handle(world.ctx(ADMIN), "/moments", f"adopt {proposal}").error
    world.say(LEAD, "/moments", "leads add @omar")
    world.say(STAFF, "/moments", "propose Greet the queue with an ETA")
    prompt = world.services.weekly.current_prompt(workspace_id=world.ws, team_id=world.team.id)
    assert prompt is not None
    second = world.services.reports.prompt(workspace_id=world.ws, prompt_id=prompt.id).proposals[1]
    assert not world.router.handle(world.ctx(OTHER), "/moments", f"adopt {second.id}").error
    again = world.router.handle(world.ctx(OTHER), "/moments", f"adopt {second.id}")
    assert again.error and "already a service standard" in again.text


def test_leads_edit_the_journey_and_history_is_kept(world: World) -> None:
    world.say(STAFF, "/ow", "#boarding gate chaos")
    added = world.say(LEAD, "/moments", "touchpoints add lounge Lounge")
    assert f"Added touchpoint {bold('Lounge')}" in added
    assert f"is now called {bold('Gate')}" in world.say(LEAD, "/moments", "touchpoints rename boarding Gate")
    world.say(LEAD, "/moments", "touchpoints move lounge 1")
    assert f"Retired {bold('Gate')}" in world.say(LEAD, "/moments", "touchpoints retire boarding")
    journey = world.services.journey.touchpoints(workspace_id=world.ws, team_id=world.team.id,
                                                 include_retired=True)
    assert journey[0].slug == "lounge"
    gate = next(t for t in journey if t.slug == "boarding")
    assert gate.name == "Gate" and not gate.active
    # the old OW still counts in this week's digest, under its renamed, retired touchpoint
    digest = world.services.reports.digest(workspace_id=world.ws, team_id=world.team.id)
    assert any(t.touchpoint.name == "Gate" and t.ows == 1 for t in digest.touchpoints)
    reply = world.router.handle(world.ctx(), "/ow", "#boarding gate chaos again")
    assert reply.error and "don't know the touchpoint" in reply.text


def test_workspaces_cannot_reach_each_other() -> None:
    a = make_world(external_id="TA")
    b = make_world(store=a.store, external_id="TB")
    proposal = open_round(a)
    with a.store.transaction(a.ws) as repo:
        [moment] = repo.moments(a.team.id)
    s = b.services
    with pytest.raises(NotFound):
        s.moments.refile(workspace_id=b.ws, moment_id=moment.id, actor=STAFF, touchpoint="flight")
    with pytest.raises(NotFound):
        s.moments.retract(workspace_id=b.ws, moment_id=moment.id, actor=STAFF)
    with pytest.raises(NotFound):
        s.weekly.vote(workspace_id=b.ws, proposal_id=proposal, actor=STAFF)
    with pytest.raises(NotFound):
        s.weekly.adopt(workspace_id=b.ws, proposal_id=proposal, actor=ADMIN)
    with pytest.raises(NotFound):
        s.reports.moment(workspace_id=b.ws, moment_id=moment.id)
    with pytest.raises(NotFound):
        s.reports.digest(workspace_id=b.ws, team_id=a.team.id)
    # same channel name in B is B's own team, and it is empty
    assert b.services.reports.digest(workspace_id=b.ws, team_id=b.team.id).ows == 0
    assert a.services.reports.digest(workspace_id=a.ws, team_id=a.team.id).ows == 1
