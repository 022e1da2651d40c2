"""post_records.sending_at: a post being sent is marked first, so a crash mid-send is noticed.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02

Without it, a process that died between sending a weekly post and recording it left a record
that looked unsent, and the next leader sent the post again.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("post_records") as batch:
        batch.add_column(sa.Column("sending_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("post_records") as batch:
        batch.drop_column("sending_at")
