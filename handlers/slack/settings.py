"""What the Slack door reads from the environment, beyond the shared Settings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.config import Settings


@dataclass(frozen=True, slots=True)
class SlackSettings:
    bot_token: str = ""
    signing_secret: str = ""
    app_token: str = ""
    api_url: str = ""  # another Web API base URL (tests, proxies); "" is Slack's
    client_id: str = ""
    client_secret: str = ""
    wow_emoji: tuple[str, ...] = Settings().slack_wow_emoji
    ow_emoji: tuple[str, ...] = Settings().slack_ow_emoji
    history_interval_seconds: float = 60.0  # conversations.history: about one call a minute
    message_cache_hours: int = 48
    admin_cache_seconds: float = 600.0  # how long a users.info answer (admin or not) is trusted
    listener_threads: int = 2
    max_backlog: int = 2000  # work items waiting for a listener thread before events get 503
    encryption_key: str = ""  # MOMENTS_ENCRYPTION_KEY: also seals the requests kept until handled

    @property
    def oauth(self) -> bool:
        return bool(self.client_id and self.client_secret)

    @classmethod
    def of(cls, settings: Settings, environ: Mapping[str, str] | None = None) -> SlackSettings:
        """The door's view of the shared settings; ``environ`` (tests) overrides the admin cache
        and listener threads."""
        env = environ or {}
        return cls(
            bot_token=settings.slack_bot_token,
            signing_secret=settings.slack_signing_secret,
            app_token=settings.slack_app_token,
            api_url=settings.slack_api_url,
            client_id=settings.slack_client_id,
            client_secret=settings.slack_client_secret,
            wow_emoji=settings.slack_wow_emoji,
            ow_emoji=settings.slack_ow_emoji,
            history_interval_seconds=settings.slack_history_interval_seconds,
            message_cache_hours=settings.slack_message_cache_hours,
            admin_cache_seconds=float(env.get("SLACK_ADMIN_CACHE_SECONDS")
                                      or settings.slack_admin_cache_seconds),
            listener_threads=int(env.get("SLACK_LISTENER_THREADS") or settings.slack_listener_threads),
            max_backlog=settings.slack_max_backlog,
            encryption_key=settings.encryption_key,
        )

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> SlackSettings:
        return cls.of(Settings.from_env(environ), environ)
