"""Rows: one table per entity of ``bot.domain``, each (but workspaces) scoped by workspace_id.

The repository maps these rows to the frozen domain dataclasses; nothing here leaves storage.
Enums are short strings rather than native PostgreSQL enums so that adding a value needs no
migration; tuples are JSON lists because they are always read and written whole.
"""

from __future__ import annotations

import enum
from dataclasses import fields
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from bot.domain import Filing, MomentKind, Platform, Source, StandardLevel

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

E = TypeVar("E", bound=enum.Enum)
D = TypeVar("D", bound="DataclassInstance")

# Explicit names keep migrations reproducible and let Alembic's SQLite batch mode find constraints.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(sa.TypeDecorator[datetime]):
    """Aware UTC in and out: SQLite keeps no offset, so it is stripped on the way in and put back
    on the way out. A naive datetime is refused, because guessing its zone corrupts data."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: the domain stores aware UTC datetimes")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class EnumString(sa.TypeDecorator[E], Generic[E]):
    """An enum kept as its value in a VARCHAR, read back as the enum member (not a plain str)."""

    impl = sa.String(16)
    cache_ok = True

    def __init__(self, enum_class: type[E]) -> None:
        super().__init__()
        self.enum_class = enum_class

    def process_bind_param(self, value: E | str | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return str(self.enum_class(value).value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> E | None:
        return None if value is None else self.enum_class(value)


class JSONTuple(sa.TypeDecorator[tuple[Any, ...]]):
    """A domain tuple stored as a JSON list."""

    impl = sa.JSON
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> list[Any] | None:
        return None if value is None else list(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> tuple[Any, ...] | None:
        return None if value is None else tuple(value)


def to_entity(entity: type[D], row: Any) -> D:
    """A fresh frozen entity from a row: columns are named after the entity's fields on purpose,
    so the mapping needs no per-entity code and a field without a column fails loudly."""
    return entity(**{f.name: getattr(row, f.name) for f in fields(entity)})


def maybe_entity(entity: type[D], row: Any) -> D | None:
    return None if row is None else to_entity(entity, row)


def entity_values(entity: DataclassInstance) -> dict[str, Any]:
    """Column values of an entity; ``id`` is the database's to give, never the caller's."""
    return {f.name: getattr(entity, f.name) for f in fields(entity) if f.name != "id"}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {
        datetime: UTCDateTime(),
        tuple[str, ...]: JSONTuple(),
        tuple[int, ...]: JSONTuple(),
        MomentKind: EnumString(MomentKind),
        Filing: EnumString(Filing),
        Source: EnumString(Source),
        StandardLevel: EnumString(StandardLevel),
        Platform: EnumString(Platform),
        float: sa.Double(),
    }


class WorkspaceRow(Base):
    __tablename__ = "workspaces"
    __table_args__ = (sa.UniqueConstraint("platform", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[Platform]
    external_id: Mapped[str]
    name: Mapped[str]


class MemberRow(Base):
    __tablename__ = "members"
    __table_args__ = (sa.UniqueConstraint("workspace_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(sa.ForeignKey("workspaces.id"))
    user_id: Mapped[str]
    display_name: Mapped[str]
    is_admin: Mapped[bool]


SOON = datetime(2000, 1, 1, tzinfo=UTC)  # a team's next_post_at when it is to be looked at now


class TeamRow(Base):
    __tablename__ = "teams"
    __table_args__ = (sa.UniqueConstraint("workspace_id", "channel"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(sa.ForeignKey("workspaces.id"))
    name: Mapped[str]
    channel: Mapped[str]
    timezone: Mapped[str]
    template: Mapped[str]
    leads: Mapped[tuple[str, ...]]
    basic_after_weeks: Mapped[int]
    focus_count: Mapped[int]
    prompt_at: Mapped[str]
    votes_close_at: Mapped[str]
    digest_at: Mapped[str]
    quiet_days: Mapped[tuple[str, ...]]
    paused: Mapped[bool]
    # When the scheduler next looks at the team (storage/due.py); not a Team field: it is the
    # scheduler's bookmark. NULL: nothing to look at until the schedule changes (paused).
    next_post_at: Mapped[datetime | None] = mapped_column(default=lambda: SOON, index=True)


class TouchpointRow(Base):
    __tablename__ = "touchpoints"
    __table_args__ = (sa.UniqueConstraint("team_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(sa.ForeignKey("workspaces.id"))
    team_id: Mapped[int] = mapped_column(sa.ForeignKey("teams.id"))
    slug: Mapped[str]
    name: Mapped[str]
    description: Mapped[str] = mapped_column(sa.Text)
    keywords: Mapped[tuple[str, ...]]
    emoji: Mapped[str]
    position: Mapped[int]
    retired_at: Mapped[datetime | None]
    fresh_ideas_since: Mapped[datetime | None]


LIVE_REACTION = sa.text("source = 'reaction' AND retracted_at IS NULL AND message_ref IS NOT NULL")


class MomentRow(Base):
    __tablename__ = "moments"
    __table_args__ = (
        sa.Index("ix_moments_workspace_id_team_id_created_at", "workspace_id", "team_id",
                 "created_at"),
        sa.Index("ix_moments_workspace_id_message_ref", "workspace_id", "message_ref"),
        sa.Index("ix_moments_workspace_id_request_key", "workspace_id", "request_key", unique=True),
        # One live moment per message and kind made by reactions: reactions that arrive together
        # (on one replica or several) cannot both make one; the loser adds its "me too" instead.
        sa.Index("uq_moments_live_reaction", "workspace_id", "kind", "message_ref", unique=True,
                 postgresql_where=LIVE_REACTION, sqlite_where=LIVE_REACTION),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(sa.ForeignKey("workspaces.id"))
    team_id: Mapped[int] = mapped_column(sa.ForeignKey("teams.id"))
    kind: Mapped[MomentKind]
    text: Mapped[str] = mapped_column(sa.Text)
    reporter_id: Mapped[str]
    touchpoint_id: Mapped[int | None] = mapped_column(sa.ForeignKey("touchpoints.id"))
    filing: Mapped[Filing]
    confidence: Mapped[float]
    source: Mapped[Source]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    credited: Mapped[tuple[str, ...]]
    also_reported_by: Mapped[tuple[str, ...]]
    # Unbounded like every string here: a length would fail only on PostgreSQL, never on SQLite.
    message_ref: Mapped[str | None]
    retracted_at: Mapped[datetime | None]
    request_key: Mapped[str | None]  # the chat request that made it: a replay finds it again


class FilingFeedbackRow(Base):
    __tablename__ = "filing_feedback"
    __table_args__ = (sa.Index("ix_filing_feedback_workspace_id_created_at", "workspace_id",
                               "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(sa.ForeignKey("workspaces.id"))
    team_id: Mapped[int] = mapped_column(sa.ForeignKey("teams.id"))
    moment_id: Mapped[int] = mapped_column(sa.ForeignKey("moments.id"))
    text: Mapped[str] = mapped_column(sa.Text)
    kind: Mapped[MomentKind]
    touchpoint_slug: Mapped[str]
    guessed_slug: Mapped[str | None]
    created_at: Mapped[datetime]


class PromptRow(Base):
    __tablename__ = "prompts"
    __table_args__ = (sa.UniqueConstraint("team_id", "week"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(sa.ForeignKey("workspaces.id"))
    team_id: Mapped[int] = mapped_column(sa.ForeignKey("teams.id"))
    week: Mapped[str]
    touchpoint_ids: Mapped[tuple[int, ...]]
    example_moment_ids: Mapped[tuple[int, ...]]
    opened_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]


class ProposalRow(Base):
    __tablename__ = "proposals"
    __table_args__ = (sa.Index("ix_proposals_prompt_id", "prompt_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(sa.ForeignKey("workspaces.id"))
    prompt_id: Mapped[int] = mapped_column(sa.ForeignKey("prompts.id"))
    touchpoint_id: Mapped[int] = mapped_column(sa.ForeignKey("touchpoints.id"))
    text: Mapped[str] = mapped_column(sa.Text)
    author_id: Mapped[str]
    anonymous: Mapped[bool]
    created_at: Mapped[datetime]
    # no foreign key: proposals and standards would refer to each other in a cycle
    origin_standard_id: Mapped[int | None]


class VoteRow(Base):
    __tablename__ = "votes"
    __table_args__ = (sa.UniqueConstraint("proposal_id", "voter_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(sa.ForeignKey("workspaces.id"))
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("proposals.id"))
    voter_id: Mapped[str]
    created_at: Mapped[datetime]


class StandardRow(Base):
    __tablename__ = "standards"
    __table_args__ = (
        sa.Index("ix_standards_workspace_id_team_id", "workspace_id", "team_id"),
        # a proposal is adopted once, even by two leads at the same moment on two replicas
        sa.UniqueConstraint("proposal_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(sa.ForeignKey("workspaces.id"))
    team_id: Mapped[int] = mapped_column(sa.ForeignKey("teams.id"))
    touchpoint_id: Mapped[int] = mapped_column(sa.ForeignKey("touchpoints.id"))
    text: Mapped[str] = mapped_column(sa.Text)
    adopted_by: Mapped[str]
    adopted_at: Mapped[datetime]
    proposal_id: Mapped[int | None] = mapped_column(sa.ForeignKey("proposals.id"))
    level: Mapped[StandardLevel]
    basic_since: Mapped[datetime | None]
    origin_id: Mapped[int | None] = mapped_column(index=True)  # a sibling team's standard


class CachedMessageRow(Base):
    __tablename__ = "cached_messages"
    __table_args__ = (
        sa.UniqueConstraint("workspace_id", "channel", "ts"),
        sa.Index("ix_cached_messages_workspace_id_seen_at", "workspace_id", "seen_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(sa.ForeignKey("workspaces.id"))
    channel: Mapped[str]
    ts: Mapped[str]
    author_id: Mapped[str]
    text: Mapped[str] = mapped_column(sa.Text)
    seen_at: Mapped[datetime]


class ChartImageRow(Base):
    """A chart a Slack post shows by URL: its PNG under an unguessable token (handlers/slack/ports.py)."""

    __tablename__ = "chart_images"
    __table_args__ = (sa.Index("ix_chart_images_made_at", "made_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(unique=True)
    workspace_id: Mapped[int] = mapped_column(sa.ForeignKey("workspaces.id"))
    png: Mapped[bytes] = mapped_column(sa.LargeBinary)
    made_at: Mapped[datetime]


class PostRecordRow(Base):
    __tablename__ = "post_records"
    __table_args__ = (
        sa.UniqueConstraint("team_id", "kind", "week"),
        sa.Index("ix_post_records_workspace_id_claimed_at", "workspace_id", "claimed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(sa.ForeignKey("workspaces.id"))
    team_id: Mapped[int] = mapped_column(sa.ForeignKey("teams.id"))
    kind: Mapped[str]
    week: Mapped[str]
    claimed_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    attempts: Mapped[int]
    last_error: Mapped[str] = mapped_column(sa.Text)
    sending_at: Mapped[datetime | None]


class ConversationRow(Base):
    """A Teams conversation reference, kept as the JSON botbuilder produces."""

    __tablename__ = "conversations"
    __table_args__ = (sa.UniqueConstraint("workspace_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(sa.ForeignKey("workspaces.id"))
    key: Mapped[str]
    reference_json: Mapped[str] = mapped_column(sa.Text)
    updated_at: Mapped[datetime]


class RedactionPatternRow(Base):
    """A workspace's own redaction pattern (a Python regular expression)."""

    __tablename__ = "redaction_patterns"
    __table_args__ = (sa.UniqueConstraint("workspace_id", "pattern"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(sa.ForeignKey("workspaces.id"))
    pattern: Mapped[str]
    added_by: Mapped[str]
    added_at: Mapped[datetime]


class ProcessedEventRow(Base):
    """Platform event ids already handled (Slack retries). Outside any workspace, like
    ``Store.claim_event``, which runs before the event's workspace is looked up."""

    __tablename__ = "processed_events"

    __table_args__ = (
        # the few claims not yet handled, for the replay of a dead replica's work
        sa.Index("ix_processed_events_unfinished", "claimed_at",
                 postgresql_where=sa.text("done_at IS NULL"), sqlite_where=sa.text("done_at IS NULL")),
    )

    event_id: Mapped[str] = mapped_column(primary_key=True)
    claimed_at: Mapped[datetime] = mapped_column(index=True)
    done_at: Mapped[datetime | None]  # handled; until then the claim is a lease
    owner: Mapped[str | None]  # the process that holds the claim (a ReplicaRow id)
    # the request, personal data redacted (and encrypted with MOMENTS_ENCRYPTION_KEY), kept only
    # until it is handled: what a replica acknowledged and then died with is replayed from it
    payload: Mapped[str | None] = mapped_column(sa.Text)
    attempts: Mapped[int] = mapped_column(default=1, server_default="1")


class ReplicaRow(Base):
    """A running `moments serve` process and when it last said it was alive. Outside any
    workspace: a replica serves them all."""

    __tablename__ = "replicas"

    id: Mapped[str] = mapped_column(primary_key=True)
    seen_at: Mapped[datetime]


class WaitingMomentRow(Base):
    """A moment reported before its channel had a team (``bot.domain.WaitingMoment``)."""

    __tablename__ = "waiting_moments"
    __table_args__ = (
        sa.Index("ix_waiting_moments_workspace_id_channel", "workspace_id", "channel"),
        sa.Index("ix_waiting_moments_workspace_id_reporter_id", "workspace_id", "reporter_id"),
        sa.Index("ix_waiting_moments_workspace_id_request_key", "workspace_id", "request_key",
                 unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(sa.ForeignKey("workspaces.id"))
    channel: Mapped[str]  # "": waiting for its reporter's team
    kind: Mapped[MomentKind]
    text: Mapped[str] = mapped_column(sa.Text)  # redacted before it was stored
    reporter_id: Mapped[str]
    source: Mapped[Source]
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)
    author_id: Mapped[str]
    message_ref: Mapped[str | None]
    request_key: Mapped[str | None]


class TeamChoiceRow(Base):
    """The team a person picked for what they report outside a team's channel."""

    __tablename__ = "team_choices"
    __table_args__ = (sa.UniqueConstraint("workspace_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(sa.ForeignKey("workspaces.id"))
    user_id: Mapped[str]
    team_id: Mapped[int] = mapped_column(sa.ForeignKey("teams.id"))


class WelcomeRow(Base):
    """A channel the bot has welcomed: its welcome is posted once."""

    __tablename__ = "welcomes"
    __table_args__ = (sa.UniqueConstraint("workspace_id", "channel"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(sa.ForeignKey("workspaces.id"))
    channel: Mapped[str]
    welcomed_at: Mapped[datetime]


class OrgChannelRow(Base):
    """The workspace's organisation channel (one a workspace), and when the scheduler next looks
    at it (``storage/org.py``), as ``TeamRow.next_post_at``."""

    __tablename__ = "org_channels"
    __table_args__ = (sa.UniqueConstraint("workspace_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(sa.ForeignKey("workspaces.id"))
    channel: Mapped[str]
    timezone: Mapped[str]
    digest_at: Mapped[str]
    paused: Mapped[bool]
    name: Mapped[str]
    next_post_at: Mapped[datetime | None] = mapped_column(default=lambda: SOON, index=True)


class OrgPostRow(Base):
    """One organisation digest a week: claimed once, then sent (as ``PostRecordRow``)."""

    __tablename__ = "org_posts"
    __table_args__ = (sa.UniqueConstraint("org_id", "week"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(sa.ForeignKey("workspaces.id"))
    org_id: Mapped[int] = mapped_column(sa.ForeignKey("org_channels.id", ondelete="CASCADE"))
    week: Mapped[str]
    claimed_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    attempts: Mapped[int]
    last_error: Mapped[str] = mapped_column(sa.Text)
    sending_at: Mapped[datetime | None]
