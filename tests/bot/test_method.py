"""The five steps of the method, end to end through the services and the chat commands."""

from __future__ import annotations

from datetime import timedelta

from bot.domain import Filing, MomentKind, Source, StandardLevel
from bot.services import Actor
from bot.views import ADOPT, VOTE
from tests.conftest import ADMIN, LEAD, OTHER, STAFF, World


def report(world: World, kind: MomentKind, text: str, actor=STAFF):  # noqa: ANN001, ANN201
    return world.services.moments.report(
        workspace_id=world.ws, team_id=world.team.id, actor=actor, kind=kind, text=text,
        source=Source.COMMAND,
    )


def test_whole_cycle_from_ow_to_basic_standard(world: World) -> None:
    s, ws, team = world.services, world.ws, world.team
    # last week: two check-in OWs; this week: five, and a boarding OW
    world.clock.advance(timedelta(weeks=-1))
    for n in range(2):  # two people: the same person sending it again is one moment
        report(world, MomentKind.OW, "40 minutes in the queue at check-in", Actor(f"crew{n}"))
    world.clock.advance(timedelta(weeks=1))
    for n in range(5):
        report(world, MomentKind.OW, f"queue at check-in again, {n}")
    report(world, MomentKind.OW, "boarding started late and nobody said why")
    wow = report(world, MomentKind.WOW, "@omar found a seat for a family at boarding")
    assert wow.moment.credited == ("omar",)

    # step 1: check-in ranks first, explained in words
    ranking = s.weekly.prioritise(workspace_id=ws, team_id=team.id)
    assert ranking[0].touchpoint.slug == "check-in"
    assert ranking[0].reason.startswith("Check-in: 5 OWs this week, up from 2")
    assert ranking[1].touchpoint.slug == "boarding"

    # step 2: the prompt asks about the two worst touchpoints, with recent OW examples
    prompt, new = s.weekly.open_prompt(workspace_id=ws, team_id=team.id)
    assert new and prompt.week == "2026-W47"
    view = s.reports.prompt(workspace_id=ws, prompt_id=prompt.id)
    assert [f.touchpoint.slug for f in view.focus] == ["check-in", "boarding"]
    assert view.focus[0].examples[0] == "queue at check-in again, 4"
    again, new_again = s.weekly.open_prompt(workspace_id=ws, team_id=team.id)
    assert again.id == prompt.id and not new_again

    kiosk = s.weekly.propose(workspace_id=ws, prompt_id=prompt.id, actor=STAFF,
                             text="Open a second bag-drop desk when the queue passes 10",
                             touchpoint="check-in")
    host = s.weekly.propose(workspace_id=ws, prompt_id=prompt.id, actor=OTHER,
                            text="A host walks the queue with water", touchpoint="check-in",
                            anonymous=True)

    # step 3: one vote per person per proposal
    assert s.weekly.vote(workspace_id=ws, proposal_id=kiosk.id, actor=OTHER) == (True, 1)
    assert s.weekly.vote(workspace_id=ws, proposal_id=kiosk.id, actor=OTHER) == (False, 1)
    assert s.weekly.vote(workspace_id=ws, proposal_id=kiosk.id, actor=LEAD) == (True, 2)
    assert s.weekly.vote(workspace_id=ws, proposal_id=host.id, actor=STAFF) == (True, 1)
    view = s.reports.prompt(workspace_id=ws, prompt_id=prompt.id)
    assert [p.author for p in view.proposals] == ["Sam", None]  # anonymous stays anonymous

    # the vote closes at the deadline: Thursday 17:00 Stockholm time
    assert prompt.closes_at.isoformat() == "2026-11-19T16:00:00+00:00"
    world.clock.set(prompt.closes_at)
    posts = s.cycle.close_due_votes(workspace_id=ws, team_id=team.id)
    assert [p.kind for p in posts] == ["votes_closed"]
    result = s.weekly.results(workspace_id=ws, prompt_id=prompt.id)
    assert [(p.id, votes) for p, votes in result.ranked] == [(kiosk.id, 2), (host.id, 1)]
    late = world.router.handle(world.ctx(ADMIN), "/moments", f"vote {host.id}")
    assert late.error and "closed" in late.text

    # step 4: the lead adopts the winner
    standard = s.weekly.adopt(workspace_id=ws, proposal_id=kiosk.id, actor=LEAD)
    assert standard.level is StandardLevel.DELIGHT and standard.adopted_by == "lena"

    # the digest: new standard first, then WOW/OW per touchpoint with the change, shout-outs
    digest = s.reports.digest(workspace_id=ws, team_id=team.id)
    assert [x.text for x in digest.new_standards] == [kiosk.text]
    check_in = next(t for t in digest.touchpoints if t.touchpoint.slug == "check-in")
    assert (check_in.ows, check_in.ows_last_week) == (5, 2)
    assert digest.shoutouts[0].credited == ("Omar",)
    assert (digest.wows, digest.ows) == (1, 6)

    # step 5: twelve weeks on the standard is what customers expect; check-in needs fresh ideas
    world.clock.advance(timedelta(weeks=11))
    assert s.weekly.review_standards(workspace_id=ws, team_id=team.id) == []
    world.clock.advance(timedelta(weeks=1))
    turned = s.weekly.review_standards(workspace_id=ws, team_id=team.id)
    assert [t.id for t in turned] == [standard.id] and turned[0].level is StandardLevel.BASIC
    ranking = s.weekly.prioritise(workspace_id=ws, team_id=team.id)
    assert ranking[0].touchpoint.slug == "check-in"
    assert "fresh ideas" in ranking[0].reason
    digest = s.reports.digest(workspace_id=ws, team_id=team.id)
    assert [x.id for x in digest.turned_basic] == [standard.id]
    # the next prompt asks about check-in again although nobody logged an OW there lately
    fresh, _ = s.weekly.open_prompt(workspace_id=ws, team_id=team.id)
    assert fresh.touchpoint_ids[0] == next(
        t.id for t in s.journey.touchpoints(workspace_id=ws, team_id=team.id)
        if t.slug == "check-in")


def test_prompt_choices_vote_and_adopt_through_chat(world: World) -> None:
    world.say(STAFF, "/ow", "#boarding gate changed twice without an announcement")
    reply = world.router.handle(world.ctx(LEAD), "/moments", "prompt")
    assert "Boarding" in reply.text and reply.public
    world.say(STAFF, "/moments", "propose Announce every gate change twice, in two languages")
    reply = world.router.handle(world.ctx(OTHER), "/moments", "prompt")
    votes = [c for c in reply.choices if c.action.name == VOTE]
    assert len(votes) == 1 and not any(c.action.name == ADOPT for c in reply.choices)
    assert "counts (1 vote now)" in world.router.act(world.ctx(OTHER), votes[0].action).text
    lead_view = world.router.handle(world.ctx(LEAD), "/moments", "prompt")
    adopt = next(c for c in lead_view.choices if c.action.name == ADOPT)
    adopted = world.router.act(world.ctx(LEAD), adopt.action)
    assert "New service standard" in adopted.text and "Announce every gate change" in adopted.text
    assert "Announce every gate change" in world.say(STAFF, "/moments", "standards")


def test_no_prompt_when_nothing_hurts(world: World) -> None:
    reply = world.router.handle(world.ctx(LEAD), "/moments", "prompt")
    assert reply.error and "nothing to ask about" in reply.text
    assert world.services.cycle.post_prompt(workspace_id=world.ws, team_id=world.team.id) == []


def test_run_week_closes_digests_and_prompts(world: World) -> None:
    world.say(STAFF, "/ow", "#baggage bag came out last after 50 minutes")
    reply = world.router.handle(world.ctx(LEAD), "/moments", "week")
    kinds = [p.kind for p in reply.view]  # type: ignore[union-attr]
    assert kinds == ["digest", "prompt"]
    assert "weekly digest, 2026-W47" in reply.text
    world.say(STAFF, "/moments", "propose Call the customer when the bag is found")
    again = world.router.handle(world.ctx(LEAD), "/moments", "week")
    assert [p.kind for p in again.view][0] == "votes_closed"  # type: ignore[union-attr]
    current = world.services.weekly.current_prompt(workspace_id=world.ws, team_id=world.team.id)
    assert current is not None and current.closed_at is not None


def test_asked_filing_then_pick_is_confirmed_and_learned(world: World) -> None:
    reply = world.router.handle(world.ctx(), "/ow", "long wait between boarding and baggage")
    assert reply.choices and reply.choices[0].label.endswith("Boarding")
    assert reply.choices[-1].label == "None of these"
    moment = world.services.reports.moment(workspace_id=world.ws, moment_id=reply.view.id)  # type: ignore[union-attr]
    assert moment.touchpoint is None
    picked = world.router.act(world.ctx(), reply.choices[1].action)
    assert "filed under 🧳 Baggage" in picked.text or "Baggage" in picked.text
    with world.store.transaction(world.ws) as repo:
        stored = repo.moment(moment.id)
        assert stored is not None and stored.filing is Filing.CONFIRMED
        feedback = repo.filing_feedback()
        assert [(f.touchpoint_slug, f.moment_id) for f in feedback] == [("baggage", moment.id)]
    # the filer learned: the same text now files itself
    again = world.router.handle(world.ctx(), "/ow", "long wait between boarding and baggage")
    assert not again.choices and "Baggage" in again.text


def test_a_correction_in_one_replica_teaches_the_other(world: World) -> None:
    from bot.services import Services
    from tests.fakes import FakeFiler

    replica = Services(store=world.store, clock=world.clock, make_filer=FakeFiler)
    text = "long wait between boarding and baggage"
    assert replica.moments.report(workspace_id=world.ws, team_id=world.team.id, actor=STAFF,
                                  kind=MomentKind.OW, text=text, source=Source.COMMAND).choices
    asked = world.router.handle(world.ctx(), "/ow", text)
    world.router.act(world.ctx(), asked.choices[1].action)  # picks Baggage in this replica
    again = replica.moments.report(workspace_id=world.ws, team_id=world.team.id, actor=STAFF,
                                   kind=MomentKind.OW, text=text, source=Source.COMMAND)
    assert again.touchpoint is not None and again.touchpoint.slug == "baggage"


def test_home_shows_my_moments_the_week_the_open_prompt_and_standards(world: World) -> None:
    world.say(STAFF, "/ow", "#check-in queue out the door")
    world.say(OTHER, "/wow", "#boarding lovely welcome")
    world.say(LEAD, "/moments", "prompt")
    home = world.services.reports.home(workspace_id=world.ws, team_id=world.team.id, user_id="sam")
    assert home.team == "Gate crew" and not home.is_lead
    assert [m.text for m in home.my_moments] == ["queue out the door"]
    assert home.week is not None and (home.week.wows, home.week.ows) == (1, 1)
    assert home.open_prompt is not None and home.open_prompt.focus[0].touchpoint.slug == "check-in"
    assert world.services.reports.home(workspace_id=world.ws, team_id=world.team.id,
                                       user_id="lena").is_lead
    assert world.services.reports.home(workspace_id=world.ws, team_id=None, user_id="x").team is None


def test_digest_shows_whether_an_older_standard_helped(world: World) -> None:
    world.clock.advance(timedelta(weeks=-6))
    for n in range(4):
        report(world, MomentKind.OW, "#check-in queue out the door", Actor(f"crew{n}"))
    report(world, MomentKind.WOW, "#check-in quick and friendly")
    world.router.handle(world.ctx(LEAD), "/moments", "prompt")
    world.router.handle(world.ctx(STAFF), "/moments", "propose Open the spare desk at ten people")
    prompt = world.services.weekly.current_prompt(workspace_id=world.ws, team_id=world.team.id)
    assert prompt is not None
    proposal = world.services.reports.prompt(workspace_id=world.ws, prompt_id=prompt.id).proposals[0]
    world.clock.advance(timedelta(hours=3))
    world.services.weekly.adopt(workspace_id=world.ws, proposal_id=proposal.id, actor=LEAD)
    world.clock.advance(timedelta(weeks=1))
    report(world, MomentKind.OW, "#check-in queue again")
    for n in range(3):
        report(world, MomentKind.WOW, "#check-in spare desk opened right away", Actor(f"crew{n}"))
    world.clock.advance(timedelta(weeks=2))
    assert world.services.reports.digest(workspace_id=world.ws, team_id=world.team.id).impact == ()
    world.clock.advance(timedelta(weeks=3))
    digest = world.services.reports.digest(workspace_id=world.ws, team_id=world.team.id)
    [impact] = digest.impact
    assert (impact.moments_before, impact.moments_since) == (5, 4)
    assert (impact.ow_share_before, impact.ow_share_since) == (0.8, 0.25)
    from bot.text import digest as render

    assert "80% of 5 → 25% of 4" in render(digest).text
