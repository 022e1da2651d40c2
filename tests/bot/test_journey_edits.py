"""A lead's edits from a form (Slack's modal, Teams' journey card), applied by the core in one
order through the journey service: the service's rules hold, and a refusal says what was done."""

from __future__ import annotations

from bot.journey_edits import TouchpointEdits, apply_touchpoint_edits, default_name
from tests.conftest import LEAD, STAFF, World


def slugs(world: World) -> list[str]:
    return [t.slug for t in world.services.journey.touchpoints(workspace_id=world.ws, team_id=world.team.id)]


def test_a_new_touchpoint_is_added_first_so_every_old_one_can_be_retired(world: World) -> None:
    old = slugs(world)
    reply = apply_touchpoint_edits(world.services.journey, world.ws, world.team.id, LEAD,
                                   TouchpointEdits({}, tuple(old), ("bag-drop", default_name("bag-drop"))))
    assert not reply.error and slugs(world) == ["bag-drop"]
    assert "Bag Drop" in reply.text and reply.text.count("Retired ") == len(old)


def test_a_refusal_says_what_was_done_before_it(world: World) -> None:
    reply = apply_touchpoint_edits(world.services.journey, world.ws, world.team.id, LEAD,
                                   TouchpointEdits({"boarding": "Gate"}, ("no-such-place",), None))
    assert reply.error and "now called" in reply.text and "no-such-place" in reply.text
    assert "boarding" in slugs(world)


def test_a_colleague_who_is_no_lead_changes_nothing(world: World) -> None:
    before = slugs(world)
    reply = apply_touchpoint_edits(world.services.journey, world.ws, world.team.id, STAFF,
                                   TouchpointEdits({"boarding": "Gate"}, (), ("lounge", "Lounge")))
    assert reply.error and "Only the team's leads" in reply.text
    assert slugs(world) == before
