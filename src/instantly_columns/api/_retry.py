"""Retry decisions as pure functions of the policy, the attempt, `Retry-After` and a random draw.

Nothing here sleeps or reads a clock: callers pass the current time and a number drawn from
`[0, 1)`, so every decision can be tested exhaustively.
"""

from __future__ import annotations

import math
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Literal

from instantly_columns.config import RetryPolicy

__all__ = [
    "Failure",
    "backoff_ceiling",
    "parse_retry_after",
    "retry_delay",
    "should_retry",
]

Failure = Literal["rate_limited", "server_error", "timeout", "connection"]
"""Why an attempt failed, as far as retrying is concerned."""


def should_retry(
    policy: RetryPolicy, retries_done: int, failure: Failure, retry_safe: bool
) -> bool:
    """Whether to send the request again after `retries_done` retries have failed.

    A 429 means the API refused the request before acting on it, so any request may be sent
    again. After a 5xx, a timeout or a connection error the request may or may not have taken
    effect; only `retry_safe` requests are sent again blindly.
    """
    if retries_done >= policy.max_retries:
        return False
    return failure == "rate_limited" or retry_safe


def backoff_ceiling(policy: RetryPolicy, retry_number: int) -> float:
    """Upper bound of the wait before retry number `retry_number` (1 for the first retry)."""
    ceiling = min(policy.initial_delay, policy.max_delay)
    for _ in range(max(0, retry_number - 1)):
        grown = min(policy.max_delay, ceiling * policy.multiplier)
        if grown == ceiling:
            break
        ceiling = grown
    return ceiling


def retry_delay(
    policy: RetryPolicy, retry_number: int, *, retry_after: float | None, rand: float
) -> float:
    """Seconds to wait before retry number `retry_number` (1-based).

    With a `Retry-After` value (seconds), wait exactly that long, capped at
    `policy.max_retry_after`. Otherwise "full jitter": `rand * ceiling`, where the ceiling starts
    at `initial_delay` and is multiplied by `multiplier` per retry up to `max_delay`. `rand` is a
    number in `[0, 1)` supplied by the caller.
    """
    if retry_after is not None and math.isfinite(retry_after):
        return min(max(0.0, retry_after), policy.max_retry_after)
    rand = min(max(rand, 0.0), 1.0)
    return rand * backoff_ceiling(policy, retry_number)


def parse_retry_after(value: str | None, now: datetime | None) -> float | None:
    """Read a `Retry-After` header: delay-seconds or an HTTP date (relative to `now`).

    Returns `None` when the header is absent or unreadable, or when it is a date and no
    reference time is known. Dates in the past give `0.0`.
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if math.isfinite(seconds) else None
    if now is None:
        return None
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # RFC 9110 dates are GMT
        when = when.replace(tzinfo=timezone.utc)
    if now.tzinfo is None:
        now = now.replace(tzinfo=timezone.utc)
    return max(0.0, (when - now).total_seconds())
