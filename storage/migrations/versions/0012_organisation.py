"""The whole organisation: an organisation channel a workspace, its weekly digest claimed once,
and standards that spread from team to team keeping where they came from.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07

``proposals.origin_standard_id``: a sibling team's standard offered to this team as a candidate.
``standards.origin_id``: the standard of the team that first adopted it (no foreign keys on these
two: proposals and standards would refer to each other in a cycle). ``org_channels`` keeps the
organisation channel and when the scheduler next looks at it (as ``teams.next_post_at``);
``org_posts`` is its exactly-once guard (as ``post_records``).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("proposals") as batch:
        batch.add_column(sa.Column("origin_standard_id", sa.Integer(), nullable=True))
    with op.batch_alter_table("standards") as batch:
        batch.add_column(sa.Column("origin_id", sa.Integer(), nullable=True))
    op.create_index("ix_standards_origin_id", "standards", ["origin_id"])
    op.create_table(
        "org_channels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(), nullable=False),
        sa.Column("timezone", sa.String(), nullable=False),
        sa.Column("digest_at", sa.String(), nullable=False),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("next_post_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspaces.id"],
                                name="fk_org_channels_workspace_id_workspaces"),
        sa.PrimaryKeyConstraint("id", name="pk_org_channels"),
        sa.UniqueConstraint("workspace_id", name="uq_org_channels_workspace_id"),
    )
    op.create_index("ix_org_channels_next_post_at", "org_channels", ["next_post_at"])
    op.create_table(
        "org_posts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("week", sa.String(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("sending_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspaces.id"],
                                name="fk_org_posts_workspace_id_workspaces"),
        sa.ForeignKeyConstraint(["org_id"], ["org_channels.id"], ondelete="CASCADE",
                                name="fk_org_posts_org_id_org_channels"),
        sa.PrimaryKeyConstraint("id", name="pk_org_posts"),
        sa.UniqueConstraint("org_id", "week", name="uq_org_posts_org_id_week"),
    )


def downgrade() -> None:
    op.drop_table("org_posts")
    op.drop_index("ix_org_channels_next_post_at", table_name="org_channels")
    op.drop_table("org_channels")
    op.drop_index("ix_standards_origin_id", table_name="standards")
    with op.batch_alter_table("standards") as batch:
        batch.drop_column("origin_id")
    with op.batch_alter_table("proposals") as batch:
        batch.drop_column("origin_standard_id")
