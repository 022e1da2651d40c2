"""What the core needs from the outside world, as Protocols.

Storage is split in two so that no read can cross tenants: a :class:`Store` finds or creates
workspaces and opens a :class:`Repository` bound to exactly one of them. Every method of a
Repository reads and writes inside that workspace only; an id from another workspace behaves
as if it did not exist. One ``Store.transaction`` is one unit of work: it commits when the block
ends normally and rolls back everything when it raises, so a failed use case stores nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable

from bot.domain import (
    FilingFeedback,
    Member,
    Moment,
    MomentKind,
    OrgChannel,
    OrgPost,
    Platform,
    PostRecord,
    Prompt,
    Proposal,
    RedactionPattern,
    Standard,
    StandardLevel,
    Team,
    Touchpoint,
    WaitingMoment,
    Workspace,
)
from bot.views import Post


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        ...


class Repository(Protocol):
    """Rows of one workspace. ``add_*`` returns the stored entity with its new id."""

    @property
    def workspace(self) -> Workspace: ...

    # members
    def member(self, user_id: str) -> Member | None: ...
    def save_member(self, member: Member) -> None:
        """Insert or update by user_id."""
        ...

    # teams
    def add_team(self, team: Team) -> Team:
        """Raises DuplicateError when the channel already has a team."""
        ...
    def team(self, team_id: int) -> Team | None: ...
    def team_by_channel(self, channel: str) -> Team | None: ...
    def teams(self) -> list[Team]: ...
    def save_team(self, team: Team) -> None: ...

    # touchpoints, ordered by position then id
    def add_touchpoint(self, touchpoint: Touchpoint) -> Touchpoint:
        """Raises DuplicateError when the team already has that slug (retired ones included)."""
        ...
    def touchpoints(self, team_id: int, *, include_retired: bool = False) -> list[Touchpoint]: ...
    def save_touchpoint(self, touchpoint: Touchpoint) -> None: ...

    # moments, newest first
    def add_moment(self, moment: Moment) -> Moment:
        """Raises DuplicateError when its ``request_key`` is taken, or when it is made by a
        reaction (Source.REACTION) and the message has a live one of that kind already."""
        ...
    def moment(self, moment_id: int) -> Moment | None: ...
    def moment_by_ref(self, message_ref: str, kind: MomentKind) -> Moment | None:
        """The live (not retracted) moment of this kind made from that chat message."""
        ...

    def moments_from_message(self, message_ref: str) -> list[Moment]:
        """Every moment with that ref, retracted ones too, oldest first (its message changed)."""
        ...

    def lock_moment(self, moment_id: int) -> Moment | None:
        """The moment as stored now, held against other writers until the transaction ends:
        a change read from it (a "me too") and saved loses no one else's."""
        ...

    def moment_by_request(self, request_key: str) -> Moment | None:
        """The moment a chat request made, retracted or not (a replayed request finds it)."""
        ...

    def save_moment(self, moment: Moment) -> None: ...
    def moments(
        self,
        team_id: int,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        kind: MomentKind | None = None,
        reporter_id: str | None = None,
        include_retracted: bool = False,
        limit: int | None = None,
    ) -> list[Moment]:
        """Moments with ``since <= created_at < until``, newest first."""
        ...

    # filing feedback, oldest first
    def add_filing_feedback(self, feedback: FilingFeedback) -> FilingFeedback: ...
    def filing_feedback(
        self, *, limit: int | None = None, after_id: int = 0
    ) -> list[FilingFeedback]:
        """The latest ``limit`` items (all when None) with an id above ``after_id``, oldest first."""
        ...

    def reword_feedback(self, moment_id: int, text: str | None) -> int:
        """The moment's confirmations take ``text`` (its message was edited), or are deleted
        when None (its message was deleted); returns how many changed."""
        ...

    # step 2: prompts (one per team and week) and proposals
    def add_prompt(self, prompt: Prompt) -> Prompt:
        """Raises DuplicateError when the team already has a prompt for that week."""
        ...

    def prompt(self, prompt_id: int) -> Prompt | None: ...
    def prompt_for_week(self, team_id: int, week: str) -> Prompt | None: ...
    def prompts(self, team_id: int, *, open_only: bool = False) -> list[Prompt]:
        """Newest first."""
        ...

    def save_prompt(self, prompt: Prompt) -> None: ...
    def add_proposal(self, proposal: Proposal) -> Proposal: ...
    def proposal(self, proposal_id: int) -> Proposal | None: ...
    def proposals(self, prompt_id: int) -> list[Proposal]:
        """Oldest first."""
        ...

    # step 3: votes
    def add_vote(self, proposal_id: int, voter_id: str, at: datetime) -> bool:
        """False (and nothing stored) when that person already voted for that proposal."""
        ...

    def vote_counts(self, prompt_id: int) -> dict[int, int]:
        """proposal id -> votes, for proposals with at least one vote."""
        ...

    def voters(self, proposal_id: int) -> list[str]: ...

    # step 4 and 5: standards, newest first
    def add_standard(self, standard: Standard) -> Standard: ...
    def standard(self, standard_id: int) -> Standard | None: ...
    def standards(self, team_id: int, *, level: StandardLevel | None = None) -> list[Standard]: ...
    def save_standard(self, standard: Standard) -> None: ...

    # moments waiting for the text of the message they were made from (reactions)
    def moments_awaiting_text(self, *, limit: int = 50) -> list[Moment]:
        """Live moments with empty text and a message_ref, oldest first, across teams."""
        ...

    # the weekly cycle's exactly-once guard
    def claim_post(self, team_id: int, kind: str, week: str, at: datetime) -> bool:
        """True for the first claim of (team, kind, week); False when already claimed."""
        ...

    def post_record(self, team_id: int, kind: str, week: str) -> PostRecord | None: ...
    def save_post_record(self, record: PostRecord) -> None: ...
    def swap_post_record(self, expected: PostRecord, new: PostRecord) -> bool:
        """Write ``new`` only if the stored record is still unsent with ``expected``'s attempts
        and sending mark; False when another process got there first."""
        ...

    def post_records(self, *, team_id: int | None = None, limit: int = 50) -> list[PostRecord]:
        """Newest claim first."""
        ...

    # privacy
    def delete_moments_before(self, cutoff: datetime) -> int:
        """Retention: delete moments created before ``cutoff`` (and what was learned from them)."""
        ...

    def forget_user(self, user_id: str) -> dict[str, int]:
        """Erase a person: their moments and votes are deleted; their name is taken off credits,
        "me too"s, proposals (kept, anonymous), standards and lead lists; their member row goes,
        and so does what a door keeps of them (Slack's cached messages). Returns counts by kind."""
        ...

    # the workspace's own redaction patterns, oldest first
    def redaction_patterns(self) -> list[RedactionPattern]: ...
    def add_redaction_pattern(self, pattern: RedactionPattern) -> RedactionPattern:
        """Raises DuplicateError when the workspace already has that pattern."""
        ...

    def remove_redaction_pattern(self, pattern_id: int) -> bool:
        """False when there is no such pattern in this workspace."""
        ...

    # the first five minutes: moments waiting for a team, people's chosen team, welcomes
    def add_waiting(self, waiting: WaitingMoment) -> WaitingMoment:
        """Raises DuplicateError when its ``request_key`` is taken."""
        ...

    def waiting_by_request(self, request_key: str) -> WaitingMoment | None: ...
    def waiting_in(self, channel: str) -> list[WaitingMoment]:
        """Moments waiting for ``channel``'s team, oldest first."""
        ...

    def waiting_of(self, reporter_id: str) -> list[WaitingMoment]:
        """Moments waiting for their reporter's team (reported in a private chat), oldest first."""
        ...

    def waiting_reported_by(self, reporter_id: str) -> list[WaitingMoment]:
        """Every moment the person reported that waits, wherever, oldest first (their data)."""
        ...

    def delete_waiting(self, waiting_id: int) -> bool: ...
    def delete_waiting_expired(self, now: datetime) -> int:
        """Delete the waiting moments whose ``expires_at`` is at or before ``now``."""
        ...

    def chosen_team(self, user_id: str) -> int | None:
        """The team a person picked for what they report outside a team's channel."""
        ...

    def choose_team(self, user_id: str, team_id: int) -> None: ...
    def claim_welcome(self, channel: str, at: datetime) -> bool:
        """True the first time for a channel: the bot's welcome is posted there once."""
        ...

    # the organisation: its channel, the weekly organisation digest's guard, candidates offered
    def org_channel(self) -> OrgChannel | None: ...
    def save_org_channel(self, org: OrgChannel) -> OrgChannel:
        """Insert or update the workspace's one organisation channel; a changed channel or
        schedule makes it due for a look at once."""
        ...

    def remove_org_channel(self) -> bool: ...
    def offered_origins(self, team_id: int) -> set[int]:
        """Ids of the sibling standards already offered to the team as candidates."""
        ...

    def sibling_standards(self, team_id: int, template: str) -> list[tuple[Standard, str]]:
        """The delight standards of the workspace's other teams that follow ``template``, each
        with its touchpoint's slug; newest first. One query, however many teams there are."""
        ...

    def claim_org_post(self, org_id: int, week: str, at: datetime) -> bool:
        """True for the first claim of (organisation channel, week)."""
        ...

    def org_post(self, org_id: int, week: str) -> OrgPost | None: ...
    def swap_org_post(self, expected: OrgPost, new: OrgPost) -> bool:
        """As ``swap_post_record``, for the organisation digest."""
        ...


class Store(Protocol):
    def workspace(self, *, platform: Platform, external_id: str, name: str = "") -> Workspace:
        """Find the workspace, creating it on first sight."""
        ...

    def workspaces(self) -> list[Workspace]: ...

    def transaction(self, workspace_id: int) -> AbstractContextManager[Repository]:
        """One unit of work inside one workspace."""
        ...

    def claim_due_teams(self, *, now: datetime, until: datetime, limit: int) -> list[tuple[int, int]]:
        """Up to ``limit`` (workspace id, team id) whose next post check is at or before ``now``,
        in one query over every workspace, each held for this caller until ``until``: a rival
        replica's claim skips them (a team's schedule edited meanwhile makes it due again)."""
        ...

    def settle_team(self, *, workspace_id: int, team_id: int, claimed_until: datetime,
                    next_check: datetime | None) -> bool:
        """Set when the team is next looked at (None: not until its schedule changes), unless
        its claim changed since (the schedule was edited): then it stays due. False then."""
        ...

    def claim_due_orgs(self, *, now: datetime, until: datetime, limit: int) -> list[tuple[int, int]]:
        """As ``claim_due_teams``, for the organisation channels: (workspace id, channel id)."""
        ...

    def settle_org(self, *, workspace_id: int, org_id: int, claimed_until: datetime,
                   next_check: datetime | None) -> bool:
        """As ``settle_team``, for an organisation channel."""
        ...


class DuplicateError(Exception):
    """A row that must be unique already exists."""


@dataclass(frozen=True, slots=True)
class FilingGuess:
    """What the filer thinks of a text: ranked touchpoint slugs with calibrated confidence."""

    kind: MomentKind | None  # None when the text does not say
    kind_confidence: float
    ranked: tuple[tuple[str, float], ...]  # (slug, probability), best first
    explicit: bool = False  # the text named the touchpoint itself (#slug or its name)

    @property
    def best(self) -> str | None:
        return self.ranked[0][0] if self.ranked else None

    @property
    def confidence(self) -> float:
        return self.ranked[0][1] if self.ranked else 0.0


class Filer(Protocol):
    """Text -> touchpoint and kind. One filer per workspace; it learns from confirmed filings."""

    def guess(self, text: str, touchpoints: Sequence[Touchpoint]) -> FilingGuess: ...
    def learn(self, text: str, kind: MomentKind | None, touchpoint_slug: str | None,
              touchpoints: Sequence[Touchpoint] = ()) -> None:
        """A confirmed filing; ``touchpoints`` (the team's journey) lets it calibrate."""
        ...
    @property
    def threshold(self) -> float:
        """Confidence at or above which a moment is filed without asking."""
        ...


class DeliveryError(Exception):
    """A post could not be delivered. ``retry_after``: seconds the platform asked us to wait;
    ``permanent``: retrying will not help (bot removed from the channel, app uninstalled)."""

    def __init__(self, message: str, *, retry_after: float | None = None,
                 permanent: bool = False) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.permanent = permanent


class Notifier(Protocol):
    """Sends the bot's own posts (weekly prompt, vote results, digest) to a team's channel."""

    def send(self, workspace: Workspace, post: Post) -> None:
        """Deliver or raise DeliveryError."""
        ...


@runtime_checkable
class SentChecker(Protocol):
    """A notifier that can look in the channel for a post it may have sent before a crash."""

    def was_sent(self, workspace: Workspace, post: Post, since: datetime) -> bool | None:
        """True if the post is in the channel, False if surely not, None when it can't tell."""
        ...
