"""The organisation's rows, the same on the in-memory fake, SQLite and PostgreSQL: one
organisation channel a workspace, due for a look like a team and claimed by one replica at a
time, one digest a week claimed once, and standards that remember where they came from."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from bot.domain import OrgChannel, OrgPost, StandardLevel, Workspace
from bot.ports import Store
from tests.storage.builders import (
    T0,
    a_prompt,
    a_proposal,
    a_standard,
    a_team,
    a_touchpoint,
    assert_exact,
    at,
    new_workspace,
)

LATER = T0 + timedelta(days=400)


def test_one_organisation_channel_a_workspace_kept_apart_from_others(store: Store,
                                                                     ws: Workspace) -> None:
    other = new_workspace(store)
    with store.transaction(ws.id) as repo:
        assert repo.org_channel() is None
        saved = repo.save_org_channel(OrgChannel(0, "C-ORG", "Europe/Stockholm", "fri 17:00"))
        assert saved.id > 0
        again = repo.save_org_channel(replace(saved, channel="C-ALL", digest_at="fri 18:00"))
        assert again.id == saved.id
    with store.transaction(ws.id) as repo:
        assert_exact(repo.org_channel(), OrgChannel(saved.id, "C-ALL", "Europe/Stockholm",
                                                    "fri 18:00"))
    with store.transaction(other.id) as repo:
        assert repo.org_channel() is None
        assert not repo.claim_org_post(saved.id, "2026-W47", T0)  # not this workspace's
        assert not repo.remove_org_channel()
    with store.transaction(ws.id) as repo:
        assert repo.remove_org_channel()
        assert repo.org_channel() is None


def test_a_new_or_rescheduled_channel_is_due_once_and_claimed_by_one_replica(store: Store,
                                                                             ws: Workspace) -> None:
    with store.transaction(ws.id) as repo:
        org = repo.save_org_channel(OrgChannel(0, "C-ORG", "UTC", "fri 17:00"))
    now = T0
    [claimed] = [c for c in store.claim_due_orgs(now=now, until=now + timedelta(minutes=10),
                                                  limit=50) if c[0] == ws.id]
    assert claimed == (ws.id, org.id)
    rival = store.claim_due_orgs(now=now, until=now + timedelta(minutes=10), limit=50)
    assert (ws.id, org.id) not in rival  # held by the first claimer
    assert store.settle_org(workspace_id=ws.id, org_id=org.id, claimed_until=now + timedelta(minutes=10),
                            next_check=LATER)
    assert (ws.id, org.id) not in store.claim_due_orgs(now=now + timedelta(days=1),
                                                       until=now, limit=50)
    with store.transaction(ws.id) as repo:  # a new slot: looked at again at once
        repo.save_org_channel(replace(org, digest_at="mon 09:00"))
    assert (ws.id, org.id) in store.claim_due_orgs(now=now, until=now + timedelta(minutes=5), limit=50)
    # a claim that changed meanwhile is not settled over
    assert not store.settle_org(workspace_id=ws.id, org_id=org.id, claimed_until=now,
                                next_check=LATER)


def test_the_weekly_digest_is_claimed_once_and_each_attempt_taken_once(store: Store,
                                                                       ws: Workspace) -> None:
    with store.transaction(ws.id) as repo:
        org = repo.save_org_channel(OrgChannel(0, "C-ORG", "UTC", "fri 17:00"))
        assert repo.claim_org_post(org.id, "2026-W47", T0)
        assert not repo.claim_org_post(org.id, "2026-W47", at(1))
        record = repo.org_post(org.id, "2026-W47")
        assert record is not None
        assert_exact(record, OrgPost(org.id, "2026-W47", T0))
        sending = replace(record, sending_at=at(1))
        assert repo.swap_org_post(record, sending)
        assert not repo.swap_org_post(record, sending)  # a rival's attempt with the old record
        sent = replace(sending, sending_at=None, sent_at=at(1), attempts=1)
        assert repo.swap_org_post(sending, sent)
        assert not repo.swap_org_post(sent, replace(sent, attempts=2))  # sent: never again
        assert repo.org_post(org.id, "2026-W47") == sent


def test_standards_and_candidates_remember_where_they_came_from(store: Store, ws: Workspace) -> None:
    with store.transaction(ws.id) as repo:
        first = repo.add_team(a_team("C-ARN"))
        second = repo.add_team(a_team("C-GOT"))
        tp1 = repo.add_touchpoint(a_touchpoint(first.id))
        tp2 = repo.add_touchpoint(a_touchpoint(second.id))
        origin = repo.add_standard(a_standard(first.id, tp1.id, proposal_id=None))
        prompt = repo.add_prompt(a_prompt(second.id))
        candidate = repo.add_proposal(a_proposal(prompt.id, tp2.id, origin_standard_id=origin.id))
        assert repo.proposal(candidate.id) == candidate
        assert repo.offered_origins(second.id) == {origin.id}
        assert repo.offered_origins(first.id) == set()
        spread = repo.add_standard(a_standard(second.id, tp2.id, proposal_id=candidate.id,
                                              origin_id=origin.id))
        assert_exact(repo.standard(spread.id), spread)


def test_sibling_standards_are_the_other_teams_delights_of_the_journey_with_their_slugs(
        store: Store, ws: Workspace) -> None:
    other_ws = new_workspace(store)
    with store.transaction(other_ws.id) as repo:  # another workspace's airline team: never seen
        far = repo.add_team(a_team("C-FAR"))
        repo.add_standard(a_standard(far.id, repo.add_touchpoint(a_touchpoint(far.id)).id))
    with store.transaction(ws.id) as repo:
        mine = repo.add_team(a_team("C-MINE"))
        arn = repo.add_team(a_team("C-ARN"))
        hotel = repo.add_team(a_team("C-HOTEL", template="hotel"))
        own = repo.add_standard(a_standard(mine.id, repo.add_touchpoint(a_touchpoint(mine.id)).id))
        desk = repo.add_touchpoint(a_touchpoint(arn.id, "check-in"))
        gate = repo.add_touchpoint(a_touchpoint(arn.id, "boarding", position=2))
        older = repo.add_standard(a_standard(arn.id, desk.id, text="Open a desk", adopted_at=at(1)))
        newer = repo.add_standard(a_standard(arn.id, gate.id, text="Call by row", adopted_at=at(2)))
        repo.add_standard(a_standard(arn.id, desk.id, text="Old and basic", adopted_at=at(3),
                                     level=StandardLevel.BASIC, basic_since=at(4)))
        repo.add_standard(a_standard(hotel.id, repo.add_touchpoint(a_touchpoint(hotel.id)).id))
        found = repo.sibling_standards(mine.id, "airline")
    assert [(s.id, slug) for s, slug in found] == [(newer.id, "boarding"), (older.id, "check-in")]
    assert own.id not in {s.id for s, _ in found}
