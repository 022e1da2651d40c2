"""Requests acknowledged by a replica that then died are replayed, and only once.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02

processed_events keeps the request (redacted, optionally encrypted) with its owner until it is
handled; replicas say they are alive; a moment remembers the request that made it, so a replay
finds it instead of making a second one.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("processed_events") as batch:
        batch.add_column(sa.Column("owner", sa.String(), nullable=True))
        batch.add_column(sa.Column("payload", sa.Text(), nullable=True))
        batch.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="1"))
    # Claims left unfinished before this revision have no request to replay: leave them done.
    op.execute(sa.text("UPDATE processed_events SET done_at = claimed_at WHERE done_at IS NULL"))
    op.create_index("ix_processed_events_unfinished", "processed_events", ["claimed_at"],
                    postgresql_where=sa.text("done_at IS NULL"), sqlite_where=sa.text("done_at IS NULL"))
    op.create_table(
        "replicas",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_replicas"),
    )
    with op.batch_alter_table("moments") as batch:
        batch.add_column(sa.Column("request_key", sa.String(), nullable=True))
        batch.create_index("ix_moments_workspace_id_request_key", ["workspace_id", "request_key"],
                           unique=True)


def downgrade() -> None:
    with op.batch_alter_table("moments") as batch:
        batch.drop_index("ix_moments_workspace_id_request_key")
        batch.drop_column("request_key")
    op.drop_table("replicas")
    op.drop_index("ix_processed_events_unfinished", table_name="processed_events")
    with op.batch_alter_table("processed_events") as batch:
        batch.drop_column("attempts")
        batch.drop_column("payload")
        batch.drop_column("owner")
