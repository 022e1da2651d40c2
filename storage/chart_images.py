"""The Slack door's chart images on SQL (``handlers.slack.ports.ChartImages``), in the
``chart_images`` table: the PNG a post shows by URL, found by its token from any replica, purged
once past its retention.

Not part of the core's Store: nothing of the method reads these rows. A chart holds counts by
touchpoint (and, for the organisation, team names), nothing a person wrote or who wrote it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker

from storage.models import ChartImageRow


class SqlChartImages:
    """``handlers.slack.ports.ChartImages`` on the database behind ``engine``: one short
    transaction per call."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    def keep_chart(self, workspace_id: int, token: str, png: bytes, at: datetime) -> None:
        with self._sessions.begin() as session:
            session.add(ChartImageRow(token=token, workspace_id=workspace_id, png=png, made_at=at))

    def chart_png(self, token: str) -> bytes | None:
        with self._sessions.begin() as session:
            png = session.scalar(sa.select(ChartImageRow.png).where(ChartImageRow.token == token))
            return None if png is None else bytes(png)

    def purge_charts(self, *, made_before: datetime) -> int:
        statement = sa.delete(ChartImageRow).where(ChartImageRow.made_at < made_before)
        with self._sessions.begin() as session:
            return int(cast("sa.CursorResult[Any]", session.execute(statement)).rowcount)
