"""redaction_patterns: a workspace's own patterns of personal data, redacted from moment text.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02

Admins add them with `/moments redact add`; one pattern at most once per workspace.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "redaction_patterns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "workspace_id",
            sa.Integer(),
            sa.ForeignKey("workspaces.id", name="fk_redaction_patterns_workspace_id_workspaces"),
            nullable=False,
        ),
        sa.Column("pattern", sa.String(), nullable=False),
        sa.Column("added_by", sa.String(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_redaction_patterns"),
        sa.UniqueConstraint(
            "workspace_id", "pattern", name="uq_redaction_patterns_workspace_id_pattern"
        ),
    )


def downgrade() -> None:
    op.drop_table("redaction_patterns")
