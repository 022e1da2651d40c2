"""What every use case shares: the ports, and small lookups that speak the person's language."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot import words
from bot.domain import Member, Team, Touchpoint
from bot.errors import NotAllowed, NotFound, UserError
from bot.ports import Clock, Filer, Repository, Store
from bot.views import TouchpointRef

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Actor:
    """The person acting, as the door knows them. ``is_admin``: a workspace admin or owner.
    ``external``: from a partner organisation (a channel shared with another company): they
    log moments, react, propose and vote, and may be credited, but never lead or administer.
    ``aliases``: other keys the same person's data may be stored under (a door that could not
    always tell who someone is keyed some of it by another id); forget-me, an admin's delete
    and export reach every one."""

    user_id: str
    display_name: str = ""
    is_admin: bool = False
    external: bool = False
    aliases: tuple[str, ...] = ()

    @property
    def keys(self) -> tuple[str, ...]:
        """Every key the person may be stored under, their own first, each once."""
        return tuple(dict.fromkeys(k for k in (self.user_id, *self.aliases) if k))

    @property
    def name(self) -> str:
        name = self.display_name or self.user_id
        return f"{name}{EXTERNAL}" if self.external and not name.endswith(EXTERNAL) else name


EXTERNAL = " (external)"


def require_insider(actor: Actor, doing: str) -> None:
    """People from a partner organisation never lead or administer this workspace's teams."""
    if actor.external:
        raise NotAllowed(words.ONLY_INSIDERS.format(doing=doing))


GAP_KEPT = timedelta(minutes=1)  # how long a missing confirmation id is looked for again
# A filer is rebuilt from what is stored this often: confirmations deleted on another replica
# (forget-me, an admin's delete, retention) leave its memory within this time.
FILER_REBUILT_AFTER = timedelta(hours=1)


@dataclass
class _Taught:
    """A workspace's filer and which stored confirmations it has learned."""

    filer: Filer
    built_at: datetime
    seen: int = 0  # the highest confirmation id learned
    # ids below ``seen`` not learned yet, and since when: another transaction took the id and had
    # not committed when a later one was read (or it rolled back, and the id never appears)
    gaps: dict[int, datetime] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass
class Deps:
    store: Store
    clock: Clock
    make_filer: Callable[[], Filer]
    _filers: dict[int, _Taught] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def filer(self, repo: Repository) -> Filer:
        """The workspace's filer, taught every stored confirmation it has not learned yet.

        Catching up on each use keeps replicas in step: a confirmation stored by another
        process reaches this filer on its next guess, and a restart replays them all. Threads
        serving the same workspace share the filer and teach each confirmation once; one that
        committed after a later one is still found (see ``_Taught.gaps``), and one the filer
        cannot learn is logged and skipped rather than failing every report after it."""
        ws = repo.workspace.id
        now = self.clock.now()
        with self._lock:
            taught = self._filers.get(ws)
            if taught is None or now - taught.built_at >= FILER_REBUILT_AFTER:
                taught = self._filers[ws] = _Taught(self.make_filer(), now)
        after = min(min(taught.gaps, default=taught.seen + 1) - 1, taught.seen)
        rows = [fb for fb in repo.filing_feedback(after_id=after)  # outside any lock: a read
                if fb.id > taught.seen or fb.id in taught.gaps]
        if not rows:
            return taught.filer
        journeys: dict[int, list[Touchpoint]] = {}
        for fb in rows:
            if fb.team_id not in journeys:
                journeys[fb.team_id] = repo.touchpoints(fb.team_id)
        with taught.lock:  # this workspace's only: a long first replay holds up no other
            for fb in sorted(rows, key=lambda fb: fb.id):
                if fb.id <= taught.seen and fb.id not in taught.gaps:
                    continue  # another thread taught it meanwhile
                try:
                    taught.filer.learn(fb.text, fb.kind, fb.touchpoint_slug, journeys[fb.team_id])
                except Exception:
                    log.exception("the filer could not learn confirmation %d; skipped", fb.id)
                if taught.gaps.pop(fb.id, None) is None:
                    if taught.seen:  # not on the first catch-up: ids missing then were deleted
                        skipped = range(max(taught.seen + 1, fb.id - 100), fb.id)
                        taught.gaps.update(dict.fromkeys(skipped, now))
                    taught.seen = fb.id
            taught.gaps = {i: at for i, at in taught.gaps.items() if now - at < GAP_KEPT}
        return taught.filer

    def forget_filer(self, workspace_id: int) -> None:
        """After confirmations were deleted (a person's data, retention): the next guess
        rebuilds the workspace's filer from what is still stored, so the deleted texts no
        longer shape it (the filer keeps recent confirmations' text to calibrate itself). A
        thread still catching up teaches the old filer, which nothing uses after. Other
        replicas rebuild theirs within FILER_REBUILT_AFTER."""
        with self._lock:
            self._filers.pop(workspace_id, None)


NO_TEAM = words.NO_TEAM


class NoTeam(UserError):
    """The channel has no team: a report made here is kept waiting rather than refused."""


def team_of_channel(repo: Repository, channel: str) -> Team:
    team = repo.team_by_channel(channel)
    if team is None:
        raise NoTeam(NO_TEAM)
    return team


def require_team(repo: Repository, team_id: int) -> Team:
    team = repo.team(team_id)
    if team is None:
        raise NotFound(words.TEAM_GONE)
    return team


def is_lead(repo: Repository, team: Team, actor: Actor) -> bool:
    if actor.external:
        return False
    if actor.is_admin or actor.user_id in team.leads:
        return True
    member = repo.member(actor.user_id)
    return member is not None and member.is_admin


def require_lead(repo: Repository, team: Team, actor: Actor, doing: str) -> None:
    if not is_lead(repo, team, actor):
        raise NotAllowed(words.ONLY_LEADS.format(doing=doing))


def remember(repo: Repository, actor: Actor) -> None:
    """Keep the person's display name and admin flag as the door last saw them."""
    known = repo.member(actor.user_id)
    name = actor.display_name or (known.display_name if known else "")
    if actor.external and name and not name.endswith(EXTERNAL):
        name += EXTERNAL  # shown so wherever the team reads their name (digest, home, credits)
    wanted = Member(
        actor.user_id,
        name,
        not actor.external and (actor.is_admin or (known.is_admin if known else False)),
    )
    if known != wanted:
        repo.save_member(wanted)


def display(repo: Repository, user_id: str) -> str:
    member = repo.member(user_id)
    return member.display_name if member and member.display_name else user_id


def ref(tp: Touchpoint) -> TouchpointRef:
    return TouchpointRef(tp.slug, tp.name, tp.emoji)


def find_touchpoint(
    touchpoints: list[Touchpoint], key: str, *, include_retired: bool = False
) -> Touchpoint | None:
    """By slug, or by name ignoring case, spaces and hyphens."""
    wanted = _squash(key.lstrip("#"))
    for tp in touchpoints:
        if (include_retired or tp.active) and wanted in (_squash(tp.slug), _squash(tp.name)):
            return tp
    return None


def require_touchpoint(touchpoints: list[Touchpoint], key: str) -> Touchpoint:
    tp = find_touchpoint(touchpoints, key)
    if tp is None:
        names = ", ".join(f"#{t.slug}" for t in touchpoints if t.active)
        raise UserError(words.UNKNOWN_TOUCHPOINT.format(key=key, names=names))
    return tp


def _squash(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def is_lead_of(deps: Deps, workspace_id: int, team: Team, actor: Actor) -> bool:
    with deps.store.transaction(workspace_id) as repo:
        return is_lead(repo, team, actor)
