"""Alembic migrations build the schema the models describe, on SQLite and on PostgreSQL."""

from __future__ import annotations

import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

import storage
from bot.domain import Platform
from storage import (
    SQLITE_BUSY_TIMEOUT_MS,
    alembic_config,
    create_engine,
    normalise_url,
    open_store,
    upgrade,
)
from storage.models import Base

TABLES = {
    "workspaces", "members", "teams", "touchpoints", "moments", "filing_feedback", "prompts",
    "proposals", "votes", "standards", "cached_messages", "post_records", "conversations",
    "processed_events", "redaction_patterns", "replicas", "waiting_moments", "team_choices",
    "welcomes", "org_channels", "org_posts", "chart_images",
}


def _head() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def _schema(url: str) -> dict[str, Any]:
    """Everything about the tables that a migration could change, plus the alembic revision."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            inspector = sa.inspect(connection)
            tables: dict[str, Any] = {
                name: (
                    [(c["name"], str(c["type"]), c["nullable"]) for c in inspector.get_columns(name)],
                    sorted((i["name"], tuple(i["column_names"])) for i in inspector.get_indexes(name)),
                    sorted(tuple(u["column_names"]) for u in inspector.get_unique_constraints(name)),
                    sorted((tuple(f["constrained_columns"]), f["referred_table"])
                           for f in inspector.get_foreign_keys(name)),
                )
                for name in inspector.get_table_names()
            }
            tables["revision"] = MigrationContext.configure(connection).get_current_revision()
            return tables
    finally:
        engine.dispose()


def _differences(url: str) -> list[Any]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return list(compare_metadata(context, Base.metadata))
    finally:
        engine.dispose()


def test_upgrade_creates_the_schema_without_an_ini_file(
    empty_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no alembic.ini here: the config is built in code
    assert set(_schema(empty_database)) == {"revision"}

    upgrade(empty_database)

    schema = _schema(empty_database)
    assert schema.pop("revision") == _head()
    assert set(schema) == TABLES | {"alembic_version"}


def test_upgrade_twice_is_a_no_op(empty_database: str) -> None:
    upgrade(empty_database)
    store = open_store(empty_database, migrate=False)
    try:
        ws = store.workspace(platform=Platform.CONSOLE, external_id="local")
    finally:
        store.close()
    before = _schema(empty_database)

    upgrade(empty_database)

    assert _schema(empty_database) == before
    store = open_store(empty_database)  # migrating again on open is harmless too
    try:
        assert store.workspaces() == [ws]
    finally:
        store.close()


def test_migrated_schema_matches_the_models(empty_database: str) -> None:
    upgrade(empty_database)
    assert _differences(empty_database) == []

    # The comparison does look: a missing index is reported.
    engine = create_engine(empty_database)
    with engine.begin() as connection:
        connection.execute(sa.text("DROP INDEX ix_proposals_prompt_id"))
    engine.dispose()
    assert [d[0] for d in _differences(empty_database)] == ["add_index"]


def test_downgrade_to_base_removes_every_table(empty_database: str) -> None:
    upgrade(empty_database)
    engine = create_engine(empty_database)
    try:
        with engine.begin() as connection:
            command.downgrade(alembic_config(connection), "base")
    finally:
        engine.dispose()
    schema = _schema(empty_database)
    assert schema.pop("revision") is None
    assert set(schema) == {"alembic_version"}


def test_redaction_patterns_migration_upgrades_and_downgrades(empty_database: str) -> None:
    """0003 adds the table of workspace patterns and takes only that table away again."""
    engine = create_engine(empty_database)
    try:
        with engine.begin() as connection:
            command.upgrade(alembic_config(connection), "0002")
        before = _schema(empty_database)
        assert "redaction_patterns" not in before
        with engine.begin() as connection:
            command.upgrade(alembic_config(connection), "0003")
            connection.execute(sa.text(
                "INSERT INTO workspaces (platform, external_id, name) VALUES ('slack', 'T1', '')"))
            workspace_id = connection.execute(sa.text("SELECT id FROM workspaces")).scalar_one()
            insert = sa.text(
                "INSERT INTO redaction_patterns (workspace_id, pattern, added_by, added_at) "
                "VALUES (:ws, :pattern, 'U1', CURRENT_TIMESTAMP)")
            connection.execute(insert, {"ws": workspace_id, "pattern": r"EMP-\d{5}"})
        with pytest.raises(sa.exc.IntegrityError), engine.begin() as connection:
            connection.execute(insert, {"ws": workspace_id, "pattern": r"EMP-\d{5}"})
        schema = _schema(empty_database)
        assert schema["revision"] == "0003"
        assert schema["redaction_patterns"][2] == [("workspace_id", "pattern")]
        with engine.begin() as connection:
            command.downgrade(alembic_config(connection), "0002")
    finally:
        engine.dispose()
    after = _schema(empty_database)
    assert after == before  # the workspace row stays; nothing else changed
    upgrade(empty_database)
    assert _schema(empty_database)["revision"] == _head()


def test_open_store_migrates_unless_told_not_to(empty_database: str) -> None:
    unmigrated = open_store(empty_database, migrate=False)
    unmigrated.close()
    assert set(_schema(empty_database)) == {"revision"}

    store = open_store(empty_database)
    try:
        ws = store.workspace(platform=Platform.SLACK, external_id="T1", name="Acme")
        with store.transaction(ws.id) as repo:
            assert repo.teams() == []
    finally:
        store.close()


def test_in_memory_sqlite_is_one_migrated_database_for_every_thread() -> None:
    store = open_store("sqlite://")
    try:
        ws = store.workspace(platform=Platform.CONSOLE, external_id="local")
        with ThreadPoolExecutor(1) as pool:
            assert pool.submit(store.workspaces).result() == [ws]
    finally:
        store.close()


def test_sqlite_file_gets_its_folder_foreign_keys_and_a_busy_timeout(tmp_path: Path) -> None:
    path = tmp_path / "not" / "there" / "moments.db"
    store = open_store(f"sqlite:///{path}")
    try:
        assert path.is_file()
        with store.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == SQLITE_BUSY_TIMEOUT_MS
            with pytest.raises(sa.exc.IntegrityError):
                connection.exec_driver_sql(
                    "INSERT INTO members (workspace_id, user_id, display_name, is_admin) "
                    "VALUES (424242, 'U1', '', 0)"
                )
    finally:
        store.close()


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgres://u:p%40ss@db:5432/moments", "postgresql+psycopg://u:p%40ss@db:5432/moments"),
        ("postgresql://u@db/moments?sslmode=require",
         "postgresql+psycopg://u@db/moments?sslmode=require"),
        ("postgresql+psycopg://u@db/moments", "postgresql+psycopg://u@db/moments"),
        ("postgresql+psycopg2://u@db/moments", "postgresql+psycopg2://u@db/moments"),
        ("sqlite:///moments.db", "sqlite:///moments.db"),
        ("sqlite://", "sqlite://"),
    ],
)
def test_normalise_url(url: str, expected: str) -> None:
    assert normalise_url(url) == expected


def test_a_failing_migration_changes_nothing(
    empty_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    migrations = tmp_path / "migrations"
    shutil.copytree(storage.MIGRATIONS, migrations)
    (migrations / "versions" / "9999_fails.py").write_text(
        f"import sqlalchemy as sa\nfrom alembic import op\n\n"
        f"revision = '9999'\ndown_revision = {_head()!r}\nbranch_labels = depends_on = None\n\n\n"
        "def upgrade():\n"
        "    op.create_table('extra', sa.Column('id', sa.Integer, primary_key=True))\n"
        "    raise RuntimeError('half way')\n"
    )
    monkeypatch.setattr(storage, "MIGRATIONS", migrations)

    with pytest.raises(RuntimeError, match="half way"):
        upgrade(empty_database)

    assert _schema(empty_database) == {"revision": None}  # not even revision 0001 stayed
