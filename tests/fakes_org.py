"""The organisation's half of the in-memory store (``tests/fakes.py``), as ``storage/org.py``."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from bot.domain import OrgChannel, OrgPost, Standard, StandardLevel, Workspace

SOON = datetime(2000, 1, 1, tzinfo=UTC)
RESCHEDULE_FIELDS = ("timezone", "digest_at", "paused", "channel")


class OrgFakeRows:
    _ws: Workspace
    _t: Any

    def _new_id(self) -> int:
        raise NotImplementedError

    def org_channel(self) -> OrgChannel | None:
        return self._t.orgs.get(self._ws.id)

    def save_org_channel(self, org: OrgChannel) -> OrgChannel:
        old = self._t.orgs.get(self._ws.id)
        org = replace(org, id=old.id if old else self._new_id())
        if old is None or any(getattr(old, n) != getattr(org, n) for n in RESCHEDULE_FIELDS):
            self._t.org_next[org.id] = SOON
        self._t.orgs[self._ws.id] = org
        return org

    def remove_org_channel(self) -> bool:
        old = self._t.orgs.pop(self._ws.id, None)
        if old is None:
            return False
        self._t.org_next.pop(old.id, None)
        for key in [k for k in self._t.org_posts if k[1] == old.id]:
            del self._t.org_posts[key]
        return True

    def offered_origins(self, team_id: int) -> set[int]:
        prompts = {p.id for ws, p in self._t.prompts.values() if ws == self._ws.id
                   and p.team_id == team_id}
        return {p.origin_standard_id for ws, p in self._t.proposals.values()
                if ws == self._ws.id and p.prompt_id in prompts and p.origin_standard_id is not None}

    def sibling_standards(self, team_id: int, template: str) -> list[tuple[Standard, str]]:
        teams = {t.id for ws, t in self._t.teams.values() if ws == self._ws.id and t.id != team_id
                 and t.template == template}
        slugs = {tp.id: tp.slug for ws, tp in self._t.touchpoints.values() if ws == self._ws.id}
        found = [(s, slugs[s.touchpoint_id]) for ws, s in self._t.standards.values()
                 if ws == self._ws.id and s.team_id in teams and s.level == StandardLevel.DELIGHT
                 and s.touchpoint_id in slugs]
        return sorted(found, key=lambda f: (f[0].adopted_at, f[0].id), reverse=True)

    def claim_org_post(self, org_id: int, week: str, at: datetime) -> bool:
        org = self.org_channel()
        key = (self._ws.id, org_id, week)
        if org is None or org.id != org_id or key in self._t.org_posts:
            return False
        self._t.org_posts[key] = OrgPost(org_id, week, at)
        return True

    def org_post(self, org_id: int, week: str) -> OrgPost | None:
        found: OrgPost | None = self._t.org_posts.get((self._ws.id, org_id, week))
        return found

    def swap_org_post(self, expected: OrgPost, new: OrgPost) -> bool:
        key = (self._ws.id, expected.org_id, expected.week)
        current = self._t.org_posts.get(key)
        if (current is None or current.sent_at is not None or current.attempts != expected.attempts
                or current.sending_at != expected.sending_at):
            return False
        self._t.org_posts[key] = new
        return True


class OrgFakeStore:
    _t: Any

    def claim_due_orgs(self, *, now: datetime, until: datetime, limit: int) -> list[tuple[int, int]]:
        by_id = {org.id: (ws, org) for ws, org in self._t.orgs.items()}
        due = sorted((at, org_id) for org_id, at in self._t.org_next.items()
                     if at is not None and at <= now and org_id in by_id
                     and not by_id[org_id][1].paused)
        claimed = [(by_id[org_id][0], org_id) for _, org_id in due[:limit]]
        for _, org_id in claimed:
            self._t.org_next[org_id] = until
        return claimed

    def settle_org(self, *, workspace_id: int, org_id: int, claimed_until: datetime,
                   next_check: datetime | None) -> bool:
        if self._t.org_next.get(org_id) != claimed_until:
            return False
        self._t.org_next[org_id] = next_check
        return True
