"""Installations read once, not on every request (multi-workspace OAuth mode).

Bolt authorizes every request before its ack: it reads the workspace's installation from the
store and, unless told to cache, calls auth.test with the token, a database read and a call to
Slack in the 3 seconds Slack gives an ack, on every request. Here the installation is kept for a
minute (``ttl``) and Bolt caches auth.test per token. What this process saves or deletes takes
effect at once; another replica's reinstall or uninstall is seen within ``ttl``, and a token
that stops working meanwhile only makes that minute's Web API calls fail (invalid_auth), as they
would have anyway.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from slack_bolt.authorization.authorize import InstallationStoreAuthorize
from slack_sdk import WebClient
from slack_sdk.oauth.installation_store import Bot, Installation, InstallationStore


class CachedInstallationStore(InstallationStore):
    def __init__(self, inner: InstallationStore, ttl: float = 60.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.inner = inner
        self.ttl = ttl
        self._clock = clock
        self._kept: dict[tuple[Any, ...], tuple[float, Any]] = {}
        self._lock = threading.Lock()

    @property
    def logger(self) -> logging.Logger:
        return logging.getLogger(__name__)

    def _cached(self, key: tuple[Any, ...], read: Callable[[], Any]) -> Any:
        now = self._clock()
        with self._lock:
            kept = self._kept.get(key)
        if kept is not None and now - kept[0] < self.ttl:
            return kept[1]
        found = read()
        if found is not None:  # a workspace installed a moment ago on another replica is found
            with self._lock:
                self._kept[key] = (now, found)
        return found

    def kept_bot_token(self, team_id: str) -> str:
        """The bot token of a workspace's installation as kept here ("" unless it is kept and
        fresh): never a read of the store."""
        with self._lock:
            kept = self._kept.get(("bot", None, team_id, False))
        if kept is None or self._clock() - kept[0] >= self.ttl:
            return ""
        return str(getattr(kept[1], "bot_token", None) or "")

    def _forget(self) -> None:
        with self._lock:
            self._kept.clear()

    def save(self, installation: Installation) -> None:
        self.inner.save(installation)
        self._forget()

    def save_bot(self, bot: Bot) -> None:
        self.inner.save_bot(bot)
        self._forget()

    def find_bot(self, *, enterprise_id: str | None, team_id: str | None,
                 is_enterprise_install: bool | None = False) -> Bot | None:
        return self._cached(  # type: ignore[no-any-return]
            ("bot", enterprise_id, team_id, is_enterprise_install),
            lambda: self.inner.find_bot(enterprise_id=enterprise_id, team_id=team_id,
                                        is_enterprise_install=is_enterprise_install))

    def find_installation(self, *, enterprise_id: str | None, team_id: str | None,
                          user_id: str | None = None,
                          is_enterprise_install: bool | None = False) -> Installation | None:
        return self._cached(  # type: ignore[no-any-return]
            ("installation", enterprise_id, team_id, user_id, is_enterprise_install),
            lambda: self.inner.find_installation(
                enterprise_id=enterprise_id, team_id=team_id, user_id=user_id,
                is_enterprise_install=is_enterprise_install))

    def delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        self.inner.delete_bot(enterprise_id=enterprise_id, team_id=team_id)
        self._forget()

    def delete_installation(self, *, enterprise_id: str | None, team_id: str | None,
                            user_id: str | None = None) -> None:
        self.inner.delete_installation(enterprise_id=enterprise_id, team_id=team_id, user_id=user_id)
        self._forget()

    def delete_all(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        self.inner.delete_all(enterprise_id=enterprise_id, team_id=team_id)
        self._forget()


def caching_authorize(store: InstallationStore, client_id: str, client_secret: str,
                      client: WebClient) -> InstallationStoreAuthorize:
    """Bolt's own authorize on ``store`` (as the App would make it), with its auth.test result
    kept per token, and bot tokens only: Moments acts as its bot, never as a person, so the
    person's own installation (looked up by Bolt on every request, and mostly absent) is not
    needed."""
    return InstallationStoreAuthorize(logger=logging.getLogger("slack_bolt"), client_id=client_id,
                                      client_secret=client_secret, installation_store=store,
                                      client=client, bot_only=True, cache_enabled=True)
