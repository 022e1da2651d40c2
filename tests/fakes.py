"""Small fakes beside the ports they stand in for: a store that keeps dicts, a fixed clock."""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import TypeVar

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
    Source,
    Standard,
    StandardLevel,
    Team,
    Touchpoint,
    WaitingMoment,
    Workspace,
)
from bot.ports import DeliveryError, DuplicateError, FilingGuess
from bot.views import Post
from tests.fakes_org import OrgFakeRows, OrgFakeStore

T = TypeVar("T")


class FixedClock:
    def __init__(self, now: datetime | None = None) -> None:
        self._now = now or datetime(2026, 11, 16, 9, 0, tzinfo=UTC)  # a Monday

    def now(self) -> datetime:
        return self._now

    def set(self, now: datetime) -> None:
        self._now = now

    def advance(self, delta: timedelta) -> None:
        self._now += delta


@dataclass
class _Tables:
    members: dict[tuple[int, str], Member] = field(default_factory=dict)
    teams: dict[int, tuple[int, Team]] = field(default_factory=dict)
    touchpoints: dict[int, tuple[int, Touchpoint]] = field(default_factory=dict)
    moments: dict[int, tuple[int, Moment]] = field(default_factory=dict)
    feedback: dict[int, tuple[int, FilingFeedback]] = field(default_factory=dict)
    prompts: dict[int, tuple[int, Prompt]] = field(default_factory=dict)
    proposals: dict[int, tuple[int, Proposal]] = field(default_factory=dict)
    votes: dict[tuple[int, str], tuple[int, datetime]] = field(default_factory=dict)
    standards: dict[int, tuple[int, Standard]] = field(default_factory=dict)
    posts: dict[tuple[int, int, str, str], PostRecord] = field(default_factory=dict)
    redaction_patterns: dict[int, tuple[int, RedactionPattern]] = field(default_factory=dict)
    next_post_at: dict[int, datetime | None] = field(default_factory=dict)  # team id -> next look
    waiting: dict[int, tuple[int, WaitingMoment]] = field(default_factory=dict)
    choices: dict[tuple[int, str], int] = field(default_factory=dict)  # (ws, user) -> team id
    welcomes: set[tuple[int, str]] = field(default_factory=set)
    orgs: dict[int, OrgChannel] = field(default_factory=dict)  # workspace id -> its org channel
    org_next: dict[int, datetime | None] = field(default_factory=dict)  # org id -> next look
    org_posts: dict[tuple[int, int, str], OrgPost] = field(default_factory=dict)
    next_id: int = 1


SOON = datetime(2000, 1, 1, tzinfo=UTC)
SCHEDULE_FIELDS = ("timezone", "prompt_at", "votes_close_at", "digest_at", "quiet_days", "paused")


class InMemoryStore(OrgFakeStore):
    """Store with the same contract as storage.SqlStore; a failed transaction rolls back.
    Transactions run one at a time, as the database serialises them: the listener threads
    and the tests' own reads share one store."""

    def __init__(self) -> None:
        self._workspaces: list[Workspace] = []
        self._t = _Tables()
        self._lock = threading.RLock()

    def workspace(self, *, platform: Platform, external_id: str, name: str = "") -> Workspace:
        for ws in self._workspaces:
            if ws.platform == platform and ws.external_id == external_id:
                return ws
        ws = Workspace(len(self._workspaces) + 1, platform, external_id, name)
        self._workspaces.append(ws)
        return ws

    def workspaces(self) -> list[Workspace]:
        return list(self._workspaces)

    def claim_due_teams(self, *, now: datetime, until: datetime, limit: int) -> list[tuple[int, int]]:
        with self._lock:
            due = sorted((at, team_id) for team_id, at in self._t.next_post_at.items()
                         if at is not None and at <= now and not self._t.teams[team_id][1].paused)
            claimed = [(self._t.teams[team_id][0], team_id) for _, team_id in due[:limit]]
            for _, team_id in claimed:
                self._t.next_post_at[team_id] = until
            return claimed

    def settle_team(self, *, workspace_id: int, team_id: int, claimed_until: datetime,
                    next_check: datetime | None) -> bool:
        with self._lock:
            if self._t.next_post_at.get(team_id) != claimed_until:
                return False
            self._t.next_post_at[team_id] = next_check
            return True

    @contextmanager
    def transaction(self, workspace_id: int) -> Iterator[InMemoryRepository]:
        ws = next((w for w in self._workspaces if w.id == workspace_id), None)
        if ws is None:
            raise KeyError(workspace_id)
        with self._lock:
            snapshot = copy.deepcopy(self._t)
            try:
                yield InMemoryRepository(ws, self._t)
            except BaseException:
                self._t = snapshot
                raise


class InMemoryRepository(OrgFakeRows):
    def __init__(self, workspace: Workspace, tables: _Tables) -> None:
        self._ws = workspace
        self._t = tables

    @property
    def workspace(self) -> Workspace:
        return self._ws

    def _new_id(self) -> int:
        self._t.next_id += 1
        return self._t.next_id

    def _mine(self, table: dict[int, tuple[int, T]], key: int) -> T | None:
        row = table.get(key)
        return row[1] if row and row[0] == self._ws.id else None

    def _all(self, table: dict[int, tuple[int, T]]) -> list[T]:
        return [v for ws, v in table.values() if ws == self._ws.id]

    # members
    def member(self, user_id: str) -> Member | None:
        return self._t.members.get((self._ws.id, user_id))

    def save_member(self, member: Member) -> None:
        self._t.members[(self._ws.id, member.user_id)] = member

    # teams
    def add_team(self, team: Team) -> Team:
        if self.team_by_channel(team.channel):
            raise DuplicateError(f"channel {team.channel} already has a team")
        team = replace(team, id=self._new_id())
        self._t.teams[team.id] = (self._ws.id, team)
        self._t.next_post_at[team.id] = SOON
        return team

    def team(self, team_id: int) -> Team | None:
        return self._mine(self._t.teams, team_id)

    def team_by_channel(self, channel: str) -> Team | None:
        return next((t for t in self._all(self._t.teams) if t.channel == channel), None)

    def teams(self) -> list[Team]:
        return sorted(self._all(self._t.teams), key=lambda t: t.id)

    def save_team(self, team: Team) -> None:
        old = self.team(team.id)
        if old:
            self._t.teams[team.id] = (self._ws.id, team)
            if any(getattr(old, name) != getattr(team, name) for name in SCHEDULE_FIELDS):
                self._t.next_post_at[team.id] = SOON

    # touchpoints
    def add_touchpoint(self, touchpoint: Touchpoint) -> Touchpoint:
        if not self.team(touchpoint.team_id):
            raise KeyError(touchpoint.team_id)
        if any(
            t.slug == touchpoint.slug
            for t in self.touchpoints(touchpoint.team_id, include_retired=True)
        ):
            raise DuplicateError(f"touchpoint {touchpoint.slug} exists")
        touchpoint = replace(touchpoint, id=self._new_id())
        self._t.touchpoints[touchpoint.id] = (self._ws.id, touchpoint)
        return touchpoint

    def touchpoints(self, team_id: int, *, include_retired: bool = False) -> list[Touchpoint]:
        rows = [
            t
            for t in self._all(self._t.touchpoints)
            if t.team_id == team_id and (include_retired or t.retired_at is None)
        ]
        return sorted(rows, key=lambda t: (t.position, t.id))

    def save_touchpoint(self, touchpoint: Touchpoint) -> None:
        if self._mine(self._t.touchpoints, touchpoint.id):
            self._t.touchpoints[touchpoint.id] = (self._ws.id, touchpoint)

    # moments
    def add_moment(self, moment: Moment) -> Moment:
        if not self.team(moment.team_id):
            raise KeyError(moment.team_id)
        if moment.request_key is not None and self.moment_by_request(moment.request_key):
            raise DuplicateError("that request's moment exists already")
        if moment.source is Source.REACTION and moment.message_ref and moment.retracted_at is None \
                and any(m.source is Source.REACTION for m in self._live_by_ref(moment.message_ref,
                                                                               moment.kind)):
            raise DuplicateError("that message's moment exists already")
        moment = replace(moment, id=self._new_id())
        self._t.moments[moment.id] = (self._ws.id, moment)
        return moment

    def moment(self, moment_id: int) -> Moment | None:
        return self._mine(self._t.moments, moment_id)

    def moment_by_request(self, request_key: str) -> Moment | None:
        return next((m for m in self._all(self._t.moments) if m.request_key == request_key), None)

    def moment_by_ref(self, message_ref: str, kind: MomentKind) -> Moment | None:
        found = self._live_by_ref(message_ref, kind)
        return max(found, key=lambda m: m.id) if found else None

    def _live_by_ref(self, message_ref: str, kind: MomentKind) -> list[Moment]:
        return [
            m
            for m in self._all(self._t.moments)
            if m.message_ref == message_ref and m.kind == kind and m.retracted_at is None
        ]

    def lock_moment(self, moment_id: int) -> Moment | None:
        return self.moment(moment_id)  # the fake is used by one thread at a time

    def moments_from_message(self, message_ref: str) -> list[Moment]:
        return sorted((m for m in self._all(self._t.moments) if m.message_ref == message_ref),
                      key=lambda m: m.id)

    def save_moment(self, moment: Moment) -> None:
        if self.moment(moment.id):
            self._t.moments[moment.id] = (self._ws.id, moment)

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
        rows = [
            m
            for m in self._all(self._t.moments)
            if m.team_id == team_id
            and (since is None or m.created_at >= since)
            and (until is None or m.created_at < until)
            and (kind is None or m.kind == kind)
            and (reporter_id is None or m.reporter_id == reporter_id)
            and (include_retracted or m.retracted_at is None)
        ]
        rows.sort(key=lambda m: (m.created_at, m.id), reverse=True)
        return rows[:limit] if limit is not None else rows

    # filing feedback
    def add_filing_feedback(self, feedback: FilingFeedback) -> FilingFeedback:
        feedback = replace(feedback, id=self._new_id())
        self._t.feedback[feedback.id] = (self._ws.id, feedback)
        return feedback

    def filing_feedback(
        self, *, limit: int | None = None, after_id: int = 0
    ) -> list[FilingFeedback]:
        rows = sorted((f for f in self._all(self._t.feedback) if f.id > after_id), key=lambda f: f.id)
        return rows[-limit:] if limit else ([] if limit == 0 else rows)

    def reword_feedback(self, moment_id: int, text: str | None) -> int:
        mine = [k for k, (ws, f) in self._t.feedback.items()
                if ws == self._ws.id and f.moment_id == moment_id]
        for k in mine:
            if text is None:
                del self._t.feedback[k]
            else:
                self._t.feedback[k] = (self._ws.id, replace(self._t.feedback[k][1], text=text))
        return len(mine)

    # prompts and proposals
    def add_prompt(self, prompt: Prompt) -> Prompt:
        if self.prompt_for_week(prompt.team_id, prompt.week):
            raise DuplicateError(f"team {prompt.team_id} has a prompt for {prompt.week}")
        prompt = replace(prompt, id=self._new_id())
        self._t.prompts[prompt.id] = (self._ws.id, prompt)
        return prompt

    def prompt(self, prompt_id: int) -> Prompt | None:
        return self._mine(self._t.prompts, prompt_id)

    def prompt_for_week(self, team_id: int, week: str) -> Prompt | None:
        return next(
            (p for p in self._all(self._t.prompts) if p.team_id == team_id and p.week == week),
            None,
        )

    def prompts(self, team_id: int, *, open_only: bool = False) -> list[Prompt]:
        rows = [
            p
            for p in self._all(self._t.prompts)
            if p.team_id == team_id and (not open_only or p.closed_at is None)
        ]
        return sorted(rows, key=lambda p: (p.opened_at, p.id), reverse=True)

    def save_prompt(self, prompt: Prompt) -> None:
        if self.prompt(prompt.id):
            self._t.prompts[prompt.id] = (self._ws.id, prompt)

    def add_proposal(self, proposal: Proposal) -> Proposal:
        if not self.prompt(proposal.prompt_id):
            raise KeyError(proposal.prompt_id)
        proposal = replace(proposal, id=self._new_id())
        self._t.proposals[proposal.id] = (self._ws.id, proposal)
        return proposal

    def proposal(self, proposal_id: int) -> Proposal | None:
        return self._mine(self._t.proposals, proposal_id)

    def proposals(self, prompt_id: int) -> list[Proposal]:
        rows = [p for p in self._all(self._t.proposals) if p.prompt_id == prompt_id]
        return sorted(rows, key=lambda p: (p.created_at, p.id))

    # votes
    def add_vote(self, proposal_id: int, voter_id: str, at: datetime) -> bool:
        if not self.proposal(proposal_id) or (proposal_id, voter_id) in self._t.votes:
            return False
        self._t.votes[(proposal_id, voter_id)] = (self._ws.id, at)
        return True

    def vote_counts(self, prompt_id: int) -> dict[int, int]:
        ids = {p.id for p in self.proposals(prompt_id)}
        counts: dict[int, int] = {}
        for (proposal_id, _voter), (ws, _at) in self._t.votes.items():
            if ws == self._ws.id and proposal_id in ids:
                counts[proposal_id] = counts.get(proposal_id, 0) + 1
        return counts

    def voters(self, proposal_id: int) -> list[str]:
        return sorted(
            voter
            for (pid, voter), (ws, _at) in self._t.votes.items()
            if pid == proposal_id and ws == self._ws.id
        )

    # standards
    def add_standard(self, standard: Standard) -> Standard:
        if not self.team(standard.team_id):
            raise KeyError(standard.team_id)
        standard = replace(standard, id=self._new_id())
        self._t.standards[standard.id] = (self._ws.id, standard)
        return standard

    def standard(self, standard_id: int) -> Standard | None:
        return self._mine(self._t.standards, standard_id)

    def standards(self, team_id: int, *, level: StandardLevel | None = None) -> list[Standard]:
        rows = [
            s
            for s in self._all(self._t.standards)
            if s.team_id == team_id and (level is None or s.level == level)
        ]
        return sorted(rows, key=lambda s: (s.adopted_at, s.id), reverse=True)

    def save_standard(self, standard: Standard) -> None:
        if self.standard(standard.id):
            self._t.standards[standard.id] = (self._ws.id, standard)

    # reactions waiting for text
    def moments_awaiting_text(self, *, limit: int = 50) -> list[Moment]:
        rows = [m for m in self._all(self._t.moments)
                if m.text == "" and m.message_ref and m.retracted_at is None]
        return sorted(rows, key=lambda m: (m.created_at, m.id))[:limit]

    # weekly posts
    def claim_post(self, team_id: int, kind: str, week: str, at: datetime) -> bool:
        key = (self._ws.id, team_id, kind, week)
        if key in self._t.posts or not self.team(team_id):
            return False
        self._t.posts[key] = PostRecord(team_id, kind, week, at)
        return True

    def post_record(self, team_id: int, kind: str, week: str) -> PostRecord | None:
        return self._t.posts.get((self._ws.id, team_id, kind, week))

    def save_post_record(self, record: PostRecord) -> None:
        key = (self._ws.id, record.team_id, record.kind, record.week)
        if key in self._t.posts:
            self._t.posts[key] = record

    def swap_post_record(self, expected: PostRecord, new: PostRecord) -> bool:
        key = (self._ws.id, expected.team_id, expected.kind, expected.week)
        current = self._t.posts.get(key)
        if (current is None or current.sent_at is not None or current.attempts != expected.attempts
                or current.sending_at != expected.sending_at):
            return False
        self._t.posts[key] = new
        return True

    def post_records(self, *, team_id: int | None = None, limit: int = 50) -> list[PostRecord]:
        rows = [r for k, r in self._t.posts.items()
                if k[0] == self._ws.id and (team_id is None or r.team_id == team_id)]
        return sorted(rows, key=lambda r: r.claimed_at, reverse=True)[:limit]

    # privacy
    def _delete_moments(self, doomed: set[int]) -> int:
        for key in doomed:
            del self._t.moments[key]
        for key in [k for k, (_ws, f) in self._t.feedback.items() if f.moment_id in doomed]:
            del self._t.feedback[key]
        return len(doomed)

    def delete_moments_before(self, cutoff: datetime) -> int:
        return self._delete_moments({m.id for m in self._all(self._t.moments) if m.created_at < cutoff})

    def forget_user(self, user_id: str) -> dict[str, int]:
        counts = {"moments": self._delete_moments(
            {m.id for m in self._all(self._t.moments) if m.reporter_id == user_id})}
        counts["credits"] = 0
        for m in self._all(self._t.moments):
            credited = tuple(u for u in m.credited if u != user_id)
            also = tuple(u for u in m.also_reported_by if u != user_id)
            if (credited, also) != (m.credited, m.also_reported_by):
                self.save_moment(replace(m, credited=credited, also_reported_by=also))
                counts["credits"] += 1
        votes = [k for k, (ws, _at) in self._t.votes.items() if ws == self._ws.id and k[1] == user_id]
        for key in votes:
            del self._t.votes[key]
        counts["votes"] = len(votes)
        counts["proposals"] = counts["standards"] = 0
        for p in self._all(self._t.proposals):
            if p.author_id == user_id:
                self._t.proposals[p.id] = (self._ws.id, replace(p, author_id="", anonymous=True))
                counts["proposals"] += 1
        for s in self._all(self._t.standards):
            if s.adopted_by == user_id:
                self.save_standard(replace(s, adopted_by=""))
                counts["standards"] += 1
        for p in self._all(self._t.redaction_patterns):
            if p.added_by == user_id:
                self._t.redaction_patterns[p.id] = (self._ws.id, replace(p, added_by=""))
        for t in self.teams():
            if user_id in t.leads:
                self.save_team(replace(t, leads=tuple(u for u in t.leads if u != user_id)))
        self._t.members.pop((self._ws.id, user_id), None)
        for w in self._all(self._t.waiting):
            if w.reporter_id == user_id:
                del self._t.waiting[w.id]
                counts["moments"] += 1
        self._t.choices.pop((self._ws.id, user_id), None)
        return counts

    # the first five minutes
    def add_waiting(self, waiting: WaitingMoment) -> WaitingMoment:
        if waiting.request_key is not None and self.waiting_by_request(waiting.request_key):
            raise DuplicateError("that request's waiting moment exists already")
        waiting = replace(waiting, id=self._new_id())
        self._t.waiting[waiting.id] = (self._ws.id, waiting)
        return waiting

    def waiting_by_request(self, request_key: str) -> WaitingMoment | None:
        return next((w for w in self._all(self._t.waiting) if w.request_key == request_key), None)

    def waiting_in(self, channel: str) -> list[WaitingMoment]:
        return sorted((w for w in self._all(self._t.waiting) if channel and w.channel == channel),
                      key=lambda w: (w.created_at, w.id))

    def waiting_of(self, reporter_id: str) -> list[WaitingMoment]:
        return sorted((w for w in self._all(self._t.waiting)
                       if not w.channel and w.reporter_id == reporter_id),
                      key=lambda w: (w.created_at, w.id))

    def waiting_reported_by(self, reporter_id: str) -> list[WaitingMoment]:
        return sorted((w for w in self._all(self._t.waiting) if w.reporter_id == reporter_id),
                      key=lambda w: (w.created_at, w.id))

    def delete_waiting(self, waiting_id: int) -> bool:
        if self._mine(self._t.waiting, waiting_id) is None:
            return False
        del self._t.waiting[waiting_id]
        return True

    def delete_waiting_expired(self, now: datetime) -> int:
        doomed = [w.id for w in self._all(self._t.waiting) if w.expires_at <= now]
        for key in doomed:
            del self._t.waiting[key]
        return len(doomed)

    def chosen_team(self, user_id: str) -> int | None:
        return self._t.choices.get((self._ws.id, user_id))

    def choose_team(self, user_id: str, team_id: int) -> None:
        if self.team(team_id) is None:
            raise KeyError(team_id)
        self._t.choices[(self._ws.id, user_id)] = team_id

    def claim_welcome(self, channel: str, at: datetime) -> bool:
        if (self._ws.id, channel) in self._t.welcomes:
            return False
        self._t.welcomes.add((self._ws.id, channel))
        return True

    # the workspace's own redaction patterns
    def redaction_patterns(self) -> list[RedactionPattern]:
        return sorted(self._all(self._t.redaction_patterns), key=lambda p: p.id)

    def add_redaction_pattern(self, pattern: RedactionPattern) -> RedactionPattern:
        if any(p.pattern == pattern.pattern for p in self.redaction_patterns()):
            raise DuplicateError(f"the workspace already has the pattern {pattern.pattern!r}")
        pattern = replace(pattern, id=self._new_id())
        self._t.redaction_patterns[pattern.id] = (self._ws.id, pattern)
        return pattern

    def remove_redaction_pattern(self, pattern_id: int) -> bool:
        if self._mine(self._t.redaction_patterns, pattern_id) is None:
            return False
        del self._t.redaction_patterns[pattern_id]
        return True


class FakeFiler:
    """Files by the touchpoint's slug as a word, so service tests don't hang on the real filer.

    One slug named -> 0.9 (confident), two -> 0.5 each (unsure), none -> nothing.
    Learned texts map straight to their slug.
    """

    threshold = 0.8

    def __init__(self) -> None:
        self.learned: dict[str, str] = {}

    def guess(self, text: str, touchpoints: Sequence[Touchpoint]) -> FilingGuess:
        lowered = text.lower()
        if lowered in self.learned:
            return FilingGuess(None, 0.0, ((self.learned[lowered], 1.0),))
        words = set(lowered.replace(",", " ").replace(".", " ").split())
        hits = [t.slug for t in touchpoints if t.slug in words]
        kind = MomentKind.WOW if "thank" in lowered else None
        if len(hits) == 1:
            return FilingGuess(kind, 0.9 if kind else 0.0, ((hits[0], 0.9),))
        share = 1 / len(hits) if hits else 0.0
        return FilingGuess(kind, 0.9 if kind else 0.0, tuple((s, share) for s in hits))

    def learn(self, text: str, kind: MomentKind | None, touchpoint_slug: str | None,
              touchpoints: Sequence[Touchpoint] = ()) -> None:
        if touchpoint_slug:
            self.learned[text.lower()] = touchpoint_slug


class RecordingNotifier:
    """Records what it was asked to send; can be told to fail a number of times first."""

    def __init__(self) -> None:
        self.sent: list[tuple[Workspace, Post]] = []
        self.failures: list[DeliveryError] = []

    def send(self, workspace: Workspace, post: Post) -> None:
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append((workspace, post))
