"""Stores for the storage tests: the in-memory fake, SQLite files and a throwaway PostgreSQL database.

PostgreSQL is optional on a laptop (skipped with a reason) and required in CI (CI=true fails).
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from bot.domain import Team, Workspace
from bot.ports import Store
from handlers.slack.ports import ChartImages, MessageCache, RequestInbox
from handlers.teams.ports import ConversationStore
from storage import (
    SqlChartImages,
    SqlConversationStore,
    SqlMessageCache,
    SqlRequestInbox,
    SqlStore,
    create_engine,
    normalise_url,
    open_store,
    upgrade,
)
from tests.fakes import InMemoryStore
from tests.handlers.slack.fakes import InMemoryChartImages, InMemoryMessageCache, InMemoryRequestInbox
from tests.handlers.teams.fakes import InMemoryConversationStore
from tests.storage.builders import a_team, new_workspace

DEFAULT_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _admin_url() -> str:
    return normalise_url(os.environ.get("MOMENTS_TEST_DATABASE_URL", DEFAULT_ADMIN_URL))


def _admin_engine() -> sa.Engine:
    # AUTOCOMMIT: CREATE/DROP DATABASE cannot run inside a transaction.
    return sa.create_engine(
        _admin_url(), isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5}
    )


@pytest.fixture(scope="session")
def postgres_admin() -> Iterator[sa.Engine]:
    """An AUTOCOMMIT engine on the admin database, or a skip (a failure when CI=true)."""
    engine = _admin_engine()
    try:
        with engine.connect():
            pass
    except sa.exc.OperationalError as exc:
        engine.dispose()
        where = sa.make_url(_admin_url()).render_as_string(hide_password=True)
        message = (
            f"PostgreSQL not reachable at {where}; set MOMENTS_TEST_DATABASE_URL or start "
            f"the server ({type(exc.orig).__name__})"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(message + " — required when CI=true", pytrace=False)
        pytest.skip(message)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def new_postgres_database(postgres_admin: sa.Engine) -> Iterator[Callable[[], str]]:
    """Creates empty throwaway databases on demand; drops every one at the end of the session."""
    created: list[str] = []

    def create() -> str:
        name = f"moments_test_{uuid.uuid4().hex[:12]}"
        with postgres_admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        created.append(name)
        return sa.make_url(_admin_url()).set(database=name).render_as_string(hide_password=False)

    yield create
    with postgres_admin.connect() as connection:
        for name in created:
            # FORCE: a leaked pooled connection must not leave databases behind.
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def postgres_url(new_postgres_database: Callable[[], str]) -> str:
    """One migrated database shared by the contract tests; each test has its own workspace."""
    url = new_postgres_database()
    upgrade(url)
    return url


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied per test: cheaper than migrating each time."""
    path = tmp_path_factory.mktemp("sqlite-template") / "moments.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    path = tmp_path / "moments.db"
    shutil.copyfile(sqlite_template, path)
    return f"sqlite:///{path}"


STORES = [
    "memory",
    "sqlite",
    pytest.param("postgres", marks=pytest.mark.postgres),
]
SQL_STORES = STORES[1:]


def _open(request: pytest.FixtureRequest) -> Iterator[Store]:
    if request.param == "memory":
        yield InMemoryStore()
        return
    url = request.getfixturevalue(f"{request.param}_url")
    store = open_store(url, migrate=False)
    try:
        yield store
    finally:
        store.close()


@pytest.fixture(params=STORES)
def requests(request: pytest.FixtureRequest) -> Iterator[RequestInbox]:
    """Each implementation of handlers.slack.ports.RequestInbox, for the contract they share."""
    if request.param == "memory":
        yield InMemoryRequestInbox()
        return
    engine = create_engine(request.getfixturevalue(f"{request.param}_url"))
    inbox = SqlRequestInbox(engine)
    try:
        yield inbox
    finally:
        inbox.close()
        engine.dispose()


def _door_store(request: pytest.FixtureRequest, fake: Callable[[], Any],
                sql: Callable[[sa.Engine], Any]) -> Iterator[tuple[Any, int, int]]:
    """A door's own store on each backend, and two workspaces of the database it is in."""
    if request.param == "memory":
        yield fake(), 1, 2
        return
    store = open_store(request.getfixturevalue(f"{request.param}_url"), migrate=False)
    try:
        yield sql(store.engine), new_workspace(store).id, new_workspace(store).id
    finally:
        store.close()


@pytest.fixture(params=STORES)
def cached(request: pytest.FixtureRequest) -> Iterator[tuple[MessageCache, int, int]]:
    """Each implementation of MessageCache, for the contract they share, with two workspace ids."""
    yield from _door_store(request, InMemoryMessageCache, SqlMessageCache)


@pytest.fixture(params=STORES)
def charts(request: pytest.FixtureRequest) -> Iterator[tuple[ChartImages, int, int]]:
    """Each implementation of ChartImages, for the contract they share, with two workspace ids."""
    yield from _door_store(request, InMemoryChartImages, SqlChartImages)


@pytest.fixture(params=STORES)
def references(request: pytest.FixtureRequest) -> Iterator[tuple[ConversationStore, int, int]]:
    """Each implementation of ConversationStore, for the contract they share, with two workspace ids."""
    yield from _door_store(request, InMemoryConversationStore, SqlConversationStore)


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest) -> Iterator[Store]:
    """Each implementation of bot.ports.Store, for tests of the contract they share."""
    yield from _open(request)


@pytest.fixture(params=SQL_STORES)
def sql_store(request: pytest.FixtureRequest) -> Iterator[SqlStore]:
    """The SQL stores only, for behaviour beyond what the in-memory fake promises."""
    for opened in _open(request):
        assert isinstance(opened, SqlStore)
        yield opened


@pytest.fixture(params=SQL_STORES)
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of a database with no tables at all."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'empty' / 'moments.db'}"
    new_database: Callable[[], str] = request.getfixturevalue("new_postgres_database")
    return new_database()


@pytest.fixture
def ws(store: Store) -> Workspace:
    return new_workspace(store, "Acme Air")


@pytest.fixture
def team(store: Store, ws: Workspace) -> Team:
    with store.transaction(ws.id) as repo:
        return repo.add_team(a_team())
