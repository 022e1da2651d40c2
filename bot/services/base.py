"""What every use case shares: the ports, and small lookups that speak the person's language."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.domain import Member, Team, Touchpoint
from bot.errors import NotAllowed, NotFound, UserError
from bot.ports import Clock, Filer, Repository, Store
from bot.views import TouchpointRef


@dataclass(frozen=True, slots=True)
class Actor:
    """The person acting, as the door knows them. ``is_admin``: a workspace admin or owner."""

    user_id: str
    display_name: str = ""
    is_admin: bool = False

    @property
    def name(self) -> str:
        return self.display_name or self.user_id


@dataclass
class Deps:
    store: Store
    clock: Clock
    make_filer: Callable[[], Filer]
    _filers: dict[int, tuple[Filer, int]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _catching_up: dict[int, threading.Lock] = field(default_factory=dict, repr=False)

    def filer(self, repo: Repository) -> Filer:
        """The workspace's filer, taught every stored confirmation it has not seen yet.

        Catching up on each use keeps replicas in step: a confirmation stored by another
        process reaches this filer on its next guess, and a restart replays them all. Threads
        serving the same workspace share the filer; each confirmation is taught once."""
        ws = repo.workspace.id
        with self._lock:
            known = self._filers.get(ws)
            if known is None:
                known = self._filers[ws] = (self.make_filer(), 0)
            catching_up = self._catching_up.setdefault(ws, threading.Lock())
        filer, seen = known
        new = repo.filing_feedback(after_id=seen)  # outside any lock: a database read
        if not new:
            return filer
        journeys: dict[int, list[Touchpoint]] = {}
        for fb in new:
            if fb.team_id not in journeys:
                journeys[fb.team_id] = repo.touchpoints(fb.team_id)
        with catching_up:  # this workspace's only: a long first replay holds up no other
            filer, seen = self._filers[ws]
            for fb in sorted(new, key=lambda fb: fb.id):
                if fb.id > seen:  # another thread may have taught it meanwhile
                    filer.learn(fb.text, fb.kind, fb.touchpoint_slug, journeys[fb.team_id])
                    seen = fb.id
            with self._lock:
                self._filers[ws] = (filer, seen)
        return filer


    def forget_filer(self, workspace_id: int) -> None:
        """After confirmations were deleted (a person's data, retention): the next guess
        rebuilds the workspace's filer from what is still stored, so the deleted texts no
        longer shape it (the filer keeps recent confirmations' text to calibrate itself)."""
        with self._lock:
            self._filers.pop(workspace_id, None)


def require_team(repo: Repository, team_id: int) -> Team:
    team = repo.team(team_id)
    if team is None:
        raise NotFound("That team doesn't exist (any more). Run `/moments setup` in its channel.")
    return team


def is_lead(repo: Repository, team: Team, actor: Actor) -> bool:
    if actor.is_admin or actor.user_id in team.leads:
        return True
    member = repo.member(actor.user_id)
    return member is not None and member.is_admin


def require_lead(repo: Repository, team: Team, actor: Actor, doing: str) -> None:
    if not is_lead(repo, team, actor):
        raise NotAllowed(
            f"Only the team's leads and workspace admins can {doing}. "
            "Ask an admin to add you with `/moments leads add @you`."
        )


def remember(repo: Repository, actor: Actor) -> None:
    """Keep the person's display name and admin flag as the door last saw them."""
    known = repo.member(actor.user_id)
    wanted = Member(
        actor.user_id,
        actor.display_name or (known.display_name if known else ""),
        actor.is_admin or (known.is_admin if known else False),
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
        raise UserError(f"I don't know the touchpoint “{key}”. This team's touchpoints: {names}.")
    return tp


def _squash(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def is_lead_of(deps: Deps, workspace_id: int, team: Team, actor: Actor) -> bool:
    with deps.store.transaction(workspace_id) as repo:
        return is_lead(repo, team, actor)
