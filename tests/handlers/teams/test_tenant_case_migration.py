"""Migration 0009: Teams workspaces stored with a mixed-case tenant id are found again by the
door, which now looks tenants up in lower case."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from bot.domain import Platform
from storage import create_engine, migrate_engine, open_store


def test_a_mixed_case_tenant_keeps_its_workspace_and_a_twin_is_left_alone(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    engine = create_engine(url)
    migrate_engine(engine, "0005")
    with engine.begin() as db:
        db.execute(sa.text("INSERT INTO workspaces (id, platform, external_id, name) VALUES "
                           "(1, 'teams', '72F988BF-86F1-41AF-91AB-2D7CD011DB47', ''), "
                           "(2, 'teams', 'Tenant-B', ''), (3, 'teams', 'tenant-b', ''), "
                           "(4, 'slack', 'T0ABCDEF', '')"))
    migrate_engine(engine)
    engine.dispose()
    store = open_store(url)
    found = store.workspace(platform=Platform.TEAMS, external_id="72f988bf-86f1-41af-91ab-2d7cd011db47")
    assert found.id == 1  # the same workspace, not a new empty one
    names = {w.id: w.external_id for w in store.workspaces()}
    assert names == {1: "72f988bf-86f1-41af-91ab-2d7cd011db47", 2: "Tenant-B", 3: "tenant-b",
                     4: "T0ABCDEF"}  # a twin is left for a person; Slack ids keep their case
