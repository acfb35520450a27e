"""Flows written once, run by a sync or an async driver.

A flow is a generator that yields *effects* and receives their results:

- ``Api(credential, op, kwargs)``: call ``op`` on the API client of that credential;
- ``Store(fn, args)``: call a storage function (blocking; the async driver runs it in a worker
  thread, one at a time);
- ``Gather(effects)``: run several effects concurrently and receive one ``Outcome`` each,
  in order (a failure is an outcome, not an exception, so the flow decides).

An exception raised by an effect is thrown back into the flow at the ``yield``.
"""

from __future__ import annotations

import threading
from collections.abc import Awaitable, Callable, Generator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Generic, TypeAlias, TypeVar

import attrs

__all__ = ["AsyncDriver", "Effect", "Flow", "Gather", "Outcome", "Store", "SyncDriver"]

T = TypeVar("T")


@attrs.frozen
class Api:
    credential: str
    op: str
    kwargs: Mapping[str, Any] = attrs.field(factory=dict)


@attrs.frozen
class Store:
    fn: Callable[..., Any]
    args: tuple[Any, ...] = ()
    kwargs: Mapping[str, Any] = attrs.field(factory=dict)


@attrs.frozen
class Gather:
    effects: tuple[Effect, ...]


Effect: TypeAlias = "Api | Store | Gather"


@attrs.frozen
class Outcome(Generic[T]):
    """The result of one effect of a ``Gather``: a value or the exception it raised."""

    value: T | None = None
    error: Exception | None = None

    def unwrap(self) -> T:
        if self.error is not None:
            raise self.error
        return self.value  # type: ignore[return-value]


Flow: TypeAlias = Generator[Effect, Any, T]


SyncOps: TypeAlias = Callable[[str, str, Mapping[str, Any]], Any]
"""Calls operation ``op`` with ``kwargs`` on the API client of a credential."""
AsyncOps: TypeAlias = Callable[[str, str, Mapping[str, Any]], Awaitable[Any]]


def _drive(flow: Flow[T], do: Callable[[Effect], Any]) -> T:
    value: Any = None
    error: BaseException | None = None
    while True:
        try:
            effect = flow.throw(error) if error is not None else flow.send(value)
        except StopIteration as stop:
            return stop.value  # type: ignore[no-any-return]
        value, error = None, None
        try:
            value = do(effect)
        except (Exception, KeyboardInterrupt) as exc:  # thrown back into the flow: it decides
            error = exc


class SyncDriver:
    """Runs flows in the calling thread; ``Gather`` uses a small thread pool kept for the
    driver's life (a ``Gather`` inside a pool thread runs its effects one after another, so
    nesting cannot exhaust the pool)."""

    def __init__(self, ops: SyncOps, *, concurrency: int = 4) -> None:
        self._ops = ops
        self._concurrency = max(1, concurrency)
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()
        self._local = threading.local()

    def run(self, flow: Flow[T]) -> T:
        return _drive(flow, self._do)

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True)

    def _do(self, effect: Effect) -> Any:
        if isinstance(effect, Api):
            return self._ops(effect.credential, effect.op, effect.kwargs)
        if isinstance(effect, Store):
            return effect.fn(*effect.args, **effect.kwargs)
        return self._gather(effect.effects)

    def _one(self, effect: Effect) -> Outcome[Any]:
        self._local.inside = True
        try:
            return Outcome(value=self._do(effect))
        except Exception as exc:
            return Outcome(error=exc)

    def _gather(self, effects: Sequence[Effect]) -> list[Outcome[Any]]:
        if len(effects) <= 1 or getattr(self._local, "inside", False):
            return [self._one(e) for e in effects]
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(
                    max_workers=self._concurrency, thread_name_prefix="instantly-columns"
                )
            pool = self._pool
        return list(pool.map(self._one, effects))


class AsyncDriver:
    """Runs flows on the running event loop (asyncio or trio through anyio). Store calls go
    to a worker thread one at a time, so a store need not be async nor thread-safe."""

    def __init__(self, ops: AsyncOps, *, concurrency: int = 4) -> None:
        import anyio

        self._ops = ops
        self._store_slot = anyio.CapacityLimiter(1)
        self._concurrency = anyio.CapacityLimiter(max(1, concurrency))

    async def run(self, flow: Flow[T]) -> T:
        value: Any = None
        error: Exception | None = None
        while True:
            try:
                effect = flow.throw(error) if error is not None else flow.send(value)
            except StopIteration as stop:
                return stop.value  # type: ignore[no-any-return]
            value, error = None, None
            try:
                value = await self._do(effect)
            except Exception as exc:
                error = exc

    async def _do(self, effect: Effect) -> Any:
        import anyio.to_thread

        if isinstance(effect, Api):
            return await self._ops(effect.credential, effect.op, effect.kwargs)
        if isinstance(effect, Store):
            call = effect.fn
            if effect.kwargs:
                kwargs = dict(effect.kwargs)

                def call(*args: Any) -> Any:
                    return effect.fn(*args, **kwargs)

            return await anyio.to_thread.run_sync(call, *effect.args, limiter=self._store_slot)
        return await self._gather(effect.effects)

    async def _gather(self, effects: Sequence[Effect]) -> list[Outcome[Any]]:
        import anyio

        results: list[Outcome[Any]] = [Outcome() for _ in effects]

        async def one(index: int, effect: Effect) -> None:
            try:
                if isinstance(effect, Api):  # only leaves take a slot: nesting cannot deadlock
                    async with self._concurrency:
                        value = await self._do(effect)
                else:
                    value = await self._do(effect)
                results[index] = Outcome(value=value)
            except Exception as exc:
                results[index] = Outcome(error=exc)

        async with anyio.create_task_group() as group:
            for index, effect in enumerate(effects):
                group.start_soon(one, index, effect)
        return results
