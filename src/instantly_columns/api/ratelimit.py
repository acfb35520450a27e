"""The workspace rate limiter: 100 requests per second and 6,000 per minute.

Instantly counts requests per workspace, across every key and both API versions, and answers
429 past either limit. A [`WorkspaceLimiter`][instantly_columns.api.ratelimit.WorkspaceLimiter]
stands for one workspace's budget: clients share the budget exactly when they are handed the
same limiter object. Nothing is shared implicitly: a client built without a limiter gets its
own, and this module creates no state at import.

The limiter never sleeps. `reserve(clock)` either grants a slot (returns `0.0`, and the slot
is counted) or returns the seconds to wait before asking again (nothing is counted). Time comes
from the [`Clock`][instantly_columns.ports.Clock] passed in, so a test driving a `FakeClock`
never waits.

Storage is a small port, [`RateLimitBackend`][instantly_columns.api.ratelimit.RateLimitBackend],
keyed by workspace. [`MemoryWindow`][instantly_columns.api.ratelimit.MemoryWindow] (the default)
keeps an exact sliding-window log in this process;
[`PyrateBackend`][instantly_columns.api.ratelimit.PyrateBackend] adapts any bucket of the
`pyrate-limiter` library (v4), and [`RedisBackend`][instantly_columns.api.ratelimit.RedisBackend]
keeps a sliding window per workspace in Redis, timed by the server: one budget per workspace
shared by every process and machine that talks to the same Redis.

A service that serves several workspaces takes
[`WorkspaceLimiters`][instantly_columns.api.ratelimit.WorkspaceLimiters]: one limiter per
workspace over one backend, picked by the key each request is sent with.
"""

from __future__ import annotations

import inspect
import itertools
import math
import os
import threading
from collections import deque
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

import attrs

from instantly_columns.errors import ConfigError
from instantly_columns.ports import ApiKey, Clock

if TYPE_CHECKING:
    from pyrate_limiter import AbstractBucket
    from pyrate_limiter import Rate as PyrateRate

__all__ = [
    "INSTANTLY_RATES",
    "TRANSIT_GUARD",
    "MemoryWindow",
    "PyrateBackend",
    "Rate",
    "RateLimitBackend",
    "RateLimiter",
    "RedisBackend",
    "WorkspaceLimiter",
    "WorkspaceLimiters",
    "with_headroom",
]

# Added to every wait so that `now + wait` lands past the instant a slot frees even after
# floating-point rounding (otherwise a fake clock could be asked to wait 1e-17 s forever).
_MARGIN = 1e-6


def _check_limit(_instance: Any, _attribute: Any, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError("must be an integer >= 1", path="rate.limit")


def _check_period(_instance: Any, _attribute: Any, value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError("must be a number of seconds", path="rate.period")
    if not math.isfinite(value) or value <= 0:
        raise ConfigError("must be a finite number of seconds > 0", path="rate.period")


@attrs.frozen
class Rate:
    """At most `limit` requests in any window of `period` seconds."""

    limit: int = attrs.field(validator=_check_limit)
    period: float = attrs.field(validator=_check_period)

    def __str__(self) -> str:
        return f"{self.limit}/{self.period:g}s"


INSTANTLY_RATES: tuple[Rate, ...] = (Rate(100, 1.0), Rate(6000, 60.0))
"""The documented per-workspace limits of the Instantly API."""

TRANSIT_GUARD: float = 0.15
"""Seconds the default in-process budget counts each request beyond its window (see
[`MemoryWindow`][instantly_columns.api.ratelimit.MemoryWindow]). Flat out, 100 requests
go per 1.15 s instead of per second (87 a second), and the per-minute rate barely moves.
Without it, 20 syncs running at the rate in one process were refused now and then: with
many threads, a request can wait over 100 ms between its grant and the socket, so requests
granted in order reached the API out of it (20 syncs flat out, against a fake enforcing
the limits: 30 refusals in 1,060 requests without a guard, 13 with 50 ms, 3 with 100 ms,
none with 150 ms)."""


def _check_rates(rates: Sequence[Rate]) -> tuple[Rate, ...]:
    rates = tuple(rates)
    if not rates or not all(isinstance(rate, Rate) for rate in rates):
        raise ConfigError("give at least one Rate", path="rates")
    return rates


class RateLimiter(Protocol):
    """What a client asks before each request: one workspace's budget."""

    def reserve(self, clock: Clock) -> float:
        """`0.0` if a request may go now (and it is counted); else seconds to wait and ask
        again."""
        ...


class RateLimitBackend(Protocol):
    """Storage for many workspaces' budgets, keyed by workspace.

    Implementations must be safe to call from several threads, must not sleep, and must read
    the time from `clock` (a shared store, such as Redis, should use `clock.now()`, which is
    comparable between processes; an in-process store may use `clock.monotonic()`).
    """

    def reserve(self, key: str, clock: Clock) -> float:
        """Grant a slot to `key` now (return `0.0`) or say how long to wait (nothing
        counted)."""
        ...


class MemoryWindow:
    """An exact sliding-window log in this process: one timestamp per granted request.

    A request is granted at time `t` when, for every rate, fewer than `limit` grants happened
    in `(t - period - guard, t]`. Memory is one float per grant still inside the longest window
    (at most 6,000 per workspace with the Instantly rates). Thread-safe; times come from
    `clock.monotonic()`, so clients sharing one window must share one clock (any
    `SystemClock` does).

    `guard` (seconds, default 0: exact) counts each grant that much longer than its window.
    The API counts a request when it arrives, not when it was granted; a request that spends
    longer between the two than one granted after it (a thread waiting for the interpreter,
    a slower connection) would otherwise be counted in the same window as a request the
    limiter let go a full period after it, and refused. The limiters made by default use
    [`TRANSIT_GUARD`][instantly_columns.api.ratelimit.TRANSIT_GUARD].

    ```python
    from instantly_columns.api.ratelimit import MemoryWindow, Rate
    from instantly_columns.testing.clock import FakeClock

    window, clock = MemoryWindow([Rate(2, 1.0)]), FakeClock()
    assert [window.reserve("ws", clock) for _ in range(2)] == [0.0, 0.0]
    assert 0.99 < window.reserve("ws", clock) <= 1.0 + 1e-3  # the third must wait ~1 s
    ```
    """

    def __init__(self, rates: Sequence[Rate] = INSTANTLY_RATES, *, guard: float = 0.0) -> None:
        self._rates = _check_rates(rates)
        if isinstance(guard, bool) or not isinstance(guard, int | float):
            raise ConfigError("must be a number of seconds, 0 or more", path="guard")
        if not 0 <= guard < math.inf:
            raise ConfigError("must be a number of seconds, 0 or more", path="guard")
        self._guard = float(guard)
        self._logs: dict[str, tuple[deque[float], ...]] = {}
        self._lock = threading.Lock()

    @property
    def rates(self) -> tuple[Rate, ...]:
        """The rates enforced, shortest window first as given."""
        return self._rates

    @property
    def guard(self) -> float:
        """Seconds each grant is counted beyond its window."""
        return self._guard

    def reserve(self, key: str, clock: Clock) -> float:
        """See [`RateLimitBackend.reserve`][instantly_columns.api.ratelimit.RateLimitBackend]."""
        with self._lock:
            told = clock.monotonic()
            logs = self._logs.get(key)
            if logs is None:
                logs = self._logs[key] = tuple(deque() for _ in self._rates)
            # A clock that stepped back (or two clocks mixed) must not unsort the log: count
            # such a grant at the newest time already logged.
            now = max([told, *(log[-1] for log in logs if log)])
            free_at = now
            guard = self._guard
            for rate, log in zip(self._rates, logs, strict=True):
                span = rate.period + guard
                while log and log[0] + span <= now:
                    log.popleft()
                if len(log) >= rate.limit:
                    # The grant `limit` places back must leave the window first.
                    free_at = max(free_at, log[len(log) - rate.limit] + span)
            if free_at > now:
                return free_at - told + _MARGIN
            for log in logs:
                log.append(now)
            return 0.0

    def __repr__(self) -> str:
        guard = f", guard={self._guard:g}" if self._guard else ""
        return f"MemoryWindow({', '.join(str(rate) for rate in self._rates)}{guard})"


class PyrateBackend:
    """Adapter over the buckets of `pyrate-limiter` (v4.5 or later).

    `bucket_factory(key, rates)` builds the bucket for a workspace key, given the rates as
    pyrate `Rate` objects; by default an `InMemoryBucket`. To share one budget between
    processes, return a synchronous `RedisBucket` and pass `wall_clock=True`, so that
    timestamps come from `clock.now()` and agree between machines. Only the bucket is used,
    never pyrate's `Limiter`, so all waiting stays with the caller's clock.

    Differences from [`MemoryWindow`][instantly_columns.api.ratelimit.MemoryWindow]: timestamps
    are whole milliseconds (rounded down) and pyrate's windows are closed at both ends, so it
    may refuse up to a millisecond early (never late); a refusal names the wait for the first
    full rate only, so a caller may be told to wait twice; and pyrate accepts only rate lists
    whose periods and limits both increase while limit/period does not (the Instantly rates
    qualify).

    ```python
    from instantly_columns.api.ratelimit import PyrateBackend, Rate
    from instantly_columns.testing.clock import FakeClock

    backend, clock = PyrateBackend(rates=[Rate(1, 1.0)]), FakeClock()
    assert backend.reserve("ws", clock) == 0.0
    assert backend.reserve("ws", clock) > 0.99
    ```
    """

    _LEAK_EVERY = 256

    def __init__(
        self,
        bucket_factory: Callable[[str, list[PyrateRate]], AbstractBucket] | None = None,
        *,
        rates: Sequence[Rate] = INSTANTLY_RATES,
        wall_clock: bool = False,
    ) -> None:
        try:
            import pyrate_limiter
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ConfigError(
                "PyrateBackend needs the pyrate-limiter package (pip install pyrate-limiter)",
                path="backend",
            ) from exc
        self._pyrate = pyrate_limiter
        self._rates = _check_rates(rates)
        self._pyrate_rates = sorted(
            (
                pyrate_limiter.Rate(rate.limit, max(1, math.ceil(rate.period * 1000)))
                for rate in self._rates
            ),
            key=lambda rate: rate.interval,
        )
        if not pyrate_limiter.validate_rate_list(self._pyrate_rates):
            raise ConfigError(
                "pyrate-limiter needs rates whose periods and limits both increase while "
                "limit/period does not",
                path="rates",
            )
        self._factory = bucket_factory
        self._wall_clock = wall_clock
        self._buckets: dict[str, AbstractBucket] = {}
        self._grants: dict[str, int] = {}
        self._lock = threading.Lock()

    def _bucket(self, key: str) -> AbstractBucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            if self._factory is None:
                bucket = self._pyrate.InMemoryBucket(list(self._pyrate_rates))
            else:
                bucket = self._factory(key, list(self._pyrate_rates))
            self._buckets[key] = bucket
        return bucket

    def reserve(self, key: str, clock: Clock) -> float:
        """See [`RateLimitBackend.reserve`][instantly_columns.api.ratelimit.RateLimitBackend]."""
        with self._lock:
            now = clock.now().timestamp() if self._wall_clock else clock.monotonic()
            now_ms = math.floor(now * 1000)
            bucket = self._bucket(key)
            item = self._pyrate.RateItem(key, now_ms)
            decision = bucket.put_decision(item)
            if inspect.isawaitable(decision):
                raise ConfigError("only synchronous pyrate buckets are supported", path="backend")
            if decision.allowed:
                count = self._grants[key] = self._grants.get(key, 0) + 1
                if count % self._LEAK_EVERY == 0:
                    bucket.leak(now_ms)
                return 0.0
            wait_ms = decision.retry_after_ms
            if wait_ms is None:
                waited = bucket.waiting(item)
                wait_ms = waited if isinstance(waited, int) and waited > 0 else 1
            # Waiting until `now_ms + wait_ms` is measured from the rounded-down timestamp.
            return max(wait_ms / 1000 - (now - now_ms / 1000), 0.0) + _MARGIN

    def __repr__(self) -> str:
        return f"PyrateBackend({', '.join(str(rate) for rate in self._rates)})"


class WorkspaceLimiter:
    """One workspace's request budget; hand the same object to every client of the workspace.

    `workspace` is the key under which the backend counts (use the workspace id when the
    backend is shared by several workspaces or processes). The backend defaults to a new
    [`MemoryWindow`][instantly_columns.api.ratelimit.MemoryWindow] with the Instantly rates
    and [`TRANSIT_GUARD`][instantly_columns.api.ratelimit.TRANSIT_GUARD].

    ```python
    from instantly_columns.api.ratelimit import WorkspaceLimiter
    from instantly_columns.testing.clock import FakeClock

    limiter, clock = WorkspaceLimiter("acme"), FakeClock()
    waits = [limiter.reserve(clock) for _ in range(101)]
    assert waits[:100] == [0.0] * 100 and waits[100] > 0.99  # the 101st in a second waits
    ```
    """

    def __init__(self, workspace: str = "default", *, backend: RateLimitBackend | None = None):
        if not isinstance(workspace, str) or not workspace:
            raise ConfigError("must be a non-empty string", path="workspace")
        self._workspace = workspace
        self._backend: RateLimitBackend = (
            backend if backend is not None else MemoryWindow(guard=TRANSIT_GUARD)
        )

    @property
    def workspace(self) -> str:
        """The key this limiter counts under."""
        return self._workspace

    @property
    def backend(self) -> RateLimitBackend:
        """Where the counts live."""
        return self._backend

    def reserve(self, clock: Clock) -> float:
        """`0.0` if a request may go now (and it is counted); else seconds to wait and ask
        again."""
        return self._backend.reserve(self._workspace, clock)

    def __repr__(self) -> str:
        return f"WorkspaceLimiter({self._workspace!r}, backend={self._backend!r})"


def with_headroom(rates: Sequence[Rate], headroom: float) -> tuple[Rate, ...]:
    """The rates with every limit lowered by the fraction ``headroom`` (rounded down, at least
    1), periods unchanged.

    A limiter counts a request when it grants it; the API counts it when it arrives. Requests
    from many processes reach the API with different delays, so a fleet that runs exactly at
    the limit is refused now and then; a few percent of headroom absorbs that jitter.

    ```python
    from instantly_columns.api.ratelimit import INSTANTLY_RATES, Rate, with_headroom

    assert with_headroom(INSTANTLY_RATES, 0.05) == (Rate(95, 1.0), Rate(5700, 60.0))
    ```
    """
    if isinstance(headroom, bool) or not isinstance(headroom, int | float):
        raise ConfigError("must be a number between 0 and 1", path="headroom")
    if not 0 <= headroom < 1:
        raise ConfigError("must be a number between 0 and 1", path="headroom")
    return tuple(
        Rate(max(1, math.floor(rate.limit * (1 - headroom) + 1e-9)), rate.period)
        for rate in _check_rates(rates)
    )


_REDIS_RESERVE = """
local key = KEYS[1]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local longest = 0
local wait = 0
for i = 2, #ARGV, 2 do
  local limit = tonumber(ARGV[i])
  local period = tonumber(ARGV[i + 1])
  if period > longest then longest = period end
  local low = '(' .. tostring(now - period)
  local count = redis.call('ZCOUNT', key, low, '+inf')
  if count >= limit then
    local held = redis.call(
      'ZRANGEBYSCORE', key, low, '+inf', 'WITHSCORES', 'LIMIT', count - limit, 1)
    local free = tonumber(held[2]) + period - now
    if free > wait then wait = free end
  end
end
if wait > 0 then return wait end
redis.call('ZADD', key, now, ARGV[1])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - longest)
redis.call('PEXPIRE', key, math.floor(longest / 1000) + 1000)
return 0
"""
"""A sliding-window log in one sorted set per workspace, timed by the Redis server's clock:
grant (add the request, return 0) when every rate has fewer than ``limit`` grants in the last
``period`` microseconds, else return the microseconds until the grant ``limit`` places back
leaves its window. One script, so the check and the grant are one atomic step."""


class RedisBackend:
    """Budgets kept in Redis, shared by every process and machine that uses the same server.

    Each workspace is one sorted set of its grants, checked and added to by one Lua script
    (one ``EVALSHA`` round trip per reservation), so a grant is atomic across processes, and
    timed by the Redis server's own clock, so every process and machine agrees on "now"
    whatever its own clock says. The rule is `MemoryWindow`'s: a request is granted when, for
    every rate, fewer than `limit` grants happened in the last `period` seconds; a refusal
    names the exact wait.

    (pyrate-limiter's `RedisBucket`, usable through `PyrateBackend`, stamps each request
    with the caller's clock: a process delayed between reading its clock and running the
    script is counted in the past and admitted into a window that is already full, which a
    busy fleet does now and then. Timing on the server closes that gap.)

    The `clock` handed to `reserve` is not read: waits are measured on the server, so drive
    this backend with real time (a `FakeClock` does not move Redis's clock).

    Args:
        redis: a synchronous `redis.Redis` client (`redis.Redis.from_url(url)`), or a URL.
        rates: the rates enforced (the Instantly rates by default; see `with_headroom`).
        prefix: the Redis key of a workspace is ``prefix + workspace``; it expires once the
            longest window has passed without a request.
    """

    def __init__(
        self,
        redis: Any,
        *,
        rates: Sequence[Rate] = INSTANTLY_RATES,
        prefix: str = "instantly-columns:ratelimit:",
    ) -> None:
        if isinstance(redis, str):
            try:
                import redis as redis_module
            except ImportError as exc:  # pragma: no cover - depends on the environment
                raise ConfigError(
                    "RedisBackend needs the redis package (pip install "
                    "'instantly-columns[celery]')",
                    path="backend",
                ) from exc
            redis = redis_module.Redis.from_url(redis)
        if not isinstance(prefix, str):
            raise ConfigError("must be a string", path="prefix")
        if inspect.iscoroutinefunction(getattr(redis, "execute_command", None)):
            raise ConfigError("give a synchronous redis client", path="redis")
        self._rates = _check_rates(rates)
        self._redis = redis
        self._prefix = prefix
        self._script = redis.register_script(_REDIS_RESERVE)
        self._args = [
            str(value)
            for rate in self._rates
            for value in (rate.limit, max(1, math.ceil(rate.period * 1_000_000)))
        ]
        self._count = itertools.count()
        self._tag = os.urandom(6).hex()

    @property
    def rates(self) -> tuple[Rate, ...]:
        """The rates enforced."""
        return self._rates

    def reserve(self, key: str, clock: Clock) -> float:
        """See [`RateLimitBackend.reserve`][instantly_columns.api.ratelimit.RateLimitBackend]
        (waits are measured on the Redis server's clock)."""
        member = f"{self._tag}:{next(self._count)}"
        wait_us = int(self._script(keys=[self._prefix + key], args=[member, *self._args]))
        if wait_us <= 0:
            return 0.0
        return wait_us / 1_000_000 + _MARGIN

    def __repr__(self) -> str:
        return f"RedisBackend({', '.join(str(rate) for rate in self._rates)})"


class WorkspaceLimiters:
    """One [`WorkspaceLimiter`][instantly_columns.api.ratelimit.WorkspaceLimiter] per
    workspace over one backend, for a service that serves many workspaces: pass it as the
    service's ``limiter=`` and each request counts against the budget of the workspace its key
    belongs to.

    ``workspace_of(key)`` names the workspace of a key (e.g. from a table of your
    credentials); without it each key counts as a workspace of its own (keyed by its
    fingerprint), which is exact when a workspace has one key. Keys of one workspace that map
    to different names would each get a full budget: map them to one.

    ```python
    from instantly_columns.api.ratelimit import MemoryWindow, Rate, WorkspaceLimiters
    from instantly_columns.ports import ApiKey

    limiters = WorkspaceLimiters(MemoryWindow([Rate(1, 1.0)]))
    a, b = limiters.for_key(ApiKey("key-a")), limiters.for_key(ApiKey("key-b"))
    assert a is limiters.for_key(ApiKey("key-a")) and a.workspace != b.workspace
    ```
    """

    def __init__(
        self,
        backend: RateLimitBackend | None = None,
        *,
        workspace_of: Callable[[ApiKey], str] | None = None,
    ) -> None:
        self._backend: RateLimitBackend = (
            backend if backend is not None else MemoryWindow(guard=TRANSIT_GUARD)
        )
        self._workspace_of = workspace_of
        self._limiters: dict[str, WorkspaceLimiter] = {}
        self._lock = threading.Lock()

    @property
    def backend(self) -> RateLimitBackend:
        """Where the counts live."""
        return self._backend

    def for_key(self, key: ApiKey) -> WorkspaceLimiter:
        """The limiter of the workspace `key` belongs to (the same object for every call)."""
        name = (
            self._workspace_of(key) if self._workspace_of is not None else f"key:{key.fingerprint}"
        )
        with self._lock:
            limiter = self._limiters.get(name)
            if limiter is None:
                limiter = self._limiters[name] = WorkspaceLimiter(name, backend=self._backend)
            return limiter

    def __repr__(self) -> str:
        return f"WorkspaceLimiters(backend={self._backend!r})"
