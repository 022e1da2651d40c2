"""Alembic environment for Moments.

``storage.upgrade`` passes an open connection in ``config.attributes["connection"]``. Run by
hand (``alembic -c <ini> revision --autogenerate``), the URL comes from the ini's
``sqlalchemy.url`` or from MOMENTS_DATABASE_URL.
"""

from __future__ import annotations

import os
from typing import Any, Literal

import sqlalchemy as sa
from alembic import context
from alembic.autogenerate.api import AutogenContext

from storage import create_engine, normalise_url
from storage.models import Base, EnumString, JSONTuple, UTCDateTime

config = context.config
target_metadata = Base.metadata


def render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    # Migrations must not import storage.models: a later model change would rewrite history.
    # Render the storage types as the plain columns they are in the database.
    if type_ != "type":
        return False
    if isinstance(obj, EnumString):
        return "sa.String(length=16)"
    if isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    if isinstance(obj, JSONTuple):
        return "sa.JSON()"
    return False


def _configure(**kwargs: Any) -> None:
    context.configure(
        target_metadata=target_metadata,
        # SQLite can alter little in place; batch mode rebuilds the table instead.
        render_as_batch=True,
        render_item=render_item,
        compare_type=True,
        **kwargs,
    )


def _url() -> str:
    url = config.get_main_option("sqlalchemy.url") or os.environ.get("MOMENTS_DATABASE_URL")
    if not url:
        raise RuntimeError("no database: set sqlalchemy.url or MOMENTS_DATABASE_URL")
    return normalise_url(url)


def run_offline() -> None:
    _configure(url=_url(), literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def run_with(connection: sa.Connection) -> None:
    _configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        run_with(connection)
        return
    engine = create_engine(_url())
    try:
        with engine.connect() as fresh:
            run_with(fresh)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
