"""teams.next_post_at: what is due is one indexed query, not a walk over every team.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06

Each team keeps when the weekly scheduler next has to look at it; every replica claims the due
ones (``storage/due.py``). Existing teams start due, so the first tick after the upgrade looks
at each once and sets its real next time.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("teams") as batch:
        batch.add_column(sa.Column("next_post_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(sa.text("UPDATE teams SET next_post_at = '2000-01-01 00:00:00'"))
    op.create_index("ix_teams_next_post_at", "teams", ["next_post_at"])


def downgrade() -> None:
    op.drop_index("ix_teams_next_post_at", table_name="teams")
    with op.batch_alter_table("teams") as batch:
        batch.drop_column("next_post_at")
