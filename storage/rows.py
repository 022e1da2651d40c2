"""What the SQL repository's row groups share: the workspace filter and safe inserts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.domain import Workspace

Row = TypeVar("Row", bound=Any)


class WorkspaceRows:
    """A group of SqlRepository's methods; it shares the repository's session and workspace."""

    _s: Session
    _ws: Workspace

    def _mine(self, model: type[Row]) -> sa.Select[Row]:
        return sa.select(model).where(model.workspace_id == self._ws.id)

    def _upsert(self, find: Callable[[], Any], fresh: Any, values: dict[str, Any]) -> None:
        upsert(self._s, find, fresh, values)

    def _saved(self, row: Any) -> bool:
        return saved(self._s, row)

    def _swap_attempt(self, model: Any, key: list[Any], expected: Any, new: Any) -> bool:
        """Compare-and-set on a post's exactly-once row (``post_records``, ``org_posts``): write
        ``new``'s attempt only if the row named by ``key`` still holds ``expected``'s attempts
        and sending mark and is unsent. One UPDATE, so of two replicas taking the same attempt
        at the same moment exactly one wins."""
        mark = model.sending_at
        statement = (
            sa.update(model)
            .where(model.workspace_id == self._ws.id, *key, model.attempts == expected.attempts,
                   model.sent_at.is_(None),
                   mark.is_(None) if expected.sending_at is None else mark == expected.sending_at)
            .values(sent_at=new.sent_at, attempts=new.attempts, last_error=new.last_error,
                    sending_at=new.sending_at)
            .execution_options(synchronize_session="fetch")
        )
        return cast("sa.CursorResult[Any]", self._s.execute(statement)).rowcount == 1


def upsert(session: Session, find: Callable[[], Any], fresh: Any, values: dict[str, Any]) -> None:
    """Insert ``fresh``, or update the row ``find`` gives. The insert runs in a SAVEPOINT so
    that losing a race to another replica turns into an update, not a failed transaction."""
    row = find()
    if row is None:
        if saved(session, fresh):
            return
        row = find()
        assert row is not None
    for key, value in values.items():
        setattr(row, key, value)
    session.flush()


def saved(session: Session, row: Any) -> bool:
    """Insert in a SAVEPOINT; False (and the transaction intact) on a unique violation."""
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return False
    return True
