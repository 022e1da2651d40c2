"""The Moments-of-Truth method as plain data: no chat platform, no SQL, no clock.

Entities are frozen dataclasses. A new entity carries ``id=0`` until the repository stores it and
hands back a copy with its id. Every datetime is timezone-aware UTC.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime

MAX_MOMENT_CHARS = 3000
MAX_PROPOSAL_CHARS = 1000


class MomentKind(enum.StrEnum):
    WOW = "wow"  # the customer was delighted
    OW = "ow"  # the customer was let down


class Filing(enum.StrEnum):
    """How a moment got its touchpoint."""

    EXPLICIT = "explicit"  # the reporter tagged it (#check-in or the touchpoint's name)
    AUTO = "auto"  # the filer was confident enough to file without asking
    ASKED = "asked"  # the filer was unsure; waiting for the reporter to pick
    CONFIRMED = "confirmed"  # the reporter picked the filer's first choice or confirmed it
    CORRECTED = "corrected"  # the reporter picked another touchpoint than the filer's


class Source(enum.StrEnum):
    COMMAND = "command"
    REACTION = "reaction"
    MESSAGE = "message"
    SHORTCUT = "shortcut"
    CONSOLE = "console"
    TEAMS = "teams"


class StandardLevel(enum.StrEnum):
    DELIGHT = "delight"  # still surprises customers
    BASIC = "basic"  # customers expect it now; the touchpoint needs fresh ideas


class Platform(enum.StrEnum):
    SLACK = "slack"
    TEAMS = "teams"
    CONSOLE = "console"


@dataclass(frozen=True, slots=True)
class Workspace:
    """One Slack workspace, one Teams tenant, or the local console."""

    id: int
    platform: Platform
    external_id: str
    name: str = ""


@dataclass(frozen=True, slots=True)
class Member:
    """A person in a workspace. Admins may do everything a lead may, in every team."""

    user_id: str
    display_name: str = ""
    is_admin: bool = False


@dataclass(frozen=True, slots=True)
class Team:
    """A group of staff with a home channel, a timezone and a customer journey."""

    id: int
    name: str
    channel: str
    timezone: str = "UTC"
    template: str = "airline"
    leads: tuple[str, ...] = ()
    basic_after_weeks: int = 12  # step 5: a delight standard is "basic" after this many weeks
    focus_count: int = 2  # how many touchpoints a weekly prompt asks about
    # The weekly rhythm in team local time, "DAY HH:MM" with DAY one of mon..sun.
    prompt_at: str = "mon 09:00"
    votes_close_at: str = "thu 17:00"
    digest_at: str = "fri 16:00"
    quiet_days: tuple[str, ...] = ()  # e.g. ("sat", "sun"): nothing is posted on these days
    paused: bool = False  # the bot was removed from the channel or the app uninstalled


@dataclass(frozen=True, slots=True)
class Touchpoint:
    id: int
    team_id: int
    slug: str
    name: str
    description: str = ""
    keywords: tuple[str, ...] = ()
    emoji: str = ""
    position: int = 0
    retired_at: datetime | None = None
    # Step 5: set when a standard here turned basic; cleared when a new standard is adopted.
    fresh_ideas_since: datetime | None = None

    @property
    def active(self) -> bool:
        return self.retired_at is None


@dataclass(frozen=True, slots=True)
class Moment:
    id: int
    team_id: int
    kind: MomentKind
    text: str
    reporter_id: str
    touchpoint_id: int | None
    filing: Filing
    confidence: float
    source: Source
    created_at: datetime
    updated_at: datetime
    credited: tuple[str, ...] = ()  # WOW only: the colleagues who delivered it
    also_reported_by: tuple[str, ...] = ()  # "me too" from other staff
    message_ref: str | None = None  # where it came from in chat (permalink or platform id)
    retracted_at: datetime | None = None
    request_key: str | None = None  # the platform's id of the request that made it (a replay finds it)

    @property
    def retracted(self) -> bool:
        return self.retracted_at is not None


@dataclass(frozen=True, slots=True)
class FilingFeedback:
    """A reporter confirmed or corrected a filing: the filer learns from these."""

    id: int
    team_id: int
    moment_id: int
    text: str
    kind: MomentKind
    touchpoint_slug: str
    guessed_slug: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Prompt:
    """Step 2: one weekly round asking a team for alternative responses at its focus touchpoints."""

    id: int
    team_id: int
    week: str  # ISO week in the team's timezone, e.g. "2026-W47"
    touchpoint_ids: tuple[int, ...]
    example_moment_ids: tuple[int, ...]
    opened_at: datetime
    closes_at: datetime
    closed_at: datetime | None = None

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


@dataclass(frozen=True, slots=True)
class Proposal:
    id: int
    prompt_id: int
    touchpoint_id: int
    text: str
    author_id: str
    anonymous: bool
    created_at: datetime
    # A sibling team's standard offered here as a candidate (the first team's standard's id):
    # adopted, the new standard keeps it as its origin.
    origin_standard_id: int | None = None


@dataclass(frozen=True, slots=True)
class Standard:
    """Step 4: the adopted response everyone follows at a touchpoint."""

    id: int
    team_id: int
    touchpoint_id: int
    text: str
    adopted_by: str
    adopted_at: datetime
    proposal_id: int | None = None
    level: StandardLevel = StandardLevel.DELIGHT
    basic_since: datetime | None = None
    # Spread from a sibling team: the standard of the team that first adopted it (None: our own).
    origin_id: int | None = None


@dataclass(frozen=True, slots=True)
class RedactionPattern:
    """A workspace's own pattern of personal data (say employee numbers), redacted like emails."""

    id: int
    pattern: str  # a Python regular expression
    added_by: str
    added_at: datetime


@dataclass(frozen=True, slots=True)
class CachedMessage:
    """A recent channel message the bot saw, kept briefly so a reaction can quote it."""

    channel: str
    ts: str
    author_id: str
    text: str
    seen_at: datetime


@dataclass(frozen=True, slots=True)
class PostRecord:
    """The weekly cycle's guard: one (team, kind, week) post is claimed once, then sent."""

    team_id: int
    kind: str  # "prompt", "votes_closed", "digest"
    week: str
    claimed_at: datetime
    sent_at: datetime | None = None
    attempts: int = 0
    last_error: str = ""
    # Set while one process is sending; still set after a crash mid-send, when nobody knows
    # whether the post went out: such a post is checked, not blindly sent again.
    sending_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class OrgChannel:
    """The workspace's organisation channel: every team's week side by side, once a week."""

    id: int
    channel: str
    timezone: str = "UTC"
    digest_at: str = "fri 17:00"  # "DAY HH:MM" in ``timezone``, like a team's slots
    paused: bool = False  # the bot can no longer post there
    name: str = ""  # the channel's name as the admin named it, for showing (the id posts)


@dataclass(frozen=True, slots=True)
class OrgPost:
    """The organisation digest's guard: one per organisation channel and week, like PostRecord."""

    org_id: int
    week: str
    claimed_at: datetime
    sent_at: datetime | None = None
    attempts: int = 0
    last_error: str = ""
    sending_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class TouchpointTemplate:
    """One touchpoint of an industry journey, as shipped in ``bot/templates``."""

    slug: str
    name: str
    description: str
    keywords: tuple[str, ...] = ()
    emoji: str = ""


@dataclass(frozen=True, slots=True)
class JourneyTemplate:
    name: str
    title: str
    touchpoints: tuple[TouchpointTemplate, ...] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class WaitingMoment:
    """A moment reported where there is no team yet: kept, redacted, until the channel is set
    up (or, from a private chat, until the reporter picks their team), then filed as it would
    have been; deleted unfiled at ``expires_at``.

    ``channel``: the channel it waits for; "" when it waits for its reporter's team (a DM, a
    personal chat). ``text`` is "" for a reaction whose message the bot could not read yet.
    ``author_id``: the author of the message it quotes (reactions, the message shortcut), whom a
    WOW credits once filed."""

    id: int
    channel: str
    kind: MomentKind
    text: str
    reporter_id: str
    source: Source
    created_at: datetime
    expires_at: datetime
    author_id: str = ""
    message_ref: str | None = None
    request_key: str | None = None
