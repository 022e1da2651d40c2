"""The first five minutes: moments waiting for a team, people's chosen team, welcomes.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07

``waiting_moments``: a moment reported in a channel with no team yet (or in a private chat by
someone who has to pick their team), redacted like any moment, kept until it is filed into the
new team or expires. ``team_choices``: the team a person picked for what they report in a
private chat. ``welcomes``: the channels the bot has welcomed, so it does so once.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)
ENUM = sa.String(16)


def _workspace(table: str) -> sa.Column[int]:
    return sa.Column("workspace_id", sa.Integer(),
                     sa.ForeignKey("workspaces.id", name=f"fk_{table}_workspace_id_workspaces"),
                     nullable=False)


def upgrade() -> None:
    op.create_table(
        "waiting_moments",
        sa.Column("id", sa.Integer(), nullable=False),
        _workspace("waiting_moments"),
        sa.Column("channel", sa.String(), nullable=False),
        sa.Column("kind", ENUM, nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("reporter_id", sa.String(), nullable=False),
        sa.Column("source", ENUM, nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("expires_at", TIMESTAMP, nullable=False),
        sa.Column("author_id", sa.String(), nullable=False),
        sa.Column("message_ref", sa.String(), nullable=True),
        sa.Column("request_key", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_waiting_moments"),
    )
    op.create_index("ix_waiting_moments_workspace_id_channel", "waiting_moments",
                    ["workspace_id", "channel"])
    op.create_index("ix_waiting_moments_workspace_id_reporter_id", "waiting_moments",
                    ["workspace_id", "reporter_id"])
    op.create_index("ix_waiting_moments_workspace_id_request_key", "waiting_moments",
                    ["workspace_id", "request_key"], unique=True)
    op.create_index("ix_waiting_moments_expires_at", "waiting_moments", ["expires_at"])
    op.create_table(
        "team_choices",
        sa.Column("id", sa.Integer(), nullable=False),
        _workspace("team_choices"),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("team_id", sa.Integer(),
                  sa.ForeignKey("teams.id", name="fk_team_choices_team_id_teams"), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_team_choices"),
        sa.UniqueConstraint("workspace_id", "user_id", name="uq_team_choices_workspace_id_user_id"),
    )
    op.create_table(
        "welcomes",
        sa.Column("id", sa.Integer(), nullable=False),
        _workspace("welcomes"),
        sa.Column("channel", sa.String(), nullable=False),
        sa.Column("welcomed_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_welcomes"),
        sa.UniqueConstraint("workspace_id", "channel", name="uq_welcomes_workspace_id_channel"),
    )


def downgrade() -> None:
    op.drop_table("welcomes")
    op.drop_table("team_choices")
    op.drop_index("ix_waiting_moments_expires_at", table_name="waiting_moments")
    op.drop_index("ix_waiting_moments_workspace_id_request_key", table_name="waiting_moments")
    op.drop_index("ix_waiting_moments_workspace_id_reporter_id", table_name="waiting_moments")
    op.drop_index("ix_waiting_moments_workspace_id_channel", table_name="waiting_moments")
    op.drop_table("waiting_moments")
