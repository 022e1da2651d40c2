"""Standards that spread: a standard one team adopted at a touchpoint is offered to its sibling
teams (same workspace, same journey template, a touchpoint with the same slug) as a candidate in
their next weekly prompt. A candidate is a proposal like any other (voted on, adopted with the
same button) that remembers the standard it came from, so the standard it becomes keeps who
first adopted it. Only the standard's text and its team's name cross teams, never a moment or a
person.
"""

from __future__ import annotations

from datetime import datetime

from bot.domain import Prompt, Proposal, Standard, Team
from bot.ports import Repository

CANDIDATES_PER_PROMPT = 3  # the rest wait for a later week


def root_of(standard: Standard) -> int:
    """The standard of the team that first adopted it."""
    return standard.origin_id or standard.id


def offer_candidates(repo: Repository, team: Team, prompt: Prompt, now: datetime) -> list[Proposal]:
    """Add to a new prompt the sibling standards this team has neither adopted nor been offered,
    at touchpoints it shares: those at the prompt's focus first, then the newest."""
    mine = {t.slug: t for t in repo.touchpoints(team.id)}
    if not mine:
        return []
    taken = {root_of(s) for s in repo.standards(team.id)} | repo.offered_origins(team.id)
    found: dict[int, tuple[Standard, int]] = {}  # root id -> (root standard, our touchpoint id)
    for standard, slug in repo.sibling_standards(team.id, team.template):  # one query
        root_id = root_of(standard)
        if root_id in taken or root_id in found or slug not in mine:
            continue
        root = standard if root_id == standard.id else repo.standard(root_id)
        if root is not None:
            found[root_id] = (root, mine[slug].id)
    ranked = sorted(found.values(), key=lambda c: (c[1] not in prompt.touchpoint_ids,
                                                   -c[0].adopted_at.timestamp(), c[0].id))
    return [repo.add_proposal(Proposal(0, prompt.id, tp_id, root.text, "", True, now,
                                       origin_standard_id=root.id))
            for root, tp_id in ranked[:CANDIDATES_PER_PROMPT]]


def origin_team(repo: Repository, standard_id: int | None) -> str:
    """The name of the team that first adopted a standard ("" when it is a team's own)."""
    if standard_id is None:
        return ""
    root = repo.standard(standard_id)
    team = repo.team(root.team_id) if root is not None else None
    return team.name if team is not None else ""
