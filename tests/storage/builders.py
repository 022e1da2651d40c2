"""Entities for the storage tests, each filled in beyond its defaults so a round trip proves
every field survives."""

from __future__ import annotations

import uuid
from dataclasses import fields, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.domain import (
    Filing,
    FilingFeedback,
    Member,
    Moment,
    MomentKind,
    Platform,
    Prompt,
    Proposal,
    Source,
    Standard,
    Team,
    Touchpoint,
    Workspace,
)
from bot.ports import Repository, Store

T0 = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def new_workspace(store: Store, name: str = "") -> Workspace:
    return store.workspace(platform=Platform.SLACK, external_id=f"T{uuid.uuid4().hex}", name=name)


def assert_exact(got: Any, expected: Any) -> None:
    """Equal, and of the same types field by field: a str is not a MomentKind, a list no tuple,
    and every datetime comes back aware UTC."""
    assert got == expected
    for f in fields(expected):
        value = getattr(got, f.name)
        assert type(value) is type(getattr(expected, f.name)), f.name
        if isinstance(value, datetime):
            assert value.utcoffset() == timedelta(0), f.name


def a_team(channel: str = "C-CREW", **changes: Any) -> Team:
    team = Team(
        0, "Cabin crew", channel, "Europe/Amsterdam", "airline", ("U1", "U2"), 8, 3,
        prompt_at="tue 08:30", votes_close_at="wed 12:00", digest_at="sat 10:00",
        quiet_days=("sun",),
    )
    return replace(team, **changes)


def a_touchpoint(team_id: int, slug: str = "check-in", **changes: Any) -> Touchpoint:
    tp = Touchpoint(0, team_id, slug, slug.title(), "At the desk", ("desk", "queue"), ":desk:", 1)
    return replace(tp, **changes)


def a_moment(team_id: int, **changes: Any) -> Moment:
    moment = Moment(
        0, team_id, MomentKind.WOW, "Found my lost bag", "U1", None, Filing.AUTO, 0.8125,
        Source.COMMAND, at(0), at(0),
    )
    return replace(moment, **changes)


def a_prompt(team_id: int, week: str = "2026-W47", **changes: Any) -> Prompt:
    return replace(Prompt(0, team_id, week, (3, 1), (7,), at(0), at(72)), **changes)


def a_proposal(prompt_id: int, touchpoint_id: int, **changes: Any) -> Proposal:
    proposal = Proposal(0, prompt_id, touchpoint_id, "Offer water", "U2", False, at(1))
    return replace(proposal, **changes)


def a_standard(team_id: int, touchpoint_id: int, **changes: Any) -> Standard:
    return replace(Standard(0, team_id, touchpoint_id, "Greet by name", "U1", at(0)), **changes)




def fill_workspace(repo: Repository) -> dict[str, Any]:
    team = repo.add_team(a_team())
    tp = repo.add_touchpoint(a_touchpoint(team.id))
    moment = repo.add_moment(a_moment(team.id, touchpoint_id=tp.id, message_ref="ref-1"))
    repo.add_filing_feedback(FilingFeedback(0, team.id, moment.id, "x", MomentKind.WOW,
                                            tp.slug, None, at(0)))
    prompt = repo.add_prompt(a_prompt(team.id, touchpoint_ids=(tp.id,)))
    proposal = repo.add_proposal(a_proposal(prompt.id, tp.id))
    assert repo.add_vote(proposal.id, "U1", at(1))
    standard = repo.add_standard(a_standard(team.id, tp.id, proposal_id=proposal.id))
    repo.save_member(Member("U1", "Ana", is_admin=True))
    return dict(team=team, tp=tp, moment=moment, prompt=prompt, proposal=proposal,
                standard=standard, member=Member("U1", "Ana", is_admin=True))
