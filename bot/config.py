"""One typed Settings object, read once from the environment (and a `.env` file) and passed in."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DATABASE_URL = "sqlite:///moments.db"


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    log_level: str = "INFO"
    filing_threshold: float | None = None  # None: the filer's calibrated default
    retention_months: int = 0  # 0: keep moments until someone deletes them
    waiting_days: int = 14  # a moment reported before its channel has a team waits this long
    slack_bot_token: str = ""
    slack_signing_secret: str = ""
    slack_app_token: str = ""
    slack_api_url: str = ""
    slack_client_id: str = ""  # with the secret: multi-workspace OAuth install
    slack_client_secret: str = ""
    slack_wow_emoji: tuple[str, ...] = (
        "wow", "star-struck", "tada", "heart_eyes", "clap", "raised_hands", "100", "sparkles")
    slack_ow_emoji: tuple[str, ...] = (
        "ow", "disappointed", "pensive", "slightly_frowning_face", "confused", "face_palm")
    slack_history_interval_seconds: float = 60.0  # conversations.history: ~1 call a minute
    slack_message_cache_hours: int = 48
    slack_admin_cache_seconds: float = 600.0  # how long a users.info answer (admin or not) is trusted
    slack_listener_threads: int = 2  # threads for Bolt's lazy listeners, per process (see README)
    slack_max_backlog: int = 2000  # Slack events waiting for those threads before new ones get 503
    microsoft_app_id: str = ""
    microsoft_app_password: str = ""
    microsoft_app_type: str = "MultiTenant"  # MultiTenant, SingleTenant or UserAssignedMSI
    microsoft_app_tenant_id: str = ""
    # Teams tells a bot nobody's admin role: the AAD object ids of the people Moments treats as
    # the tenant's admins (org setup, privacy requests), MOMENTS_TEAMS_ADMINS, comma-separated
    teams_admins: frozenset[str] = frozenset()
    teams_emulator: bool = False  # MOMENTS_TEAMS_EMULATOR=1: /api/messages without an app id, loopback only
    encryption_key: str = ""  # when set, Slack installation tokens are encrypted at rest
    public_url: str = ""  # where this server is reachable, e.g. https://moments.example.com

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = dict(os.environ if environ is None else environ)
        threshold = env.get("MOMENTS_FILING_THRESHOLD", "").strip()
        retention = env.get("MOMENTS_RETENTION_MONTHS", "").strip()
        return cls(
            database_url=env.get("DATABASE_URL", "").strip() or DEFAULT_DATABASE_URL,
            log_level=env.get("MOMENTS_LOG_LEVEL", "INFO").upper(),
            filing_threshold=float(threshold) if threshold else None,
            retention_months=int(retention) if retention else 0,
            waiting_days=int(env.get("MOMENTS_WAITING_DAYS") or 14),
            slack_bot_token=env.get("SLACK_BOT_TOKEN", ""),
            slack_signing_secret=env.get("SLACK_SIGNING_SECRET", ""),
            slack_app_token=env.get("SLACK_APP_TOKEN", ""),
            slack_api_url=env.get("SLACK_API_URL", ""),
            slack_client_id=env.get("SLACK_CLIENT_ID", ""),
            slack_client_secret=env.get("SLACK_CLIENT_SECRET", ""),
            slack_history_interval_seconds=float(env.get("SLACK_HISTORY_INTERVAL_SECONDS") or 60),
            slack_message_cache_hours=int(env.get("SLACK_MESSAGE_CACHE_HOURS") or 48),
            slack_admin_cache_seconds=float(env.get("SLACK_ADMIN_CACHE_SECONDS") or 600),
            slack_listener_threads=int(env.get("SLACK_LISTENER_THREADS") or 2),
            slack_max_backlog=int(env.get("SLACK_MAX_BACKLOG") or 2000),
            **_emoji(env),
            microsoft_app_id=env.get("MICROSOFT_APP_ID", ""),
            microsoft_app_password=env.get("MICROSOFT_APP_PASSWORD", ""),
            microsoft_app_type=env.get("MICROSOFT_APP_TYPE", "") or "MultiTenant",
            microsoft_app_tenant_id=env.get("MICROSOFT_APP_TENANT_ID", ""),
            teams_admins=frozenset(a.strip().lower() for a in env.get("MOMENTS_TEAMS_ADMINS", "").split(",")
                                   if a.strip()),
            teams_emulator=env.get("MOMENTS_TEAMS_EMULATOR", "").strip().lower() in ("1", "true"),
            encryption_key=env.get("MOMENTS_ENCRYPTION_KEY", ""),
            public_url=env.get("MOMENTS_PUBLIC_URL", "").rstrip("/"),
        )


def _emoji(env: Mapping[str, str]) -> dict[str, tuple[str, ...]]:
    """SLACK_WOW_EMOJI / SLACK_OW_EMOJI: comma-separated names, replacing the defaults."""
    out: dict[str, tuple[str, ...]] = {}
    for key, field in (("SLACK_WOW_EMOJI", "slack_wow_emoji"), ("SLACK_OW_EMOJI", "slack_ow_emoji")):
        names = tuple(n.strip().strip(":") for n in env.get(key, "").split(",") if n.strip(": "))
        if names:
            out[field] = names
    return out


def read_dotenv(path: Path) -> dict[str, str]:
    """KEY=value lines of a `.env` file; comments and blank lines ignored; quotes stripped."""
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.removeprefix("export ").partition("=")
        values[key.strip()] = value.strip().strip("'\"")
    return values


def environment(cwd: Path | None = None) -> dict[str, str]:
    """The process environment over a `.env` in the working folder (the environment wins)."""
    merged = read_dotenv((cwd or Path.cwd()) / ".env")
    merged.update(os.environ)
    return merged
