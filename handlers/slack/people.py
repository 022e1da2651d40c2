"""Who is acting: users.info answers (name, admin or owner) kept for a few minutes, so a burst of
clicks costs one Web API call. Workspace admins and owners may act as leads."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from bot.services import Actor

log = logging.getLogger(__name__)


class AdminCache:
    def __init__(self, ttl: float = 600.0, size: int = 10_000) -> None:
        self.ttl = ttl
        self.size = size
        self._seen: dict[tuple[str, str], tuple[float, Actor]] = {}
        self._lock = threading.Lock()

    def actor(self, client: Any, team_id: str, user_id: str) -> Actor:
        key = (team_id, user_id)
        with self._lock:
            hit = self._seen.get(key)
        if hit and time.monotonic() - hit[0] < self.ttl:
            return hit[1]
        actor = Actor(user_id)
        try:
            user = client.users_info(user=user_id)["user"]
            profile = user.get("profile") or {}
            name = profile.get("display_name") or profile.get("real_name") or user.get("real_name") \
                or user.get("name") or ""
            actor = Actor(user_id, str(name), bool(user.get("is_admin") or user.get("is_owner")))
        except Exception:  # a missing scope or a hiccup must not stop the person's report
            log.warning("users.info failed for %s; treating them as a non-admin", user_id, exc_info=True)
            return actor  # not cached: the next action asks again
        with self._lock:
            if len(self._seen) >= self.size:
                self._seen.clear()
            self._seen[key] = (time.monotonic(), actor)
        return actor
