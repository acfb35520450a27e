"""The two drivers that run every flow: [`SyncDriver`][instantly_columns.engine.drivers.SyncDriver]
in the calling thread and [`AsyncDriver`][instantly_columns.engine.drivers.AsyncDriver] on the
running event loop (asyncio or trio, through anyio).

Each driver owns the loop that steps a generator once: `run(flow)` returns the flow's result,
`stream(flow)` hands out what it emits, one value at a time, lazily.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Callable, Generator, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

from instantly_columns.engine.effects import (
    Blocking,
    Call,
    Effect,
    Emit,
    Flow,
    Gather,
    Outcome,
    Wait,
)
from instantly_columns.ports import AsyncTransport, Clock, Transport

if TYPE_CHECKING:
    from concurrent.futures import ThreadPoolExecutor

    import anyio

__all__ = ["AsyncDriver", "SyncDriver"]

T = TypeVar("T")


class _Box:
    """Where a stepped flow leaves its return value."""

    __slots__ = ("value",)

    def __init__(self) -> None:
        self.value: Any = None


def _no_transport() -> TypeError:
    return TypeError("this driver has no transport, so a flow cannot send a request")


def _emitted_outside_stream(flow: object) -> TypeError:
    return TypeError(f"{flow!r} emitted a value; read it with stream(), not run()")


class SyncDriver:
    """Runs flows in the calling thread.

    `Gather` runs its first sub-flow in the calling thread and the others on a small thread
    pool kept for the driver's life; a `Gather` inside a pool thread runs its sub-flows one
    after another, so nesting cannot exhaust the pool.

    Args:
        transport: What `Call` effects go through (`None`: flows must not send requests).
        clock: What `Wait` effects sleep on.
        concurrency: Threads for `Gather`.
    """

    def __init__(self, transport: Transport | None, clock: Clock, *, concurrency: int = 4) -> None:
        self._transport = transport
        self._clock = clock
        self._concurrency = max(1, concurrency)
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()
        self._local = threading.local()

    def widened(self, concurrency: int) -> SyncDriver:
        """A driver over the same transport and clock with room for `concurrency` threads in
        `Gather`: for running many flows at once (close it afterwards)."""
        return SyncDriver(self._transport, self._clock, concurrency=concurrency)

    def run(self, flow: Flow[T]) -> T:
        """Run `flow` to its end and return its result."""
        box = _Box()
        for _ in self._steps(flow, box):
            raise _emitted_outside_stream(flow)
        return box.value  # type: ignore[no-any-return]

    def stream(self, flow: Flow[Any]) -> Iterator[Any]:
        """The values `flow` emits, each computed when asked for; closing the iterator closes
        the flow."""
        return self._steps(flow, _Box())

    def close(self) -> None:
        """Shut the `Gather` thread pool down (it is made again if needed)."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True)

    def _steps(self, flow: Flow[Any], box: _Box) -> Generator[Any, None, None]:
        value: Any = None
        error: BaseException | None = None
        try:
            while True:
                try:
                    effect = flow.throw(error) if error is not None else flow.send(value)
                except StopIteration as stop:
                    box.value = stop.value
                    return
                value, error = None, None
                if isinstance(effect, Emit):
                    yield effect.value
                    continue
                try:
                    value = self._perform(effect)
                except (Exception, KeyboardInterrupt) as exc:  # the flow decides
                    error = exc
        finally:
            flow.close()

    def _perform(self, effect: Effect) -> Any:
        if isinstance(effect, Call):
            if self._transport is None:
                raise _no_transport()
            return self._transport.send(effect.request)
        if isinstance(effect, Blocking):
            return effect.fn()
        if isinstance(effect, Wait):
            self._clock.sleep(effect.seconds)
            return None
        if isinstance(effect, Gather):
            return self._gather(effect.flows)
        raise TypeError(f"unknown effect {type(effect).__name__}")

    def _one(self, flow: Flow[Any]) -> Outcome[Any]:
        try:
            return Outcome(value=self.run(flow))
        except Exception as exc:
            return Outcome(error=exc)

    def _in_pool(self, flow: Flow[Any]) -> Outcome[Any]:
        self._local.inside = True  # a pool thread: its own gathers run in line
        return self._one(flow)

    def _gather(self, flows: tuple[Flow[Any], ...]) -> list[Outcome[Any]]:
        if len(flows) <= 1 or getattr(self._local, "inside", False):
            return [self._one(f) for f in flows]
        from concurrent.futures import ThreadPoolExecutor

        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(
                    max_workers=self._concurrency, thread_name_prefix="instantly-columns"
                )
            pool = self._pool
        # The first sub-flow runs in this thread, which would only wait otherwise: one
        # thread hand-off fewer for each gather (a sync's next page is its first).
        rest = [pool.submit(self._in_pool, f) for f in flows[1:]]
        try:
            first = self._one(flows[0])
        finally:
            outcomes = [future.result() for future in rest]
        return [first, *outcomes]


class AsyncDriver:
    """Runs flows on the running event loop.

    `Blocking` calls go to a worker thread one at a time (so a store need be neither async nor
    thread-safe); at most `concurrency` requests are in flight at once.
    """

    def __init__(
        self, transport: AsyncTransport | None, clock: Clock, *, concurrency: int = 4
    ) -> None:
        self._transport = transport
        self._clock = clock
        self._concurrency = max(1, concurrency)
        self._slots: anyio.CapacityLimiter | None = None
        self._store_slot: anyio.CapacityLimiter | None = None
        self._store_owner: AsyncDriver = self

    def widened(self, concurrency: int) -> AsyncDriver:
        """A driver over the same transport and clock with `concurrency` requests in flight,
        whose blocking calls still go one at a time together with this driver's: for running
        many flows at once."""
        driver = AsyncDriver(self._transport, self._clock, concurrency=concurrency)
        driver._store_owner = self._store_owner
        return driver

    async def run(self, flow: Flow[T]) -> T:
        """Run `flow` to its end and return its result."""
        box = _Box()
        async for _ in self._steps(flow, box):
            raise _emitted_outside_stream(flow)
        return box.value  # type: ignore[no-any-return]

    def stream(self, flow: Flow[Any]) -> AsyncIterator[Any]:
        """The values `flow` emits, each computed when asked for."""
        return self._steps(flow, _Box())

    async def _steps(self, flow: Flow[Any], box: _Box) -> AsyncIterator[Any]:
        value: Any = None
        error: BaseException | None = None
        try:
            while True:
                try:
                    effect = flow.throw(error) if error is not None else flow.send(value)
                except StopIteration as stop:
                    box.value = stop.value
                    return
                value, error = None, None
                if isinstance(effect, Emit):
                    yield effect.value
                    continue
                try:
                    value = await self._perform(effect)
                except Exception as exc:  # the flow decides
                    error = exc
        finally:
            flow.close()

    def _limiters(self) -> tuple[anyio.CapacityLimiter, anyio.CapacityLimiter]:
        import anyio

        if self._slots is None or self._store_slot is None:
            self._slots = anyio.CapacityLimiter(self._concurrency)
            if self._store_owner is self:
                self._store_slot = anyio.CapacityLimiter(1)
            else:  # one store call at a time across the drivers that share it
                self._store_slot = self._store_owner._limiters()[1]
        return self._slots, self._store_slot

    async def _perform(self, effect: Effect) -> Any:
        if isinstance(effect, Call):
            if self._transport is None:
                raise _no_transport()
            slots, _ = self._limiters()
            async with slots:  # only leaves take a slot: nesting cannot deadlock
                return await self._transport.send(effect.request)
        if isinstance(effect, Blocking):
            import anyio.to_thread

            _, store_slot = self._limiters()
            fn: Callable[[], Any] = effect.fn
            return await anyio.to_thread.run_sync(fn, limiter=store_slot)
        if isinstance(effect, Wait):
            await self._clock.asleep(effect.seconds)
            return None
        if isinstance(effect, Gather):
            return await self._gather(effect.flows)
        raise TypeError(f"unknown effect {type(effect).__name__}")

    async def _gather(self, flows: tuple[Flow[Any], ...]) -> list[Outcome[Any]]:
        import anyio

        results: list[Outcome[Any]] = [Outcome() for _ in flows]

        async def one(index: int, flow: Flow[Any]) -> None:
            try:
                results[index] = Outcome(value=await self.run(flow))
            except Exception as exc:
                results[index] = Outcome(error=exc)

        async with anyio.create_task_group() as group:
            for index, flow in enumerate(flows):
                group.start_soon(one, index, flow)
        return results
