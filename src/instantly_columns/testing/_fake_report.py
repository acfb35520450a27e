"""What FakeInstantly saw: the request log, rate figures, and the workspace rate limiter."""

from __future__ import annotations

import bisect
import math
from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal

import attrs

from instantly_columns.domain._html import html_table
from instantly_columns.testing._fake_faults import FaultEvent

__all__ = ["FakeReport", "RequestRecord"]

TimeBase = Literal["fake", "real"]


@attrs.frozen
class RequestRecord:
    """One request the fake received, and how it answered.

    ``at`` is in seconds on the clock the rate limiter used (``time_base``: the FakeClock's
    monotonic time in process, real monotonic time when serving with ``real_time=True``).
    ``headers`` are lower-cased with ``authorization`` redacted. ``status`` is None when no
    answer was given (timeout or reset). ``rate_limited`` marks 429s from the fake's limiter;
    ``fault`` names the injected fault, if any.
    """

    number: int
    method: str
    path: str
    endpoint: str | None
    query: tuple[tuple[str, str], ...]
    json: Any
    headers: tuple[tuple[str, str], ...]
    status: int | None
    at: float
    timestamp: datetime
    time_base: TimeBase = "fake"
    rate_limited: bool = False
    fault: str | None = None

    @property
    def label(self) -> str:
        """``METHOD /route/{template}`` (or the raw path for unknown routes)."""
        return f"{self.method} {self.endpoint or self.path}"

    def __repr__(self) -> str:
        extra = (
            " rate-limited" if self.rate_limited else f" fault={self.fault}" if self.fault else ""
        )
        return f"RequestRecord(#{self.number} {self.method} {self.path} -> {self.status}{extra})"


def _peak(times: Sequence[float], width: float) -> int:
    """Most requests in any half-open window ``[t, t + width)``."""
    ordered = sorted(round(t, 6) for t in times)
    best = 0
    start = 0
    for end, moment in enumerate(ordered):
        while ordered[start] <= round(moment - width, 6):
            start += 1
        best = max(best, end - start + 1)
    return best


@attrs.frozen
class FakeReport:
    """A snapshot of the traffic FakeInstantly received (``fake.report()``).

    ``by_endpoint`` counts requests per ``METHOD /route``; ``per_second`` and ``per_minute``
    count them per fixed window (window index = ``floor(at / width)``); the peaks are the
    most requests seen in any sliding window of that width, over all arrivals (429s
    included). ``limit_violations`` are the requests the fake's own limiter answered 429.
    """

    requests: tuple[RequestRecord, ...]
    faults: tuple[FaultEvent, ...]
    by_endpoint: dict[str, int]
    per_second: dict[int, int]
    per_minute: dict[int, int]
    peak_per_second: int
    peak_per_minute: int
    limit_violations: tuple[RequestRecord, ...]

    @classmethod
    def _build(cls, requests: Sequence[RequestRecord], faults: Sequence[FaultEvent]) -> FakeReport:
        peaks_s: list[int] = [0]
        peaks_m: list[int] = [0]
        for base in ("fake", "real"):
            times = [r.at for r in requests if r.time_base == base]
            peaks_s.append(_peak(times, 1.0))
            peaks_m.append(_peak(times, 60.0))
        # fixed windows on one clock: the fake clock's, unless only the server was used
        base = "fake" if any(r.time_base == "fake" for r in requests) else "real"
        windowed = [r.at for r in requests if r.time_base == base]
        per_second = Counter(math.floor(t) for t in windowed)
        per_minute = Counter(math.floor(t / 60.0) for t in windowed)
        return cls(
            requests=tuple(requests),
            faults=tuple(faults),
            by_endpoint=dict(Counter(r.label for r in requests)),
            per_second=dict(sorted(per_second.items())),
            per_minute=dict(sorted(per_minute.items())),
            peak_per_second=max(peaks_s),
            peak_per_minute=max(peaks_m),
            limit_violations=tuple(r for r in requests if r.rate_limited),
        )

    @property
    def total(self) -> int:
        """Number of requests received."""
        return len(self.requests)

    def count(self, endpoint: str) -> int:
        """Requests to ``"METHOD /route"``, e.g. ``report.count("POST /api/v2/leads/add")``."""
        return self.by_endpoint.get(endpoint, 0)

    def __repr__(self) -> str:
        return (
            f"FakeReport(requests={self.total}, peak_per_second={self.peak_per_second}, "
            f"peak_per_minute={self.peak_per_minute}, "
            f"limit_violations={len(self.limit_violations)}, faults={len(self.faults)})"
        )

    def _repr_html_(self) -> str:
        return (
            f"<p>FakeReport: {self.total} requests, peak {self.peak_per_second}/s, "
            f"{self.peak_per_minute}/min, {len(self.limit_violations)} rate-limited, "
            f"{len(self.faults)} faults</p>"
            + html_table(sorted(self.by_endpoint.items()), headers=["endpoint", "requests"])
        )


class SlidingLimiter:
    """Admits at most ``per_second`` requests in any 1 s and ``per_minute`` in any 60 s.

    Only admitted requests count towards the limits. Times must not go backwards.
    """

    def __init__(self, per_second: int, per_minute: int) -> None:
        self.per_second = per_second
        self.per_minute = per_minute
        self._admitted: list[float] = []

    def admit(self, now: float) -> float | None:
        """Record and admit a request at ``now``; or return the seconds until one would be.

        Times are rounded to microseconds, so clocks built from float sums (ten sleeps of
        0.1 s) meet window edges where they should.
        """
        now = round(now, 6)
        admitted = self._admitted
        del admitted[: bisect.bisect_right(admitted, round(now - 60.0, 6))]
        in_second = len(admitted) - bisect.bisect_right(admitted, round(now - 1.0, 6))
        waits: list[float] = []
        if in_second >= self.per_second:
            waits.append(round(admitted[-self.per_second] + 1.0 - now, 6))
        if len(admitted) >= self.per_minute:
            waits.append(round(admitted[-self.per_minute] + 60.0 - now, 6))
        if waits:
            return max(waits)
        admitted.append(now)
        return None
