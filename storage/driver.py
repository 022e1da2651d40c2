"""Straight on the database driver, for the few statements that run before every Slack ack.

SQLAlchemy's execution around one small statement costs more CPU than the statement itself, so
the request inbox (``storage/inbox.py``) compiles its statements once and runs them on a pooled
driver connection; this module keeps that safe: errors come out as SQLAlchemy's (with a dropped
connection noticed), and nothing naive is stored.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar, cast

import sqlalchemy as sa

T = TypeVar("T")
# admin_shutdown (pg_terminate_backend, a restart), crash_shutdown, cannot_connect_now
DROPPED_SQLSTATES = frozenset({"57P01", "57P02", "57P03"})


def dropped(err: sa.exc.DBAPIError) -> bool:
    """The connection was lost, as opposed to an error in the SQL. SQLAlchemy notices most drops
    (``connection_invalidated``), but not every one psycopg reports while reading a COMMIT's answer."""
    if err.connection_invalidated:
        return True
    if getattr(err.orig, "sqlstate", None) in DROPPED_SQLSTATES:
        return True
    return isinstance(err, sa.exc.OperationalError) and "server closed the connection" in str(err.orig)


_DRIVER_SQL: dict[int, Any] = {}


def driver_sql(engine: sa.Engine, statement: sa.Executable, params: dict[str, Any]) -> tuple[str, Any]:
    """The statement as the driver's SQL text, compiled once, and its parameters (the values
    the statement itself holds, such as ``attempts=1``, included)."""
    found = _DRIVER_SQL.get(id(statement))  # the statements are built once and kept
    if found is None:
        compiled = cast("sa.ClauseElement", statement).compile(dialect=engine.dialect)
        found = _DRIVER_SQL[id(statement)] = (str(compiled), compiled)
    return found[0], found[1].construct_params(params)


def aware(*values: datetime) -> None:
    """Checked as UTCDateTime would on the ORM's way in: nothing naive is stored."""
    for value in values:
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: claims store aware UTC datetimes")


def on_driver(engine: sa.Engine, what: str, work: Callable[[Any], T]) -> T:
    """``work(cursor)`` on a pooled driver connection. A connection that failed is dropped from
    the pool, and driver errors are raised as SQLAlchemy's (a dropped connection is retried by
    the store)."""
    dbapi_error: type[Exception] = engine.dialect.loaded_dbapi.Error
    try:
        conn = engine.raw_connection()
    except dbapi_error as err:  # reported as SQLAlchemy would, for the callers' retry rules
        raise sa.exc.DBAPIError.instance(None, None, err, dbapi_error, hide_parameters=True,
                                         dialect=engine.dialect) from err
    cursor = None
    try:
        cursor = conn.cursor()
        return work(cursor)
    except dbapi_error as err:
        gone = engine.dialect.is_disconnect(cast(Any, err), conn.dbapi_connection, cursor)
        conn.invalidate(err)
        if gone:  # the server dropped its connections (a restart): the pooled ones are dead too,
            engine.dispose(close=False)  # as SQLAlchemy's own handling would invalidate them
        raise sa.exc.DBAPIError.instance(what, None, err, dbapi_error, hide_parameters=True,
                                         connection_invalidated=gone, dialect=engine.dialect) from err
    finally:
        conn.close()

