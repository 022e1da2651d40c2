"""Which replica runs the weekly schedule: a PostgreSQL advisory lock, held on a connection.

The scheduler (``handlers/scheduled.py``) only asks ``is_leader()`` each tick; how leadership is
decided is storage's business.
"""

from __future__ import annotations

import contextlib
import logging
import threading

import sqlalchemy as sa

log = logging.getLogger(__name__)
LOCK_KEY = 0x6D6F6D656E7473  # "moments": the advisory lock the scheduling replica holds


class AdvisoryLeadership:
    """PostgreSQL: a session-level advisory lock on a dedicated connection; whoever holds it
    leads, and if that process dies its connection closes and another replica takes over on its
    next tick. SQLite: one process, always the leader."""

    def __init__(self, engine: sa.Engine) -> None:
        self._engine = engine if engine.dialect.name == "postgresql" else None
        self._conn: sa.Connection | None = None
        self._lock = threading.Lock()

    def is_leader(self) -> bool:
        if self._engine is None:
            return True
        with self._lock:
            try:
                if self._conn is not None:
                    self._conn.execute(sa.text("SELECT 1"))
                    return True
                # Autocommit: the lock belongs to the session, and a held connection must not sit
                # "idle in transaction" between ticks (monitoring alarms, idle-transaction timeouts).
                conn = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
                got = conn.execute(sa.text("SELECT pg_try_advisory_lock(:k)"), {"k": LOCK_KEY}).scalar()
                if got:
                    self._conn = conn
                    log.info("this replica now runs the weekly schedule")
                    return True
                conn.close()
                return False
            except sa.exc.DBAPIError:
                log.warning("lost the scheduler lock's connection; will try again", exc_info=True)
                self.release()
                return False

    def release(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(sa.exc.DBAPIError):
                self._conn.close()
            self._conn = None
