"""``bot.ports.Store`` on SQLAlchemy: one Session per unit of work, every read scoped to a workspace.

Rows never leave this module: each method maps them to the frozen domain dataclasses. Writes that
can hit a unique constraint run inside a SAVEPOINT, so a duplicate surfaces as DuplicateError (or
False for a vote) and the surrounding transaction is still usable, on PostgreSQL as on SQLite.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.domain import (
    FilingFeedback,
    Member,
    Moment,
    MomentKind,
    Platform,
    Prompt,
    Proposal,
    RedactionPattern,
    Standard,
    StandardLevel,
    Team,
    Touchpoint,
    Workspace,
)
from bot.ports import DuplicateError
from storage.delivery import DeliveryRows
from storage.due import claim_due_teams, look_again_if_rescheduled, settle_team
from storage.models import (
    FilingFeedbackRow,
    MemberRow,
    MomentRow,
    PromptRow,
    ProposalRow,
    RedactionPatternRow,
    StandardRow,
    TeamRow,
    TouchpointRow,
    VoteRow,
    WorkspaceRow,
    entity_values,
    maybe_entity,
    to_entity,
)
from storage.org import OrgRows, OrgStoreMethods
from storage.privacy import PrivacyRows
from storage.waiting import WaitingRows

R = TypeVar(
    "R",
    MemberRow,
    TeamRow,
    TouchpointRow,
    MomentRow,
    FilingFeedbackRow,
    PromptRow,
    ProposalRow,
    VoteRow,
    StandardRow,
    RedactionPatternRow,
)


class SqlStore(OrgStoreMethods):
    """Finds or creates workspaces and opens one transaction per unit of work.

    Every method here is its own transaction. On SQLite a transaction holds the database's only
    write lock, so don't call the store again while a ``transaction`` block is open in the same
    thread: the inner call would wait out the busy timeout, then fail with "database is locked".
    """

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        # Workspace rows are never changed or deleted once created, so every request needn't
        # read them again: this saves a query per transaction and a transaction per request.
        self._known: dict[tuple[Platform, str], Workspace] = {}
        self._known_ids: dict[int, Workspace] = {}

    def _remember(self, workspace: Workspace) -> Workspace:
        self._known[workspace.platform, workspace.external_id] = workspace
        self._known_ids[workspace.id] = workspace
        return workspace

    def close(self) -> None:
        self.engine.dispose()

    def workspace(self, *, platform: Platform, external_id: str, name: str = "") -> Workspace:
        known = self._known.get((platform, external_id))
        if known is not None:
            return known
        with self._sessions.begin() as session:
            row = self._find_workspace(session, platform, external_id)
            if row is not None:
                return self._remember(to_entity(Workspace, row))
        try:
            with self._sessions.begin() as session:
                row = WorkspaceRow(platform=platform, external_id=external_id, name=name)
                session.add(row)
                session.flush()
                return self._remember(to_entity(Workspace, row))
        except IntegrityError:
            pass  # another process created it between our read and our insert
        with self._sessions.begin() as session:
            row = self._find_workspace(session, platform, external_id)
            if row is None:
                raise LookupError(f"workspace {platform}:{external_id} vanished while created")
            return self._remember(to_entity(Workspace, row))

    @staticmethod
    def _find_workspace(
        session: Session, platform: Platform, external_id: str
    ) -> WorkspaceRow | None:
        return session.scalar(
            sa.select(WorkspaceRow).where(
                WorkspaceRow.platform == platform, WorkspaceRow.external_id == external_id
            )
        )

    def workspaces(self) -> list[Workspace]:
        with self._sessions.begin() as session:
            rows = session.scalars(sa.select(WorkspaceRow).order_by(WorkspaceRow.id))
            return [to_entity(Workspace, row) for row in rows]

    def claim_due_teams(self, *, now: datetime, until: datetime, limit: int) -> list[tuple[int, int]]:
        with self._sessions.begin() as session:
            return claim_due_teams(session, now=now, until=until, limit=limit)

    def settle_team(self, *, workspace_id: int, team_id: int, claimed_until: datetime,
                    next_check: datetime | None) -> bool:
        with self._sessions.begin() as session:
            return settle_team(session, workspace_id=workspace_id, team_id=team_id,
                               claimed_until=claimed_until, next_check=next_check)

    @contextmanager
    def transaction(self, workspace_id: int) -> Iterator[SqlRepository]:
        with self._sessions.begin() as session:
            workspace = self._known_ids.get(workspace_id)
            if workspace is None:
                row = session.get(WorkspaceRow, workspace_id)
                if row is None:
                    raise KeyError(f"no workspace {workspace_id}")
                workspace = self._remember(to_entity(Workspace, row))
            yield SqlRepository(session, workspace)


class SqlRepository(DeliveryRows, PrivacyRows, WaitingRows, OrgRows):
    """The rows of one workspace, read and written through one Session."""

    def __init__(self, session: Session, workspace: Workspace) -> None:
        self._s = session
        self._ws = workspace
        # The session's identity map holds rows weakly; keeping the teams and touchpoints this
        # transaction read lets a later lookup by id (e.g. add_moment's checks) skip the query.
        self._kept: list[Any] = []

    @property
    def workspace(self) -> Workspace:
        return self._ws

    # Reads by id go through these, so none can forget the workspace filter.

    def _select(self, model: type[R]) -> sa.Select[R]:
        return sa.select(model).where(model.workspace_id == self._ws.id)

    def _get(self, model: type[R], row_id: int | None) -> R | None:
        if row_id is None:
            return None
        # By primary key through the session, so a row this transaction already read costs no
        # query; a row of another workspace is treated as missing.
        row = self._s.get(model, row_id)
        if row is None or row.workspace_id != self._ws.id:
            return None
        self._kept.append(row)
        return row

    def _require(self, model: type[R], row_id: int | None) -> None:
        """Refuse a reference to a row of another workspace, the same way as a missing one."""
        if row_id is not None and self._get(model, row_id) is None:
            raise KeyError(f"no {model.__tablename__} row {row_id} in this workspace")

    def _add(self, row: Any) -> None:
        self._s.add(row)
        self._s.flush()  # assigns the id

    def _insert(self, row: Any, duplicate: str) -> None:
        if not self._saved(row):
            raise DuplicateError(duplicate)

    def _update(self, row: Any, values: dict[str, Any], duplicate: str) -> None:
        try:
            with self._s.begin_nested():
                for key, value in values.items():
                    setattr(row, key, value)
        except IntegrityError as exc:
            raise DuplicateError(duplicate) from exc

    # members

    def member(self, user_id: str) -> Member | None:
        query = self._select(MemberRow).where(MemberRow.user_id == user_id)
        return maybe_entity(Member, self._s.scalar(query))

    def save_member(self, member: Member) -> None:
        values = entity_values(member)
        self._upsert(
            lambda: self._s.scalar(self._select(MemberRow).where(MemberRow.user_id == member.user_id)),
            MemberRow(workspace_id=self._ws.id, **values),
            values,
        )

    # teams

    def add_team(self, team: Team) -> Team:
        row = TeamRow(workspace_id=self._ws.id, **entity_values(team))
        self._insert(row, f"channel {team.channel} already has a team")
        return to_entity(Team, row)

    def team(self, team_id: int) -> Team | None:
        return maybe_entity(Team, self._get(TeamRow, team_id))

    def team_by_channel(self, channel: str) -> Team | None:
        row = self._s.scalar(self._select(TeamRow).where(TeamRow.channel == channel))
        if row is not None:
            self._kept.append(row)  # a later check by id (add_moment's) costs no query
        return maybe_entity(Team, row)

    def teams(self) -> list[Team]:
        rows = self._s.scalars(self._select(TeamRow).order_by(TeamRow.id))
        return [to_entity(Team, row) for row in rows]

    def save_team(self, team: Team) -> None:
        row = self._get(TeamRow, team.id)
        if row is not None:
            values = entity_values(team)
            look_again_if_rescheduled(row, values)
            self._update(row, values, f"channel {team.channel} has a team")

    # touchpoints

    def add_touchpoint(self, touchpoint: Touchpoint) -> Touchpoint:
        self._require(TeamRow, touchpoint.team_id)
        row = TouchpointRow(workspace_id=self._ws.id, **entity_values(touchpoint))
        self._insert(row, f"touchpoint {touchpoint.slug} exists")
        return to_entity(Touchpoint, row)

    def touchpoints(self, team_id: int, *, include_retired: bool = False) -> list[Touchpoint]:
        query = self._select(TouchpointRow).where(TouchpointRow.team_id == team_id)
        if not include_retired:
            query = query.where(TouchpointRow.retired_at.is_(None))
        rows = list(self._s.scalars(query.order_by(TouchpointRow.position, TouchpointRow.id)))
        self._kept.extend(rows)
        return [to_entity(Touchpoint, row) for row in rows]

    def save_touchpoint(self, touchpoint: Touchpoint) -> None:
        row = self._get(TouchpointRow, touchpoint.id)
        if row is not None:
            self._require(TeamRow, touchpoint.team_id)
            values = entity_values(touchpoint)
            self._update(row, values, f"touchpoint {touchpoint.slug} exists")

    # moments

    def add_moment(self, moment: Moment) -> Moment:
        self._require(TeamRow, moment.team_id)
        self._require(TouchpointRow, moment.touchpoint_id)
        row = MomentRow(workspace_id=self._ws.id, **entity_values(moment))
        # In a SAVEPOINT: a reaction that lost the race for its message's moment, or a request
        # already stored under its key, is a DuplicateError and the transaction stays usable.
        self._insert(row, "that message's moment, or that request's, exists already")
        return to_entity(Moment, row)

    def moment(self, moment_id: int) -> Moment | None:
        return maybe_entity(Moment, self._get(MomentRow, moment_id))

    def moment_by_ref(self, message_ref: str, kind: MomentKind) -> Moment | None:
        query = (
            self._select(MomentRow)
            .where(
                MomentRow.message_ref == message_ref,
                MomentRow.kind == kind,
                MomentRow.retracted_at.is_(None),
            )
            .order_by(MomentRow.id.desc())
            .limit(1)
        )
        return maybe_entity(Moment, self._s.scalar(query))

    def moments_from_message(self, message_ref: str) -> list[Moment]:
        query = self._select(MomentRow).where(MomentRow.message_ref == message_ref).order_by(MomentRow.id)
        return [to_entity(Moment, row) for row in self._s.scalars(query)]

    def lock_moment(self, moment_id: int) -> Moment | None:
        # populate_existing: the row as it is now, not as this session read it before the lock
        query = (self._select(MomentRow).where(MomentRow.id == moment_id).with_for_update()
                 .execution_options(populate_existing=True))
        return maybe_entity(Moment, self._s.scalar(query))

    def moment_by_request(self, request_key: str) -> Moment | None:
        return maybe_entity(Moment, self._s.scalar(
            self._select(MomentRow).where(MomentRow.request_key == request_key)))

    def save_moment(self, moment: Moment) -> None:
        row = self._get(MomentRow, moment.id)
        if row is not None:
            self._require(TeamRow, moment.team_id)
            self._require(TouchpointRow, moment.touchpoint_id)
            self._update(row, entity_values(moment), "moment")

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
        query = self._select(MomentRow).where(MomentRow.team_id == team_id)
        if since is not None:
            query = query.where(MomentRow.created_at >= since)
        if until is not None:
            query = query.where(MomentRow.created_at < until)
        if kind is not None:
            query = query.where(MomentRow.kind == kind)
        if reporter_id is not None:
            query = query.where(MomentRow.reporter_id == reporter_id)
        if not include_retracted:
            query = query.where(MomentRow.retracted_at.is_(None))
        query = query.order_by(MomentRow.created_at.desc(), MomentRow.id.desc())
        if limit is not None:
            query = query.limit(limit)
        return [to_entity(Moment, row) for row in self._s.scalars(query)]

    # filing feedback

    def add_filing_feedback(self, feedback: FilingFeedback) -> FilingFeedback:
        self._require(TeamRow, feedback.team_id)
        self._require(MomentRow, feedback.moment_id)
        row = FilingFeedbackRow(workspace_id=self._ws.id, **entity_values(feedback))
        self._add(row)
        return to_entity(FilingFeedback, row)

    def filing_feedback(
        self, *, limit: int | None = None, after_id: int = 0
    ) -> list[FilingFeedback]:
        """The latest ``limit`` items (all when None) above ``after_id``, oldest first."""
        newest_first = self._select(FilingFeedbackRow).where(FilingFeedbackRow.id > after_id).order_by(
            FilingFeedbackRow.created_at.desc(), FilingFeedbackRow.id.desc()
        )
        if limit is not None:
            newest_first = newest_first.limit(limit)
        rows = list(self._s.scalars(newest_first))
        return [to_entity(FilingFeedback, row) for row in reversed(rows)]

    def reword_feedback(self, moment_id: int, text: str | None) -> int:
        mine = (FilingFeedbackRow.workspace_id == self._ws.id, FilingFeedbackRow.moment_id == moment_id)
        statement = sa.delete(FilingFeedbackRow).where(*mine) if text is None else \
            sa.update(FilingFeedbackRow).where(*mine).values(text=text)
        result: sa.CursorResult[Any] = self._s.execute(statement)  # type: ignore[assignment]
        return int(result.rowcount)

    # prompts and proposals

    def add_prompt(self, prompt: Prompt) -> Prompt:
        self._require(TeamRow, prompt.team_id)
        row = PromptRow(workspace_id=self._ws.id, **entity_values(prompt))
        self._insert(row, f"team {prompt.team_id} already has a prompt for {prompt.week}")
        return to_entity(Prompt, row)

    def prompt(self, prompt_id: int) -> Prompt | None:
        return maybe_entity(Prompt, self._get(PromptRow, prompt_id))

    def prompt_for_week(self, team_id: int, week: str) -> Prompt | None:
        query = self._select(PromptRow).where(PromptRow.team_id == team_id, PromptRow.week == week)
        return maybe_entity(Prompt, self._s.scalar(query))

    def prompts(self, team_id: int, *, open_only: bool = False) -> list[Prompt]:
        query = self._select(PromptRow).where(PromptRow.team_id == team_id)
        if open_only:
            query = query.where(PromptRow.closed_at.is_(None))
        rows = self._s.scalars(query.order_by(PromptRow.opened_at.desc(), PromptRow.id.desc()))
        return [to_entity(Prompt, row) for row in rows]

    def save_prompt(self, prompt: Prompt) -> None:
        row = self._get(PromptRow, prompt.id)
        if row is not None:
            self._require(TeamRow, prompt.team_id)
            values = entity_values(prompt)
            self._update(row, values, f"team {prompt.team_id} has a prompt for {prompt.week}")

    def add_proposal(self, proposal: Proposal) -> Proposal:
        self._require(PromptRow, proposal.prompt_id)
        self._require(TouchpointRow, proposal.touchpoint_id)
        row = ProposalRow(workspace_id=self._ws.id, **entity_values(proposal))
        self._add(row)
        return to_entity(Proposal, row)

    def proposal(self, proposal_id: int) -> Proposal | None:
        return maybe_entity(Proposal, self._get(ProposalRow, proposal_id))

    def proposals(self, prompt_id: int) -> list[Proposal]:
        query = self._select(ProposalRow).where(ProposalRow.prompt_id == prompt_id)
        rows = self._s.scalars(query.order_by(ProposalRow.created_at, ProposalRow.id))
        return [to_entity(Proposal, row) for row in rows]

    # votes

    def add_vote(self, proposal_id: int, voter_id: str, at: datetime) -> bool:
        if self._get(ProposalRow, proposal_id) is None:
            return False
        return self._saved(
            VoteRow(
                workspace_id=self._ws.id, proposal_id=proposal_id, voter_id=voter_id, created_at=at
            )
        )

    def vote_counts(self, prompt_id: int) -> dict[int, int]:
        query = (
            sa.select(VoteRow.proposal_id, sa.func.count())
            .join(ProposalRow, ProposalRow.id == VoteRow.proposal_id)
            .where(
                VoteRow.workspace_id == self._ws.id,
                ProposalRow.workspace_id == self._ws.id,
                ProposalRow.prompt_id == prompt_id,
            )
            .group_by(VoteRow.proposal_id)
        )
        return {proposal_id: count for proposal_id, count in self._s.execute(query)}

    def voters(self, proposal_id: int) -> list[str]:
        query = self._select(VoteRow).where(VoteRow.proposal_id == proposal_id)
        return [vote.voter_id for vote in self._s.scalars(query.order_by(VoteRow.voter_id))]

    # standards

    def add_standard(self, standard: Standard) -> Standard:
        self._require_standard_refs(standard)
        row = StandardRow(workspace_id=self._ws.id, **entity_values(standard))
        self._insert(row, f"proposal {standard.proposal_id} is already a standard")
        return to_entity(Standard, row)

    def standard(self, standard_id: int) -> Standard | None:
        return maybe_entity(Standard, self._get(StandardRow, standard_id))

    def standards(self, team_id: int, *, level: StandardLevel | None = None) -> list[Standard]:
        query = self._select(StandardRow).where(StandardRow.team_id == team_id)
        if level is not None:
            query = query.where(StandardRow.level == level)
        rows = self._s.scalars(query.order_by(StandardRow.adopted_at.desc(), StandardRow.id.desc()))
        return [to_entity(Standard, row) for row in rows]

    def save_standard(self, standard: Standard) -> None:
        row = self._get(StandardRow, standard.id)
        if row is not None:
            self._require_standard_refs(standard)
            self._update(row, entity_values(standard), "standard")

    def _require_standard_refs(self, standard: Standard) -> None:
        self._require(TeamRow, standard.team_id)
        self._require(TouchpointRow, standard.touchpoint_id)
        self._require(ProposalRow, standard.proposal_id)

    # the workspace's own redaction patterns

    def redaction_patterns(self) -> list[RedactionPattern]:
        rows = self._s.scalars(self._select(RedactionPatternRow).order_by(RedactionPatternRow.id))
        return [to_entity(RedactionPattern, row) for row in rows]

    def add_redaction_pattern(self, pattern: RedactionPattern) -> RedactionPattern:
        row = RedactionPatternRow(workspace_id=self._ws.id, **entity_values(pattern))
        self._insert(row, f"the workspace already has the pattern {pattern.pattern!r}")
        return to_entity(RedactionPattern, row)

    def remove_redaction_pattern(self, pattern_id: int) -> bool:
        row = self._get(RedactionPatternRow, pattern_id)
        if row is None:
            return False
        self._s.delete(row)
        self._s.flush()
        return True
