"""Erasing personal data, on the in-memory fake, SQLite and PostgreSQL alike."""

from __future__ import annotations

from bot.domain import CachedMessage, FilingFeedback, Member, MomentKind, Team, Workspace
from bot.ports import Store
from tests.storage.builders import (
    a_moment,
    a_prompt,
    a_proposal,
    a_standard,
    a_touchpoint,
    at,
    new_workspace,
)


def test_retention_deletes_old_moments_and_what_was_learned_from_them(
    store: Store, ws: Workspace, team: Team
) -> None:
    with store.transaction(ws.id) as repo:
        old = repo.add_moment(a_moment(team.id, created_at=at(0), updated_at=at(0)))
        new = repo.add_moment(a_moment(team.id, created_at=at(10), updated_at=at(10)))
        repo.add_filing_feedback(FilingFeedback(0, team.id, old.id, "x", MomentKind.WOW, "a", None, at(0)))
        repo.add_filing_feedback(FilingFeedback(0, team.id, new.id, "y", MomentKind.WOW, "b", None, at(10)))
        assert repo.delete_moments_before(at(5)) == 1
    with store.transaction(ws.id) as repo:
        assert repo.moment(old.id) is None and repo.moment(new.id) == new
        assert [f.moment_id for f in repo.filing_feedback()] == [new.id]
        assert repo.delete_moments_before(at(5)) == 0


def test_forget_user_erases_them_everywhere_but_keeps_the_teams_work(
    store: Store, ws: Workspace, team: Team
) -> None:
    with store.transaction(ws.id) as repo:
        repo.save_team(Team(team.id, team.name, team.channel, leads=("U9", "U1")))
        tp = repo.add_touchpoint(a_touchpoint(team.id))
        theirs = repo.add_moment(a_moment(team.id, reporter_id="U9"))
        credited = repo.add_moment(a_moment(team.id, reporter_id="U1", credited=("U9", "U2"),
                                            also_reported_by=("U9",)))
        prompt = repo.add_prompt(a_prompt(team.id, touchpoint_ids=(tp.id,)))
        proposal = repo.add_proposal(a_proposal(prompt.id, tp.id, author_id="U9"))
        assert repo.add_vote(proposal.id, "U9", at(1)) and repo.add_vote(proposal.id, "U1", at(1))
        standard = repo.add_standard(a_standard(team.id, tp.id, adopted_by="U9"))
        repo.save_member(Member("U9", "Nina"))
        repo.remember_message(CachedMessage("C1", "1.1", "U9", "hello", at(0)))
    other = new_workspace(store)
    with store.transaction(other.id) as repo:  # another tenant's U9 is somebody else
        other_team = repo.add_team(Team(0, "Other", "C-X"))
        kept = repo.add_moment(a_moment(other_team.id, reporter_id="U9"))
    with store.transaction(ws.id) as repo:
        counts = repo.forget_user("U9")
    assert counts == {"moments": 1, "credits": 1, "votes": 1, "proposals": 1, "standards": 1}
    with store.transaction(ws.id) as repo:
        assert repo.moment(theirs.id) is None
        after = repo.moment(credited.id)
        assert after is not None and after.credited == ("U2",) and after.also_reported_by == ()
        p = repo.proposal(proposal.id)
        assert p is not None and (p.author_id, p.anonymous, p.text) == ("", True, proposal.text)
        assert repo.voters(proposal.id) == ["U1"]
        s = repo.standard(standard.id)
        assert s is not None and s.adopted_by == "" and s.text == standard.text
        t = repo.team(team.id)
        assert t is not None and t.leads == ("U1",)
        assert repo.member("U9") is None and repo.cached_message("C1", "1.1") is None
    with store.transaction(other.id) as repo:
        assert repo.moment(kept.id) == kept
