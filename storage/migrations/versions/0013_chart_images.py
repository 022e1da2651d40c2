"""chart_images: the charts Slack posts show by URL, kept under an unguessable token.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-08

With a public URL the weekly digest's chart is not uploaded to Slack (the files methods' tier
held one workspace's digests to about 100 a minute): the PNG is stored here, under a random
token, before the post, and GET /charts/<token>.png serves it from any replica. Rows older than
the retention are purged by the server's housekeeping (by ``made_at``).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "chart_images",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("png", sa.LargeBinary(), nullable=False),
        sa.Column("made_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspaces.id"],
                                name="fk_chart_images_workspace_id_workspaces"),
        sa.PrimaryKeyConstraint("id", name="pk_chart_images"),
        sa.UniqueConstraint("token", name="uq_chart_images_token"),
    )
    op.create_index("ix_chart_images_made_at", "chart_images", ["made_at"])


def downgrade() -> None:
    op.drop_index("ix_chart_images_made_at", table_name="chart_images")
    op.drop_table("chart_images")
