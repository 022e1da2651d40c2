"""SQL storage for Moments: open a store on a database URL, migrating it to the latest schema.

SQLite (the default, one file) and PostgreSQL are supported. The Alembic configuration is built
here in code, so migrations run from an installed package with no alembic.ini in the cwd.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from bot.domain import Workspace
from storage.chart_images import SqlChartImages
from storage.conversations import SqlConversationStore
from storage.driver import DROPPED_SQLSTATES, dropped
from storage.inbox import SqlRequestInbox
from storage.leadership import AdvisoryLeadership
from storage.message_cache import SqlMessageCache
from storage.repository import SqlRepository, SqlStore

__all__ = [
    "DROPPED_SQLSTATES",
    "AdvisoryLeadership",
    "DoorStorage",
    "ReconnectingStore",
    "SqlChartImages",
    "SqlConversationStore",
    "SqlMessageCache",
    "SqlRepository",
    "SqlRequestInbox",
    "SqlStore",
    "alembic_config",
    "create_engine",
    "dropped",
    "migrate_engine",
    "normalise_url",
    "open_store",
    "retry_on_disconnect",
    "upgrade",
]

log = logging.getLogger(__name__)
T = TypeVar("T")

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 15_000


def normalise_url(url: str) -> str:
    """Hosting platforms hand out ``postgres://`` URLs; SQLAlchemy needs a driver it has."""
    parsed = sa.make_url(url)
    if parsed.drivername in ("postgres", "postgresql"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def create_engine(url: str, **kwargs: Any) -> sa.Engine:
    """An engine with the connection settings Moments relies on (see the SQLite notes below)."""
    url = normalise_url(url)
    parsed = sa.make_url(url)
    if parsed.get_backend_name() != "sqlite":
        # No pool_pre_ping: it costs a round trip on every checkout, several per request, and
        # measured a quarter of the throughput (bench/load.py). A connection the server dropped
        # fails its request once ("nothing was saved, please try again"; the event claim runs
        # again by itself) and SQLAlchemy then discards the whole pool; pool_recycle retires
        # connections before idle-connection killers get to them.
        # hide_parameters: an error's log line never carries moment text or a kept request.
        return sa.create_engine(url, pool_pre_ping=False, pool_recycle=1800, hide_parameters=True,
                                **kwargs)
    if parsed.database in (None, "", ":memory:"):
        # For the console and tests: one connection shared by every thread, since the default
        # pool would give each thread its own empty database. Deployments use a file.
        kwargs = {"poolclass": sa.StaticPool, "connect_args": {"check_same_thread": False}} | kwargs
    elif not parsed.query.get("uri"):
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url, hide_parameters=True, **kwargs)
    _fix_sqlite_transactions(engine)
    return engine


def _fix_sqlite_transactions(engine: sa.Engine) -> None:
    # pysqlite opens transactions lazily and on its own terms, which breaks SAVEPOINT (a vote's
    # duplicate check would commit early). Taking over BEGIN is SQLAlchemy's documented remedy.
    # IMMEDIATE takes the write lock up front, so a second process waits out the busy timeout
    # instead of failing with "database is locked" when it upgrades a read lock mid-transaction.
    # It serialises transactions, reads included; a chat bot's load never notices.
    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        dbapi_connection.execute("PRAGMA foreign_keys = ON")
        dbapi_connection.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")

    @sa.event.listens_for(engine, "begin")
    def _on_begin(connection: sa.Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def alembic_config(connection: sa.Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def migrate_engine(engine: sa.Engine, revision: str = "head") -> None:
    """Upgrade the database behind ``engine``; the same engine, so ``sqlite://`` works too.

    All of it runs in one transaction: PostgreSQL and SQLite both have transactional DDL, so a
    failed migration leaves the schema as it was.
    """
    with engine.connect() as connection, _sqlite_foreign_keys_off(connection), connection.begin():
        command.upgrade(alembic_config(connection), revision)
        if connection.dialect.name == "sqlite":
            problems = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if problems:
                raise RuntimeError(f"migration left dangling foreign keys: {problems[:5]}")


def upgrade(url: str) -> None:
    """Bring the database at ``url`` to the latest schema; a no-op when it is there already."""
    engine = create_engine(url)
    try:
        migrate_engine(engine)
    finally:
        engine.dispose()


def open_store(url: str, *, migrate: bool = True) -> SqlStore:
    """A store on ``url`` (normalised, see :func:`normalise_url`), migrated first by default."""
    engine = create_engine(url)
    if migrate:
        try:
            migrate_engine(engine)
        except BaseException:
            engine.dispose()
            raise
    return ReconnectingStore(engine)


def retry_on_disconnect(work: Callable[[], T], *, read_only: bool = False) -> T:
    """Run a self-contained unit of work once more if its connection was dropped under it.

    PostgreSQL restarts, failovers and idle-connection killers close connections under a running
    transaction; pool_pre_ping only catches the ones that died while idle in the pool. When a
    *statement* fails that way the server has rolled the transaction back, so running the whole
    unit again on a fresh connection is safe. A failed COMMIT (SQLAlchemy reports it with no
    statement) may have been applied, so a unit that writes is not run again after one.
    """
    try:
        return work()
    except sa.exc.DBAPIError as err:
        if not dropped(err) or (err.statement is None and not read_only):
            raise
    log.warning("database connection dropped before commit; running the unit of work again")
    return work()


class ReconnectingStore(SqlStore):
    """SqlStore whose own short units of work survive one dropped connection.

    Only methods whose whole transaction lives in the store can be run again; ``transaction()``
    cannot, as its body is the caller's (a failure there reaches the person as "nothing was
    saved, please try again"). (The Slack request inbox, ``SqlRequestInbox``, retries its claims
    the same way.)
    """

    def workspaces(self) -> list[Workspace]:
        return retry_on_disconnect(super().workspaces, read_only=True)


@contextmanager
def _sqlite_foreign_keys_off(connection: sa.Connection) -> Iterator[None]:
    # Batch migrations on SQLite copy a table, drop the original and rename the copy; with
    # foreign keys enforced the drop would fail or cascade. The pragma is ignored inside a
    # transaction, so it goes straight to the driver before the migration's BEGIN.
    if connection.dialect.name != "sqlite":
        yield
        return
    raw = connection.connection.driver_connection
    assert raw is not None
    raw.execute("PRAGMA foreign_keys = OFF")
    try:
        yield
    finally:
        raw.execute("PRAGMA foreign_keys = ON")


@dataclass(frozen=True, slots=True)
class DoorStorage:
    """What the doors keep for themselves beside the method's rows: the Slack request inbox,
    message cache and chart images, the Teams conversation references and the weekly scheduler's leadership
    (their ports live next to their users in ``handlers``)."""

    requests: SqlRequestInbox
    leadership: AdvisoryLeadership
    messages: SqlMessageCache
    conversations: SqlConversationStore
    charts: SqlChartImages

    @classmethod
    def on(cls, engine: sa.Engine) -> DoorStorage:
        return cls(requests=SqlRequestInbox(engine), leadership=AdvisoryLeadership(engine),
                   messages=SqlMessageCache(engine), conversations=SqlConversationStore(engine),
                   charts=SqlChartImages(engine))
