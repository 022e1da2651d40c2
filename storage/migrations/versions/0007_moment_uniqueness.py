"""One live moment per message and kind made by reactions.

Revision ID: 0007
Revises: 0005
Create Date: 2026-12-09

Reactions that arrived together could each make a moment of the same message. Those already
stored are merged first: the oldest (one with its text, if any has it) stays, the others'
reporters become its "me too", and the others are retracted, so nobody is lost and nothing is
counted twice. Then a partial unique index keeps it so.
"""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LIVE_REACTION = sa.text("source = 'reaction' AND retracted_at IS NULL AND message_ref IS NOT NULL")

moments = sa.table(
    "moments",
    sa.column("id", sa.Integer),
    sa.column("workspace_id", sa.Integer),
    sa.column("kind", sa.String),
    sa.column("message_ref", sa.String),
    sa.column("source", sa.String),
    sa.column("text", sa.Text),
    sa.column("reporter_id", sa.String),
    sa.column("credited", sa.JSON),
    sa.column("also_reported_by", sa.JSON),
    sa.column("retracted_at", sa.DateTime(timezone=True)),
    sa.column("updated_at", sa.DateTime(timezone=True)),
)


def _merge_duplicates() -> None:
    bind = op.get_bind()
    now = datetime.now(UTC)
    if bind.dialect.name == "sqlite":
        now = now.replace(tzinfo=None)  # as the application stores it there
    key = (moments.c.workspace_id, moments.c.kind, moments.c.message_ref)
    live = sa.and_(moments.c.source == "reaction", moments.c.retracted_at.is_(None),
                   moments.c.message_ref.is_not(None))
    groups = bind.execute(sa.select(*key).where(live).group_by(*key).having(sa.func.count() > 1)).all()
    for workspace_id, kind, message_ref in groups:
        rows = bind.execute(sa.select(moments).where(
            live, moments.c.workspace_id == workspace_id, moments.c.kind == kind,
            moments.c.message_ref == message_ref).order_by(moments.c.id)).all()
        keep = next((r for r in rows if r.text), rows[0])
        excluded = {keep.reporter_id, *(keep.credited or ())}
        people: list[Any] = list(keep.also_reported_by or ())
        for row in rows:
            if row.id == keep.id:
                continue
            for person in (row.reporter_id, *(row.also_reported_by or ())):
                if person not in excluded and person not in people:
                    people.append(person)
            bind.execute(moments.update().where(moments.c.id == row.id)
                         .values(retracted_at=now, updated_at=now))
        bind.execute(moments.update().where(moments.c.id == keep.id)
                     .values(also_reported_by=people, updated_at=now))


def upgrade() -> None:
    _merge_duplicates()
    op.create_index("uq_moments_live_reaction", "moments", ["workspace_id", "kind", "message_ref"],
                    unique=True, postgresql_where=LIVE_REACTION, sqlite_where=LIVE_REACTION)


def downgrade() -> None:
    op.drop_index("uq_moments_live_reaction", table_name="moments")
