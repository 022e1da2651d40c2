"""The whole organisation in the core: standards that spread between sibling teams, the
organisation channel an admin picks, and the organisation digest (figures, never moments)."""

from __future__ import annotations

import json
from dataclasses import asdict, replace
from datetime import timedelta

import pytest

from bot import org_text
from bot.errors import NotAllowed, UserError
from bot.services import Actor
from tests.conftest import ADMIN, LEAD, OTHER, STAFF, World, make_world

ARLANDA_LEAD = Actor("alex", "Alex")
SECRET_OW = "the queue at check-in took forty minutes zebra-secret"
REPORTER = Actor("reporter-9f3", "Rita Reporter")


def two_sites() -> tuple[World, int]:
    """Gate crew (the world's team) and Arlanda gate crew, both on the airline journey."""
    world = make_world()
    arlanda = world.services.journey.setup_team(
        workspace_id=world.ws, actor=ARLANDA_LEAD, channel="C-arn", name="Arlanda gate crew",
        template="airline", timezone="Europe/Stockholm")
    return world, arlanda.id


def at(world: World, channel: str, actor: Actor, command: str, text: str = "") -> str:
    ctx = replace(world.ctx(actor), channel=channel)
    return world.router.handle(ctx, command, text).text


def adopt_at_arlanda(world: World, arlanda: int) -> int:
    """Arlanda's week: OWs at check-in, a prompt, a proposal, a vote, a standard."""
    at(world, "C-arn", REPORTER, "/ow", f"#check-in {SECRET_OW}")
    prompt, _ = world.services.weekly.open_prompt(workspace_id=world.ws, team_id=arlanda)
    world.clock.advance(timedelta(hours=6))
    proposal = world.services.weekly.propose(workspace_id=world.ws, prompt_id=prompt.id,
                                             actor=STAFF, text="Open the spare desk at ten people",
                                             touchpoint="check-in")
    world.services.weekly.vote(workspace_id=world.ws, proposal_id=proposal.id, actor=OTHER)
    return world.services.weekly.adopt(workspace_id=world.ws, proposal_id=proposal.id,
                                       actor=ARLANDA_LEAD).id


def test_a_standard_adopted_in_one_team_is_a_candidate_in_a_siblings_next_prompt() -> None:
    world, arlanda = two_sites()
    origin = adopt_at_arlanda(world, arlanda)
    world.clock.advance(timedelta(weeks=1))
    world.router.handle(world.ctx(STAFF), "/ow", "#check-in an hour in the queue")
    prompt, new = world.services.weekly.open_prompt(workspace_id=world.ws, team_id=world.team.id)
    assert new
    view = world.services.reports.prompt(workspace_id=world.ws, prompt_id=prompt.id)
    [candidate] = view.proposals
    assert candidate.text == "Open the spare desk at ten people"
    assert candidate.origin == "Arlanda gate crew"
    assert candidate.author == "🌍 Arlanda gate crew adopted this"
    text = world.say(LEAD, "/moments", "prompt")
    assert "Arlanda gate crew adopted this" in text
    # voted on and adopted like the team's own proposals, keeping who adopted it first
    world.services.weekly.vote(workspace_id=world.ws, proposal_id=candidate.id, actor=STAFF)
    adopted = world.say(LEAD, "/moments", f"adopt {candidate.id}")
    assert "First adopted by Arlanda gate crew." in adopted
    [standard] = world.services.weekly.standards(workspace_id=world.ws, team_id=world.team.id)
    assert standard.origin_id == origin and standard.team_id == world.team.id
    # offered once: the next prompt does not offer it again
    world.clock.advance(timedelta(weeks=1))
    world.router.handle(world.ctx(STAFF), "/ow", "#check-in still slow")
    again, _ = world.services.weekly.open_prompt(workspace_id=world.ws, team_id=world.team.id)
    assert world.services.reports.prompt(workspace_id=world.ws, prompt_id=again.id).proposals == ()


def test_a_team_on_another_journey_or_without_the_touchpoint_is_not_offered_it() -> None:
    world, arlanda = two_sites()
    hotel = world.services.journey.setup_team(workspace_id=world.ws, actor=LEAD, channel="C-hotel",
                                              name="Front desk", template="hotel")
    world.services.journey.add_touchpoint(workspace_id=world.ws, team_id=hotel.id, actor=LEAD,
                                          slug="check-in", name="Check-in")
    adopt_at_arlanda(world, arlanda)
    world.clock.advance(timedelta(weeks=1))
    at(world, "C-hotel", STAFF, "/ow", "#check-in the room was not ready")
    prompt, _ = world.services.weekly.open_prompt(workspace_id=world.ws, team_id=hotel.id)
    assert world.services.reports.prompt(workspace_id=world.ws, prompt_id=prompt.id).proposals == ()


def test_only_admins_pick_the_organisation_channel() -> None:
    world, _arlanda = two_sites()
    with pytest.raises(NotAllowed):
        world.services.org.setup(workspace_id=world.ws, actor=LEAD, channel="#all-sites")
    with pytest.raises(UserError, match="channel of the team Gate crew"):
        world.services.org.setup(workspace_id=world.ws, actor=ADMIN, channel="#C-gate")
    reply = world.say(ADMIN, "/moments", "org setup #all-sites at=\"fri 17:30\"")
    assert "#all-sites" in reply and "fri 17:30" in reply and "Europe/Stockholm" in reply
    shown = world.say(STAFF, "/moments", "org")
    assert "2 team(s)" in shown and "Fri 20 Nov 17:30" in shown  # this Friday
    assert "Only workspace admins" in world.say(LEAD, "/moments", "org off")
    assert world.say(ADMIN, "/moments", "org off").startswith("The organisation channel is switched off")


def test_the_organisation_digest_puts_teams_side_by_side_with_figures_never_moments() -> None:
    world, arlanda = two_sites()
    world.router.handle(world.ctx(REPORTER), "/ow", f"#boarding {SECRET_OW}")
    world.router.handle(world.ctx(REPORTER), "/wow", "#boarding @omar zebra-secret found seats")
    adopt_at_arlanda(world, arlanda)
    world.clock.advance(timedelta(days=2))
    at(world, "C-arn", REPORTER, "/wow", "#check-in zebra-secret the spare desk opened at once")
    view = world.services.org.digest(workspace_id=world.ws)
    [group] = view.groups
    assert group.template == "airline" and group.teams == ("Gate crew", "Arlanda gate crew")
    by_slug = {r.touchpoint.slug: r for r in group.rows}
    assert [(c.team, c.wows, c.ows) for c in by_slug["boarding"].teams] == [
        ("Gate crew", 1, 1), ("Arlanda gate crew", 0, 0)]
    assert {h.touchpoint.slug for h in group.hotspots} == {"boarding", "check-in"}
    [spread] = group.spread
    assert spread.origin_team == "Arlanda gate crew" and spread.siblings == 2
    assert spread.new_this_week == ("Arlanda gate crew",)
    assert [a.team for a in spread.adoptions] == ["Arlanda gate crew"]
    first = spread.adoptions[0]
    assert (first.share_before, first.moments_before, first.share_since, first.moments_since) == (
        1.0, 1, 0.0, 1)  # the OW before it was adopted, the WOW since
    rendered = org_text.digest(view).text
    assert "first adopted by Arlanda gate crew; followed by 1 of 2 teams" in rendered
    for secret in ("zebra-secret", REPORTER.user_id, REPORTER.display_name, "Alex", STAFF.user_id):
        assert secret not in rendered
        assert secret not in json.dumps(asdict(view), default=str)
