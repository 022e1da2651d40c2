"""Who is acting: users.info answers (name, admin or owner, home workspace) kept for a few
minutes, so a burst of clicks costs one Web API call. Workspace admins and owners may act as
leads; people from a partner organisation (Slack Connect) never do.

Which workspace a request belongs to, and which the person comes from, are two questions in a
shared channel: the installation is the one in ``authorizations`` (as Bolt finds the token), and
the person's own team is ``event.user_team`` / ``user.team_id`` / users.info's ``team_id``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from slack_bolt.request.internals import extract_enterprise_id, extract_team_id

from bot.services import Actor

log = logging.getLogger(__name__)


def installing_team(body: dict[str, Any]) -> str:
    """The workspace Moments is installed in for this request: the one whose token Bolt uses
    and whose moments it is (an org-wide install without a team: the organisation)."""
    return str(extract_team_id(body) or extract_enterprise_id(body) or "")


def actor_team(body: dict[str, Any]) -> str:
    """The acting person's own team, when the payload says ("" when it does not)."""
    event = body.get("event")
    if isinstance(event, dict):
        team = event.get("user_team") or ""
        return str(team) if str(team).startswith("T") else ""
    user = body.get("user")
    if isinstance(user, dict):
        return str(user.get("team_id") or "")
    return ""


Ask = Callable[..., Any]  # (client, method, **kwargs) -> the Web API's answer


def asking_the_client(client: Any, method: str, **kwargs: Any) -> Any:
    return getattr(client, method)(**kwargs)


FAILED_FOR = 30.0  # seconds a users.info failed ahead of the work stands for the work's own


class AdminCache:
    """``ask``: how users.info is asked when the answer was not fetched ahead (``SlackDoor``
    passes the sender's ``ask``: on its loop, within its limits). A profile's timezone is kept
    beside who they are: the setup form shows it."""

    def __init__(self, ttl: float = 600.0, size: int = 10_000, *, ask: Ask = asking_the_client) -> None:
        self.ttl = ttl
        self.size = size
        self.ask = ask
        self._seen: dict[tuple[str, str], tuple[float, Actor, str]] = {}  # -> (at, who, timezone)
        self._failed: dict[tuple[str, str], float] = {}  # -> when users.info failed ahead
        self._lock = threading.Lock()

    def knows(self, team_id: str, user_id: str) -> bool:
        """Whether ``actor`` would answer without asking Slack."""
        return self._known(team_id, user_id) is not None

    def _known(self, team_id: str, user_id: str) -> tuple[float, Actor, str] | None:
        with self._lock:
            hit = self._seen.get((team_id, user_id))
        return hit if hit is not None and time.monotonic() - hit[0] < self.ttl else None

    def _just_failed(self, team_id: str, user_id: str) -> bool:
        with self._lock:
            at = self._failed.get((team_id, user_id))
        return at is not None and time.monotonic() - at < FAILED_FOR

    def actor(self, client: Any, team_id: str, user_id: str, their_team: str = "") -> Actor:
        """``team_id``: the installing workspace; ``their_team``: the person's own, if the
        payload said (users.info, when it answers, has the last word)."""
        found = self._profile(client, team_id, user_id, their_team)
        if found is not None:
            return found[0]
        return Actor(user_id, external=bool(their_team) and their_team != team_id)

    def timezone(self, client: Any, team_id: str, user_id: str) -> str:
        """The person's timezone as their Slack profile has it (users.info ``tz``), "" if unknown."""
        found = self._profile(client, team_id, user_id, "")
        return found[1] if found is not None else ""

    def _profile(self, client: Any, team_id: str, user_id: str, their_team: str) -> tuple[Actor, str] | None:
        """Who they are and their timezone: kept, else asked of users.info (unless it failed ahead
        of the work a moment ago); None if unknown, and the next action asks again."""
        hit = self._known(team_id, user_id)
        if hit is not None:
            return hit[1], hit[2]
        if self._just_failed(team_id, user_id):
            return None
        try:
            actor = self.learn(team_id, user_id, their_team, self.ask(client, "users_info", user=user_id))
        except Exception:  # a missing scope or a hiccup must not stop the person's report
            log.warning("users.info failed for %s; treating them as a non-admin", user_id, exc_info=True)
            return None
        with self._lock:
            kept = self._seen.get((team_id, user_id))
        return actor, kept[2] if kept is not None else ""

    def failed(self, team_id: str, user_id: str) -> None:
        """users.info failed ahead of the work: for ``FAILED_FOR`` seconds the work goes on as
        if its own call had failed, rather than hold a listener thread asking again."""
        with self._lock:
            if len(self._failed) >= self.size:
                self._failed.clear()
            self._failed[(team_id, user_id)] = time.monotonic()

    def learn(self, team_id: str, user_id: str, their_team: str, answer: Any) -> Actor:
        """Keep what users.info answered (``answer``: its response) for ``ttl``."""
        user = answer["user"]
        profile = user.get("profile") or {}
        name = profile.get("display_name") or profile.get("real_name") or user.get("real_name") \
            or user.get("name") or ""
        home = str(user.get("team_id") or their_team)
        external = bool(home) and home != team_id and not _same_organisation(user, team_id)
        admin = not external and bool(user.get("is_admin") or user.get("is_owner"))
        actor = Actor(user_id, str(name), admin, external=external)
        with self._lock:
            if len(self._seen) >= self.size:
                self._seen.clear()
            self._seen[(team_id, user_id)] = (time.monotonic(), actor, str(user.get("tz") or ""))
            self._failed.pop((team_id, user_id), None)
        return actor


def _same_organisation(user: dict[str, Any], team_id: str) -> bool:
    """An Enterprise Grid colleague from another workspace of the same organisation (or an
    org-wide install, whose "team" is the organisation) is no partner."""
    enterprise = (user.get("enterprise_user") or {}).get("enterprise_id") or ""
    return bool(enterprise) and (enterprise == team_id or team_id in
                                 ((user.get("enterprise_user") or {}).get("teams") or ()))


def bot_user_of(body: dict[str, Any], context: Any) -> str:
    """Moments' own user id in this workspace: Bolt's (from auth.test or the installation),
    else the bot's entry in the event's ``authorizations``."""
    found = context.get("bot_user_id") if context is not None else None
    if found:
        return str(found)
    for auth in body.get("authorizations") or ():
        if isinstance(auth, dict) and auth.get("is_bot") and auth.get("user_id"):
            return str(auth["user_id"])
    return ""


def posted_by_moments(message: dict[str, Any], body: dict[str, Any], context: Any) -> bool:
    """A message Moments posted (its weekly prompt, a digest, a welcome)."""
    own_bot = context.get("bot_id") if context is not None else None
    bot_user = bot_user_of(body, context)
    return bool((own_bot and message.get("bot_id") == own_bot)
                or (bot_user and message.get("user") == bot_user))
