"""The real clock: the one place where the library reads system time."""

from __future__ import annotations

import time
from datetime import datetime, timezone

__all__ = ["SystemClock"]


class SystemClock:
    """Wall time in UTC, ``time.monotonic`` and real sleeping."""

    def now(self) -> datetime:
        return datetime.now(timezone.utc)

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)

    async def asleep(self, seconds: float) -> None:
        import anyio

        await anyio.sleep(max(0.0, seconds))

    def __repr__(self) -> str:
        return "SystemClock()"
