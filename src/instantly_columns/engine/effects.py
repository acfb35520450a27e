"""The effect vocabulary: every flow of the library, the API client's and the service's, is a
generator that yields these effects and is resumed with their results.

- [`Call`][instantly_columns.engine.effects.Call]: send an HTTP request over the transport;
  resumed with the `ApiResponse`, or the transport's `ApiConnectionError` is thrown in.
- [`Wait`][instantly_columns.engine.effects.Wait]: sleep on the clock; resumed with `None`.
- [`Blocking`][instantly_columns.engine.effects.Blocking]: run a blocking call (a store
  method); resumed with its result. The async driver runs it in a worker thread, one at a time,
  so a store need be neither async nor thread-safe.
- [`Gather`][instantly_columns.engine.effects.Gather]: run sub-flows concurrently; resumed with
  one [`Outcome`][instantly_columns.engine.effects.Outcome] per sub-flow, in order (a failure
  is an outcome, so the flow decides what it means).
- [`Emit`][instantly_columns.engine.effects.Emit]: hand a value (a page) to the consumer of a
  stream; resumed when the consumer asks for the next one.

An exception raised while performing an effect is thrown into the flow at its ``yield``.

Flows never yield these by hand: they compose the typed helpers below with ``yield from``
(``page = yield from core.lead_page(...)``, ``rows = yield from blocking(store.rows, ...)``),
so ``mypy --strict`` checks every argument and every result.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Generator, Sequence
from typing import Any, Generic, TypeAlias, TypeVar, overload

import attrs
from typing_extensions import ParamSpec

from instantly_columns.ports import ApiRequest, ApiResponse

__all__ = [
    "Blocking",
    "Call",
    "Effect",
    "Emit",
    "Flow",
    "Gather",
    "Outcome",
    "Wait",
    "blocking",
    "call",
    "collect",
    "emit",
    "gather",
    "gather_all",
    "renewing",
    "wait",
]

T = TypeVar("T")
A = TypeVar("A")
B = TypeVar("B")
C = TypeVar("C")
P = ParamSpec("P")


@attrs.frozen
class Call:
    """Send `request`; resume with the `ApiResponse` (or a thrown `ApiConnectionError`)."""

    request: ApiRequest


@attrs.frozen
class Wait:
    """Sleep `seconds` on the driver's clock; resume with `None`."""

    seconds: float


@attrs.frozen
class Blocking(Generic[T]):
    """Run `fn()` (a blocking call, such as a store method); resume with its result."""

    fn: Callable[[], T]


@attrs.frozen
class Gather:
    """Run `flows` concurrently; resume with a list of `Outcome`s, one per flow, in order."""

    flows: tuple[Flow[Any], ...]


@attrs.frozen
class Emit(Generic[T]):
    """Give `value` to the consumer of a stream; resume when it asks for more."""

    value: T


Effect: TypeAlias = "Call | Wait | Blocking[Any] | Gather | Emit[Any]"
Flow: TypeAlias = Generator["Effect", Any, T]
"""A computation that yields effects and finally returns a `T`."""


@attrs.frozen
class Outcome(Generic[T]):
    """The result of one sub-flow of a `Gather`: a value, or the exception it raised."""

    value: T | None = None
    error: Exception | None = None

    def unwrap(self) -> T:
        """The value, or raise the error."""
        if self.error is not None:
            raise self.error
        return self.value  # type: ignore[return-value]


# --- typed helpers: the only place where a raw effect result (typed Any) is received -------


def call(request: ApiRequest) -> Flow[ApiResponse]:
    """Send one request (no retry, no rate limit: `ApiCore.send` adds those)."""
    response: ApiResponse = yield Call(request)
    return response


def wait(seconds: float) -> Flow[None]:
    """Sleep on the driver's clock."""
    yield Wait(seconds)


def emit(value: Any) -> Flow[None]:
    """Hand `value` to the consumer of a stream."""
    yield Emit(value)


def blocking(fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Flow[T]:
    """Call `fn(*args, **kwargs)` as a blocking effect; arguments and result are type-checked
    against `fn`'s signature."""
    result: T = yield Blocking(functools.partial(fn, *args, **kwargs))
    return result


@overload
def gather(a: Flow[A], /) -> Flow[tuple[Outcome[A]]]: ...
@overload
def gather(a: Flow[A], b: Flow[B], /) -> Flow[tuple[Outcome[A], Outcome[B]]]: ...
@overload
def gather(
    a: Flow[A], b: Flow[B], c: Flow[C], /
) -> Flow[tuple[Outcome[A], Outcome[B], Outcome[C]]]: ...
def gather(*flows: Flow[Any]) -> Flow[tuple[Outcome[Any], ...]]:
    """Run up to three flows of different result types concurrently."""
    outcomes: list[Outcome[Any]] = yield Gather(tuple(flows))
    return tuple(outcomes)


def gather_all(flows: Sequence[Flow[T]]) -> Flow[list[Outcome[T]]]:
    """Run flows of one result type concurrently; one `Outcome` each, in order."""
    if not flows:
        return []
    outcomes: list[Outcome[T]] = yield Gather(tuple(flows))
    return outcomes


def collect(flow: Flow[None]) -> Flow[list[Any]]:
    """Run `flow`, passing its other effects through, and return what it emitted."""
    emitted: list[Any] = []
    value: Any = None
    error: BaseException | None = None
    while True:
        try:
            effect = flow.throw(error) if error is not None else flow.send(value)
        except StopIteration:
            return emitted
        value, error = None, None
        if isinstance(effect, Emit):
            emitted.append(effect.value)
            continue
        try:
            value = yield effect
        except Exception as exc:  # handed to the inner flow, which decides
            error = exc


def renewing(flow: Flow[T], renew: Callable[[], Flow[None]], every: float) -> Flow[T]:
    """Run `flow`, cutting each of its waits longer than `every` seconds into slices and
    running `renew` between them: a lease held by the caller stays fresh however long the
    flow waits (a rate limit, a back-off). An error `renew` raises is thrown into `flow`."""
    value: Any = None
    error: BaseException | None = None
    while True:
        try:
            effect = flow.throw(error) if error is not None else flow.send(value)
        except StopIteration as stop:
            result: T = stop.value
            return result
        value, error = None, None
        if isinstance(effect, Wait) and effect.seconds > every > 0:
            left = effect.seconds
            try:
                while left > 0:
                    step = min(every, left)
                    yield Wait(step)
                    left -= step
                    if left > 0:
                        yield from renew()
            except Exception as exc:
                error = exc
            continue
        try:
            value = yield effect
        except Exception as exc:
            error = exc
