"""Clocks: the real one, and one the console can wind forward to show weeks passing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class OffsetClock:
    """Real time plus an offset that only grows: `/wait 13 weeks` in the console."""

    def __init__(self, start: datetime | None = None) -> None:
        self._offset = start - datetime.now(UTC) if start else timedelta(0)

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset

    def advance(self, delta: timedelta) -> None:
        self._offset += delta
