"""The bot.ports.Store contract, run on the in-memory fake, SQLite and PostgreSQL alike.

Each test makes its own workspaces with random external ids, so tests stay independent even on
the PostgreSQL database the whole session shares. What only the SQL store promises is in
test_sql_store.py; the delivery methods (message cache, weekly posts, ...) are in
test_delivery_contract.py.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import timedelta

import pytest

from bot.domain import (
    Filing,
    FilingFeedback,
    Member,
    MomentKind,
    Platform,
    Source,
    StandardLevel,
    Team,
    Workspace,
)
from bot.ports import DuplicateError, Store
from tests.storage.builders import (
    a_moment,
    a_prompt,
    a_proposal,
    a_standard,
    a_team,
    a_touchpoint,
    assert_exact,
    at,
    fill_workspace,
    new_workspace,
)

# workspaces and members


def test_workspace_get_or_create_is_idempotent(store: Store) -> None:
    external_id = f"T{uuid.uuid4().hex}"
    first = store.workspace(platform=Platform.SLACK, external_id=external_id, name="Acme")
    again = store.workspace(platform=Platform.SLACK, external_id=external_id, name="Renamed")
    teams = store.workspace(platform=Platform.TEAMS, external_id=external_id)

    assert first.id > 0
    assert_exact(first, Workspace(first.id, Platform.SLACK, external_id, "Acme"))
    assert again == first
    assert teams.id != first.id
    listed = [w for w in store.workspaces() if w.external_id == external_id]
    assert listed == sorted([first, teams], key=lambda w: w.id)
    with store.transaction(first.id) as repo:
        assert repo.workspace == first


def test_members_are_upserted_by_user_id(store: Store, ws: Workspace) -> None:
    with store.transaction(ws.id) as repo:
        assert repo.member("U1") is None
        repo.save_member(Member("U1", "Ana"))
    with store.transaction(ws.id) as repo:
        assert_exact(repo.member("U1"), Member("U1", "Ana", False))
        repo.save_member(Member("U1", "Ana P.", is_admin=True))
    with store.transaction(ws.id) as repo:
        assert_exact(repo.member("U1"), Member("U1", "Ana P.", True))


# teams and touchpoints


def test_team_round_trip(store: Store, ws: Workspace) -> None:
    with store.transaction(ws.id) as repo:
        crew = repo.add_team(a_team())
        ground = repo.add_team(a_team("C-GROUND", leads=(), name="Ground"))
    assert crew.id > 0
    assert_exact(crew, replace(a_team(), id=crew.id))
    with store.transaction(ws.id) as repo:
        assert_exact(repo.team(crew.id), crew)
        assert_exact(repo.team_by_channel("C-GROUND"), ground)
        assert repo.team_by_channel("C-NOWHERE") is None
        assert repo.teams() == sorted([crew, ground], key=lambda t: t.id)
        edited = replace(crew, name="Crew", leads=("U9",), timezone="UTC", focus_count=1,
                         quiet_days=("sat", "sun"), paused=True, digest_at="fri 15:00")
        repo.save_team(edited)
    with store.transaction(ws.id) as repo:
        assert_exact(repo.team(crew.id), edited)


def test_a_channel_has_one_team(store: Store, ws: Workspace, team: Team) -> None:
    with store.transaction(ws.id) as repo:
        with pytest.raises(DuplicateError):
            repo.add_team(a_team(team.channel, name="Other"))
        other = repo.add_team(a_team("C-OTHER"))  # the transaction is still usable
    with store.transaction(ws.id) as repo:
        assert repo.teams() == sorted([team, other], key=lambda t: t.id)


def test_touchpoints_by_position_then_id_and_retired_hidden(
    store: Store, ws: Workspace, team: Team
) -> None:
    with store.transaction(ws.id) as repo:
        late = repo.add_touchpoint(a_touchpoint(team.id, "boarding", position=2))
        first = repo.add_touchpoint(a_touchpoint(team.id, "check-in", position=1, keywords=()))
        tied = repo.add_touchpoint(a_touchpoint(team.id, "lounge", position=1, emoji=""))
        retired = repo.add_touchpoint(a_touchpoint(team.id, "old", position=0, retired_at=at(5),
                                                   fresh_ideas_since=at(6)))
    assert_exact(first, replace(a_touchpoint(team.id, "check-in", position=1, keywords=()),
                                id=first.id))
    with store.transaction(ws.id) as repo:
        assert repo.touchpoints(team.id) == [first, tied, late]
        every = repo.touchpoints(team.id, include_retired=True)
        assert every == [retired, first, tied, late]
        assert_exact(every[0], retired)
        assert not every[0].active
        repo.save_touchpoint(replace(late, retired_at=at(9), name="Gate", position=0))
    with store.transaction(ws.id) as repo:
        assert repo.touchpoints(team.id) == [first, tied]
        assert repo.touchpoints(team.id, include_retired=True)[0] == replace(
            late, retired_at=at(9), name="Gate", position=0)


def test_a_team_has_one_touchpoint_per_slug(store: Store, ws: Workspace, team: Team) -> None:
    with store.transaction(ws.id) as repo:
        kept = repo.add_touchpoint(a_touchpoint(team.id, "lounge"))
        with pytest.raises(DuplicateError):
            repo.add_touchpoint(a_touchpoint(team.id, "lounge", name="Again"))
        other_team = repo.add_team(a_team("C-OTHER"))
        elsewhere = repo.add_touchpoint(a_touchpoint(other_team.id, "lounge"))
    with store.transaction(ws.id) as repo:
        assert repo.touchpoints(team.id) == [kept]
        assert repo.touchpoints(other_team.id) == [elsewhere]


# moments


def test_moment_round_trip(store: Store, ws: Workspace, team: Team) -> None:
    with store.transaction(ws.id) as repo:
        tp = repo.add_touchpoint(a_touchpoint(team.id))
        full = a_moment(
            team.id, kind=MomentKind.OW, touchpoint_id=tp.id, filing=Filing.CORRECTED,
            confidence=0.1 + 0.2, source=Source.TEAMS, created_at=at(1),
            updated_at=at(2) + timedelta(microseconds=123456), credited=("U2", "U3"),
            also_reported_by=("U4",), message_ref="https://x.slack.com/p123", retracted_at=at(3),
        )
        bare = a_moment(team.id, text="é ✈️ " * 500)
        stored_full, stored_bare = repo.add_moment(full), repo.add_moment(bare)
    assert stored_full.id > 0 and stored_bare.id != stored_full.id
    assert_exact(stored_full, replace(full, id=stored_full.id))
    with store.transaction(ws.id) as repo:
        assert_exact(repo.moment(stored_full.id), stored_full)
        assert_exact(repo.moment(stored_bare.id), replace(bare, id=stored_bare.id))
        assert repo.moment(stored_bare.id + stored_full.id + 1000) is None
        edited = replace(stored_bare, touchpoint_id=tp.id, filing=Filing.CONFIRMED,
                         also_reported_by=("U7",), updated_at=at(4), text="Edited")
        repo.save_moment(edited)
    with store.transaction(ws.id) as repo:
        assert_exact(repo.moment(stored_bare.id), edited)


def test_moments_newest_first_and_filtered(store: Store, ws: Workspace, team: Team) -> None:
    with store.transaction(ws.id) as repo:
        other_team = repo.add_team(a_team("C-OTHER"))
        add = repo.add_moment
        m0 = add(a_moment(team.id, created_at=at(0)))
        m1 = add(a_moment(team.id, created_at=at(1), kind=MomentKind.OW, reporter_id="U2"))
        m1b = add(a_moment(team.id, created_at=at(1)))  # same instant: the later id comes first
        m2 = add(a_moment(team.id, created_at=at(2), reporter_id="U2"))
        gone = add(a_moment(team.id, created_at=at(2.5), retracted_at=at(2.6)))
        m3 = add(a_moment(team.id, created_at=at(3), kind=MomentKind.OW))
        add(a_moment(other_team.id, created_at=at(1)))
    with store.transaction(ws.id) as repo:
        assert repo.moments(team.id) == [m3, m2, m1b, m1, m0]
        assert repo.moments(team.id, since=at(1), until=at(3)) == [m2, m1b, m1]
        assert repo.moments(team.id, since=at(3)) == [m3]
        assert repo.moments(team.id, until=at(1)) == [m0]
        assert repo.moments(team.id, kind=MomentKind.OW) == [m3, m1]
        assert repo.moments(team.id, reporter_id="U2") == [m2, m1]
        assert repo.moments(team.id, include_retracted=True) == [m3, gone, m2, m1b, m1, m0]
        assert repo.moments(team.id, limit=2) == [m3, m2]
        assert repo.moments(team.id, kind=MomentKind.WOW, since=at(1), limit=2) == [m2, m1b]
        assert repo.moments(team.id, limit=0) == []
        assert repo.moments(team.id, since=at(4)) == []


def test_moment_by_ref_finds_the_live_moment_of_that_kind(
    store: Store, ws: Workspace, team: Team
) -> None:
    ref = "C-CREW/1700000000.000100"
    with store.transaction(ws.id) as repo:
        wow = repo.add_moment(a_moment(team.id, message_ref=ref))
        ow = repo.add_moment(a_moment(team.id, message_ref=ref, kind=MomentKind.OW))
    with store.transaction(ws.id) as repo:
        assert_exact(repo.moment_by_ref(ref, MomentKind.WOW), wow)
        assert repo.moment_by_ref(ref, MomentKind.OW) == ow
        assert repo.moment_by_ref("elsewhere", MomentKind.WOW) is None
        repo.save_moment(replace(wow, retracted_at=at(1)))
    with store.transaction(ws.id) as repo:
        assert repo.moment_by_ref(ref, MomentKind.WOW) is None
        again = repo.add_moment(a_moment(team.id, message_ref=ref, created_at=at(2)))
        assert repo.moment_by_ref(ref, MomentKind.WOW) == again


# filing feedback


def test_filing_feedback_oldest_first_limit_keeps_the_latest(
    store: Store, ws: Workspace, team: Team
) -> None:
    with store.transaction(ws.id) as repo:
        moment = repo.add_moment(a_moment(team.id))
        added = [
            repo.add_filing_feedback(
                FilingFeedback(0, team.id, moment.id, f"text {i}", MomentKind.OW, "lounge",
                               None if i == 0 else "check-in", at(i))
            )
            for i in range(3)
        ]
    assert_exact(added[0], FilingFeedback(added[0].id, team.id, moment.id, "text 0",
                                          MomentKind.OW, "lounge", None, at(0)))
    with store.transaction(ws.id) as repo:
        assert repo.filing_feedback() == added
        assert_exact(repo.filing_feedback()[1], added[1])
        assert repo.filing_feedback(limit=2) == added[1:]
        assert repo.filing_feedback(after_id=added[0].id) == added[1:]
        assert repo.filing_feedback(after_id=added[-1].id) == []


# step 2: prompts and proposals


def test_prompt_round_trip_and_order(store: Store, ws: Workspace, team: Team) -> None:
    with store.transaction(ws.id) as repo:
        old = repo.add_prompt(a_prompt(team.id, "2026-W46", opened_at=at(-168), closes_at=at(-96),
                                       closed_at=at(-90), touchpoint_ids=(), example_moment_ids=()))
        new = repo.add_prompt(a_prompt(team.id, "2026-W47"))
    assert_exact(new, replace(a_prompt(team.id, "2026-W47"), id=new.id))
    with store.transaction(ws.id) as repo:
        assert_exact(repo.prompt(old.id), old)
        assert_exact(repo.prompt_for_week(team.id, "2026-W47"), new)
        assert repo.prompt_for_week(team.id, "2026-W48") is None
        assert repo.prompts(team.id) == [new, old]
        assert repo.prompts(team.id, open_only=True) == [new]
        repo.save_prompt(replace(new, closed_at=at(80), example_moment_ids=(9, 8)))
    with store.transaction(ws.id) as repo:
        assert_exact(repo.prompt(new.id), replace(new, closed_at=at(80), example_moment_ids=(9, 8)))
        assert repo.prompts(team.id, open_only=True) == []


def test_one_prompt_per_team_and_week(store: Store, ws: Workspace, team: Team) -> None:
    with store.transaction(ws.id) as repo:
        first = repo.add_prompt(a_prompt(team.id, "2026-W47"))
        with pytest.raises(DuplicateError):
            repo.add_prompt(a_prompt(team.id, "2026-W47", opened_at=at(1)))
        # The transaction survives the duplicate, as the weekly job relies on.
        assert repo.prompt_for_week(team.id, "2026-W47") == first
        other_team = repo.add_team(a_team("C-OTHER"))
        same_week = repo.add_prompt(a_prompt(other_team.id, "2026-W47"))
    with store.transaction(ws.id) as repo:
        assert repo.prompts(team.id) == [first]
        assert repo.prompts(other_team.id) == [same_week]


def test_proposals_oldest_first(store: Store, ws: Workspace, team: Team) -> None:
    with store.transaction(ws.id) as repo:
        tp = repo.add_touchpoint(a_touchpoint(team.id))
        prompt = repo.add_prompt(a_prompt(team.id))
        other = repo.add_prompt(a_prompt(team.id, "2026-W48"))
        later = repo.add_proposal(a_proposal(prompt.id, tp.id, created_at=at(5)))
        early = repo.add_proposal(a_proposal(prompt.id, tp.id, created_at=at(2), anonymous=True))
        tied = repo.add_proposal(a_proposal(prompt.id, tp.id, created_at=at(5), text="Tea"))
        repo.add_proposal(a_proposal(other.id, tp.id))
    assert_exact(early, replace(a_proposal(prompt.id, tp.id, created_at=at(2), anonymous=True),
                                id=early.id))
    with store.transaction(ws.id) as repo:
        assert_exact(repo.proposal(early.id), early)
        assert repo.proposals(prompt.id) == [early, later, tied]


# step 3: votes


def test_votes_once_per_person_and_proposal(store: Store, ws: Workspace, team: Team) -> None:
    with store.transaction(ws.id) as repo:
        tp = repo.add_touchpoint(a_touchpoint(team.id))
        prompt = repo.add_prompt(a_prompt(team.id))
        first, second, silent = (repo.add_proposal(a_proposal(prompt.id, tp.id)) for _ in "abc")
        assert repo.add_vote(first.id, "U2", at(1)) is True
        assert repo.add_vote(first.id, "U1", at(2)) is True
        assert repo.add_vote(second.id, "U1", at(2)) is True
    with store.transaction(ws.id) as repo:
        assert repo.add_vote(first.id, "U2", at(3)) is False
        assert repo.vote_counts(prompt.id) == {first.id: 2, second.id: 1}
        # Still usable after the refused duplicate, and what follows is committed.
        assert repo.add_vote(second.id, "U3", at(3)) is True
    with store.transaction(ws.id) as repo:
        assert repo.vote_counts(prompt.id) == {first.id: 2, second.id: 2}
        assert repo.voters(first.id) == ["U1", "U2"]
        assert repo.voters(silent.id) == []
        assert repo.add_vote(first.id + second.id + silent.id, "U1", at(4)) is False


# step 4 and 5: standards


def test_standards_newest_first_by_level(store: Store, ws: Workspace, team: Team) -> None:
    with store.transaction(ws.id) as repo:
        tp = repo.add_touchpoint(a_touchpoint(team.id))
        prompt = repo.add_prompt(a_prompt(team.id))
        proposal = repo.add_proposal(a_proposal(prompt.id, tp.id))
        old = repo.add_standard(a_standard(team.id, tp.id, adopted_at=at(0),
                                           level=StandardLevel.BASIC, basic_since=at(100)))
        new = repo.add_standard(a_standard(team.id, tp.id, adopted_at=at(50),
                                           proposal_id=proposal.id))
    assert_exact(new, replace(a_standard(team.id, tp.id, adopted_at=at(50),
                                         proposal_id=proposal.id), id=new.id))
    with store.transaction(ws.id) as repo:
        assert_exact(repo.standard(old.id), old)
        assert repo.standards(team.id) == [new, old]
        assert repo.standards(team.id, level=StandardLevel.BASIC) == [old]
        assert repo.standards(team.id, level=StandardLevel.DELIGHT) == [new]
        repo.save_standard(replace(new, level=StandardLevel.BASIC, basic_since=at(60)))
    with store.transaction(ws.id) as repo:
        assert_exact(repo.standard(new.id),
                     replace(new, level=StandardLevel.BASIC, basic_since=at(60)))


# units of work


def test_a_transaction_that_raises_stores_nothing(store: Store, ws: Workspace, team: Team) -> None:
    with store.transaction(ws.id) as repo:
        tp = repo.add_touchpoint(a_touchpoint(team.id))
        prompt = repo.add_prompt(a_prompt(team.id))
        proposal = repo.add_proposal(a_proposal(prompt.id, tp.id))
    with pytest.raises(RuntimeError, match="boom"), store.transaction(ws.id) as repo:
        repo.add_team(a_team("C-NEW"))
        repo.save_team(replace(team, name="Renamed"))
        repo.add_moment(a_moment(team.id))
        repo.add_prompt(a_prompt(team.id, "2026-W48"))
        repo.add_vote(proposal.id, "U1", at(1))
        repo.save_member(Member("U1", "Ana"))
        raise RuntimeError("boom")
    with store.transaction(ws.id) as repo:
        assert repo.teams() == [team]
        assert repo.moments(team.id, include_retracted=True) == []
        assert repo.prompts(team.id) == [prompt]
        assert repo.vote_counts(prompt.id) == {}
        assert repo.member("U1") is None


# tenant isolation


def test_another_workspace_cannot_see_or_change_rows(store: Store) -> None:
    mine, theirs = new_workspace(store), new_workspace(store)
    with store.transaction(mine.id) as repo:
        a = fill_workspace(repo)
        snapshot = (repo.moments(a["team"].id), repo.filing_feedback())
    team, tp, moment, prompt, proposal, standard = (
        a[k] for k in ("team", "tp", "moment", "prompt", "proposal", "standard"))

    with store.transaction(theirs.id) as repo:
        assert repo.workspace == theirs
        assert repo.member("U1") is None
        assert repo.team(team.id) is None
        assert repo.team_by_channel(team.channel) is None
        assert repo.teams() == []
        assert repo.touchpoints(team.id, include_retired=True) == []
        assert repo.moment(moment.id) is None
        assert repo.moment_by_ref("ref-1", MomentKind.WOW) is None
        assert repo.moments(team.id, include_retracted=True) == []
        assert repo.filing_feedback() == []
        assert repo.prompt(prompt.id) is None
        assert repo.prompt_for_week(team.id, prompt.week) is None
        assert repo.prompts(team.id) == []
        assert repo.proposal(proposal.id) is None
        assert repo.proposals(prompt.id) == []
        assert repo.vote_counts(prompt.id) == {}
        assert repo.voters(proposal.id) == []
        assert repo.standard(standard.id) is None
        assert repo.standards(team.id) == []

        repo.save_member(Member("U1", "Impostor"))
        repo.save_team(replace(team, name="Taken"))
        repo.save_touchpoint(replace(tp, retired_at=at(1)))
        repo.save_moment(replace(moment, retracted_at=at(1)))
        repo.save_prompt(replace(prompt, closed_at=at(1)))
        repo.save_standard(replace(standard, level=StandardLevel.BASIC))
        assert repo.add_vote(proposal.id, "U2", at(2)) is False
        for add in (
            lambda: repo.add_touchpoint(a_touchpoint(team.id, "new")),
            lambda: repo.add_moment(a_moment(team.id)),
            lambda: repo.add_proposal(a_proposal(prompt.id, tp.id)),
            lambda: repo.add_standard(a_standard(team.id, tp.id)),
        ):
            with pytest.raises(KeyError):
                add()
        # Their own team may use the same channel; uniqueness is per workspace.
        own = repo.add_team(a_team(team.channel))
        assert repo.add_prompt(a_prompt(own.id, prompt.week)).team_id == own.id
        assert repo.member("U1") == Member("U1", "Impostor")

    with store.transaction(mine.id) as repo:
        assert repo.member("U1") == a["member"]
        assert repo.teams() == [team]
        assert repo.touchpoints(team.id) == [tp]
        assert (repo.moments(team.id), repo.filing_feedback()) == snapshot
        assert repo.prompts(team.id, open_only=True) == [prompt]
        assert repo.proposals(prompt.id) == [proposal]
        assert repo.vote_counts(prompt.id) == {proposal.id: 1}
        assert repo.voters(proposal.id) == ["U1"]
        assert repo.standards(team.id) == [standard]


def test_a_vote_alone_is_rolled_back_too(store: Store, ws: Workspace, team: Team) -> None:
    # A vote is written in a SAVEPOINT; as the transaction's first write it must not commit early.
    with store.transaction(ws.id) as repo:
        tp = repo.add_touchpoint(a_touchpoint(team.id))
        prompt = repo.add_prompt(a_prompt(team.id))
        proposal = repo.add_proposal(a_proposal(prompt.id, tp.id))
    with pytest.raises(RuntimeError), store.transaction(ws.id) as repo:
        assert repo.add_vote(proposal.id, "U1", at(1))
        raise RuntimeError("boom")
    with store.transaction(ws.id) as repo:
        assert repo.vote_counts(prompt.id) == {}
