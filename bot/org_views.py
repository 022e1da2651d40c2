"""Neutral pictures of the whole organisation: what teams see of each other.

A team sees other teams' standards and figures (counts, OW shares, team names), never their
moments' text or who reported them: nothing here can carry either.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.views import TouchpointRef


@dataclass(frozen=True, slots=True)
class TeamCount:
    """One team's WOWs and OWs at one touchpoint in the week."""

    team: str
    wows: int
    ows: int


@dataclass(frozen=True, slots=True)
class OrgTouchpointRow:
    """A touchpoint, matched across teams by its slug, with every team's figures side by side."""

    touchpoint: TouchpointRef
    teams: tuple[TeamCount, ...]

    @property
    def wows(self) -> int:
        return sum(t.wows for t in self.teams)

    @property
    def ows(self) -> int:
        return sum(t.ows for t in self.teams)


@dataclass(frozen=True, slots=True)
class Hotspot:
    """Where it hurts most across the teams of a journey."""

    touchpoint: TouchpointRef
    ows: int
    ows_last_week: int
    teams_hurting: int  # teams with an OW there this week
    teams: int  # teams with this touchpoint


@dataclass(frozen=True, slots=True)
class Adoption:
    """A team that follows a standard, and whether it helped there (OW share before → since)."""

    team: str
    adopted_at: datetime
    share_before: float | None
    share_since: float | None
    moments_before: int
    moments_since: int
    first: bool = False  # the team that adopted it first


@dataclass(frozen=True, slots=True)
class SpreadView:
    """One standard and how far it has spread among the teams that share its touchpoint."""

    touchpoint: TouchpointRef
    text: str
    origin_team: str
    adoptions: tuple[Adoption, ...]  # the first team first
    siblings: int  # teams of the journey with that touchpoint, the first one included
    new_this_week: tuple[str, ...] = ()  # teams that adopted it this week


@dataclass(frozen=True, slots=True)
class JourneyGroup:
    """The teams that follow one journey template, side by side."""

    template: str
    teams: tuple[str, ...]
    hotspots: tuple[Hotspot, ...]
    rows: tuple[OrgTouchpointRow, ...]  # touchpoints with moments this week, journey order
    spread: tuple[SpreadView, ...]  # standards adopted this week first, then the most spread
    wows: int = 0
    ows: int = 0


@dataclass(frozen=True, slots=True)
class OrgDigestView:
    """The organisation digest: every journey's teams side by side, and standards that spread."""

    organisation: str
    week: str
    groups: tuple[JourneyGroup, ...]
    channel: str = ""


@dataclass(frozen=True, slots=True)
class OrgChannelView:
    """Where the organisation digest goes and when."""

    channel: str
    timezone: str
    digest_at: str
    next_at: datetime | None
    teams: int
    name: str = ""

    @property
    def label(self) -> str:
        return f"#{self.name or self.channel}"
