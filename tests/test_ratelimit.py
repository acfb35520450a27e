"""The workspace limiter never admits more than `limit` requests in any window of `period`
seconds (checked by brute force over admitted timestamps), waits exactly as long as needed,
and holds across several clients in threads and async tasks."""

from __future__ import annotations

import threading
from bisect import bisect_left
from collections.abc import Callable, Sequence
from typing import Any

import anyio
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from _client_support import C1, KEY, AsyncScript, Script, reply
from instantly_columns.api.client import AsyncInstantlyClient, InstantlyClient
from instantly_columns.api.ratelimit import (
    INSTANTLY_RATES,
    MemoryWindow,
    PyrateBackend,
    Rate,
    RateLimitBackend,
    WorkspaceLimiter,
)
from instantly_columns.errors import ConfigError
from instantly_columns.testing.clock import FakeClock

BACKENDS: dict[str, Callable[[Sequence[Rate]], RateLimitBackend]] = {
    "memory": MemoryWindow,
    "pyrate": lambda rates: PyrateBackend(rates=rates),
}


def busiest_window(times: Sequence[float], period: float) -> int:
    """Most timestamps in any half-open window `[t, t + period)` (brute force over starts at
    each timestamp, which is where the maximum is reached)."""
    ordered = sorted(times)
    return max((bisect_left(ordered, t + period) - i for i, t in enumerate(ordered)), default=0)


def in_window(times: Sequence[float], now: float, period: float) -> int:
    return sum(1 for t in times if now - period < t <= now)


any_rates = st.lists(
    st.builds(Rate, st.integers(1, 6), st.sampled_from([0.25, 1.0, 2.5, 60.0])),
    min_size=1,
    max_size=3,
)


@st.composite
def pyrate_rates(draw: st.DrawFn) -> list[Rate]:
    """Rate lists pyrate accepts: periods and limits increase, limit/period does not."""
    first = Rate(draw(st.integers(1, 6)), draw(st.sampled_from([0.25, 0.5, 1.0])))
    if not draw(st.booleans()):
        return [first]
    factor = draw(st.integers(2, 8))
    limit = draw(st.integers(first.limit + 1, first.limit * factor))
    return [first, Rate(limit, first.period * factor)]


workload = st.lists(st.tuples(st.floats(0, 3), st.integers(1, 12)), min_size=1, max_size=12)


def simulate(
    backend: RateLimitBackend, rates: list[Rate], bursts: list[tuple[float, int]], slack: float
) -> tuple[list[float], list[int]]:
    """Run bursts of requests, each waiting as told; return the grant times and how many
    refusals each request met."""
    limiter = WorkspaceLimiter("ws", backend=backend)
    clock = FakeClock()
    granted: list[float] = []
    refusals: list[int] = []
    for gap, count in bursts:
        clock.advance(gap)
        for _ in range(count):
            refused = 0
            while (wait := limiter.reserve(clock)) > 0:
                now = clock.monotonic()
                # A refusal is justified: some window is full right now.
                assert any(in_window(granted, now, r.period + slack) >= r.limit for r in rates)
                refused += 1
                clock.sleep(wait)
            granted.append(clock.monotonic())
            refusals.append(refused)
    return granted, refusals


@settings(max_examples=80)
@given(rates=any_rates, bursts=workload)
def test_memory_window_never_overfills_and_waits_exactly(
    rates: list[Rate], bursts: list[tuple[float, int]]
) -> None:
    granted, refusals = simulate(MemoryWindow(rates), rates, bursts, slack=0.0)
    for rate in rates:
        assert busiest_window(granted, rate.period) <= rate.limit
    assert max(refusals) <= 1  # after waiting as told, the next ask is granted


@settings(max_examples=40)
@given(rates=pyrate_rates(), bursts=workload)
def test_pyrate_backend_never_overfills(rates: list[Rate], bursts: list[tuple[float, int]]) -> None:
    granted, refusals = simulate(PyrateBackend(rates=rates), rates, bursts, slack=0.001)
    for rate in rates:
        assert busiest_window(granted, rate.period) <= rate.limit
    assert max(refusals) <= len(rates)  # told the wait of one full rate at a time


@pytest.mark.parametrize("backend", sorted(BACKENDS))
def test_the_instantly_limits_under_a_long_burst(backend: str) -> None:
    limiter = WorkspaceLimiter("ws", backend=BACKENDS[backend](INSTANTLY_RATES))
    clock = FakeClock()
    granted: list[float] = []
    while len(granted) < 6500:
        wait = limiter.reserve(clock)
        if wait > 0:
            clock.sleep(wait)
        else:
            granted.append(clock.monotonic())
    assert busiest_window(granted, 1.0) == 100
    assert busiest_window(granted, 60.0) == 6000
    # The minute's budget is spent in just under 60 s, then the limiter holds until it frees.
    assert 59.0 <= granted[5999] < 60.0
    assert granted[6000] >= 60.0


def test_workspaces_are_counted_apart_and_limiters_share_by_object() -> None:
    backend = MemoryWindow([Rate(1, 1.0)])
    acme, globex = (
        WorkspaceLimiter("acme", backend=backend),
        WorkspaceLimiter("globex", backend=backend),
    )
    clock = FakeClock()
    assert acme.reserve(clock) == 0.0
    assert globex.reserve(clock) == 0.0
    assert acme.reserve(clock) > 0
    assert globex.reserve(clock) > 0
    again = WorkspaceLimiter("acme", backend=backend)  # same key, same backend: same budget
    assert again.reserve(clock) > 0
    assert WorkspaceLimiter("acme").reserve(clock) == 0.0  # a new backend: a new budget


def test_a_clock_that_steps_back_cannot_unsort_the_log() -> None:
    window = MemoryWindow([Rate(2, 1.0)])
    late, early = FakeClock(), FakeClock()
    late.advance(10)
    assert window.reserve("ws", late) == 0.0
    assert window.reserve("ws", early) == 0.0  # counted at 10.0, not at 0.0
    assert window.reserve("ws", early) > 11.0  # waits, on its own clock, until 10 s + 1 s


def test_pyrate_backend_uses_the_given_bucket_factory() -> None:
    import pyrate_limiter

    made: list[tuple[str, list[Any]]] = []

    def factory(key: str, rates: list[Any]) -> Any:
        made.append((key, rates))
        return pyrate_limiter.InMemoryBucket(rates)

    limiter = WorkspaceLimiter("ws-7", backend=PyrateBackend(factory, rates=[Rate(2, 0.5)]))
    clock = FakeClock()
    assert [limiter.reserve(clock) for _ in range(3)][:2] == [0.0, 0.0]
    assert made[0][0] == "ws-7"
    assert (made[0][1][0].limit, made[0][1][0].interval) == (2, 500)
    wall = PyrateBackend(rates=[Rate(1, 1.0)], wall_clock=True)
    assert wall.reserve("k", clock) == 0.0
    assert 0.99 < wall.reserve("k", clock) < 1.01


@pytest.mark.parametrize(
    "make",
    [
        lambda: Rate(0, 1.0),
        lambda: Rate(5, 0),
        lambda: Rate(5, float("inf")),
        lambda: MemoryWindow([]),
        lambda: WorkspaceLimiter(""),
        lambda: PyrateBackend(rates=[Rate(1, 0.25), Rate(1, 1.0)]),
    ],
)
def test_bad_limiter_settings_are_config_errors(make: Callable[[], Any]) -> None:
    with pytest.raises(ConfigError):
        make()


def test_reprs() -> None:
    assert repr(WorkspaceLimiter("acme")) == (
        "WorkspaceLimiter('acme', backend=MemoryWindow(100/1s, 6000/60s, guard=0.15))"
    )
    assert repr(MemoryWindow()) == "MemoryWindow(100/1s, 6000/60s)"
    assert repr(PyrateBackend()) == "PyrateBackend(100/1s, 6000/60s)"


# --- several clients sharing one limiter ------------------------------------------------------


class GrantClock(FakeClock):
    """A FakeClock that remembers, per thread, the last time it told: the limiter reads the
    time once per `reserve`, under its lock, so this is the time a slot was granted at."""

    def __init__(self) -> None:
        super().__init__()
        self._told = threading.local()

    def monotonic(self) -> float:
        value = super().monotonic()
        self._told.value = value
        return value

    def told(self) -> float:
        return float(self._told.value)


class RecordingLimiter:
    def __init__(self, inner: WorkspaceLimiter) -> None:
        self.inner = inner
        self.granted: list[float] = []
        self._lock = threading.Lock()

    def reserve(self, clock: Any) -> float:
        wait = self.inner.reserve(clock)
        if wait == 0.0:
            with self._lock:
                self.granted.append(clock.told())
        return wait


RATES = [Rate(100, 1.0), Rate(6000, 60.0)]


def test_threads_with_their_own_clients_share_the_budget() -> None:
    clock = GrantClock()
    limiter = RecordingLimiter(WorkspaceLimiter("ws"))
    script = Script(reply(200, {"id": C1}))

    def worker() -> None:
        client = InstantlyClient(KEY, transport=script, clock=clock, limiter=limiter)
        for _ in range(150):
            client.get_campaign(C1)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(script.requests) == len(limiter.granted) == 600
    assert busiest_window(limiter.granted, 1.0) == 100
    assert busiest_window(limiter.granted, 60.0) <= 6000


def test_async_tasks_with_their_own_clients_share_the_budget() -> None:
    clock = GrantClock()
    limiter = RecordingLimiter(WorkspaceLimiter("ws"))
    script = Script(reply(200, {"id": C1}))

    async def worker() -> None:
        client = AsyncInstantlyClient(
            KEY, transport=AsyncScript(script), clock=clock, limiter=limiter
        )
        for _ in range(150):
            await client.get_campaign(C1)

    async def main() -> None:
        async with anyio.create_task_group() as group:
            for _ in range(4):
                group.start_soon(worker)

    anyio.run(main)
    assert len(script.requests) == len(limiter.granted) == 600
    assert busiest_window(limiter.granted, 1.0) == 100
    # Single-threaded tasks sleep one at a time on the fake clock, so no time is wasted:
    # 600 requests at 100 per second take just over five seconds.
    assert 5.0 <= clock.monotonic() < 6.5


@pytest.mark.parametrize("guard", [0.0, 0.05, 0.15, 0.4])
def test_a_guard_counts_each_grant_that_much_longer(guard: float) -> None:
    window, clock = MemoryWindow([Rate(3, 1.0)], guard=guard), FakeClock()
    assert [window.reserve("ws", clock) for _ in range(3)] == [0.0] * 3
    clock.advance(1.0)  # the window alone would have let the first grant go
    wait = window.reserve("ws", clock)
    if guard == 0:
        assert wait == 0.0
    else:
        assert guard <= wait <= guard + 1e-3
        clock.advance(wait)
        assert window.reserve("ws", clock) == 0.0


def test_the_default_budgets_carry_the_transit_guard() -> None:
    from instantly_columns.api.ratelimit import TRANSIT_GUARD, WorkspaceLimiters

    assert 0 < TRANSIT_GUARD < 1
    for backend in (WorkspaceLimiter("ws").backend, WorkspaceLimiters()._backend):
        assert isinstance(backend, MemoryWindow)
        assert backend.guard == TRANSIT_GUARD
    assert MemoryWindow().guard == 0.0  # built by hand: exact unless asked


@pytest.mark.parametrize("guard", [-0.1, float("inf"), float("nan"), True, "0.1", None])
def test_a_bad_guard_is_a_config_error(guard: Any) -> None:
    with pytest.raises(ConfigError) as caught:
        MemoryWindow(guard=guard)
    assert "guard" in str(caught.value)
