"""Teams tenant ids in lower case: the door now looks a tenant's workspace up by its lower-case id.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06

Azure tenant ids are GUIDs, the same tenant whatever their case; the Teams door used to store them
as an activity (or MICROSOFT_APP_TENANT_ID) spelled them. A workspace stored in another case is
renamed to lower case, so its moments stay where the door finds them. If a lower-case twin exists
already (the same tenant seen in two spellings), both are left as they are and reported: merging
two workspaces' data is for a person to decide.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.text(
        "SELECT id, external_id FROM workspaces WHERE platform = 'teams'")).all()
    taken = {external for _id, external in rows}
    for workspace_id, external in rows:
        lower = external.lower()
        if lower == external:
            continue
        if lower in taken:
            print(f"0009: Teams workspaces {external!r} and {lower!r} are the same tenant; "  # noqa: T201
                  f"left both as they are (workspace {workspace_id} is no longer reached)")
            continue
        bind.execute(sa.text("UPDATE workspaces SET external_id = :lower WHERE id = :id"),
                     {"lower": lower, "id": workspace_id})
        taken.add(lower)


def downgrade() -> None:
    pass  # the original spelling is not kept; lower case is the same tenant
