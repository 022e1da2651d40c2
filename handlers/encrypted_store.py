"""Slack installation tokens encrypted at rest when MOMENTS_ENCRYPTION_KEY is set.

Wraps any slack_sdk InstallationStore (the SQLAlchemy one in production): tokens are Fernet-
encrypted before they reach the database and decrypted when Bolt asks for them. Values written
before the key was set stay readable, so turning encryption on needs no migration.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import logging
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from slack_sdk.oauth.installation_store import Bot, Installation, InstallationStore

PREFIX = "enc:v1:"
TOKEN_FIELDS = ("bot_token", "bot_refresh_token", "user_token", "user_refresh_token")


def fernet_for(key: str) -> Fernet:
    """A Fernet key as given, or one derived from any passphrase."""
    try:
        return Fernet(key.encode())
    except ValueError:
        return Fernet(base64.urlsafe_b64encode(hashlib.sha256(key.encode()).digest()))


class EncryptedInstallationStore(InstallationStore):
    def __init__(self, inner: InstallationStore, key: str) -> None:
        self.inner = inner
        self._fernet = fernet_for(key)

    @property
    def logger(self) -> logging.Logger:
        return logging.getLogger(__name__)

    def _seal(self, obj: Any) -> Any:
        sealed = copy.copy(obj)
        for name in TOKEN_FIELDS:
            value = getattr(sealed, name, None)
            if value and not value.startswith(PREFIX):
                setattr(sealed, name, PREFIX + self._fernet.encrypt(value.encode()).decode())
        return sealed

    def _open(self, obj: Any) -> Any:
        if obj is None:
            return None
        for name in TOKEN_FIELDS:
            value = getattr(obj, name, None)
            if value and value.startswith(PREFIX):
                try:
                    setattr(obj, name, self._fernet.decrypt(value[len(PREFIX):].encode()).decode())
                except InvalidToken:
                    raise RuntimeError(
                        "A stored Slack token cannot be decrypted: MOMENTS_ENCRYPTION_KEY changed. "
                        "Restore the old key or reinstall the app."
                    ) from None
        return obj

    def save(self, installation: Installation) -> None:
        self.inner.save(self._seal(installation))

    def save_bot(self, bot: Bot) -> None:
        self.inner.save_bot(self._seal(bot))

    def find_bot(self, *, enterprise_id: str | None, team_id: str | None,
                 is_enterprise_install: bool | None = False) -> Bot | None:
        found = self.inner.find_bot(enterprise_id=enterprise_id, team_id=team_id,
                                    is_enterprise_install=is_enterprise_install)
        return self._open(found)  # type: ignore[no-any-return]

    def find_installation(self, *, enterprise_id: str | None, team_id: str | None,
                          user_id: str | None = None,
                          is_enterprise_install: bool | None = False) -> Installation | None:
        found = self.inner.find_installation(enterprise_id=enterprise_id, team_id=team_id,
                                             user_id=user_id,
                                             is_enterprise_install=is_enterprise_install)
        return self._open(found)  # type: ignore[no-any-return]

    def delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        self.inner.delete_bot(enterprise_id=enterprise_id, team_id=team_id)

    def delete_installation(self, *, enterprise_id: str | None, team_id: str | None,
                            user_id: str | None = None) -> None:
        self.inner.delete_installation(enterprise_id=enterprise_id, team_id=team_id, user_id=user_id)
