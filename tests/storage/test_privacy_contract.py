"""Erasing personal data, on the in-memory fake, SQLite and PostgreSQL alike."""

from __future__ import annotations

import random

import pytest
import sqlalchemy as sa

from bot.domain import (
    FilingFeedback,
    Member,
    MomentKind,
    RedactionPattern,
    Team,
    Workspace,
)
from bot.ports import DuplicateError, Store
from storage import SqlStore
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
        assert repo.member("U9") is None
    with store.transaction(other.id) as repo:
        assert repo.moment(kept.id) == kept


def test_redaction_patterns_are_kept_per_workspace_once_each(store: Store, ws: Workspace) -> None:
    with store.transaction(ws.id) as repo:
        emp = repo.add_redaction_pattern(RedactionPattern(0, r"EMP-\d{5}", "U1", at(0)))
        ff = repo.add_redaction_pattern(RedactionPattern(0, r"FF-\d{6}", "U9", at(1)))
        with pytest.raises(DuplicateError):
            repo.add_redaction_pattern(RedactionPattern(0, r"EMP-\d{5}", "U2", at(2)))
        assert repo.redaction_patterns() == [emp, ff]  # still usable after the duplicate
        assert emp.id and emp.pattern == r"EMP-\d{5}" and emp.added_at == at(0)
    other = new_workspace(store)
    with store.transaction(other.id) as repo:
        assert repo.redaction_patterns() == []
        assert repo.remove_redaction_pattern(emp.id) is False  # another tenant's id: no such row
        theirs = repo.add_redaction_pattern(RedactionPattern(0, r"EMP-\d{5}", "U1", at(0)))
    with store.transaction(ws.id) as repo:
        repo.forget_user("U9")
        assert [p.added_by for p in repo.redaction_patterns()] == ["U1", ""]
        assert repo.remove_redaction_pattern(emp.id) is True
        assert repo.remove_redaction_pattern(emp.id) is False
        assert [p.pattern for p in repo.redaction_patterns()] == [r"FF-\d{6}"]
    with store.transaction(other.id) as repo:
        assert repo.redaction_patterns() == [theirs]


def _everything_stored(store: SqlStore) -> str:
    with store.engine.connect() as connection:
        tables = sa.inspect(connection).get_table_names()
        return "\n".join(str(row) for table in tables
                         for row in connection.execute(sa.text(f'SELECT * FROM "{table}"')))


def test_a_workspace_pattern_keeps_the_original_out_of_the_database(sql_store: SqlStore) -> None:
    from tests.conftest import ADMIN, LEAD, STAFF
    from tests.storage.test_method_on_sql import sql_world

    world = sql_world(sql_store)
    refused = world.router.handle(world.ctx(STAFF), "/moments", r"redact add EMP-\d{5}")
    assert refused.error and "Only workspace admins" in refused.text
    assert "Added" in world.say(ADMIN, "/moments", r"redact add EMP-\d{5}")
    token = f"EMP-{random.randrange(10**5):05d}"

    filed = world.router.handle(world.ctx(STAFF), "/ow", f"#baggage {token} lost the bag")
    world.router.handle(world.ctx(LEAD), "/moments", "prompt")
    proposed = world.router.handle(world.ctx(STAFF), "/moments", f"propose #baggage ask {token} first")

    assert not filed.error and not proposed.error, proposed.text
    with sql_store.transaction(world.ws) as repo:
        assert [m.text for m in repo.moments(world.team.id)] == ["[redacted] lost the bag"]
    assert token not in _everything_stored(sql_store)
    assert "Removed" in world.say(ADMIN, "/moments", "redact remove 1")
    with sql_store.transaction(world.ws) as repo:
        assert repo.redaction_patterns() == []
