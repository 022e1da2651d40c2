"""processed_events.done_at: an event claim is a lease until the event is acknowledged.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02

Without it, a replica killed after claiming a Slack event and before acknowledging it left a
claim that made every redelivery look like a duplicate, and the event was lost.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("processed_events") as batch:
        batch.add_column(sa.Column("done_at", sa.DateTime(timezone=True), nullable=True))
    # Claims made before this revision were handled (or are long past Slack's retries).
    op.execute(sa.text("UPDATE processed_events SET done_at = claimed_at"))


def downgrade() -> None:
    with op.batch_alter_table("processed_events") as batch:
        batch.drop_column("done_at")
