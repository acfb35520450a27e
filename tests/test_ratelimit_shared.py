"""The shared limiter: RedisBackend (pyrate's Redis bucket) against a real Redis, many
clients in threads never exceed a workspace's rate between them; WorkspaceLimiters picks one
budget per workspace by key; with_headroom lowers every limit."""

from __future__ import annotations

import os
import threading
import time
import uuid
from bisect import bisect_left

import pytest
from hypothesis import given
from hypothesis import strategies as st

from instantly_columns.api.ratelimit import (
    INSTANTLY_RATES,
    MemoryWindow,
    Rate,
    RedisBackend,
    WorkspaceLimiter,
    WorkspaceLimiters,
    with_headroom,
)
from instantly_columns.clock import SystemClock
from instantly_columns.errors import ConfigError
from instantly_columns.ports import ApiKey
from instantly_columns.testing.clock import FakeClock


def _redis_url() -> str:
    url = os.environ.get("INSTANTLY_COLUMNS_TEST_REDIS", "").strip()
    if not url:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail("INSTANTLY_COLUMNS_TEST_REDIS is not set (on CI these tests must run)")
        pytest.skip("INSTANTLY_COLUMNS_TEST_REDIS is not set (scripts/redis-throwaway.sh start)")
    pytest.importorskip("redis")
    return url


def _busiest(times: list[float], period: float) -> int:
    ordered = sorted(times)
    return max((bisect_left(ordered, t + period) - i for i, t in enumerate(ordered)), default=0)


@given(
    st.lists(st.integers(1, 10_000), min_size=1, max_size=3).map(sorted),
    st.floats(0, 0.9),
)
def test_headroom_lowers_every_limit_and_keeps_the_periods(limits: list[int], room: float) -> None:
    rates = [Rate(limit, float(i + 1)) for i, limit in enumerate(limits)]
    lowered = with_headroom(rates, room)
    assert [r.period for r in lowered] == [r.period for r in rates]
    for old, new in zip(rates, lowered, strict=True):
        assert 1 <= new.limit <= old.limit
        assert new.limit <= max(1, old.limit * (1 - room) + 1e-6)


def test_headroom_refuses_a_fraction_outside_zero_to_one() -> None:
    for bad in (-0.1, 1.0, 2, "5%"):
        with pytest.raises(ConfigError):
            with_headroom(INSTANTLY_RATES, bad)  # type: ignore[arg-type]


def test_workspace_limiters_give_each_workspace_its_own_budget() -> None:
    clock = FakeClock()
    limiters = WorkspaceLimiters(MemoryWindow([Rate(2, 1.0)]))
    a, b = ApiKey("key-a"), ApiKey("key-b")
    assert limiters.for_key(a) is limiters.for_key(ApiKey("key-a"))
    assert [limiters.for_key(a).reserve(clock) for _ in range(2)] == [0.0, 0.0]
    assert limiters.for_key(a).reserve(clock) > 0.9  # a's budget is spent...
    assert limiters.for_key(b).reserve(clock) == 0.0  # ...b's is not
    assert "key-a" not in repr(limiters.for_key(a))
    assert "key-a" not in limiters.for_key(a).workspace

    same = WorkspaceLimiters(MemoryWindow([Rate(2, 1.0)]), workspace_of=lambda key: "acme")
    assert same.for_key(a) is same.for_key(b)  # two keys of one workspace share its budget


def test_redis_backend_shares_one_budget_between_clients_in_threads() -> None:
    url = _redis_url()
    prefix = f"test-{uuid.uuid4().hex[:8]}:"
    rates = [Rate(10, 0.5), Rate(30, 2.0)]
    clock = SystemClock()  # the backend times requests on the Redis server's clock
    # Several backends (as in several processes), one Redis: they count together.
    limiters = [
        WorkspaceLimiter("ws", backend=RedisBackend(url, rates=rates, prefix=prefix))
        for _ in range(4)
    ]
    granted: list[float] = []
    lock = threading.Lock()

    def client(limiter: WorkspaceLimiter) -> None:
        for _ in range(10):
            while (wait := limiter.reserve(clock)) > 0:
                assert wait <= 2.0 + 1e-3
                time.sleep(wait)
            with lock:
                granted.append(time.monotonic())

    threads = [threading.Thread(target=client, args=(lim,)) for lim in limiters]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(granted) == 40
    # Grants are counted on the server; allow a little for the time between grant and append.
    assert _busiest(granted, 0.4) <= 10
    assert _busiest(granted, 1.8) <= 30
    other = WorkspaceLimiter("other", backend=RedisBackend(url, rates=rates, prefix=prefix))
    assert other.reserve(clock) == 0.0  # another workspace's budget is untouched
    assert url not in repr(limiters[0])


def test_redis_backend_names_the_exact_wait() -> None:
    url = _redis_url()
    backend = RedisBackend(url, rates=[Rate(3, 60.0)], prefix=f"t-{uuid.uuid4().hex[:8]}:")
    clock = SystemClock()
    assert [backend.reserve("ws", clock) for _ in range(3)] == [0.0, 0.0, 0.0]
    wait = backend.reserve("ws", clock)
    assert 59.0 < wait <= 60.0 + 1e-3  # the first grant leaves its window in about a minute


def test_redis_backend_refuses_an_async_client() -> None:
    url = _redis_url()
    import redis.asyncio

    with pytest.raises(ConfigError):
        RedisBackend(redis.asyncio.Redis.from_url(url))
