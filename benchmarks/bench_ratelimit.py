"""Rate limiter cost, measured in one process so the ratios are comparable.

    python benchmarks/bench_ratelimit.py [--n 20000]

Compares the two backends of ``WorkspaceLimiter`` (our sliding-window log, ``MemoryWindow``,
and ``PyrateBackend`` over pyrate-limiter's ``InMemoryBucket``) per ``reserve`` call, in three
regimes: steady traffic under the limit (every call granted), saturated traffic (most calls
refused), and four threads sharing one limiter. It then puts the limiter's cost next to a
whole client call answered in process (``FakeInstantly`` transport, and an ``httpx``
``MockTransport``) with a limiter that never waits. Absolute numbers depend on the machine;
read the ratios.
"""

from __future__ import annotations

import argparse
import threading
import time
from collections.abc import Callable

import httpx

from instantly_columns.api.client import InstantlyClient
from instantly_columns.api.ratelimit import (
    INSTANTLY_RATES,
    MemoryWindow,
    PyrateBackend,
    RateLimitBackend,
    RateLimiter,
    WorkspaceLimiter,
)
from instantly_columns.ports import Clock
from instantly_columns.testing import FakeClock, FakeInstantly

BACKENDS: dict[str, Callable[[], RateLimitBackend]] = {
    "memory": lambda: MemoryWindow(INSTANTLY_RATES),
    "pyrate": lambda: PyrateBackend(rates=INSTANTLY_RATES),
}


class NoLimit:
    """A limiter that always grants: the floor for the client-call comparison."""

    def reserve(self, clock: Clock) -> float:
        return 0.0


def per_call(fn: Callable[[], object], n: int) -> float:
    """Best of three runs of `n` calls, in microseconds per call."""
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(n):
            fn()
        best = min(best, time.perf_counter() - start)
    return best / n * 1e6


def steady(make: Callable[[], RateLimitBackend], n: int) -> float:
    limiter, clock = WorkspaceLimiter("ws", backend=make()), FakeClock()

    def one() -> None:
        clock.advance(0.011)  # 90 requests a second: always granted
        assert limiter.reserve(clock) == 0.0

    return per_call(one, n)


def saturated(make: Callable[[], RateLimitBackend], n: int) -> float:
    limiter, clock = WorkspaceLimiter("ws", backend=make()), FakeClock()

    def one() -> None:
        clock.advance(0.0005)  # 2000 asks a second against 100 allowed
        limiter.reserve(clock)

    return per_call(one, n)


def threaded(make: Callable[[], RateLimitBackend], n: int, threads: int = 4) -> float:
    limiter, clock = WorkspaceLimiter("ws", backend=make()), FakeClock()

    def work() -> None:
        for _ in range(n // threads):
            clock.advance(0.0005)
            limiter.reserve(clock)

    pool = [threading.Thread(target=work) for _ in range(threads)]
    start = time.perf_counter()
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return (time.perf_counter() - start) / n * 1e6


def client_call(transport: str, limiter: RateLimiter, n: int) -> float:
    fake_clock = FakeClock()
    fake = FakeInstantly(clock=fake_clock, rate_limits=False)
    key = fake.create_api_key()
    campaign = fake.create_campaign("Bench")["id"]
    if transport == "fake":
        port = fake.as_transport()
        client = InstantlyClient(key, transport=port, clock=fake_clock, limiter=limiter)
    else:
        mock = httpx.MockTransport(lambda request: httpx.Response(200, json={"id": campaign}))
        client = InstantlyClient(key, transport=mock, clock=fake_clock, limiter=limiter)

    def one() -> None:
        fake_clock.advance(0.011)
        client.get_campaign(campaign)

    try:
        return per_call(one, n)
    finally:
        client.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20000, help="calls per measurement")
    n = parser.parse_args().n

    print(f"reserve() cost, microseconds per call (n={n}, best of 3)")
    results: dict[str, dict[str, float]] = {}
    for name, make in BACKENDS.items():
        results[name] = {
            "steady": steady(make, n),
            "saturated": saturated(make, n),
            "4 threads": threaded(make, n),
        }
    print(f"{'regime':<12}{'memory':>10}{'pyrate':>10}{'pyrate/memory':>16}")
    for regime in ("steady", "saturated", "4 threads"):
        memory, pyrate = results["memory"][regime], results["pyrate"][regime]
        print(f"{regime:<12}{memory:>10.2f}{pyrate:>10.2f}{pyrate / memory:>16.2f}")

    calls = max(1000, n // 10)
    print(f"\nreserve() next to a whole client call (GET /campaigns/{{id}}, n={calls})")
    print(f"{'transport':<12}{'call us':>10}{'memory/call':>13}{'pyrate/call':>13}")
    for transport in ("fake", "httpx"):
        floor = client_call(transport, NoLimit(), calls)
        memory = results["memory"]["steady"] / floor
        pyrate = results["pyrate"]["steady"] / floor
        print(f"{transport:<12}{floor:>10.1f}{memory:>13.3f}{pyrate:>13.3f}")


if __name__ == "__main__":
    main()
