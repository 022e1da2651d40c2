"""A proposal becomes a service standard once.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-09

Two leads adopting the same proposal at the same moment on two replicas could each add a
standard. Standards made that way are folded into the first one adopted (the earliest, the
lower id on a tie); then the database refuses a second standard for a proposal. Standards in a
lead's own words with no proposal behind them are not affected.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(sa.text(
        "DELETE FROM standards WHERE proposal_id IS NOT NULL AND EXISTS ("
        " SELECT 1 FROM standards AS earlier WHERE earlier.proposal_id = standards.proposal_id"
        " AND (earlier.adopted_at < standards.adopted_at"
        " OR (earlier.adopted_at = standards.adopted_at AND earlier.id < standards.id)))"
    ))
    with op.batch_alter_table("standards") as batch:
        batch.create_unique_constraint("uq_standards_proposal_id", ["proposal_id"])


def downgrade() -> None:
    with op.batch_alter_table("standards") as batch:
        batch.drop_constraint("uq_standards_proposal_id", type_="unique")
