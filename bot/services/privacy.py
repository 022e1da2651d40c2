"""People's rights over their data: forget me, an admin's export and delete, and retention."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot import words
from bot.domain import RedactionPattern
from bot.errors import NotAllowed, NotFound, UserError
from bot.markup import code
from bot.ports import DuplicateError, Repository
from bot.redact import EXAMPLE_PATTERN, check_pattern
from bot.services.base import Actor, Deps

log = logging.getLogger(__name__)

MAX_PATTERNS = 25


class WorkspacePatterns:
    """Each workspace's own redaction patterns, compiled once and kept for a minute.

    A change made through this process is seen at once; one made by another replica is seen
    when the entry here is older than ``max_age``. Inside a transaction, pass its ``repo``: on a
    miss ``compiled`` otherwise opens its own, and on SQLite a nested one waits for the lock."""

    def __init__(self, deps: Deps, *, max_age: timedelta = timedelta(seconds=60)) -> None:
        self._d = deps
        self._max_age = max_age
        self._cache: dict[int, tuple[datetime, tuple[re.Pattern[str], ...]]] = {}
        self._generation: dict[int, int] = {}  # bumped by forget(): a read begun before is stale

    def compiled(
        self, workspace_id: int, repo: Repository | None = None
    ) -> tuple[re.Pattern[str], ...]:
        now = self._d.clock.now()
        cached = self._cache.get(workspace_id)
        if cached is not None and cached[0] <= now < cached[0] + self._max_age:
            return cached[1]
        generation = self._generation.get(workspace_id, 0)
        if repo is not None:
            stored = repo.redaction_patterns()
        else:
            with self._d.store.transaction(workspace_id) as own:
                stored = own.redaction_patterns()
        compiled = []
        for p in stored:
            try:
                compiled.append(re.compile(p.pattern))
            except re.error:  # checked when added; only a different Python could refuse it now
                log.error("workspace %s: redaction pattern %s no longer compiles", workspace_id, p.id)
        if self._generation.get(workspace_id, 0) == generation:  # no add or remove meanwhile
            self._cache[workspace_id] = (now, tuple(compiled))
        return tuple(compiled)

    def forget(self, workspace_id: int) -> None:
        self._generation[workspace_id] = self._generation.get(workspace_id, 0) + 1
        self._cache.pop(workspace_id, None)


@dataclass(frozen=True, slots=True)
class PatternAdded:
    pattern: RedactionPattern
    added: bool  # False: the workspace already had it


class PrivacyService:
    def __init__(self, deps: Deps, patterns: WorkspacePatterns | None = None) -> None:
        self._d = deps
        self.patterns = patterns or WorkspacePatterns(deps)

    # the workspace's own redaction patterns

    def redaction_patterns(self, *, workspace_id: int) -> list[RedactionPattern]:
        """The workspace's own patterns, oldest first, as ``list`` numbers them."""
        with self._d.store.transaction(workspace_id) as repo:
            return repo.redaction_patterns()

    def add_redaction_pattern(self, *, workspace_id: int, actor: Actor, pattern: str) -> PatternAdded:
        """An admin adds a pattern; every moment stored from now on is redacted with it too."""
        raw = _unquoted(pattern)
        if not raw:
            raise UserError(words.WHICH_PATTERN_TO_ADD.format(
                example=code('/moments redact add ' + EXAMPLE_PATTERN)))
        with self._d.store.transaction(workspace_id) as repo:
            _require_admin(repo, actor, words.DOING_CHANGE_PATTERNS)
            existing = repo.redaction_patterns()
            same = next((p for p in existing if p.pattern == raw), None)
            if same is not None:
                return PatternAdded(same, False)
            try:
                check_pattern(raw)
            except ValueError as err:
                raise UserError(str(err)) from None
            if len(existing) >= MAX_PATTERNS:
                raise UserError(words.TOO_MANY_PATTERNS.format(count=len(existing)))
            try:
                added = repo.add_redaction_pattern(
                    RedactionPattern(0, raw, actor.user_id, self._d.clock.now()))
            except DuplicateError:  # another admin added it a moment ago
                return PatternAdded(next(p for p in repo.redaction_patterns() if p.pattern == raw),
                                    False)
        self.patterns.forget(workspace_id)
        return PatternAdded(added, True)

    def remove_redaction_pattern(
        self, *, workspace_id: int, actor: Actor, which: str
    ) -> RedactionPattern:
        """An admin removes a pattern, named as written or by its number in the list."""
        raw = _unquoted(which)
        if not raw:
            raise UserError(words.WHICH_PATTERN_TO_REMOVE)
        with self._d.store.transaction(workspace_id) as repo:
            _require_admin(repo, actor, words.DOING_CHANGE_PATTERNS)
            existing = repo.redaction_patterns()
            found = next((p for p in existing if p.pattern == raw), None)
            if found is None and raw.isascii() and raw.isdigit() and 1 <= int(raw) <= len(existing):
                found = existing[int(raw) - 1]
            if found is None:
                shown = raw.replace("`", "'")
                raise NotFound(words.NO_SUCH_PATTERN.format(pattern=code(shown)))
            repo.remove_redaction_pattern(found.id)
        self.patterns.forget(workspace_id)
        return found

    def forget_me(self, *, workspace_id: int, actor: Actor) -> dict[str, int]:
        """Erase the asking person's data in this workspace, under every key they have."""
        with self._d.store.transaction(workspace_id) as repo:
            counts = _erase(repo, actor.keys)
        self._d.forget_filer(workspace_id)
        return counts

    def delete_user(self, *, workspace_id: int, actor: Actor, user_id: str) -> dict[str, int]:
        return self.delete_person(workspace_id=workspace_id, actor=actor, person=Actor(user_id))

    def delete_person(self, *, workspace_id: int, actor: Actor, person: Actor) -> dict[str, int]:
        """An admin erasing one person's data, under every key they have (``Actor.aliases``)."""
        keys = tuple(dict.fromkeys(_who(k) for k in person.keys or ("",)))
        with self._d.store.transaction(workspace_id) as repo:
            _require_admin(repo, actor)
            counts = _erase(repo, keys)
        self._d.forget_filer(workspace_id)
        return counts

    def export_user(self, *, workspace_id: int, actor: Actor, user_id: str) -> dict[str, Any]:
        """Everything stored about one person, as plain data (an admin answering a request)."""
        return self.export_person(workspace_id=workspace_id, actor=actor, person=Actor(user_id))

    def export_person(self, *, workspace_id: int, actor: Actor, person: Actor) -> dict[str, Any]:
        """``export_user`` over every key the person has: their own key's data, with what is
        stored under their aliases added (``also_stored_as`` names those keys)."""
        keys = tuple(dict.fromkeys(_who(k) for k in person.keys or ("",)))
        with self._d.store.transaction(workspace_id) as repo:
            _require_admin(repo, actor)
            merged = _export(repo, keys[0])
            if len(keys) == 1:
                return merged
            merged["also_stored_as"] = []
            for key in keys[1:]:
                data = _export(repo, key)
                merged["also_stored_as"].append(key)
                for field, value in data.items():
                    if isinstance(value, list):
                        merged[field] = merged[field] + [v for v in value if v not in merged[field]]
                merged["votes"] += data["votes"]
            return merged

    def purge(self, *, workspace_id: int, older_than_months: int, now: datetime | None = None) -> int:
        """Retention: delete moments older than the given number of months."""
        if older_than_months < 1:
            raise UserError(words.BAD_RETENTION)
        cutoff = (now or self._d.clock.now()) - timedelta(days=round(older_than_months * 30.44))
        with self._d.store.transaction(workspace_id) as repo:
            deleted = repo.delete_moments_before(cutoff)
            # moments kept for a team nobody set up go at their own, shorter, expiry
            deleted += repo.delete_waiting_expired(now or self._d.clock.now())
        self._d.forget_filer(workspace_id)
        return deleted


def _require_admin(
    repo: Repository, actor: Actor, doing: str = words.DOING_OTHERS_DATA
) -> None:
    member = repo.member(actor.user_id)
    if actor.external or not (actor.is_admin or (member and member.is_admin)):
        raise NotAllowed(words.ONLY_ADMINS.format(doing=doing))


def _unquoted(pattern: str) -> str:
    """The pattern as meant: chat apps make it easy to send it wrapped in backticks."""
    pattern = pattern.strip()
    if len(pattern) >= 2 and pattern[0] == pattern[-1] == "`":
        pattern = pattern[1:-1].strip()
    return pattern


def _who(user_id: str) -> str:
    user_id = user_id.strip().lstrip("@")
    if not user_id:
        raise UserError(words.WHOSE_DATA)
    return user_id


def _erase(repo: Repository, keys: tuple[str, ...]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for key in keys:
        for kind, n in repo.forget_user(key).items():
            counts[kind] = counts.get(kind, 0) + n
    return counts


def _export(repo: Repository, user_id: str) -> dict[str, Any]:
    """Everything stored under one key."""
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
        "redaction_patterns_added": [p.pattern for p in repo.redaction_patterns()
                                     if p.added_by == user_id],
        # reported where no team was set up yet (bot/services/onboarding.py)
        "moments_waiting": [{"id": w.id, "kind": w.kind.value, "text": w.text,
                             "created_at": w.created_at.isoformat(),
                             "expires_at": w.expires_at.isoformat()}
                            for w in repo.waiting_reported_by(user_id)],
    }
