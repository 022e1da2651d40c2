"""The whole method through the real services on SQLite and PostgreSQL, not only on the fake."""

from __future__ import annotations

import uuid
from datetime import timedelta

from bot.domain import StandardLevel
from bot.filing import KeywordFiler
from bot.services import Services
from storage import SqlStore
from tests.conftest import LEAD, OTHER, STAFF, World, make_world


def sql_world(store: SqlStore) -> World:
    world = make_world(store=store, external_id=f"T-{uuid.uuid4().hex[:8]}")  # type: ignore[arg-type]
    world.services = Services(store=store, clock=world.clock, make_filer=KeywordFiler)
    from bot.commands import CommandRouter

    world.router = CommandRouter(world.services)
    return world


def test_report_prompt_vote_adopt_digest_and_basic_on_sql(sql_store: SqlStore) -> None:
    world = sql_world(sql_store)
    say = world.router.handle
    for text in ("40 minutes in the check-in queue", "only one check-in desk open",
                 "gate changed twice at boarding"):
        assert not say(world.ctx(STAFF), "/ow", text).error
    assert not say(world.ctx(OTHER), "/wow", "@sam carried a pram up the stairs at boarding").error
    ranking = world.services.weekly.prioritise(workspace_id=world.ws, team_id=world.team.id)
    assert ranking[0].touchpoint.slug == "check-in"
    assert say(world.ctx(LEAD), "/moments", "prompt").public
    assert not say(world.ctx(STAFF), "/moments", "propose #check-in Open the spare desk at ten").error
    prompt = world.services.weekly.current_prompt(workspace_id=world.ws, team_id=world.team.id)
    assert prompt is not None
    proposal = world.services.reports.prompt(workspace_id=world.ws, prompt_id=prompt.id).proposals[0]
    assert "counts (1 vote now)" in say(world.ctx(OTHER), "/moments", f"vote {proposal.id}").text
    assert "already voted" in say(world.ctx(OTHER), "/moments", f"vote {proposal.id}").text
    assert say(world.ctx(STAFF), "/moments", f"adopt {proposal.id}").error  # not a lead
    assert "New service standard" in say(world.ctx(LEAD), "/moments", f"adopt {proposal.id}").text
    digest = world.services.reports.digest(workspace_id=world.ws, team_id=world.team.id)
    assert [s.text for s in digest.new_standards] == ["Open the spare desk at ten"]
    assert digest.shoutouts and digest.shoutouts[0].credited == ("Sam",)
    world.clock.advance(timedelta(weeks=13))
    turned = world.services.weekly.review_standards(workspace_id=world.ws, team_id=world.team.id)
    assert [s.level for s in turned] == [StandardLevel.BASIC]
    fresh, new = world.services.weekly.open_prompt(workspace_id=world.ws, team_id=world.team.id)
    assert new and len(fresh.touchpoint_ids) == 1


def test_asked_filing_is_learned_and_survives_a_restart_on_sql(sql_store: SqlStore) -> None:
    world = sql_world(sql_store)
    text = "the coffee was cold and the crew shrugged"
    for attempt in range(2):  # a filer may want a second confirmation before it trusts one
        asked = world.router.handle(world.ctx(STAFF), "/ow", text)
        if attempt and not asked.choices:
            break
        assert asked.choices, asked.text
        flight = next(c for c in asked.choices if dict(c.action.args)["touchpoint"] == "flight")
        world.router.act(world.ctx(STAFF), flight.action)
    restarted = Services(store=sql_store, clock=world.clock, make_filer=KeywordFiler)
    guess = restarted.moments.report(workspace_id=world.ws, team_id=world.team.id, actor=STAFF,
                                     kind=None, text=text, source=world.ctx().source)
    assert guess.touchpoint is not None and guess.touchpoint.slug == "flight"
