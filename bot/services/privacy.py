"""People's rights over their data: forget me, an admin's export and delete, and retention."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot.errors import NotAllowed, UserError
from bot.ports import Repository
from bot.services.base import Actor, Deps


class PrivacyService:
    def __init__(self, deps: Deps) -> None:
        self._d = deps

    def forget_me(self, *, workspace_id: int, actor: Actor) -> dict[str, int]:
        """Erase the asking person's data in this workspace."""
        with self._d.store.transaction(workspace_id) as repo:
            return repo.forget_user(actor.user_id)

    def delete_user(self, *, workspace_id: int, actor: Actor, user_id: str) -> dict[str, int]:
        with self._d.store.transaction(workspace_id) as repo:
            _require_admin(repo, actor)
            return repo.forget_user(_who(user_id))

    def export_user(self, *, workspace_id: int, actor: Actor, user_id: str) -> dict[str, Any]:
        """Everything stored about one person, as plain data (an admin answering a request)."""
        user_id = _who(user_id)
        with self._d.store.transaction(workspace_id) as repo:
            _require_admin(repo, actor)
            member = repo.member(user_id)
            reported, credited, proposals, votes = [], [], [], 0
            for team in repo.teams():
                for m in repo.moments(team.id, include_retracted=True):
                    row = {"id": m.id, "team": team.name, "kind": m.kind.value, "text": m.text,
                           "created_at": m.created_at.isoformat(),
                           "retracted": m.retracted_at is not None}
                    if m.reporter_id == user_id:
                        reported.append(row)
                    elif user_id in m.credited or user_id in m.also_reported_by:
                        credited.append(row)
                for prompt in repo.prompts(team.id):
                    for p in repo.proposals(prompt.id):
                        if p.author_id == user_id:
                            proposals.append({"id": p.id, "week": prompt.week, "text": p.text,
                                              "anonymous": p.anonymous})
                        votes += user_id in repo.voters(p.id)
            return {
                "workspace": repo.workspace.external_id,
                "user_id": user_id,
                "display_name": member.display_name if member else "",
                "is_admin": bool(member and member.is_admin),
                "leads": [t.name for t in repo.teams() if user_id in t.leads],
                "moments_reported": reported,
                "moments_credited_or_seconded": credited,
                "proposals": proposals,
                "votes": votes,
            }

    def purge(self, *, workspace_id: int, older_than_months: int, now: datetime | None = None) -> int:
        """Retention: delete moments older than the given number of months."""
        if older_than_months < 1:
            raise UserError("Retention is a whole number of months, 1 or more.")
        cutoff = (now or self._d.clock.now()) - timedelta(days=round(older_than_months * 30.44))
        with self._d.store.transaction(workspace_id) as repo:
            return repo.delete_moments_before(cutoff)


def _require_admin(repo: Repository, actor: Actor) -> None:
    member = repo.member(actor.user_id)
    if not (actor.is_admin or (member and member.is_admin)):
        raise NotAllowed("Only workspace admins can export or delete another person's data.")


def _who(user_id: str) -> str:
    user_id = user_id.strip().lstrip("@")
    if not user_id:
        raise UserError("Whose data? Name them, e.g. `/moments privacy export @maria`.")
    return user_id
